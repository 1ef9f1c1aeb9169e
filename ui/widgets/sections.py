"""Sections a reader opens: what a closed one holds is neither built nor sent to the browser."""

from __future__ import annotations

from typing import Any

import streamlit as st


def opened(label: str, *, key: str, where: Any = st) -> Any | None:
    """An expander that reruns the page when it is opened or closed, and the container to fill
    while it is open (None while it is closed). Closed expanders used to hold their tables all
    the same, each a grid, a paper copy and a download: on the Overview, drawing them took a
    fifth of a page switch for tables few readers open (bench/RESULTS.md)."""
    section = where.expander(label, key=key, on_change="rerun")
    return section if section.open else None
