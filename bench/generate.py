"""Synthetic pledge history for benchmarks: N revisions over the 37 real participants.

Every generated pledge says so in its source ("SYNTHETIC benchmark data"), and the app shows
a banner on a database that holds any. Never run this against a database people use.

Pledges enter through the write path (coalition.write.pledges): each is checked and created by
create_pledges, with its first revision and audit entry, and its later revisions go in through
add_synthetic_history, the write path's bulk form for synthetic history (update_pledge, one
revision at a time, would take over an hour for a million).

    python bench/generate.py --revisions 100000 --database sqlite:///bench/bench-100k.db
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, update
from sqlmodel import select

from coalition.access.auth import Actor
from coalition.bootstrap import initialise_database
from coalition.read.queries import SYNTHETIC_SOURCE
from coalition.write.pledges import add_synthetic_history, create_pledges
from core.settings import DATA_DIR
from db.engine import create_db_engine, write_session
from db.models import Participant, Pledge, PledgeRevision

CATEGORIES = ("funding", "troops", "aircraft", "ships", "other")
STATUSES = ("considering", "announced", "committed", "deployed", "delivered", "withdrawn")
REVISIONS_PER_PLEDGE = 10
# Sizes drawn within what validation accepts, so generated pledges can be edited like real ones.
SIZE_RANGES = {
    "funding": (1_000_000, 5_000_000_000),
    "troops": (10, 5_000),
    "aircraft": (1, 60),
    "ships": (1, 12),
    "other": (1, 500),
}
BENCHMARK_ACTOR = Actor.for_system("benchmark")
REASON = "synthetic"
PLEDGES_PER_BATCH = 1_000
# When the synthetic history says it was recorded: pledge n at HISTORY_START + n minutes and
# its version v v seconds past that minute, so 100,000 revisions lie within 1-8 March 2025 (as
# bench/changes.py expects).
HISTORY_START = datetime(2025, 3, 1, tzinfo=UTC)

revision_table = PledgeRevision.__table__
pledge_table = Pledge.__table__
# The write path stamps every revision with the time it is written, and no caller can say
# otherwise. The benchmarks need a history recorded over days ("what changed" in a week, the
# timeline), so the generator alone moves its own rows' times back afterwards, in the same
# transaction: one UPDATE per table, run with each row's time, that can only match rows that
# are synthetic and written by the benchmark actor, never a real pledge's. A pledge keeps its
# first revision's time as created_at and its newest's as updated_at, as the write path does.
RESTAMP_REVISIONS = (
    update(revision_table)
    .where(
        revision_table.c.pledge_id == bindparam("pledge"),
        revision_table.c.version == bindparam("number"),
        revision_table.c.source_title == SYNTHETIC_SOURCE,
        revision_table.c.actor == BENCHMARK_ACTOR.email,
    )
    .values(recorded_at=bindparam("at"))
)
RESTAMP_PLEDGES = (
    update(pledge_table)
    .where(
        pledge_table.c.id == bindparam("pledge"),
        pledge_table.c.source_title == SYNTHETIC_SOURCE,
        pledge_table.c.updated_by == BENCHMARK_ACTOR.email,
    )
    .values(created_at=bindparam("created"), updated_at=bindparam("updated"))
)


def _history(
    rng: random.Random, codes: list[str], pledge_id: int
) -> list[tuple[date, dict[str, Any]]]:
    """One synthetic pledge's states, version by version, and the day each takes effect."""
    category = rng.choice(CATEGORIES)
    # Announced within 400 days of March 2025 and revised within 20 days each time: the whole
    # history lies before late 2026, so no chart runs into the future.
    announced = date(2025, 3, 1) + timedelta(days=rng.randrange(0, 400))
    state = {
        "participant_code": rng.choice(codes),
        "category": category,
        "status": "announced",
        "description": f"Synthetic pledge {pledge_id}",
        "quantity": None if rng.random() < 0.4 else float(rng.randrange(*SIZE_RANGES[category])),
        "quantity_qualifier": None,
        "currency": "EUR" if category == "funding" else None,
        "capability_type": None,
        "conditions": None,
        "announced_on": announced,
        "announced_precision": "day",
        "start_on": None,
        "end_on": None,
        "source_title": SYNTHETIC_SOURCE,
        "source_url": None,
        "confidence": "low",
        "notes": "Generated for benchmarks; not a real pledge.",
    }
    effective = announced
    versions = [(effective, dict(state))]
    for _ in range(2, REVISIONS_PER_PLEDGE + 1):
        effective = effective + timedelta(days=rng.randrange(1, 20))
        state["status"] = rng.choice(STATUSES)
        if state["quantity"] is not None:
            state["quantity"] = float(rng.randrange(*SIZE_RANGES[category]))
        versions.append((effective, dict(state)))
    return versions


def generate(url: str, revisions: int, seed: int = 7, data_dir: Path = DATA_DIR) -> None:
    """Add synthetic pledges, each with REVISIONS_PER_PLEDGE revisions, through the write path
    (see the module's note) on a database seeded from ``data_dir``, PLEDGES_PER_BATCH at a
    time in one transaction. The same seed gives the same pledges and history."""
    rng = random.Random(seed)
    engine = create_db_engine(url)
    initialise_database(engine, data_dir)
    started = time.perf_counter()
    count = revisions // REVISIONS_PER_PLEDGE
    written = 0
    with write_session(engine) as session:
        codes = list(session.exec(select(Participant.code)).all())
        # The description names the id the pledge is expected to be given (the next one).
        next_id = (session.exec(select(Pledge.id).order_by(Pledge.id.desc())).first() or 0) + 1
        for first in range(0, count, PLEDGES_PER_BATCH):
            numbers = range(first, min(first + PLEDGES_PER_BATCH, count))
            histories = [_history(rng, codes, next_id + n) for n in numbers]
            ids = create_pledges(
                session,
                actor=BENCHMARK_ACTOR,
                entries=[versions[0][1] for versions in histories],
                reason=REASON,
            )
            later = [
                (pledge_id, effective, state)
                for pledge_id, versions in zip(ids, histories, strict=True)
                for effective, state in versions[1:]
            ]
            add_synthetic_history(session, actor=BENCHMARK_ACTOR, revisions=later, reason=REASON)
            recorded = {
                pledge_id: HISTORY_START + timedelta(minutes=n)
                for n, pledge_id in zip(numbers, ids, strict=True)
            }
            session.execute(
                RESTAMP_REVISIONS,
                [
                    {"pledge": pledge_id, "number": version, "at": at + timedelta(seconds=version)}
                    for pledge_id, at in recorded.items()
                    for version in range(1, REVISIONS_PER_PLEDGE + 1)
                ],
            )
            session.execute(
                RESTAMP_PLEDGES,
                [
                    {
                        "pledge": pledge_id,
                        "created": at + timedelta(seconds=1),
                        "updated": at + timedelta(seconds=REVISIONS_PER_PLEDGE),
                    }
                    for pledge_id, at in recorded.items()
                ],
            )
            written += len(ids) + len(later)
    engine.dispose()
    print(f"added {written:,} synthetic revisions in {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revisions", type=int, default=100_000)
    parser.add_argument("--database", required=True, help="SQLAlchemy URL of a scratch database")
    args = parser.parse_args()
    generate(args.database, args.revisions)


if __name__ == "__main__":
    main()
