"""The test data: the made-up seed, the PostgreSQL server, synthetic history, the command line
run on a database, and plotly's arrays read back."""

from __future__ import annotations

import base64
import io
import itertools
import os
import re
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import numpy as np

import bench.generate
from core.settings import PROJECT_ROOT
from entry import cli

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://root@127.0.0.1:5432/test"
)


IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


# The made-up seed data every test loads (see its README.md): never the real seed folder, so
# correcting a fact there breaks no test. Only tests/seed/test_seed_files.py reads data/.
FIXTURE_DATA = Path(__file__).parents[1] / "fixtures" / "seed"


def cli_env(database_url: str) -> dict[str, str]:
    """The environment for a `python -m coalition` subprocess on this database, seeding (if it
    does) from the fixture data."""
    return {
        "DATABASE_URL": database_url,
        "COALITION_DATA_DIR": str(FIXTURE_DATA),
        "PATH": "/usr/bin:/bin",
    }


def run_cli(
    database_url: str, *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """`python -m coalition ARGS` on this database, as an admin would type it (``env`` adds to
    or overrides the command's environment), run in this process through the command line's
    own entry point (entry.cli.main, which coalition/__main__.py calls): the same parsing,
    output and exit codes, without starting an interpreter and importing the app for each
    call. ``run_cli_process`` starts the real process, for what only a process shows."""
    overrides = {k: v for k, v in (cli_env(database_url) | (env or {})).items() if k != "PATH"}
    saved = {name: os.environ.get(name) for name in overrides}
    out, err, typed = io.StringIO(), io.StringIO(), sys.stdin
    os.environ.update(overrides)
    sys.stdin = io.StringIO(stdin)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = cli.main(list(args))
            except SystemExit as stop:  # argparse's own refusals and --help
                code = stop.code if isinstance(stop.code, int) else int(stop.code is not None) * 2
    finally:
        sys.stdin = typed
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return subprocess.CompletedProcess(["coalition", *args], code, out.getvalue(), err.getvalue())


def run_cli_process(
    database_url: str, *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """`python -m coalition ARGS` as its own process."""
    return subprocess.run(
        [sys.executable, "-m", "coalition", *args],
        cwd=PROJECT_ROOT,
        input=stdin,
        text=True,
        capture_output=True,
        timeout=120,
        env=cli_env(database_url) | (env or {}),
    )


def generate_synthetic(url: str, revisions: int) -> None:
    """bench.generate.generate over the fixture seed data."""
    bench.generate.generate(url, revisions, data_dir=FIXTURE_DATA)


def plotly_array(values) -> list:
    """A trace's values as a list: plotly writes numpy arrays as typed arrays (base64)."""
    if isinstance(values, dict) and "bdata" in values:
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)


def map_colours(spec: dict) -> dict[str, tuple[int, int, int]]:
    """The colour each outline of a plotly map is drawn in, by its ISO code, read from the
    figure's spec (to_plotly_json, or the JSON Streamlit sends): the step of the colour scale
    its value falls in."""
    trace = next(t for t in spec["data"] if t["type"] == "choropleth")
    low, high = trace["zmin"], trace["zmax"]
    scale = trace["colorscale"]
    colours = {}
    for iso, value in zip(trace["locations"], plotly_array(trace["z"]), strict=True):
        at = (value - low) / (high - low)
        colour = next(c for (start, c), (end, _) in itertools.pairwise(scale) if start <= at <= end)
        red, green, blue = (int(part) for part in re.findall(r"\d+", colour))
        colours[iso] = (red, green, blue)
    return colours


def map_participants(spec: dict) -> dict[str, str]:
    """The participant each outline of a plotly map opens, by its ISO code ("" for none)."""
    trace = next(t for t in spec["data"] if t["type"] == "choropleth")
    return dict(zip(trace["locations"], trace["customdata"], strict=True))
