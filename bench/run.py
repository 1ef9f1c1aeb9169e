"""Benchmarks: page script times, snapshot, import, memory and bytes per page, each printed as
a ratio against baselines measured in the same run.

    python bench/run.py --revisions 100000          # generates a scratch SQLite database
    python bench/run.py --revisions 100000 --database postgresql+psycopg://…/scratch

Baselines: the *floor* is the bare SQL aggregate a page needs; the *naive* way reads every
revision into pandas and groups there. Printed: ours/floor and naive/ours.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import statistics
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from bench.report import (
    database_arguments,
    machine,
    prepared_database,
    revisions_in,
    write_section,
)
from coalition.access.auth import Actor, add_account, find_account
from coalition.output.snapshots import build_snapshot
from coalition.read.filters import PledgeFilter
from coalition.read.revisions import HISTORIES
from coalition.write.importer import commit_import
from core import clock
from core.settings import PROJECT_ROOT
from db.engine import create_db_engine, read_session, write_session
from ui.resources import clear_cached_data

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
    "floor_ratio": 3.0,
    "cold": 1.5,
    "timeline_cold": 1.5,
    "snapshot": 1.0,
    "import": 5.0,
    "rss_mb": 500,
    "bytes": 2_000_000,
}
# At a million revisions the issue sets only these; nothing else is marked there. The cold
# target applies to the timeline alone.
TARGETS_1M = dict.fromkeys(TARGETS_100K) | {
    "warm": 0.500,
    "snapshot": 3.0,
    "timeline_cold": 3.0,
    "rss_mb": 1024,
}


TARGET_TEXT = {
    False: "warm ≤ 150 ms and ≤ 3× floor, cold ≤ 1.5 s, ≤ 2 MB per page, snapshot ≤ 1 s, "
    "import ≤ 5 s, peak RSS ≤ 500 MB",
    True: "warm ≤ 500 ms, the timeline's cold rerun ≤ 3 s, snapshot ≤ 3 s, peak RSS ≤ 1 GB "
    "(the issue sets no other target at this size)",
}
# The SQL a snapshot cannot do without: each pledge's newest version in effect by the date,
# as recorded by the known-at time (the snapshot's floor).
SNAPSHOT_FLOOR_SQL = (
    "SELECT pledge_id, max(version) FROM pledge_revision WHERE effective_on <= '2026-01-01' "
    "GROUP BY pledge_id"
)
COLD_RUNS = 3


def mark(value: float, target: float | None) -> str:
    """✓ or ✗ against a target; nothing where none is set."""
    return "" if target is None else (" ✓" if value <= target else " ✗")


def timed(action: Callable[[], object], repeat: int = 3) -> float:
    return timed_with_cpu(action, repeat)[0]


def timed_with_cpu(
    action: Callable[[], object], repeat: int = 3, before: Callable[[], object] = lambda: None
) -> tuple[float, float]:
    """Median wall time and median CPU time of this process (every thread) over ``repeat``
    runs, ``before`` run untimed ahead of each. On a shared machine the wall time grows with
    the load; the CPU time much less."""
    walls, cpus = [], []
    for _ in range(repeat):
        before()
        started, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_text(load: tuple[float, float, float]) -> str:
    return ", ".join(f"{value:.1f}" for value in load)


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


def measure_pages(url: str, email: str, scratch: Path) -> dict[str, dict[str, float]]:
    """Each page's warm and cold reruns. Cold is a process that starts: every cached read and
    figure dropped, the history's copy on disk kept (COALITION_CACHE_DIR, in the scratch
    folder; it is written by an untimed run first). For the timeline, also with no copy on
    disk: the first start on a database."""
    os.environ["DATABASE_URL"] = url
    os.environ["COALITION_CACHE_DIR"] = str(scratch / "cache")
    results = {}
    for page in PAGES:
        clear_cached_data()
        at = AppTest.from_file(str(PROJECT_ROOT / "ui" / "main.py"), default_timeout=600)
        at.session_state["auth_email"] = email
        at.query_params["code"] = "GBR"
        at.run()
        at.switch_page(f"../pages/{page}.py")
        at.run()  # untimed: the copy of the history on disk is written here, if not before
        cold, cold_cpu = timed_with_cpu(
            lambda at=at: at.run(), repeat=COLD_RUNS, before=clear_cached_data
        )
        warm = timed(lambda at=at: at.run(), repeat=5)
        assert not at.exception, (page, at.exception)
        results[page] = {
            "cold": cold,
            "cold_cpu": cold_cpu,
            "warm": warm,
            "bytes": page_bytes(at),
            "rss_mb": peak_rss_mb(),
        }
        if page == "timeline":
            HISTORIES.keep_on_disk(None)
            first, first_cpu = timed_with_cpu(
                lambda at=at: at.run(), repeat=COLD_RUNS, before=clear_cached_data
            )
            HISTORIES.keep_on_disk(scratch / "cache")
            results[page] |= {"first_start": first, "first_start_cpu": first_cpu}
    return results


def _naive_time(url: str) -> float:
    engine = create_db_engine(url)
    with engine.connect() as connection:

        def naive() -> None:
            frame = pd.read_sql("SELECT * FROM pledge_revision", connection)
            frame.groupby(["category", "effective_on"])["quantity"].agg(["count", "sum"])

        result = timed(naive)
    engine.dispose()
    return result


def naive_in_child(url: str) -> float:
    """The naive baseline, timed in a child process: it holds every revision in memory at
    once, which must not count in this process's peak."""
    from bench import run  # by its module name: AppTest replaces __main__ while it runs

    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(run._naive_time, (url,))


