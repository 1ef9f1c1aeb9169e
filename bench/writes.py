"""What a write costs the reads after it: the timeline's first rerun after one write, with the
history kept across writes (only the revisions committed since are read) against the same
rerun reading the whole history again; and the pages' pledge table and view, with the pledge
table kept across writes (only the pledges written since are read) against a full read;
measured in the same run on the same database.

    python bench/writes.py --revisions 100000
    python bench/writes.py --revisions 1000000
    python bench/writes.py --revisions 100000 --database postgresql+psycopg://…/scratch

Each round saves one change to a synthetic pledge through the write path, then times, in this
process: reading the history's arrays, and the timeline's series (what its page caches per
data version), first as the app does it (kept history), then with the kept history dropped
(a full read, as every process did before); then the current pledge table and the view the
Overview, Map and Participant pages read (coalition.figures.view.build_view), the same two
ways. Medians of the rounds; CPU time beside wall time.
"""

from __future__ import annotations

import argparse
import resource

from sqlmodel import select

from bench.generate import BENCHMARK_ACTOR
from bench.report import (
    database_arguments,
    machine,
    prepared_database,
    revisions_in,
    write_section,
)
from bench.run import mark, timed_with_cpu
from coalition.figures.view import build_view
from coalition.read import queries, timeline
from coalition.read.filters import PledgeFilter
from coalition.read.queries import SYNTHETIC_SOURCE
from coalition.read.revisions import HISTORIES, revision_arrays
from coalition.write.pledges import update_pledge
from db.engine import create_db_engine, read_session, write_session
from db.models import Pledge

ROUNDS = 5
# Issue target: the timeline's first rerun after a write, at a million revisions.
AFTER_WRITE_TARGET = 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    database_arguments(parser)
    args = parser.parse_args()
    url, _ = prepared_database(args, "writes")
    engine = create_db_engine(url)
    counted = revisions_in(url)
    filters = PledgeFilter()
    with read_session(engine) as session:
        pledge_id = session.exec(
            select(Pledge.id).where(Pledge.source_title == SYNTHETIC_SOURCE).limit(1)
        ).one()

    def write(round_number: int) -> None:
        with write_session(engine) as session:
            pledge = session.get_one(Pledge, pledge_id)
            update_pledge(
                session,
                actor=BENCHMARK_ACTOR,
                pledge_id=pledge_id,
                expected_version=pledge.version,
                changes={"description": f"{pledge.description.split(' #')[0]} #{round_number}"},
                reason="synthetic: one write",
            )

    def arrays() -> None:
        with read_session(engine) as session:
            revision_arrays(session, filters)

    def series() -> None:
        with read_session(engine) as session:
            timeline.timeline_series(session, filters)

    def pledge_table() -> None:
        with read_session(engine) as session:
            queries.pledges_frame(session, filters)

    def view() -> None:
        with read_session(engine) as session:
            build_view(session, filters)

    series()  # the process's first read of the history: not counted
    view()  # and of the pledge table
    rounds = iter(range(1, 10_000))
    figures = {}
    for label, action, keep in (
        ("history's arrays, kept across writes", arrays, True),
        ("history's arrays, read whole", arrays, False),
        ("timeline series, kept history", series, True),
        ("timeline series, history read whole", series, False),
        ("pledge table, kept across writes", pledge_table, True),
        ("pledge table, read whole", pledge_table, False),
        ("the pages' view, pledge table kept", view, True),
        ("the pages' view, pledge table read whole", view, False),
    ):

        def before(keep: bool = keep) -> None:
            write(next(rounds))
            if not keep:
                HISTORIES.forget()
                queries.CURRENT_PLEDGES.forget()

        figures[label] = timed_with_cpu(action, repeat=ROUNDS, before=before)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    dialect = engine.dialect.name
    engine.dispose()

    kept_arrays = figures["history's arrays, kept across writes"][0]
    whole_arrays = figures["history's arrays, read whole"][0]
    kept_series = figures["timeline series, kept history"][0]
    kept_table = figures["pledge table, kept across writes"][0]
    whole_table = figures["pledge table, read whole"][0]
    lines = [
        f"## The first read after a write at {args.revisions:,} revisions ({dialect})",
        "",
        f"Run {machine()}; {counted:,} revisions in the database. Command: "
        f"`python bench/writes.py --revisions {args.revisions}"
        + (" --database <PostgreSQL URL>" if dialect != "sqlite" else "")
        + f"`. One write before each round, median of {ROUNDS} rounds; the baseline is the "
        "same read with the history read whole, in the same run. ✓/✗ (the timeline's first "
        f"rerun after a write): ≤ {AFTER_WRITE_TARGET:.0f} s.",
        "",
        "| read after one write | wall | CPU |",
        "|---|---|---|",
    ]
    for label, (wall, cpu) in figures.items():
        target = AFTER_WRITE_TARGET if label == "timeline series, kept history" else None
        shown = f"{wall * 1000:,.0f} ms{mark(wall, target)}"
        lines.append(f"| {label} | {shown} | {cpu * 1000:,.0f} ms |")
    lines += [
        "",
        f"Kept against whole: the arrays {kept_arrays / whole_arrays:.2f}× "
        f"({kept_arrays * 1000:,.0f} against {whole_arrays * 1000:,.0f} ms); "
        f"the timeline's rerun {kept_series * 1000:,.0f} ms; the pledge table "
        f"{kept_table / whole_table:.2f}× ({kept_table * 1000:,.0f} against "
        f"{whole_table * 1000:,.0f} ms). Peak memory of this process: "
        f"{peak_mb:,.0f} MB.",
    ]
    report = "\n".join(lines)
    print(report)
    write_section(f"writes-{dialect}-{args.revisions}", report)


if __name__ == "__main__":
    main()
