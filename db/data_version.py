"""The data version: one counter every write moves, once per transaction, so each app process
sees at its next read that the data changed (and a revision keeps the version its transaction
committed as, for the kept history in coalition/read/revisions.py)."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col

from db.models import DataVersion


def bump_data_version(session: Session) -> int:
    """Tell every app process that the data changed, once per transaction, and return the
    version this transaction commits as. The counter's row stays locked until the commit, so
    versions follow the order of the commits (revisions keep theirs: committed_version)."""
    transaction = session.get_transaction()
    bumped = session.info.get(_BUMPED)
    if bumped is not None and bumped[0] is transaction:
        return bumped[1]
    version = session.execute(
        update(DataVersion)
        .values(version=DataVersion.version + 1)
        .returning(col(DataVersion.version))
    ).scalar_one()
    session.info[_BUMPED] = (transaction, version)
    return version


_BUMPED = "data_version_bumped"  # (the transaction, the version it commits as)
