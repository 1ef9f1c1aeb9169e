"""pledge date range: the database refuses a pledge date outside the range the form, the
validator and the importer share (2025-01-01 to 2035-12-31)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 15:10:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("announced_on", "start_on", "end_on")


def _range(column: str) -> str:
    return f"{column} IS NULL OR ({column} >= '2025-01-01' AND {column} <= '2035-12-31')"


def upgrade() -> None:
    for table in ("pledge", "pledge_revision"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in COLUMNS:
                batch_op.create_check_constraint(f"ck_{table}_{column}_range", _range(column))


def downgrade() -> None:
    for table in ("pledge_revision", "pledge"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in COLUMNS:
                batch_op.drop_constraint(f"ck_{table}_{column}_range", type_="check")
