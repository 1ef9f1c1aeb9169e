"""What the pledge form needs besides the write path: which fields a category shows, turning
form values into pledge values, the EUR preview, the side-by-side view of a conflict, and the
words the form uses for its problems and its saves."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pandas as pd

from coalition.errors import Problem
from coalition.exchange import rate_for
from coalition.formatting import money, pledge_size, rate_description
from coalition.history import FIELD_LABELS, shown
from db.models import Pledge, PledgeFields

# The fields that depend on the category; every other pledge field shows for all of them.
_SIZE = ("quantity", "quantity_qualifier")
CATEGORY_FIELDS = {
    "funding": (*_SIZE, "currency"),
    **{
        category: (*_SIZE, "capability_type")
        for category in ("troops", "aircraft", "ships", "other")
    },
}
_DEPENDENT = {name for fields in CATEGORY_FIELDS.values() for name in fields}
COMMON_FIELDS = tuple(
    name for name in PledgeFields.model_fields if name not in _DEPENDENT and name != "category"
)
QUANTITY_LABELS = {
    "funding": "Amount (in the pledge's currency)",
    "troops": "Number of troops",
    "aircraft": "Number of aircraft",
    "ships": "Number of ships",
    "other": "Quantity",
}
# The edit and import pages read every pledge of every status as it stands today: the sidebar's
# viewing filters never reach them, so nothing an editor saves is filtered out of sight.
EDITING_SCOPE = (
    "Editing works on today's full record; the sidebar filters apply to the viewing pages only."
)
# Each field (and the reason and day a change holds from) named as its label on the form reads,
# in the order the form shows them: problems are listed in this order and name their field so.
# The size's label depends on the category (QUANTITY_LABELS).
FORM_LABELS = {
    "category": "Category",
    "participant_code": "Participant",
    "status": "Status",
    "description": "What was pledged",
    "quantity": "Quantity",
    "quantity_qualifier": "Qualifier",
    "currency": "Currency",
    "capability_type": "Type",
    "conditions": "Conditions",
    "instrument": "Given as",
    "scope": "Part of",
    "announced_on": "Announced on",
    "announced_precision": "Date as precise as",
    "start_on": "Starts",
    "end_on": "Ends",
    "source_title": "Source",
    "confidence": "Confidence",
    "source_url": "Source link",
    "source_published_on": "Source published on",
    "notes": "Notes",
    "reason": "Reason for this change",
    "effective_on": "In effect from",
}


def pledge_values(category: str, form: dict[str, Any], size_unknown: bool) -> dict[str, Any]:
    """The pledge as the write path takes it: only this category's fields; an unknown size is
    NULL (with no qualifier), never zero."""
    values = {name: form.get(name) for name in COMMON_FIELDS}
    # Fields of other categories are cleared, so a pledge moved from funding to troops does
    # not keep a currency.
    for name in _DEPENDENT:
        values[name] = form.get(name) if name in CATEGORY_FIELDS[category] else None
    values["category"] = category
    if size_unknown:
        values["quantity"] = None
    if values.get("quantity") is None:  # nothing to qualify (blank_size_problem says why)
        values["quantity_qualifier"] = None
    return values


def blank_size_problem(values: dict[str, Any], size_unknown: bool) -> Problem | None:
    """An empty size is kept as unknown only when the editor said so: a blank left by
    mistake must not be stored as "size not published"."""
    if values.get("quantity") is None and not size_unknown:
        return Problem(
            "quantity", "enter the size, or tick “Size not published” if it was never published"
        )
    return None


def eur_preview(
    rates: pd.DataFrame,
    amount: float | None,
    currency: str | None,
    on: date | None,
    precision: str = "day",
) -> str | None:
    """'≈ €1.89bn at 0.8276 GBP per EUR (ECB rate of 2025-03-03)', or None when not
    computable."""
    if amount is None or not currency or on is None:
        return None
    try:
        units_per_eur, rate_date, kind = rate_for(rates, currency, on, precision)
    except LookupError:
        return None
    if rate_date is None:
        return money(amount)
    return (
        f"≈ {money(amount / units_per_eur)} at {units_per_eur:g} {currency} per EUR "
        f"({rate_description(rate_date, kind)})"
    )


def _comparable(value: Any) -> Any:
    """A field's value as the form and the database both give it: blanks as None, dates as
    their ISO text, whole numbers as numbers."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The fields of ``after`` that differ from ``before``: what an editor changed, and only
    that, travels to the write path (a conflict re-applies just these)."""
    return {k: v for k, v in after.items() if _comparable(before.get(k)) != _comparable(v)}


def typed_date(text: str | None) -> date | None:
    """The date in a date field's text, or None when it is blank or not a valid date yet."""
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def current_values(pledge: Pledge) -> dict[str, Any]:
    return {name: getattr(pledge, name) for name in PledgeFields.model_fields}


def conflict_table(
    started_from: dict[str, Any], theirs: dict[str, Any], mine: dict[str, Any]
) -> pd.DataFrame:
    """Every field that someone changed: what you started from, what they saved meanwhile,
    what you want. Nothing of either side is lost."""
    rows = []
    for name in PledgeFields.model_fields:
        before, saved, wanted = (shown(v.get(name)) for v in (started_from, theirs, mine))
        if saved != before or (name in mine and wanted != before):
            rows.append(
                {
                    "field": FIELD_LABELS.get(name, name),
                    "you started from": before,
                    "they saved": saved,
                    "you want": wanted if name in mine else before,
                }
            )
    return pd.DataFrame(rows, columns=["field", "you started from", "they saved", "you want"])


def form_label(field: str, category: str) -> str:
    """The field's name as the form's label reads, for the category on show."""
    if field == "quantity":
        return QUANTITY_LABELS.get(category, FORM_LABELS["quantity"])
    return FORM_LABELS.get(field, field.replace("_", " ").capitalize())


def in_form_order(errors: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(field, message) for every problem, top of the form first."""
    order = list(FORM_LABELS)
    fields = sorted(errors, key=lambda f: order.index(f) if f in order else len(order))
    return [(field, message) for field in fields for message in errors[field]]


def field_anchor(field: str) -> str:
    """The id of the anchor just above a field, which the list of problems links to."""
    return "edit-" + re.sub(r"[^a-z0-9]+", "-", field.lower()).strip("-")


_MARKUP = re.compile(r"([!-/:-@\[-`{-~])")


def as_text(text: str) -> str:
    """Text (a problem quoting what was typed) for a markdown element: every ASCII punctuation
    mark escaped, so nothing typed becomes a link, markup, colour or HTML, and on one line."""
    return _MARKUP.sub(r"\\\1", " ".join(str(text).split()))


def saved_notice(pledge: Pledge, participant: str) -> str:
    """What a save stored, in the editor's words: 'Saved pledge 23 (version 1): United Kingdom
    · Troops · up to 10,000 troops.'"""
    size = pledge_size(pledge.category, pledge.quantity, pledge.quantity_qualifier, pledge.currency)
    return (
        f"Saved pledge {pledge.id} (version {pledge.version}): {participant} · "
        f"{pledge.category.capitalize()} · {size}."
    )
