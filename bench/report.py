"""bench/RESULTS.md is written by several scripts: each replaces its own section."""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
from pathlib import Path

from core import clock

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
TITLE = "# Benchmark results\n\nEach section is replaced by the script that measures it.\n"


def machine() -> str:
    return (
        f"{clock.now():%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
        f"{os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def write_section(name: str, markdown: str, path: Path = RESULTS) -> None:
    """Put ``markdown`` between this section's markers, keeping the other sections."""
    begin, end = f"<!-- begin {name} -->", f"<!-- end {name} -->"
    text = path.read_text(encoding="utf-8") if path.exists() else TITLE
    block = f"{begin}\n{markdown.strip()}\n{end}"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def revisions_in(url: str) -> int:
    """How many pledge revisions the database holds (synthetic ones and any others)."""
    from sqlalchemy import func, select

    from db.engine import create_db_engine
    from db.models import PledgeRevision

    engine = create_db_engine(url)
    with engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(PledgeRevision)).scalar_one()
    engine.dispose()
    return count


def database_arguments(parser: argparse.ArgumentParser) -> None:
    """The options every benchmark takes: how much synthetic data, and where."""
    parser.add_argument("--revisions", type=int, default=100_000)
    parser.add_argument("--database", help="scratch database URL (default: a new SQLite file)")
    parser.add_argument("--reuse", action="store_true", help="use the database as it is")


def prepared_database(args: argparse.Namespace, name: str) -> tuple[str, Path]:
    """The database URL to measure (synthetic data added unless --reuse) and a scratch folder
    for files and logs."""
    from bench.generate import generate

    scratch = Path(tempfile.mkdtemp(prefix=f"coalition-{name}-"))
    url = args.database or f"sqlite:///{scratch / f'{name}.db'}"
    if not args.reuse:
        generate(url, args.revisions)
    return url, scratch
