"""The app's words for its codes: what a status, a category, a scope, an instrument or a rate's
kind is called wherever a person reads it (pages, charts, files, the briefing pack)."""

from __future__ import annotations

LABELS = {
    "ruled_out": "ruled out",
}


def label(value: str) -> str:
    """A code as a capitalised word: 'ruled_out' -> 'Ruled out', 'troops' -> 'Troops'."""
    return LABELS.get(value, value).capitalize()


SCOPE_LABELS = {
    "reassurance_force": "Reassurance force",
    "coalition_support": "Coalition support",
    "bilateral": "Bilateral (outside the coalition)",
}
INSTRUMENT_LABELS = {
    "grant": "Grant",
    "loan": "Loan",
    "guarantee": "Guarantee or export credit",
    "in_kind": "In kind",
    "unspecified": "Not specified",
}


RATE_KIND_LABELS = {
    "daily": "Daily reference rate",
    "monthly_average": "Monthly average",
    "annual_average": "Annual average",
}
CONFIDENCE_LABELS = {"high": "High", "medium": "Medium", "low": "Low"}
QUALIFIER_LABELS = {"exact": "exactly", "approx": "about", "up_to": "up to", "at_least": "at least"}
PRECISION_LABELS = {"day": "to the day", "month": "to the month", "year": "to the year"}

# A pledge's fields as a reader names them (histories, conflicts, previews).
FIELD_LABELS = {
    "participant_code": "Participant",
    "category": "Category",
    "status": "Status",
    "description": "What",
    "quantity": "Size",
    "quantity_qualifier": "Qualifier",
    "currency": "Currency",
    "capability_type": "Type",
    "conditions": "Conditions",
    "announced_on": "Announced",
    "announced_precision": "Date as precise as",
    "start_on": "Starts",
    "end_on": "Ends",
    "instrument": "Given as",
    "scope": "Part of",
    "source_title": "Source",
    "source_url": "Link",
    "source_published_on": "Source published",
    "confidence": "Confidence",
    "notes": "Notes",
}
# The words for a coded field's values.
VALUE_LABELS: dict[str, dict[str, str]] = {
    "scope": SCOPE_LABELS,
    "instrument": INSTRUMENT_LABELS,
    "confidence": CONFIDENCE_LABELS,
    "quantity_qualifier": QUALIFIER_LABELS,
    "announced_precision": PRECISION_LABELS,
}


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name.replace("_", " ").capitalize())


def value_label(name: str, value: str) -> str:
    """A coded value as a reader says it: a status or a category as a word, a scope or an
    instrument by its label; any other value as it is."""
    if name in ("status", "category"):
        return label(value)
    return VALUE_LABELS.get(name, {}).get(value, value)
