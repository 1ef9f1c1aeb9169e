"""The values an import file's coded columns take: each code, the app's word for it
(coalition.text.labels) and, for a participant, its name and other names (data/aliases.csv).
A cell is compared as search compares text (case, accents and spaces aside), so a file written
with the app's words imports as its codes; a cell that names nothing is refused with the
nearest value."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlmodel import Session, col, select

from coalition.errors import Problem, ValidationFailed
from coalition.read.search import aliases, fold
from coalition.text.checks import check_text
from coalition.text.labels import value_label
from coalition.text.safe_csv import to_csv
from coalition.write.pledges import known_currencies
from coalition.write.validation import VOCABULARY_FIELDS
from core.settings import get_settings
from core.vocabulary import QUANTITY_QUALIFIERS
from db.models import Participant

ALLOWED_COLUMNS = ("column", "value", "label", "also_accepted")


@dataclass(frozen=True)
class Allowed:
    column: str
    code: str
    label: str
    also: tuple[str, ...] = ()

    def named(self) -> str:
        """'BEL (Belgium)'; a code that reads as its own word alone: 'ships'."""
        return self.code if fold(self.label) == fold(self.code) else f"{self.code} ({self.label})"


def allowed_values(session: Session) -> list[Allowed]:
    """Every value of every coded column, in the template's column order."""
    other_names = aliases(get_settings().data_dir)
    participants = session.exec(
        select(Participant.code, Participant.name).order_by(col(Participant.code))
    ).all()
    values = [Allowed("participant_code", c, n, other_names.get(c, ())) for c, n in participants]
    values += [Allowed("currency", c, c) for c in sorted({"EUR", *known_currencies(session)})]
    vocabularies = {**VOCABULARY_FIELDS, "quantity_qualifier": QUANTITY_QUALIFIERS}
    values += [
        Allowed(column, code, value_label(column, code))
        for column, codes in vocabularies.items()
        for code in codes
    ]
    return values


def _words(session: Session) -> dict[str, dict[str, Allowed]]:
    """Per column, each folded word and the value it names. Built once a transaction: a file
    of 20,000 rows asks for it on every row."""
    if "import_words" not in session.info:
        words: dict[str, dict[str, Allowed]] = {}
        for value in allowed_values(session):
            column = words.setdefault(value.column, {})
            for word in (*value.also, value.label):
                column.setdefault(fold(word), value)
        for value in allowed_values(session):  # a code means itself, whatever else is so called
            words[value.column][fold(value.code)] = value
        session.info["import_words"] = words
    return session.info["import_words"]


def to_codes(session: Session, values: dict[str, Any]) -> list[Problem]:
    """Each coded cell of an imported row replaced by its code; a cell that names no value
    is left as it is and named in a problem with the nearest value. Blank cells and unsafe
    text are left to the write path's own checks."""
    problems = []
    for column, words in _words(session).items():
        cell = values.get(column)
        if not isinstance(cell, str) or not cell.strip() or check_text(column, cell):
            continue
        if (value := words.get(fold(cell))) is not None:
            values[column] = value.code
        else:
            problems.append(Problem(column, _refusal(column, cell.strip()[:100], words)))
    return problems


def participant_codes(session: Session, names: Iterable[str], field: str) -> tuple[str, ...]:
    """Participants named by code, name or other name (as an import cell names one), as
    their codes; ValidationFailed naming under ``field`` each that names none, with the
    nearest."""
    codes: list[str] = []
    problems: list[Problem] = []
    for name in names:
        unsafe = check_text(field, name)
        if unsafe is not None or not name.strip():
            problems.append(unsafe or Problem(field, "is empty: name a participant"))
            continue
        values = {"participant_code": name}
        refused = to_codes(session, values)
        problems += [Problem(field, problem.message) for problem in refused]
        if not refused:
            codes.append(values["participant_code"])
    if problems:
        raise ValidationFailed(problems)
    return tuple(dict.fromkeys(codes))


def _refusal(column: str, cell: str, words: dict[str, Allowed]) -> str:
    codes = list(dict.fromkeys(value.code for value in words.values()))
    if column == "participant_code":
        message = f"'{cell[:40]}' is not a participant code"
    elif column == "currency":
        message = f"'{cell[:40]}' has no exchange rate to EUR (known: {', '.join(codes)})"
    else:
        message = f"'{cell[:40]}' is not one of: {', '.join(codes)}"
    close = difflib.get_close_matches(fold(cell), words, n=1)
    if close:
        return f"{message}; did you mean {words[close[0]].named()}?"
    if column == "participant_code":
        return f"{message} or name (the allowed values file lists them all)"
    return message


def allowed_values_csv(session: Session) -> bytes:
    """The allowed values as a file: column, code, label and the other names taken for it."""
    rows = [(v.column, v.code, v.label, "; ".join(v.also)) for v in allowed_values(session)]
    return to_csv(pd.DataFrame(rows, columns=list(ALLOWED_COLUMNS)))
