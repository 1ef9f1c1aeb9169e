"""What changed between a pledge's revisions, in words."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from coalition.text.formatting import UNITS, money
from coalition.text.labels import field_label, value_label
from db.models import PLEDGE_FIELD_NAMES


@dataclass(frozen=True)
class FieldChange:
    """One field's old and new value, as shown; a size says its unit once, at the end."""

    field: str
    label: str
    old: str
    new: str
    unit: str = ""

    def __str__(self) -> str:
        return f"{self.label}: {self.old} → {self.new}" + (f" {self.unit}" if self.unit else "")


def shown(value, field: str | None = None, state: Mapping[str, Any] | None = None) -> str:
    """A field's value as a reader reads it: codes as words, a funding amount in its own
    currency, whole numbers grouped, a blank as "not published" for a size, "none" else."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "not published" if field == "quantity" else "none"
    if field == "quantity" and state is not None and state.get("category") == "funding":
        return money(float(value), state.get("currency") or "EUR")
    if isinstance(value, float) and value.is_integer():
        return f"{value:,.0f}"
    if isinstance(value, int | float):
        return f"{value:,}"
    if field is not None and isinstance(value, str):
        return value_label(field, value)
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
        old_text, new_text = shown(old, name, before), shown(new, name, after)
        if old_text != new_text:
            unit = ""
            if name == "quantity" and after["category"] != "funding":
                unit = UNITS.get(str(after["category"]), "")
            changes.append(FieldChange(name, field_label(name), old_text, new_text, unit))
    return changes


def describe_changes(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> str:
    """'Size: 100 → 150 troops; Status: Announced → Committed'; 'created' for a first
    revision."""
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
