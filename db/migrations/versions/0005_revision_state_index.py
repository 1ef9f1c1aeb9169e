"""revision state index

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 06:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_pledge_revision_state",
        "pledge_revision",
        ["pledge_id", "effective_on", "version"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_pledge_revision_state", table_name="pledge_revision")
