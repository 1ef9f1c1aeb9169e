"""feeds and digests: personal tokens of a kind ("feed" tokens read the changes feed from its
address), and each account's email digest subscription with the moment its last digest
covered

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 03:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sqlmodel.sql.sqltypes.AutoString(length=4),
                nullable=False,
                server_default="api",
            )
        )
        batch_op.create_check_constraint("ck_api_token_kind", "kind IN ('api', 'feed')")
    op.create_table(
        "digest_subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("frequency", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("participants", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.Column("categories", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("sent_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("failed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("failure", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.CheckConstraint("frequency IN ('daily', 'weekly')", name="ck_digest_frequency"),
        sa.ForeignKeyConstraint(["account_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account_id"),
    )


def downgrade() -> None:
    op.drop_table("digest_subscription")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_constraint("ck_api_token_kind", type_="check")
        batch_op.drop_column("kind")
