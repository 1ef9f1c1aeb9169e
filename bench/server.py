"""Start the app as users get it (`streamlit run app.py`) on a free local port: for the browser
tests and for the load and browser benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerDidNotStart(RuntimeError):
    pass


@contextmanager
def app_server(
    database_url: str,
    log_path: Path,
    *,
    wrapper: Sequence[str] = (),
    script: str = "app.py",
    **settings: str,
) -> Iterator[str]:
    """Yield the server's base URL once it answers its health check; stop it afterwards.
    ``settings`` are extra environment variables (e.g. COALITION_ANONYMOUS_READ); ``wrapper``
    is a command the server runs under (one that execs its arguments); ``script`` another
    Streamlit script to serve instead of the app (the browser benchmark's bare app), run from
    the project folder so it reads the same .streamlit/config.toml."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, **settings}
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [
                *wrapper,
                sys.executable,
                "-m",
                "streamlit",
                "run",
                script,
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                        if response.read() == b"ok":
                            break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    raise ServerDidNotStart(log_path.read_text())
                time.sleep(0.3)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=20)
