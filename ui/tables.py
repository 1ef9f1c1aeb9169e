"""Tables that several pages show the same way, each with a safe CSV download."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from coalition import formatting
from coalition.exports import to_csv


def csv_download(frame: pd.DataFrame, *, file_name: str, key: str, label: str = "") -> None:
    """The table exactly as shown, as UTF-8 CSV with formula-looking text neutralised."""
    st.download_button(
        label or "Download this table (CSV)",
        data=to_csv(frame),
        file_name=file_name,
        mime="text/csv",
        key=key,
    )


def table(frame: pd.DataFrame, *, file_name: str, key: str, **options) -> None:
    st.dataframe(frame, hide_index=True, placeholder="—", **options)
    csv_download(frame, file_name=file_name, key=f"{key}_download")


def pledge_table(
    pledges: pd.DataFrame, *, key: str, hide: tuple[str, ...] = (), file_name: str = "pledges.csv"
) -> None:
    """Pledges as analysts read them: sizes in words, sources as links, blanks as a dash."""
    shown = formatting.pledges_for_display(pledges).drop(columns=list(hide))
    st.dataframe(
        shown,
        hide_index=True,
        placeholder="—",
        key=key,
        column_config={
            "EUR": st.column_config.NumberColumn("EUR", format="€%,.0f"),
            "Link": st.column_config.LinkColumn("Link", display_text="open source"),
            "What": st.column_config.TextColumn(width="large"),
        },
    )
    csv_download(shown, file_name=file_name, key=f"{key}_download")
