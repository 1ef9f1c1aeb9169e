"""Benchmark of the What changed page: script times of a cold and a warm rerun in AppTest for
a week's period, printed against the About page measured in the same run (Streamlit's own
cost of a rerun) and against the bare SQL count of the period's revisions.

    python bench/changes.py --revisions 100000
    python bench/changes.py --revisions 100000 --database postgresql+psycopg://…/scratch

The synthetic history (bench/generate.py) is recorded within one week of March 2025 and takes
effect from March 2025 to late 2026, so the periods measured are: the default one (the last
week up to today, which holds none of it), a week by effect (a typical briefing's share), and
the week by recording that holds every synthetic revision (the worst case).
"""

from __future__ import annotations

import argparse
import os

from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from bench.report import (
    database_arguments,
    machine,
    prepared_database,
    revisions_in,
    write_section,
)
from bench.run import mark, page_bytes, timed
from coalition.access.auth import Actor, add_account, find_account
from core import clock
from core.settings import PROJECT_ROOT
from db.engine import create_db_engine, write_session
from ui.resources import clear_cached_data

WARM_TARGET = 0.300
# (label, address query, SQL counting the revisions the period selects)
PERIODS = (
    (
        "default: last week by recording, up to today",
        {},
        None,
    ),
    (
        "7 days by effect, 1–8 Oct 2025",
        {"from": "2025-10-01", "to": "2025-10-08", "by": "effective"},
        "SELECT count(*) FROM pledge_revision "
        "WHERE effective_on BETWEEN '2025-10-01' AND '2025-10-08'",
    ),
    (
        "7 days by recording, 1–8 Mar 2025 (every synthetic revision)",
        {"from": "2025-03-01", "to": "2025-03-08", "by": "recorded"},
        "SELECT count(*) FROM pledge_revision "
        "WHERE recorded_at >= '2025-03-01' AND recorded_at < '2025-03-09'",
    ),
)


def measure(email: str, page: str, query: dict[str, str]) -> dict[str, float]:
    """Cold (every cached read and figure dropped) and warm reruns of one page."""
    clear_cached_data()
    at = AppTest.from_file(str(PROJECT_ROOT / "ui" / "main.py"), default_timeout=600)
    at.session_state["auth_email"] = email
    at.query_params.update(query)
    at.run()
    at.switch_page(f"../pages/{page}.py")
    clear_cached_data()
    cold = timed(lambda: at.run(), repeat=1)
    warm = timed(lambda: at.run(), repeat=5)
    assert not at.exception, (page, query, at.exception)
    assert not at.error, (page, query, [e.value for e in at.error])
    if page == "changes":
        summary = next(m.value for m in at.markdown if m.value.startswith("**"))
    else:
        summary = ""
    return {"cold": cold, "warm": warm, "bytes": page_bytes(at), "summary": summary}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    database_arguments(parser)
    args = parser.parse_args()
    url, _ = prepared_database(args, "changes")
    os.environ["DATABASE_URL"] = url
    engine = create_db_engine(url)
    email = "bench-viewer@example.org"
    with write_session(engine) as session:
        if find_account(session, email) is None:
            add_account(
                session, actor=Actor.for_system("bench"), email=email, role="viewer", password=None
            )
    counted = revisions_in(url)

    measure(email, "about", {})  # the process's first page run pays for imports: not counted
    about = measure(email, "about", {})
    results = [(label, measure(email, "changes", query), sql) for label, query, sql in PERIODS]
    with engine.connect() as connection:
        floors = {
            label: (
                timed(lambda sql=sql: connection.execute(text(sql)).scalar_one()),
                connection.execute(text(sql)).scalar_one(),
            )
            for label, _, sql in PERIODS
            if sql
        }
    dialect = engine.dialect.name
    engine.dispose()

    lines = [
        f"## What changed page at {args.revisions:,} revisions ({dialect})",
        "",
        f"Run {machine()}; {counted:,} revisions in the database. Command: "
        f"`python bench/changes.py --revisions {args.revisions}"
        + (" --database <PostgreSQL URL>" if dialect != "sqlite" else "")
        + "`. Script times through Streamlit's AppTest in this process, signed in as a "
        "viewer; cold = every cached read and figure dropped first; warm = median of 5 "
        "reruns. Baselines from the same run: the About page (Streamlit's own cost of a "
        f"rerun: warm {about['warm'] * 1000:.0f} ms, cold {about['cold'] * 1000:.0f} ms) and "
        "the bare SQL count of the period's revisions. ✓/✗: warm ≤ 300 ms "
        f"(today is {clock.today():%d %b %Y}).",
        "",
        "| period | changes shown | warm rerun | warm / About warm | cold rerun "
        "| cold / About cold | SQL count (revisions) | bytes to browser |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, figures, _ in results:
        floor = floors.get(label)
        lines.append(
            f"| {label} | {figures['summary'].strip('*')} "
            f"| {figures['warm'] * 1000:.0f} ms{mark(figures['warm'], WARM_TARGET)} "
            f"| {figures['warm'] / about['warm']:.1f}× "
            f"| {figures['cold'] * 1000:.0f} ms | {figures['cold'] / about['cold']:.1f}× "
            + (f"| {floor[0] * 1000:.1f} ms ({floor[1]:,}) " if floor else "| — ")
            + f"| {figures['bytes'] / 1e6:.2f} MB |"
        )
    report = "\n".join(lines)
    print(report)
    write_section(f"changes-{dialect}-{args.revisions}", report)


if __name__ == "__main__":
    main()
