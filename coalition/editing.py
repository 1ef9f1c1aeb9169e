"""What the pledge form needs besides the write path: which fields a category shows, turning
form values into pledge values, the EUR preview, and the side-by-side view of a conflict."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from coalition.exchange import rate_for
from coalition.formatting import money, rate_description
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
        values["quantity_qualifier"] = None
    return values


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
