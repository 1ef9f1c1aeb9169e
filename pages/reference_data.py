"""Reference data (admins): participants' figures, meetings, planning targets, exchange rates."""

import pandas as pd
import streamlit as st

from coalition.access.auth import PermissionDenied
from coalition.errors import ValidationFailed
from coalition.write import reference
from ui.data import DatabaseFault, reading, writing
from ui.resources import show_write_fault
from ui.shell import require_role

viewer = require_role("admin")

st.title("Reference data")
st.caption(
    "Edit the cells, add or remove rows where the table allows it, then save. Every row is "
    "checked before anything is written; each change is kept in the audit log with its before "
    "and after."
)
if notice := st.session_state.pop("reference_notice", None):
    st.success(notice)

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
            try:
                with writing() as session:
                    counts = reference.save_table(
                        session,
                        actor=viewer.actor,
                        table_name=table.name,
                        edited=pd.DataFrame(edited),
                    )
            except ValidationFailed as failure:
                st.error(f"{len(failure.problems)} problem(s): nothing was saved.")
                st.code("\n".join(str(p) for p in failure.problems), language=None)
            except PermissionDenied as refusal:
                st.error(str(refusal))
            except DatabaseFault as fault:
                show_write_fault(fault)
            else:
                st.session_state["reference_notice"] = (
                    f"{table.title}: {counts['added']} added, {counts['changed']} changed, "
                    f"{counts['removed']} removed."
                )
                del st.session_state[f"reference_editor_{table.name}"]
                st.rerun()
