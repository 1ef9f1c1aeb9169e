"""CSV files people can open safely in a spreadsheet."""

from __future__ import annotations

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


def print_table(frame: pd.DataFrame) -> str:
    """The rows as a plain HTML table for paper, where a scrolling grid would print only the
    rows in its window: every cell escaped, blanks as a dash. Web addresses may break after
    their slashes, so a long one wraps in its column instead of widening the table."""
    frame = frame.copy()
    for column in frame.columns:
        frame[column] = frame[column].map(
            lambda v: v.replace("/", "/\u200b") if isinstance(v, str) and "://" in v else v
        )
    return frame.to_html(
        index=False, escape=True, na_rep="—", border=0, classes="print-table", render_links=False
    )
