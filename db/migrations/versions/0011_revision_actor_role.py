"""revision actor role: the role the person who made a revision held when making it, and an
index on recorded_at for "what changed between two dates"

Revisions recorded before this column existed keep NULL: their role was not recorded, and the
account's role today is not the role it had then.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pledge_revision", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("actor_role", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True)
        )
        batch_op.create_check_constraint(
            "ck_pledge_revision_actor_role",
            "actor_role IS NULL OR actor_role IN ('viewer', 'editor', 'admin', 'system')",
        )
    op.create_index(
        "ix_pledge_revision_recorded_at", "pledge_revision", ["recorded_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_pledge_revision_recorded_at", table_name="pledge_revision")
    with op.batch_alter_table("pledge_revision", schema=None) as batch_op:
        batch_op.drop_constraint("ck_pledge_revision_actor_role", type_="check")
        batch_op.drop_column("actor_role")
