"""Benchmark: the briefing pack (PDF) at 100,000 revisions, against building the View alone in
the same run.

    python bench/briefing.py --revisions 100000
    python bench/briefing.py --revisions 100000 --database postgresql+psycopg://…/scratch

Printed per case: the View alone (the baseline: one read of the record, as every page makes),
the reads the pack makes (two Views, the snapshot, the planning figures), the drawing, and the
whole pack, each as a time and as a multiple of the baseline. Target: the pack ≤ 5 s.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta

from bench.report import (
    database_arguments,
    machine,
    prepared_database,
    revisions_in,
    write_section,
)
from coalition.figures.view import build_view
from coalition.output.briefing import content
from coalition.output.briefing.pdf import briefing_pdf, render
from coalition.output.snapshots import pin_known_at
from coalition.read.filters import PledgeFilter
from core import clock
from db.engine import create_db_engine, read_session

TARGET_SECONDS = 5.0


def timed(action: Callable[[], object], repeat: int = 3) -> tuple[float, object]:
    """The median time of ``repeat`` runs, and the last result."""
    runs, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    database_arguments(parser)
    args = parser.parse_args()
    url, _ = prepared_database(args, "briefing")
    engine = create_db_engine(url)
    counted = revisions_in(url)
    today = clock.today()
    cases = {
        "today, changes over 7 days": (PledgeFilter(), content.default_since(today)),
        "as of 2026-01-01, changes since 2025-06-01": (
            PledgeFilter(as_of=date(2026, 1, 1)),
            date(2025, 6, 1),
        ),
        "every status and scope, changes over 90 days": (
            PledgeFilter(statuses=(), scopes=()),
            today - timedelta(days=90),
        ),
    }
    rows = []
    with read_session(engine) as session:
        known_at = pin_known_at(session, "")
        for name, (filters, since) in cases.items():
            baseline, _ = timed(lambda f=filters: build_view(session, f, known_at))
            reads, gathered = timed(
                lambda f=filters, s=since: content.gather(session, f, s, known_at)
            )
            drawing, _ = timed(lambda g=gathered: render(g))
            whole, pdf = timed(lambda f=filters, s=since: briefing_pdf(session, f, s, known_at))
            rows.append((name, baseline, reads, drawing, whole, len(pdf), len(gathered.movers)))
    dialect = engine.dialect.name
    engine.dispose()

    lines = [
        f"## Briefing pack (PDF) at {args.revisions:,} revisions ({dialect})",
        "",
        f"Run {machine()}; {counted:,} revisions in the database. Command: `python "
        f"bench/briefing.py --revisions {args.revisions}"
        + (" --database <PostgreSQL URL>" if dialect != "sqlite" else "")
        + "`. Median of 3 runs in one process, nothing cached. Baseline: building the View "
        "alone (one read of the record, as the overview does). ✓/✗ against the target: the "
        f"whole pack ≤ {TARGET_SECONDS:.0f} s.",
        "",
        "| case | View alone (baseline) | reads (2 Views, snapshot) | drawing | whole pack "
        "| pack/baseline | PDF size |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, baseline, reads, drawing, whole, size, _ in rows:
        mark = " ✓" if whole <= TARGET_SECONDS else " ✗"
        lines.append(
            f"| {name} | {baseline * 1000:.0f} ms | {reads * 1000:.0f} ms "
            f"({reads / baseline:.1f}×) | {drawing * 1000:.0f} ms ({drawing / baseline:.1f}×) "
            f"| {whole * 1000:.0f} ms{mark} | {whole / baseline:.1f}× | {size / 1000:.0f} kB |"
        )
    report = "\n".join(lines)
    print(report)
    write_section(f"briefing-{dialect}-{args.revisions}", report)


if __name__ == "__main__":
    main()
