"""Edit pledges (editors): record a new pledge, or change, withdraw or restore one.

The form, what it edits and its save are ui/forms/pledge_form.py; its fields,
ui/forms/pledge_fields.py."""

import pandas as pd
import streamlit as st

from coalition.read import queries
from coalition.read.history import revision_history
from coalition.write.checks import record_checks
from ui.forms import pledge_fields as editing
from ui.forms import pledge_form
from ui.resources import read
from ui.shell import require_role
from ui.writes import save, show_notice

viewer = require_role("editor")

st.title("Edit pledges")
st.caption(editing.EDITING_SCOPE)
show_notice()

participants = read(queries.participants_frame)
names = dict(zip(participants["code"], participants["name"], strict=True))
pledges = read(queries.pledges_frame)  # every status: withdrawn pledges can be restored

state = pledge_form.edit_state(pledge_form.pick_pledge(pledges))
form = pledge_form.pledge_form(state, names)
if form.submitted:
    pledge_form.submit(state, form, actor=viewer.actor, names=names)
pledge_form.show_conflict(state, form, actor=viewer.actor, names=names)

if (pledge_id := state.pledge_id) is not None:
    st.subheader("Checked against its source")
    last = pledges.loc[pledges["id"].eq(pledge_id), "checked_on"]
    day = last.iloc[0] if len(last) and pd.notna(last.iloc[0]) else None
    verified = f"Last verified: **{day:%d %b %Y}**." if day else "Never checked against its source."
    st.markdown(f"{verified} Saving a change records today as its last check.")
    if st.button("I read its source today: unchanged", key="record_check"):
        checked = [pledge_id]
        save(
            lambda session: record_checks(session, actor=viewer.actor, pledge_ids=checked),
            saved=lambda _: f"Recorded today's check of pledge {checked[0]} against its source.",
        )

    st.subheader("History of this pledge")
    st.dataframe(
        revision_history(read(queries.pledge_revisions_frame, state.pledge_id)),
        hide_index=True,
        placeholder="—",
    )
