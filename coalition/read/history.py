"""What changed between a pledge's revisions, in words."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from db.models import PLEDGE_FIELD_NAMES

FIELD_LABELS = {
    "participant_code": "participant",
    "quantity_qualifier": "qualifier",
    "capability_type": "type",
    "announced_on": "announced",
    "announced_precision": "date precision",
    "start_on": "start",
    "end_on": "end",
    "source_title": "source",
    "source_url": "link",
    "source_published_on": "source published",
}


@dataclass(frozen=True)
class FieldChange:
    """One field's old and new value, as shown."""

    field: str
    label: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.label}: {self.old} → {self.new}"


def shown(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "unknown"
    if isinstance(value, float) and value.is_integer():
        return f"{value:,.0f}"
    return str(value)


def _equal(old, new) -> bool:
    """Plainly equal values (most fields of a revision), without formatting either."""
    try:
        return bool(old == new)
    except (TypeError, ValueError):
        return False


def field_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[FieldChange]:
    """Each pledge field whose shown value differs between two states, in the fields' order.
    Takes rows (pandas Series) or plain dicts: comparing dicts is what keeps a differ over
    thousands of revisions fast."""
    changes = []
    for name in PLEDGE_FIELD_NAMES:
        old, new = before[name], after[name]
        if _equal(old, new):
            continue
        old_text, new_text = shown(old), shown(new)
        if old_text != new_text:
            changes.append(FieldChange(name, FIELD_LABELS.get(name, name), old_text, new_text))
    return changes


def describe_changes(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> str:
    """'quantity: 100 → 150; status: announced → committed'; 'created' for a first revision."""
    if before is None:
        return "created"
    changes = field_changes(before, after)
    return "; ".join(str(change) for change in changes) or "no field changed"


def revision_history(revisions: pd.DataFrame) -> pd.DataFrame:
    """One row per revision of one pledge, with who, when, why and what changed."""
    ordered = revisions.sort_values("version")
    previous = None
    rows = []
    for _, revision in ordered.iterrows():
        rows.append(
            {
                "Version": revision["version"],
                "Action": str(revision["action"]).capitalize(),
                "In effect from": revision["effective_on"],
                "Recorded at (UTC)": revision["recorded_at"],
                "By": revision["actor"],
                "Reason": revision["reason"],
                "What changed": describe_changes(previous, revision),
            }
        )
        previous = revision
    return pd.DataFrame(
        rows,
        columns=[
            "Version",
            "Action",
            "In effect from",
            "Recorded at (UTC)",
            "By",
            "Reason",
            "What changed",
        ],
    )
