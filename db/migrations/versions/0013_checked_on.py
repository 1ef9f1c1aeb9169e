"""checked on: the day a person last read each row against its source (pledges as an
append-only table of checks, reference rows as a column), and each meeting's reported count
with a note of why its attendance list may be shorter

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 02:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHECKED_TABLES = ("participant", "event", "event_attendance", "target")


def upgrade() -> None:
    op.create_table(
        "pledge_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pledge_id", sa.Integer(), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.ForeignKeyConstraint(["pledge_id"], ["pledge.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("pledge_check", schema=None) as batch_op:
        batch_op.create_index("ix_pledge_check_pledge", ["pledge_id", "recorded_at"], unique=False)
    for table in CHECKED_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("checked_on", sa.Date(), nullable=True))
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reported_count", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("notes", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_column("notes")
        batch_op.drop_column("reported_count")
    for table in CHECKED_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("checked_on")
    with op.batch_alter_table("pledge_check", schema=None) as batch_op:
        batch_op.drop_index("ix_pledge_check_pledge")
    op.drop_table("pledge_check")
