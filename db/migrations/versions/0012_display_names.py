"""display names: an optional public name per account ("Baltic desk"), shown in histories in
place of the pseudonymous staff id; unique, so a name always means one account

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 23:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("display_name", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True)
        )
        batch_op.create_unique_constraint("uq_user_account_display_name", ["display_name"])


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_constraint("uq_user_account_display_name", type_="unique")
        batch_op.drop_column("display_name")
