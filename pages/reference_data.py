"""Reference data (admins): participants' figures, meetings, planning targets, exchange rates."""

import pandas as pd
import streamlit as st
from sqlmodel import Session

from coalition.errors import Problem
from coalition.write import reference
from ui.data import reading
from ui.shell import require_role
from ui.writes import save, show_notice

viewer = require_role("admin")

st.title("Reference data")
st.caption(
    "Edit the cells, add or remove rows where the table allows it, then save. Every row is "
    "checked before anything is written; each change is kept in the audit log with its before "
    "and after."
)
show_notice()

tabs = st.tabs([table.title for table in reference.TABLES.values()])
for tab, table in zip(tabs, reference.TABLES.values(), strict=True):
    with tab:
        with reading() as session:
            original = reference.table_frame(session, table)
        edited = st.data_editor(
            original,
            num_rows="dynamic" if table.rows_can_change else "fixed",
            disabled=[table.key],
            hide_index=True,
            key=f"reference_editor_{table.name}",
        )
        if st.button("Save changes", key=f"reference_save_{table.name}", type="primary"):

            def listed(problems: list[Problem]) -> None:
                st.error(f"{len(problems)} problem(s): nothing was saved.")
                st.code("\n".join(str(p) for p in problems), language=None)

            def write(session: Session, table=table, edited=edited) -> dict[str, int]:
                return reference.save_table(
                    session, actor=viewer.actor, table_name=table.name, edited=pd.DataFrame(edited)
                )

            def saved(counts: dict[str, int], table=table) -> str:
                return (
                    f"{table.title}: {counts['added']} added, {counts['changed']} changed, "
                    f"{counts['removed']} removed."
                )

            save(
                write,
                saved=saved,
                forget=(f"reference_editor_{table.name}",),
                problems=listed,
            )
