"""First start and every start: bring the schema to head and seed an empty database.

Idempotent, and safe when several processes start together: the whole step runs under a
cross-process lock (db.migrate.startup_lock), and seeding happens only while no participant
exists.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from sqlalchemy import Engine, inspect, text

from coalition.seed import apply_seed, load_seed
from db.engine import sqlite_path, write_session
from db.migrate import startup_lock, upgrade_to_head


class InitOutcome(StrEnum):
    SEEDED = "seeded"
    ALREADY_SEEDED = "already seeded"


def _has_participants(engine: Engine) -> bool:
    path = sqlite_path(engine.url.render_as_string(hide_password=False))
    if path is not None and not path.exists():
        return False  # not even connecting: that would create the file
    with engine.connect() as connection:
        if not inspect(connection).has_table("participant"):
            return False
        return connection.execute(text("SELECT 1 FROM participant LIMIT 1")).first() is not None


def initialise_database(engine: Engine, data_dir: Path) -> InitOutcome:
    """Migrate to head, then seed if empty. Broken seed files raise SeedError before the
    database is touched at all, so a failed first start leaves it exactly as it was."""
    with startup_lock(engine):
        if _has_participants(engine):
            upgrade_to_head(engine)
            return InitOutcome.ALREADY_SEEDED
        bundle = load_seed(data_dir)
        upgrade_to_head(engine)
        with write_session(engine) as session:
            apply_seed(session, bundle)
        return InitOutcome.SEEDED
