"""CSV files people can open safely in a spreadsheet."""

from __future__ import annotations

import json
import re

import pandas as pd

# A column of euro amounts, by its title: "EUR", "Funding (EUR)", "Converted to EUR", not
# "eur_rate" or "units_per_eur".
EURO_COLUMN = re.compile(r"(?<![A-Za-z_])EUR(?![A-Za-z_])")

# OWASP: a cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe; numbers and
    missing values pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _plain_numbers(column: pd.Series) -> pd.Series:
    """Whole numbers without ".0" (a count or a year, not 2023.0); euros to the cent."""
    if not pd.api.types.is_float_dtype(column) or column.dtype == bool:
        return column
    if EURO_COLUMN.search(str(column.name)) and "per EUR" not in str(column.name):
        return column.map(lambda value: "" if pd.isna(value) else f"{value:.2f}")
    known = column.dropna()
    if len(known) and (known == known.round()).all() and known.abs().max() < 2**53:
        return column.astype("Int64")
    return column


def to_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a header row, ISO dates and plain numbers; text columns made safe."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise)
        else:
            safe[column] = _plain_numbers(safe[column])
    return safe.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _blank(value: object) -> bool:
    if isinstance(value, (list, tuple, dict, set)):
        return False
    return bool(pd.isna(value))


def _printed_text(value: object) -> str:
    text = str(value)
    return text.replace("/", "/\u200b") if "://" in text else text


def print_cells(frame: pd.DataFrame) -> str:
    """The rows for a plain table on paper, where a scrolling grid would print only the rows
    in its window, as JSON: {"columns": [...], "rows": [[...], ...]}, every cell as text (the
    browser builds the table just before printing and never reads a cell as HTML), blanks as
    a dash, whole numbers without ".0". Web addresses may break after their slashes, so a long
    one wraps in its column instead of widening the table."""
    columns = []
    for index in range(frame.shape[1]):
        original = frame.iloc[:, index]
        plain = _plain_numbers(original)
        columns.append(
            [
                "\u2014" if _blank(o) else _printed_text(p)
                for o, p in zip(original, plain, strict=True)
            ]
        )
    rows = [list(row) for row in zip(*columns, strict=True)] if columns else []
    return json.dumps(
        {"columns": [str(name) for name in frame.columns], "rows": rows}, ensure_ascii=False
    )
