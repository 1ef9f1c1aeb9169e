"""Tables that several pages show the same way."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from coalition import formatting


def pledge_table(pledges: pd.DataFrame, *, key: str, hide: tuple[str, ...] = ()) -> None:
    """Pledges as analysts read them: sizes in words, sources as links, blanks as a dash."""
    st.dataframe(
        formatting.pledges_for_display(pledges).drop(columns=list(hide)),
        hide_index=True,
        placeholder="—",
        key=key,
        column_config={
            "EUR": st.column_config.NumberColumn("EUR", format="€%,.0f"),
            "Link": st.column_config.LinkColumn("Link", display_text="open source"),
            "What": st.column_config.TextColumn(width="large"),
        },
    )
