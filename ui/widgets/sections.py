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


def chosen_tab(labels: list[str], *, key: str, where: Any = st) -> tuple[str, Any]:
    """Tabs that rerun the page when the reader picks another, and the label and container of
    the one picked: only its content is built and sent. The tab picked is in the address, so a
    link opens it. Drawing the Timeline's three charts at once took most of a switch to it
    (bench/RESULTS.md)."""
    tabs = where.tabs(labels, key=key, on_change="rerun", bind="query-params")
    return next((label, tab) for label, tab in zip(labels, tabs, strict=True) if tab.open)
