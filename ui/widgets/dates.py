"""One way to enter a day, in the sidebar, on the pages and in the pledge form: typed as
YYYY-MM-DD and applied on Enter (a date picker opened its calendar on Enter instead, and kept
its last valid day when what was typed was out of range). No page uses st.date_input."""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from coalition.text.checks import DATE_FORMAT, parse_date


def typed_date(
    label: str,
    *,
    key: str,
    within: tuple[date, date],
    help: str,
    where: Any = st,
    placeholder: str = DATE_FORMAT,
    **options: Any,
) -> date | None:
    """The day typed in a text field (None when blank); raises ValidationFailed, naming what
    is wrong, for text that is not a day in ``within``."""
    text = where.text_input(
        label,
        key=key,
        placeholder=placeholder,
        help=f"{help} Type it as {DATE_FORMAT} and press Enter.",
        **options,
    )
    return parse_date(label, text, within=within)
