"""Turning raw input (form values or CSV text) into checked values, with every problem named.

Pydantic does the type coercion; its error codes are translated into messages an analyst can act
on. Rules that need the database (does this participant exist?) take the known values as
arguments, so the same checks serve the forms, the seed loader and later the importer.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from functools import cache
from typing import Annotated, Any, TypeVar

from pydantic import TypeAdapter, ValidationError
from pydantic_core import ErrorDetails, PydanticUndefined
from sqlmodel import SQLModel

from coalition.errors import Problem, ValidationFailed
from coalition.text.checks import (
    check_choice,
    check_date_range,
    check_published_on,
    check_url,
    text_problems,
)
from core import clock
from core.vocabulary import (
    CATEGORIES,
    CONFIDENCES,
    DATE_PRECISIONS,
    EVENT_FORMATS,
    INSTRUMENTS,
    PARTICIPANT_KINDS,
    PLEDGE_DATE_FIELDS,
    QUANTITY_QUALIFIERS,
    RATE_KINDS,
    SCOPES,
    STATUSES,
)
from db.models import PledgeFields

M = TypeVar("M", bound=SQLModel)
# Ceilings well above anything plausible, below anything absurd (a typo with extra zeros).
QUANTITY_CEILINGS: dict[str, float] = {
    "funding": 1e12,  # in the pledge's own currency
    "troops": 200_000,
    "aircraft": 1_000,
    "ships": 500,
    "other": 1e12,
}
COUNT_CATEGORIES = ("troops", "aircraft", "ships")


def _clean(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Strip text and drop blanks, so '' never reaches a number or date parser and a missing
    optional value takes its default."""
    cleaned: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, str):
            value = value.strip()
        if value is None or value == "":
            continue
        cleaned[key] = value
    return cleaned


def _message_for(error: ErrorDetails) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "missing" or (kind.endswith("_type") and error.get("input") is None):
        return "is required"
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"'{error.get('input')}' is not a valid date (expected YYYY-MM-DD)"
    if kind in ("float_parsing", "int_parsing", "float_type", "int_type", "int_from_float"):
        return f"'{error.get('input')}' is not a number"
    if kind == "finite_number":
        return "must be a finite number"
    if kind == "string_too_long":
        return f"is longer than {ctx.get('max_length')} characters"
    if kind in ("bool_parsing", "bool_type"):
        return f"'{error.get('input')}' is not true or false"
    return error.get("msg", "is not valid")


@cache
def _field_adapter(name: str) -> TypeAdapter:
    info = PledgeFields.model_fields[name]
    # The field's type, built at run time: no type checker can follow it.
    annotation: Any = (
        Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
    )
    return TypeAdapter(annotation)


def problems_from_pydantic(error: ValidationError) -> list[Problem]:
    return [
        Problem(field=str(err["loc"][0]) if err["loc"] else "record", message=_message_for(err))
        for err in error.errors()
    ]


# The fields that hold one of a vocabulary's words, in the order their problems are listed
# (the participant, checked first, is one of the record's codes).
VOCABULARY_FIELDS: dict[str, tuple[str, ...]] = {
    "category": CATEGORIES,
    "status": STATUSES,
    "confidence": CONFIDENCES,
    "announced_precision": DATE_PRECISIONS,
    "instrument": INSTRUMENTS,
    "scope": SCOPES,
}


def _typed_values(
    data: dict[str, Any], problems: list[Problem]
) -> tuple[PledgeFields | None, Callable[[str], Any]]:
    """The fields typed (None while any fails), and the typed value of each field that
    passed, even when another failed (its problems added to ``problems``)."""
    try:
        fields = PledgeFields.model_validate(data)
    except ValidationError as error:
        problems.extend(problems_from_pydantic(error))
        fields = None
    failed = {p.field for p in problems}

    def value(name: str) -> Any:
        if name in failed:
            return None
        if fields is not None:
            return getattr(fields, name)
        if data.get(name) is None:
            default = PledgeFields.model_fields[name].default
            return None if default is PydanticUndefined else default
        return _field_adapter(name).validate_python(data[name])

    return fields, value


def _size_problems(
    category: str | None, quantity: Any, qualifier: Any, failed: set[str]
) -> Iterator[Problem | None]:
    """A size is finite, not negative, under its category's ceiling and whole for counts; a
    qualifier needs a size to qualify."""
    if quantity is not None:
        ceiling = QUANTITY_CEILINGS.get(category or "")
        if not math.isfinite(quantity):
            yield Problem("quantity", "must be a finite number")
        elif quantity < 0:
            yield Problem("quantity", "cannot be negative")
        elif ceiling is not None and quantity > ceiling:
            yield Problem(
                "quantity", f"{quantity:,.0f} is above the ceiling of {ceiling:,.0f} for {category}"
            )
        elif category in COUNT_CATEGORIES and quantity != int(quantity):
            yield Problem("quantity", f"{category} are counted in whole numbers")
    if qualifier is not None:
        if qualifier not in QUANTITY_QUALIFIERS:
            yield check_choice("quantity_qualifier", qualifier, QUANTITY_QUALIFIERS)
        elif quantity is None and "quantity" not in failed:
            yield Problem("quantity_qualifier", "needs a quantity to qualify")


