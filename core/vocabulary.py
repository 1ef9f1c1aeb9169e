"""The project's vocabularies: the words a pledge, a participant, an account and a revision
may use, and the range of dates a pledge may carry. Plain values shared by the tables' CHECK
constraints (db/), the domain (coalition/) and the pages' widgets; this module imports nothing
of the project, so every layer may import it."""

from __future__ import annotations

from datetime import date

PARTICIPANT_KINDS = ("country", "beneficiary", "institution")
CATEGORIES = ("funding", "troops", "aircraft", "ships", "other")
# Ordered as a pledge usually moves; withdrawn and ruled_out end it.
STATUSES = (
    "considering",
    "announced",
    "committed",
    "deployed",
    "delivered",
    "withdrawn",
    "ruled_out",
)
INACTIVE_STATUSES = ("withdrawn", "ruled_out")
# The ladder of commitment, from first word to delivery (deployed for troops, delivered for
# the rest). A withdrawal or a refusal stands apart from it.
LADDER = ("considering", "announced", "committed", "deployed", "delivered")
# An offer is a pledge announced or further up the ladder: what every page, file and the
# briefing pack count when they say who offers what, and what their totals add up. A pledge
# still being considered is shown on the ladder, never counted as an offer.
OFFER_STATUSES = ("announced", "committed", "deployed", "delivered")


def is_offer(status: str | None) -> bool:
    """Whether a pledge in this status is an offer (announced or further up the ladder)."""
    return status in OFFER_STATUSES


CONFIDENCES = ("high", "medium", "low")
QUANTITY_QUALIFIERS = ("exact", "approx", "up_to", "at_least")
REVISION_ACTIONS = ("create", "update", "withdraw", "restore")
ROLES = ("viewer", "editor", "admin")
# The role a revision records for the application acting for itself (the seed loader).
SYSTEM_ROLE = "system"
EVENT_FORMATS = ("in-person", "virtual", "hybrid")
# How much of a date the source gave: "2025-09" is stored as 2025-09-01 with precision "month".
DATE_PRECISIONS = ("day", "month", "year")
# The one range of dates a pledge may carry, shared by the form, the validator, the importer
# and the database's CHECK constraints: the coalition's first year to a decade ahead.
EARLIEST_DATE = date(2025, 1, 1)
LATEST_DATE = date(2035, 12, 31)
PLEDGE_DATE_FIELDS = ("announced_on", "start_on", "end_on")
# How a contribution is given. Loans and guarantees (export credit included) are money that
# comes back or may never be drawn: they are never added into a grant total.
INSTRUMENTS = ("grant", "loan", "guarantee", "in_kind", "unspecified")
LENDING_INSTRUMENTS = ("loan", "guarantee")
# What a pledge is part of: the planned multinational force, other support announced within the
# coalition's meetings, or aid reported alongside but given outside the coalition.
SCOPES = ("reassurance_force", "coalition_support", "bilateral")
COALITION_SCOPES = ("reassurance_force", "coalition_support")
# An ECB reference rate of one day, or the mean of a month's or a year's daily rates (the
# fallback for a pledge whose date is known only to the month or the year).
RATE_KINDS = ("daily", "monthly_average", "annual_average")

# Personal tokens: "api" reads the endpoints with an Authorization header; "feed" reads the
# changes feed only, from its address (feed readers cannot send a header).
TOKEN_KINDS = ("api", "feed")
# How often an account's email digest of what changed is sent.
DIGEST_FREQUENCIES = ("daily", "weekly")
