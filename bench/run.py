"""Benchmarks: page script times, snapshot, import, memory and bytes per page, each printed as
a ratio against baselines measured in the same run.

    python bench/run.py --revisions 100000          # generates a scratch SQLite database
    python bench/run.py --revisions 100000 --database postgresql+psycopg://…/scratch

Baselines: the *floor* is the bare SQL aggregate a page needs; the *naive* way reads every
revision into pandas and groups there. Printed: ours/floor and naive/ours.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402
from sqlalchemy import text  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from bench.generate import generate  # noqa: E402
from coalition.auth import Actor, add_account  # noqa: E402
from coalition.filters import PledgeFilter  # noqa: E402
from coalition.importer import commit_import  # noqa: E402
from coalition.snapshots import build_snapshot  # noqa: E402
from db.engine import create_db_engine, read_session, write_session  # noqa: E402

PAGES = ("overview", "map", "timeline", "participant", "snapshots", "about")
FLOOR_SQL = {
    "overview": "SELECT category, status, count(*), sum(quantity), sum(CASE WHEN quantity IS NULL "
    "THEN 1 ELSE 0 END) FROM pledge GROUP BY category, status",
    "map": "SELECT participant_code, category, count(*), sum(quantity) FROM pledge "
    "GROUP BY participant_code, category",
    "timeline": "SELECT category, effective_on, count(*), sum(quantity) FROM pledge_revision "
    "GROUP BY category, effective_on",
    "participant": "SELECT * FROM pledge_revision WHERE participant_code = 'GBR'",
    "snapshots": "SELECT pledge_id, max(version) FROM pledge_revision GROUP BY pledge_id",
    "about": "SELECT count(*) FROM event",
}
TARGETS_100K = {
    "warm": 0.150,
    "cold": 1.5,
    "snapshot": 1.0,
    "import": 5.0,
    "rss_mb": 500,
    "bytes": 2_000_000,
}


def timed(action: Callable[[], object], repeat: int = 3) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def page_bytes(at: AppTest) -> int:
    """What the page sends to the browser: the serialised size of every element drawn."""
    total, stack = 0, [at._tree]
    while stack:
        node = stack.pop()
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "ByteSize"):
            total += proto.ByteSize()
        children = getattr(node, "children", None)
        if children:
            stack.extend(children.values())
    return total


def measure_pages(url: str, email: str) -> dict[str, dict[str, float]]:
    os.environ["DATABASE_URL"] = url
    results = {}
    for page in PAGES:
        st.cache_data.clear()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        at.session_state["auth_email"] = email
        at.query_params["code"] = "GBR"
        at.run()
        at.switch_page(f"pages/{page}.py")
        st.cache_data.clear()
        cold = timed(lambda at=at: at.run(), repeat=1)
        warm = timed(lambda at=at: at.run(), repeat=5)
        assert not at.exception, (page, at.exception)
        results[page] = {"cold": cold, "warm": warm, "bytes": page_bytes(at)}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revisions", type=int, default=100_000)
    parser.add_argument("--database", help="scratch database URL (default: a new SQLite file)")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "RESULTS.md")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="coalition-bench-"))
    url = args.database or f"sqlite:///{scratch / 'bench.db'}"
    generate(url, args.revisions)
    engine = create_db_engine(url)
    email = "bench-viewer@example.org"
    with write_session(engine) as session:
        add_account(
            session, actor=Actor.for_system("bench"), email=email, role="editor", password=None
        )

    pages = measure_pages(url, email)
    with engine.connect() as connection:
        floors = {
            p: timed(lambda sql=sql: connection.execute(text(sql)).all())
            for p, sql in FLOOR_SQL.items()
        }

        def naive() -> None:
            frame = pd.read_sql("SELECT * FROM pledge_revision", connection)
            frame.groupby(["category", "effective_on"])["quantity"].agg(["count", "sum"])

        naive_time = timed(naive)

    def snapshot() -> None:
        with read_session(engine) as session:
            build_snapshot(
                session,
                filters=PledgeFilter(statuses=(), as_of=date(2026, 1, 1)),
                known_at=datetime.now(UTC),
            )

    snapshot_time = timed(snapshot)
    header = (
        "participant_code,category,status,description,quantity,announced_on,source_title,"
        "confidence\n"
    )
    rows = "".join(
        f"NOR,troops,announced,Bench unit {n},{n % 400},2026-02-01,Bench,low\n"
        for n in range(10_000)
    )
    started = time.perf_counter()
    with write_session(engine) as session:
        commit_import(session, actor=Actor(email), data=(header + rows).encode(), reason="bench")
    import_time = time.perf_counter() - started
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    engine.dispose()

    lines = [
        f"# Benchmark results ({args.revisions:,} synthetic revisions)",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{engine.dialect.name}. Command: `python bench/run.py --revisions {args.revisions}`.",
        "",
        "| page | warm rerun | cold rerun | floor (SQL) | ours/floor (warm) "
        "| naive/ours (warm) | bytes to browser |",
        "|---|---|---|---|---|---|---|",
    ]
    for page, figures in pages.items():
        lines.append(
            f"| {page} | {figures['warm'] * 1000:.0f} ms | {figures['cold'] * 1000:.0f} ms | "
            f"{floors[page] * 1000:.1f} ms | {figures['warm'] / floors[page]:.0f}× | "
            f"{naive_time / figures['warm']:.2f}× | {figures['bytes'] / 1e6:.2f} MB |"
        )
    lines += [
        "",
        f"- naive baseline (every revision into pandas, grouped): {naive_time * 1000:.0f} ms",
        f"- as-of snapshot (all statuses): {snapshot_time * 1000:.0f} ms "
        f"(target ≤ {TARGETS_100K['snapshot'] * 1000:.0f} ms at 100k)",
        f"- import of 10,000 rows: {import_time:.1f} s (target ≤ {TARGETS_100K['import']:.0f} s)",
        f"- peak RSS of this process: {rss_mb:.0f} MB (target ≤ {TARGETS_100K['rss_mb']} MB)",
        "",
        "Targets at 100k: warm ≤ 150 ms and ≤ 3× floor; cold ≤ 1.5 s; snapshot ≤ 1 s; "
        "import ≤ 5 s; RSS ≤ 500 MB; ≤ 2 MB per page.",
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    args.results.write_text(report)


if __name__ == "__main__":
    main()