def _currency_problems(
    category: str | None, currency: str | None, currencies: Iterable[str], failed: set[str]
) -> Iterator[Problem]:
    """Funding names a currency we can convert to EUR; nothing else names one."""
    if category == "funding":
        known = {"EUR", *currencies}
        if currency is None and "currency" not in failed:
            yield Problem("currency", "is required for funding")
        elif currency is not None and currency not in known:
            yield Problem(
                "currency",
                f"'{currency}' has no exchange rate to EUR (known: {', '.join(sorted(known))})",
            )
    elif currency is not None:
        yield Problem("currency", "applies to funding only")


def validate_pledge(
    raw: Mapping[str, Any],
    *,
    participant_codes: Iterable[str],
    currencies: Iterable[str],
    today: date | None = None,
) -> PledgeFields:
    """Check one pledge's fields; return them typed, or raise ValidationFailed with all problems.

    ``currencies`` are those we can convert to EUR (the exchange-rate table, plus EUR itself).
    """
    data = _clean(raw)
    problems = text_problems(data)
    if problems:  # unsafe text is not parsed any further
        raise ValidationFailed(problems)
    fields, value = _typed_values(data, problems)
    failed = {p.field for p in problems}
    choices = {"participant_code": tuple(sorted(participant_codes)), **VOCABULARY_FIELDS}
    checks = [
        *(
            check_choice(name, value(name), allowed)
            for name, allowed in choices.items()
            if name not in failed
        ),
        check_url("source_url", value("source_url")),
        *(check_date_range(name, value(name)) for name in PLEDGE_DATE_FIELDS),
        check_published_on(
            "source_published_on", value("source_published_on"), today or clock.today()
        ),
        *_size_problems(value("category"), value("quantity"), value("quantity_qualifier"), failed),
        *_currency_problems(value("category"), value("currency"), currencies, failed),
    ]
    problems.extend(p for p in checks if p is not None)
    start_on, end_on = value("start_on"), value("end_on")
    if start_on and end_on and end_on < start_on:
        problems.append(Problem("end_on", "is before the start date"))
    if problems:
        raise ValidationFailed(problems)
    assert fields is not None
    return fields


def _reference_checks(model_name: str, row: Mapping[str, Any], typed: Any) -> list[Problem]:
    """Rules beyond the column types, for the reference tables (seed files and admin edits)."""
    problems: list[Problem | None] = []
    for column in ("source_url", "population_source_url", "gdp_source_url"):
        if column in row:
            problems.append(check_url(column, row.get(column)))
    if typed is not None and getattr(typed, "source_published_on", None) is not None:
        problems.append(
            check_published_on("source_published_on", typed.source_published_on, clock.today())
        )
    if model_name == "Participant":
        problems.append(check_choice("kind", row.get("kind"), PARTICIPANT_KINDS))
        problems.append(check_choice("confidence", row.get("confidence"), CONFIDENCES))
        for column in ("population", "gdp_usd"):
            if typed is not None and (getattr(typed, column) or 0) < 0:
                problems.append(Problem(column, "cannot be negative"))
        if typed is not None and not (-90 <= typed.centroid_lat <= 90):
            problems.append(Problem("centroid_lat", "must be between -90 and 90"))
        if typed is not None and not (-180 <= typed.centroid_lon <= 180):
            problems.append(Problem("centroid_lon", "must be between -180 and 180"))
    elif model_name == "Event":
        problems.append(check_choice("format", row.get("format"), EVENT_FORMATS))
    elif model_name == "Target":
        problems.append(check_choice("category", row.get("category"), CATEGORIES))
        if typed is not None:
            for column in ("low", "high"):
                if (getattr(typed, column) or 0) < 0:
                    problems.append(Problem(column, "cannot be negative"))
            if typed.low is not None and typed.high is not None and typed.low > typed.high:
                problems.append(Problem("high", "is below 'low'"))
    elif model_name == "ExchangeRate" and typed is not None:
        problems.append(check_choice("kind", typed.kind, RATE_KINDS))
        if not typed.units_per_eur > 0:
            problems.append(Problem("units_per_eur", "must be above zero"))
        if not (len(typed.currency) == 3 and typed.currency.isalpha() and typed.currency.isupper()):
            problems.append(Problem("currency", f"'{typed.currency}' is not an ISO currency code"))
    return [p for p in problems if p is not None]


def validate_reference_row(
    model: type[M], raw: Mapping[str, Any]
) -> tuple[M | None, list[Problem]]:
    """One row of a reference table, typed: (instance, []) or (None, every problem)."""
    data = _clean(raw)
    problems = text_problems(data)
    if problems:
        return None, problems
    try:
        typed = model.model_validate(data)
    except ValidationError as error:
        typed, problems = None, problems_from_pydantic(error)
    failed = {p.field for p in problems}
    problems += [p for p in _reference_checks(model.__name__, data, typed) if p.field not in failed]
    return (typed if not problems else None), problems
