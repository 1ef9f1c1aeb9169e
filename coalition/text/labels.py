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
