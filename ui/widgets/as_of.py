"""Saying plainly which date a page shows."""

from __future__ import annotations

import streamlit as st

from coalition.read.filters import PledgeFilter


def as_of_banner(filters: PledgeFilter) -> None:
    if filters.as_of is None:
        return
    st.info(
        f"**Showing the record as it stood on {filters.as_of:%d %B %Y}**, rebuilt from the "
        "revision history. Clear “As of” in the sidebar to see today's record.",
        icon=":material/history:",
    )
