"""What changed between a pledge's revisions, in words."""

from __future__ import annotations

import pandas as pd

from db.models import PledgeFields

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


def shown(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "unknown"
    if isinstance(value, float) and value.is_integer():
        return f"{value:,.0f}"
    return str(value)


def describe_changes(before: pd.Series | None, after: pd.Series) -> str:
    if before is None:
        return "created"
    changes = [
        f"{FIELD_LABELS.get(name, name)}: {shown(before[name])} → {shown(after[name])}"
        for name in PledgeFields.model_fields
        if shown(before[name]) != shown(after[name])
    ]
    return "; ".join(changes) or "no field changed"


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
