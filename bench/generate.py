"""Synthetic pledge history for benchmarks: N revisions over the 37 real participants.

Every generated pledge says so in its source ("SYNTHETIC benchmark data"), and the app shows
a banner on a database that holds any. Never run this against a database people use.

    python bench/generate.py --revisions 100000 --database sqlite:///bench/bench-100k.db
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text, update
from sqlmodel import select

from coalition.bootstrap import initialise_database
from coalition.queries import SYNTHETIC_SOURCE
from core.settings import DATA_DIR
from db.engine import create_db_engine, write_session
from db.models import (
    DataVersion,
    Participant,
    Pledge,
    PledgeRevision,
)

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


def generate(url: str, revisions: int, seed: int = 7, data_dir: Path = DATA_DIR) -> None:
    """Add synthetic pledges (each with REVISIONS_PER_PLEDGE revisions) in bulk inserts on a
    database seeded from ``data_dir``: the write path's per-row checks would take hours at a
    million rows, and this data is not real."""
    rng = random.Random(seed)
    engine = create_db_engine(url)
    initialise_database(engine, data_dir)
    started = time.perf_counter()
    with write_session(engine) as session:
        codes = list(session.exec(select(Participant.code)).all())
        next_id = (session.exec(select(Pledge.id).order_by(Pledge.id.desc())).first() or 0) + 1
        pledges, history = [], []
        for n in range(revisions // REVISIONS_PER_PLEDGE):
            pledge_id = next_id + n
            category = rng.choice(CATEGORIES)
            # Announced within 400 days of March 2025 and revised within 20 days each time: the
            # whole history lies before late 2026, so no chart runs into the future.
            announced = date(2025, 3, 1) + timedelta(days=rng.randrange(0, 400))
            state = {
                "participant_code": rng.choice(codes),
                "category": category,
                "status": "announced",
                "description": f"Synthetic pledge {pledge_id}",
                "quantity": None
                if rng.random() < 0.4
                else float(rng.randrange(*SIZE_RANGES[category])),
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
            if state["quantity"] is None:
                state["quantity_qualifier"] = None
            recorded = datetime(2025, 3, 1, tzinfo=UTC) + timedelta(minutes=n)
            effective = announced
            for version in range(1, REVISIONS_PER_PLEDGE + 1):
                if version > 1:
                    effective = effective + timedelta(days=rng.randrange(1, 20))
                    state["status"] = rng.choice(STATUSES)
                    if state["quantity"] is not None:
                        state["quantity"] = float(rng.randrange(*SIZE_RANGES[category]))
                history.append(
                    state
                    | {
                        "pledge_id": pledge_id,
                        "version": version,
                        "action": "create" if version == 1 else "update",
                        "actor": "benchmark",
                        "reason": "synthetic",
                        "recorded_at": recorded + timedelta(seconds=version),
                        "effective_on": effective,
                        "batch_id": None,
                    }
                )
            pledges.append(
                state
                | {
                    "id": pledge_id,
                    "version": REVISIONS_PER_PLEDGE,
                    "created_at": recorded,
                    "updated_at": recorded,
                    "updated_by": "benchmark",
                }
            )
        for chunk in range(0, len(pledges), 5_000):
            session.execute(insert(Pledge), pledges[chunk : chunk + 5_000])
        for chunk in range(0, len(history), 5_000):
            session.execute(insert(PledgeRevision), history[chunk : chunk + 5_000])
        if engine.dialect.name == "postgresql":
            # The ids above were given, not drawn: move the sequence past them, or the next
            # pledge created through the app would be given one of them.
            session.execute(
                text("SELECT setval(pg_get_serial_sequence('pledge', 'id'), max(id)) FROM pledge")
            )
        session.execute(update(DataVersion).values(version=DataVersion.version + 1))
    engine.dispose()
    print(f"added {len(history):,} synthetic revisions in {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revisions", type=int, default=100_000)
    parser.add_argument("--database", required=True, help="SQLAlchemy URL of a scratch database")
    args = parser.parse_args()
    generate(args.database, args.revisions)


if __name__ == "__main__":
    main()
