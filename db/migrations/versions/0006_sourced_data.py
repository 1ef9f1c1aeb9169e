"""sourced data: pledge instrument, scope and source date; sources on every reference row;
dated exchange rates of three kinds; the seed-file bookkeeping that lets corrections reach an
existing database

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 13:15:51.738577
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INSTRUMENTS = "instrument IN ('grant', 'loan', 'guarantee', 'in_kind', 'unspecified')"
SCOPES = "scope IN ('reassurance_force', 'coalition_support', 'bilateral')"
RATE_KINDS = "kind IN ('daily', 'monthly_average', 'annual_average')"

# The rows of the first seed file, by the keys data/pledges.csv now gives them, so that a
# database seeded from it can take the corrected file (coalition.seed.sync.sync_seed). A pledge
# is matched only on its first revision as the seed wrote it.
LEGACY_SEED_ROWS = (
    ("gbr-funding-lmm", "GBR", "funding", "£1.6bn deal for 5,000 air-defence missiles for Ukraine"),
    ("gbr-troops", "GBR", "troops", '"Boots on the ground and planes in the air"'),
    ("gbr-aircraft", "GBR", "aircraft", '"Planes in the air" (number not published)'),
    ("fra-funding-2bn", "FRA", "funding", "€2bn in additional military aid"),
    ("fra-troops", "FRA", "troops", '"Several thousand" soldiers'),
    (
        "swe-aircraft-gripen",
        "SWE",
        "aircraft",
        "Gripen jets for air surveillance (number not published)",
    ),
    ("swe-ships-mine-clearance", "SWE", "ships", "Black Sea mine clearance"),
    ("bgr-ships-demining", "BGR", "ships", "Possible Black Sea demining; no troops"),
    (
        "tur-ships-black-sea",
        "TUR",
        "ships",
        "Black Sea maritime security; joins the maritime working group",
    ),
    ("est-troops", "EST", "troops", "Ready to send troops away from the front line"),
    ("lva-troops", "LVA", "troops", "Ready to send troops, conditional on US support"),
    ("ltu-troops", "LTU", "troops", "Signalled readiness to contribute troops"),
    ("nld-troops", "NLD", "troops", 'Will "seriously consider" a troop contribution'),
    ("can-funding-weapons", "CAN", "funding", "More than C$1bn in weapons"),
    ("can-funding-purl", "CAN", "funding", "US$500m through NATO's PURL"),
    (
        "can-troops",
        "CAN",
        "troops",
        '"Would not exclude" troops; "direct and scalable military assistance"',
    ),
    ("aus-troops", "AUS", "troops", '"Open to consideration"; any contribution would be "small"'),
    (
        "nzl-troops-trainers",
        "NZL",
        "troops",
        "Personnel training Ukrainians outside Ukraine until Dec 2026",
    ),
    ("nzl-funding-aid", "NZL", "funding", "NZ$152m total aid"),
    (
        "deu-other-air-defence",
        "DEU",
        "other",
        "Air defence and equipping Ukraine's ground forces; troops in Poland/Romania rather than Ukraine",
    ),
    (
        "ita-other-monitoring",
        "ITA",
        "other",
        "No troops; ceasefire monitoring and training outside Ukraine",
    ),
    ("pol-troops-ruled-out", "POL", "troops", "Rules out troops in Ukraine"),
)


def _string(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "seed_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", _string(64), nullable=False),
        sa.Column("applied_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint("id = 1", name="ck_seed_state_single_row"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "seed_pledge",
        sa.Column("seed_key", _string(60), nullable=False),
        sa.Column("pledge_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["pledge_id"], ["pledge.id"]),
        sa.PrimaryKeyConstraint("seed_key"),
        sa.UniqueConstraint("pledge_id"),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("host_codes", _string(60), nullable=True))
        batch_op.add_column(sa.Column("source_published_on", sa.Date(), nullable=True))

    with op.batch_alter_table("event_attendance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_url", _string(500), nullable=True))
        batch_op.add_column(sa.Column("source_published_on", sa.Date(), nullable=True))

    # Existing rates were all of one day (the annual averages were stored as 31 Dec).
    with op.batch_alter_table("exchange_rate", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", _string(16), nullable=False, server_default="daily"))
        batch_op.drop_constraint("uq_exchange_rate_currency_date", type_="unique")
        batch_op.create_unique_constraint(
            "uq_exchange_rate_currency_date", ["currency", "rate_date", "kind"]
        )
        batch_op.create_check_constraint("ck_exchange_rate_kind", RATE_KINDS)

    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_title", _string(300), nullable=True))
        batch_op.add_column(sa.Column("source_url", _string(500), nullable=True))
        batch_op.add_column(sa.Column("source_published_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("population_source_url", _string(500), nullable=True))
        batch_op.add_column(sa.Column("gdp_source_url", _string(500), nullable=True))
        batch_op.alter_column(
            "reference_source", existing_type=_string(200), type_=_string(300), nullable=False
        )
        # Letter keys without a legend; the seed's sources replace them.
        batch_op.drop_column("first_reported_sources")

    # Server defaults keep a replica of the previous release writing while others upgrade.
    for table in ("pledge", "pledge_revision"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("instrument", _string(12), nullable=False, server_default="unspecified")
            )
            batch_op.add_column(
                sa.Column("scope", _string(20), nullable=False, server_default="coalition_support")
            )
            batch_op.add_column(sa.Column("source_published_on", sa.Date(), nullable=True))
            batch_op.create_check_constraint(f"ck_{table}_instrument", INSTRUMENTS)
            batch_op.create_check_constraint(f"ck_{table}_scope", SCOPES)

    with op.batch_alter_table("target", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_published_on", sa.Date(), nullable=True))

    connection = op.get_bind()
    for seed_key, code, category, description in LEGACY_SEED_ROWS:
        pledge_id = connection.execute(
            sa.text(
                "SELECT pledge_id FROM pledge_revision WHERE version = 1 AND actor = 'seed' "
                "AND participant_code = :code AND category = :category "
                "AND description = :description ORDER BY pledge_id LIMIT 1"
            ),
            {"code": code, "category": category, "description": description},
        ).scalar()
        if pledge_id is not None:
            connection.execute(
                sa.text("INSERT INTO seed_pledge (seed_key, pledge_id) VALUES (:key, :id)"),
                {"key": seed_key, "id": pledge_id},
            )


def downgrade() -> None:
    with op.batch_alter_table("target", schema=None) as batch_op:
        batch_op.drop_column("source_published_on")

    for table in ("pledge_revision", "pledge"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"ck_{table}_scope", type_="check")
            batch_op.drop_constraint(f"ck_{table}_instrument", type_="check")
            batch_op.drop_column("source_published_on")
            batch_op.drop_column("scope")
            batch_op.drop_column("instrument")

    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("first_reported_sources", _string(40), nullable=False, server_default="")
        )
        batch_op.alter_column(
            "reference_source", existing_type=_string(300), type_=_string(200), nullable=False
        )
        batch_op.drop_column("gdp_source_url")
        batch_op.drop_column("population_source_url")
        batch_op.drop_column("source_published_on")
        batch_op.drop_column("source_url")
        batch_op.drop_column("source_title")

    with op.batch_alter_table("exchange_rate", schema=None) as batch_op:
        batch_op.drop_constraint("ck_exchange_rate_kind", type_="check")
        batch_op.drop_constraint("uq_exchange_rate_currency_date", type_="unique")
        batch_op.create_unique_constraint(
            "uq_exchange_rate_currency_date", ["currency", "rate_date"]
        )
        batch_op.drop_column("kind")

    with op.batch_alter_table("event_attendance", schema=None) as batch_op:
        batch_op.drop_column("source_published_on")
        batch_op.drop_column("source_url")

    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_column("source_published_on")
        batch_op.drop_column("host_codes")

    op.drop_table("seed_pledge")
    op.drop_table("seed_state")
