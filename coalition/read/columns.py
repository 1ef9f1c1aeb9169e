"""The pledge column lists, each defined once, from the pledge's own fields where the order
allows: a pledge frame's columns (queries), what the timeline rebuilds states from, and the
published snapshot columns."""

from __future__ import annotations

from coalition.money.exchange import RATE_COLUMNS
from db.models import PLEDGE_FIELD_NAMES


def _pledge_columns() -> list[str]:
    """Every pledge field, with its participant's name and region after its code and the EUR
    conversion after its currency; its id first; its version, last change and last check at
    the end."""
    columns = ["id"]
    for name in PLEDGE_FIELD_NAMES:
        columns.append(name)
        if name == "participant_code":
            columns += ["participant", "region"]
        elif name == "currency":
            columns += RATE_COLUMNS
    return [*columns, "version", "updated_at", "updated_by", "checked_on"]


# A pledge as queries.pledges_frame returns it (the current state or one rebuilt as of a day).
PLEDGE_COLUMNS = _pledge_columns()

# What the timeline rebuilds states from: a revision's figures, not its who and why.
REVISION_COLUMNS = [
    "pledge_id",
    "version",
    "effective_on",
    "category",
    "status",
    "quantity",
    "currency",
    "amount_eur",
    "announced_on",
    "announced_precision",
    "instrument",
    "scope",
]

# The published snapshot column set. Add columns only at the end; never rename or reorder
# (which is why it is written out, not built from the fields).
SNAPSHOT_COLUMNS = (
    "pledge_id",
    "version",
    "participant_code",
    "participant",
    "category",
    "status",
    "description",
    "quantity",
    "quantity_qualifier",
    "currency",
    "amount_eur",
    "eur_rate_date",
    "capability_type",
    "conditions",
    "announced_on",
    "announced_precision",
    "start_on",
    "end_on",
    "source_title",
    "source_url",
    "confidence",
    "notes",
    "recorded_at",
    "recorded_by",
    # Appended with the sourced data: what kind of contribution, and how it was converted.
    "instrument",
    "scope",
    "source_published_on",
    "eur_rate",
    "eur_rate_kind",
    # Appended with the ladder of commitment: "yes" for an offer (announced or further up,
    # core.vocabulary.is_offer), the pledges every total counts.
    "counts_as_offer",
    # Appended with the checks: the day a person last read the pledge against its source.
    "checked_on",
)
# Where a snapshot column comes from in PLEDGE_COLUMNS, where the names differ.
FRAME_COLUMN = {
    "pledge_id": "id",
    "eur_rate_date": "rate_date",
    "recorded_at": "updated_at",
    "recorded_by": "updated_by",
    "eur_rate_kind": "rate_kind",
}
