"""Edit pledges (editors): record a new pledge, or change, withdraw or restore one.

The form, what it edits and its save are ui/forms/pledge_form.py; its fields,
ui/forms/pledge_fields.py."""

import streamlit as st

from coalition.read import queries
from coalition.read.history import revision_history
from ui.forms import pledge_fields as editing
from ui.forms import pledge_form
from ui.resources import read
from ui.shell import require_role
from ui.writes import show_notice

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

if not state.is_new:
    st.subheader("History of this pledge")
    st.dataframe(
        revision_history(read(queries.pledge_revisions_frame, state.pledge_id)),
        hide_index=True,
        placeholder="—",
    )