def import_rows(count: int) -> bytes:
    header = (
        "participant_code,category,status,description,quantity,announced_on,source_title,"
        "confidence\n"
    )
    stamp = time.time_ns()
    return (
        header
        + "".join(
            f"NOR,troops,announced,Bench unit {n} ({stamp}),{n % 400},2026-02-01,Bench,low\n"
            for n in range(count)
        )
    ).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    database_arguments(parser)
    args = parser.parse_args()
    url, scratch = prepared_database(args, "bench")
    engine = create_db_engine(url)
    email = "bench-viewer@example.org"
    with write_session(engine) as session:
        if find_account(session, email) is None:
            add_account(
                session, actor=Actor.for_system("bench"), email=email, role="editor", password=None
            )
    targets = TARGETS_1M if args.revisions >= 1_000_000 else TARGETS_100K

    counted = revisions_in(url)
    # The memory baseline: this process with the app imported and the database open.
    started_rss = peak_rss_mb()
    load = os.getloadavg()
    pages = measure_pages(url, email, scratch)
    # The baselines on the same data the pages saw (before the import adds to it).
    with engine.connect() as connection:
        floors = {
            p: timed(lambda sql=sql: connection.execute(text(sql)).all())
            for p, sql in FLOOR_SQL.items()
        }
        snapshot_floor = timed(lambda: connection.execute(text(SNAPSHOT_FLOOR_SQL)).all())

    def snapshot() -> None:
        with read_session(engine) as session:
            build_snapshot(
                session,
                filters=PledgeFilter(statuses=(), scopes=(), as_of=date(2026, 1, 1)),
                known_at=clock.now(),
            )

    snapshot_time, snapshot_cpu = timed_with_cpu(snapshot)
    after_snapshot_rss = peak_rss_mb()
    naive_time = naive_in_child(url)
    started = time.perf_counter()
    with write_session(engine) as session:
        commit_import(session, actor=Actor(email), data=import_rows(10_000), reason="bench")
    import_time = time.perf_counter() - started
    rss_mb = peak_rss_mb()
    load_after = os.getloadavg()
    engine.dispose()

    lines = [
        f"## Pages, snapshot, import and memory at {args.revisions:,} revisions "
        f"({engine.dialect.name})",
        "",
        f"Run {machine()}; {counted:,} revisions in the database when the pages were "
        f"measured. Command: `python bench/run.py --revisions {args.revisions}"
        + (" --database <PostgreSQL URL>" if engine.dialect.name != "sqlite" else "")
        + "`. Script times through Streamlit's AppTest in this process, signed in; cold = "
        "a process that starts: every cached read and figure dropped, the copy of the history "
        f"on disk kept (median of {COLD_RUNS}), with the CPU "
        "time this process spent on it, which other work on the machine inflates far less "
        f"than the wall time. Load average (1, 5, 15 min): {load_text(load)} at the start, "
        f"{load_text(load_after)} at the end. ✓/✗ against the issue's targets: "
        f"{TARGET_TEXT[targets is TARGETS_1M]}.",
        "",
        "| page | warm rerun | cold rerun | cold CPU | floor (SQL) | ours/floor (warm) "
        "| cold/floor | naive/ours (warm) | bytes to browser | peak RSS so far |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for page, figures in pages.items():
        ratio = figures["warm"] / floors[page]
        cold_target = targets["timeline_cold"] if page == "timeline" else targets["cold"]
        lines.append(
            f"| {page} | {figures['warm'] * 1000:.0f} ms{mark(figures['warm'], targets['warm'])}"
            f" | {figures['cold'] * 1000:.0f} ms{mark(figures['cold'], cold_target)} | "
            f"{figures['cold_cpu'] * 1000:.0f} ms | "
            f"{floors[page] * 1000:.1f} ms | {ratio:.1f}×{mark(ratio, targets['floor_ratio'])} | "
            f"{figures['cold'] / floors[page]:.1f}× | "
            f"{naive_time / figures['warm']:.1f}× | "
            f"{figures['bytes'] / 1e6:.2f} MB{mark(figures['bytes'], targets['bytes'])} | "
            f"{figures['rss_mb']:.0f} MB |"
        )
    lines += [
        "",
        f"- naive baseline (every revision into pandas, grouped): {naive_time * 1000:.0f} ms; "
        f"naive / the timeline's cold rerun: {naive_time / pages['timeline']['cold']:.1f}×",
        "- the timeline's cold rerun with no copy of the history on disk (a first start on "
        f"this database): {pages['timeline']['first_start'] * 1000:.0f} ms "
        f"(CPU {pages['timeline']['first_start_cpu'] * 1000:.0f} ms)",
        f"- as-of snapshot (all statuses): {snapshot_time * 1000:.0f} ms"
        f"{mark(snapshot_time, targets['snapshot'])} (CPU {snapshot_cpu * 1000:.0f} ms), "
        f"{snapshot_time / snapshot_floor:.1f}× "
        f"its floor (each pledge's newest version in SQL alone: {snapshot_floor * 1000:.0f} ms)",
        f"- import of 10,000 rows through the write path: {import_time:.1f} s"
        f"{mark(import_time, targets['import'])}",
        f"- peak RSS of this process (pages, snapshot, import): {rss_mb:.0f} MB"
        f"{mark(rss_mb, targets['rss_mb'])}, {rss_mb / started_rss:.1f}× the "
        f"{started_rss:.0f} MB it held before the first page (app imported, database open); "
        f"{after_snapshot_rss:.0f} MB after the snapshot",
    ]
    report = "\n".join(lines)
    print(report)
    write_section(f"pages-{engine.dialect.name}-{args.revisions}", report)


if __name__ == "__main__":
    main()
