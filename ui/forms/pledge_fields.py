"""What the pledge form needs besides the write path: what it is editing (EditState), its
fields (FORM_ROWS: labels, help, which fields a category shows), turning form values into
pledge values, the EUR preview, the side-by-side view of a conflict, and the words the form
uses for its problems and its saves. Plain Python (no Streamlit): ui/forms/pledge_form.py
draws it, and tests read it directly."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import pandas as pd
from sqlmodel import Session

from coalition.errors import Problem
from coalition.money.exchange import rate_for
from coalition.read.history import shown
from coalition.text.checks import DATE_FORMAT
from coalition.text.formatting import money, pledge_size, rate_description
from coalition.text.labels import field_label
from core.vocabulary import (
    CATEGORIES,
    CONFIDENCES,
    DATE_PRECISIONS,
    EARLIEST_DATE,
    INSTRUMENTS,
    LATEST_DATE,
    QUANTITY_QUALIFIERS,
    SCOPES,
    STATUSES,
)
from db.models import Pledge, PledgeChange, PledgeFields, current_values, pledge_change

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


DATE_HELP = f"{DATE_FORMAT}, from {EARLIEST_DATE:%Y-%m-%d} to {LATEST_DATE:%Y-%m-%d}."


@dataclass(frozen=True)
class FieldSpec:
    """One field of the pledge form, as ui/forms/pledge_form.py draws it. ``kind`` is choice, text,
    code (text kept in capitals), date (typed as text, see below), number, notes (several
    lines), tick or participant (a choice among the participants, none for a new pledge)."""

    name: str  # the pledge field it sets (or reason, effective_on, size_unknown)
    key: str  # its widget's key: edit_field_<key>:<generation>
    kind: str
    label: str  # as the form shows it; problems name the field by FORM_LABELS
    options: tuple[str, ...] = ()
    default: Any = None  # for a new pledge, or a field the pledge leaves empty
    help: str | None = None
    placeholder: str | None = None
    max_chars: int | None = None

    def label_for(self, category: str) -> str:
        return QUANTITY_LABELS[category] if self.name == "quantity" else self.label


def _date(name: str, key: str, label: str, help: str | None = DATE_HELP) -> FieldSpec:
    # Typed, as every day in the app is (ui/widgets/dates.py): what is saved is what was typed.
    return FieldSpec(name, key, "date", label, help=help, placeholder=DATE_FORMAT)


@dataclass(frozen=True)
class FormRow:
    """Fields side by side (in columns of these widths), under their problems."""

    fields: tuple[FieldSpec, ...]
    widths: tuple[int, ...] | None = None

    def shown_for(self, category: str) -> bool:
        """Whether the category shows this row (CATEGORY_FIELDS)."""
        return all(f.name not in _DEPENDENT or f.name in CATEGORY_FIELDS[category] for f in self)

    def __iter__(self):
        return iter(self.fields)


CATEGORY_SPEC = FieldSpec("category", "category", "choice", "Category", CATEGORIES, "troops")
FORM_ROWS = (
    FormRow(
        (
            FieldSpec("participant_code", "participant", "participant", "Participant *"),
            FieldSpec(
                "status",
                "status",
                "choice",
                "Status *",
                STATUSES,
                "announced",
                help="Withdrawing keeps the pledge and its history. Only an admin may restore one.",
            ),
        ),
        (1, 1),
    ),
    FormRow(
        (FieldSpec("description", "description", "text", "What was pledged *", max_chars=500),)
    ),
    FormRow(
        (
            FieldSpec("quantity", "quantity", "number", "Quantity"),
            FieldSpec(
                "size_unknown",
                "size_unknown",
                "tick",
                "Size not published",
                help="Leave the size unknown rather than guess; totals count it separately.",
            ),
            FieldSpec(
                "quantity_qualifier",
                "qualifier",
                "choice",
                "Qualifier",
                QUANTITY_QUALIFIERS,
                "exact",
            ),
        ),
        (2, 1, 1),
    ),
    FormRow(
        (
            FieldSpec(
                "currency", "currency", "code", "Currency (ISO code) *", default="EUR", max_chars=3
            ),
        )
    ),
    FormRow(
        (
            FieldSpec(
                "capability_type",
                "type",
                "text",
                "Type (optional)",
                placeholder="e.g. Gripen, minehunter",
                max_chars=100,
            ),
        )
    ),
    FormRow(
        (
            FieldSpec(
                "conditions",
                "conditions",
                "text",
                "Conditions",
                placeholder="e.g. requires a US backstop; parliamentary approval",
                max_chars=500,
            ),
        )
    ),
    FormRow(
        (
            FieldSpec(
                "instrument",
                "instrument",
                "choice",
                "Given as *",
                INSTRUMENTS,
                "unspecified",
                help="Loans and guarantees (export credit included) are never added into a "
                "grant total.",
            ),
            FieldSpec(
                "scope",
                "scope",
                "choice",
                "Part of *",
                SCOPES,
                "reassurance_force",
                help="The reassurance force; other support announced within the coalition's "
                "meetings; or aid reported alongside but given outside the coalition (not "
                "counted by default).",
            ),
        ),
        (1, 1),
    ),
    FormRow(
        (
            _date("announced_on", "announced", "Announced on *"),
            FieldSpec(
                "announced_precision",
                "precision",
                "choice",
                "Date as precise as",
                DATE_PRECISIONS,
                "day",
            ),
            _date("start_on", "start", "Starts"),
            _date("end_on", "end", "Ends"),
        ),
        (1, 1, 1, 1),
    ),
    FormRow(
        (
            FieldSpec(
                "source_title",
                "source",
                "text",
                "Source *",
                help="The publication, or a note for a non-public channel.",
                max_chars=300,
            ),
            FieldSpec("confidence", "confidence", "choice", "Confidence *", CONFIDENCES, "medium"),
        ),
        (3, 1),
    ),
    FormRow(
        (
            FieldSpec(
                "source_url", "url", "text", "Source link", placeholder="https://…", max_chars=500
            ),
            _date("source_published_on", "published", "Source published on", help=None),
        ),
        (3, 1),
    ),
    FormRow((FieldSpec("notes", "notes", "notes", "Notes", max_chars=2000),)),
    FormRow(
        (
            FieldSpec(
                "reason",
                "reason",
                "text",
                "Reason for this change *",
                placeholder="e.g. Confirmed by the embassy on 3 March",
                max_chars=500,
            ),
        )
    ),
    FormRow(
        (
            _date(
                "effective_on",
                "effective",
                "In effect from",
                help="The day from which this holds, for the 'As of' views (YYYY-MM-DD). Empty: "
                "the announcement date for a new pledge or a correction, today for a new "
                "development.",
            ),
        )
    ),
)


def pledge_values(category: str, form: dict[str, Any], size_unknown: bool) -> dict[str, Any]:
    """The pledge as the write path takes it: only this category's fields, blanks as None; an
    unknown size is NULL (with no qualifier), never zero."""
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
    return {name: None if value == "" else value for name, value in values.items()}


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


@dataclass(frozen=True)
class Conflict:
    """Someone saved the pledge while it was being edited: the change that was refused, and
    the pledge as they left it."""

    change: PledgeChange
    version: int
    theirs: dict[str, Any]


@dataclass(frozen=True)
class EditState:
    """What the form is editing: a new pledge (no id), or an existing one at the version and
    with the values it was loaded with, and any conflict met saving it."""

    pledge_id: int | None = None
    version: int | None = None
    values: dict[str, Any] = field(default_factory=dict)
    conflict: Conflict | None = None

    @classmethod
    def of(cls, pledge: Pledge) -> EditState:
        return cls(pledge.id, pledge.version, current_values(pledge))

    @classmethod
    def load(cls, session: Session, pledge_id: int) -> EditState:
        """The pledge as it stands now, ready to edit."""
        return cls.of(session.get_one(Pledge, pledge_id))

    def after_conflict(self, session: Session, change: PledgeChange) -> EditState:
        """This state with the refused change beside the pledge as someone else saved it."""
        assert self.pledge_id is not None  # only an existing pledge can meet a conflict
        return self.conflicted(change, session.get_one(Pledge, self.pledge_id))

    @property
    def is_new(self) -> bool:
        return self.pledge_id is None

    def change(self, submitted: Mapping[str, Any]) -> PledgeChange:
        """Only what the editor changed from the values loaded: their other fields stay as
        saved, whatever someone else saved meanwhile."""
        return pledge_change(self.values, submitted)

    def conflicted(self, change: PledgeChange, theirs: Pledge) -> EditState:
        """This state with the conflict met saving ``change``: the values loaded stay, so a
        later save cannot write this editor's old values over theirs."""
        return replace(self, conflict=Conflict(change, theirs.version, current_values(theirs)))

    def conflict_table(self) -> pd.DataFrame:
        assert self.conflict is not None
        mine = self.values | self.conflict.change.as_dict()
        return conflict_table(self.values, self.conflict.theirs, mine)


def typed_date(text: str | None) -> date | None:
    """The date in a date field's text, or None when it is blank or not a valid date yet."""
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def conflict_table(
    started_from: dict[str, Any], theirs: dict[str, Any], mine: dict[str, Any]
) -> pd.DataFrame:
    """Every field that someone changed: what you started from, what they saved meanwhile,
    what you want. Nothing of either side is lost."""
    rows = []
    for name in PledgeFields.model_fields:
        before, saved, wanted = (shown(v.get(name), name, v) for v in (started_from, theirs, mine))
        if saved != before or (name in mine and wanted != before):
            rows.append(
                {
                    "field": field_label(name),
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
    """What a save stored, in the editor's words, with a link to its history on the
    participant's page: 'Saved pledge 23 (version 1): United Kingdom · Troops · up to 10,000
    troops. It is open below; its history: ...'"""
    size = pledge_size(pledge.category, pledge.quantity, pledge.quantity_qualifier, pledge.currency)
    history = f"participant?code={pledge.participant_code}&pledge={pledge.id}"  # relative
    return (
        f"Saved pledge {pledge.id} (version {pledge.version}): {participant} · "
        f"{pledge.category.capitalize()} · {size}. It is open below, with "
        f"[its history]({history})."
    )
