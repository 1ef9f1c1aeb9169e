"""A legend beside the map (the map draws none of its own)."""

from __future__ import annotations

import html

import streamlit as st

from coalition.figures.maps import LegendEntry


def map_legend(title: str, entries: list[LegendEntry]) -> None:
    # Built only from our own palette and formatted numbers, escaped all the same.
    rows = "".join(
        '<div style="display:flex;align-items:center;gap:.5em;margin:.2em 0">'
        f'<span style="display:inline-block;width:1.2em;height:1.2em;border:1px solid #888;'
        f'background:rgb{tuple(entry.colour)}"></span>'
        f"<span>{html.escape(entry.text)}</span></div>"
        for entry in entries
    )
    st.markdown(
        f"**{html.escape(title)}**<div style='font-size:.9em'>{rows}</div>",
        unsafe_allow_html=True,
    )
