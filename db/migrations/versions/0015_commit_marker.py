"""commit marker: each revision keeps the data version its transaction committed as, and the
database an id of its own, so a process reads only the revisions committed since its last read

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 03:00:00.000000
"""

from collections.abc import Sequence
from uuid import uuid4

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pledge_revision", schema=None) as batch_op:
        # Revisions written before the marker count as committed at version 0: every
        # process's first read takes them.
        batch_op.add_column(
            sa.Column("committed_version", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.create_index("ix_pledge_revision_committed", ["committed_version"], unique=False)
    with op.batch_alter_table("data_version", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "database_id",
                sqlmodel.sql.sqltypes.AutoString(length=32),
                nullable=False,
                server_default="",
            )
        )
    op.execute(sa.text("UPDATE data_version SET database_id = :id").bindparams(id=uuid4().hex))


def downgrade() -> None:
    with op.batch_alter_table("data_version", schema=None) as batch_op:
        batch_op.drop_column("database_id")
    with op.batch_alter_table("pledge_revision", schema=None) as batch_op:
        batch_op.drop_index("ix_pledge_revision_committed")
        batch_op.drop_column("committed_version")
