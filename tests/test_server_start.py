"""What the server does when it starts, before the first visitor."""

from __future__ import annotations

import os
import subprocess
import sys

from core.settings import PROJECT_ROOT

STARTED = """
import asyncio, gc, sys
from entry.server import lifespan

async def start():
    async with lifespan(None):
        print(gc.get_freeze_count())
        print("coalition.figures.charts" in sys.modules, "plotly.graph_objects" in sys.modules)

asyncio.run(start())
"""


def test_the_server_starts_with_the_pages_code_loaded_and_out_of_full_collections(tmp_path):
    """Started, the server has the code every page draws on loaded, and the objects alive
    then kept out of the garbage collector's full passes (which walked them after every
    write's rebuilds)."""
    started = subprocess.run(
        [sys.executable, "-c", STARTED],
        cwd=PROJECT_ROOT,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'coalition.db'}"},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    frozen, loaded = started.stdout.splitlines()[-2:]
    assert int(frozen) > 100_000
    assert loaded == "True True"
