"""Your account: the name colleagues see in histories, and personal API tokens for reading
the data from your own tools."""

import pandas as pd
import streamlit as st

from coalition.access import auth, display_names, tokens
from coalition.access.privacy import staff_id
from ui.data import reading
from ui.shell import require_role
from ui.writes import save, show_notice

viewer = require_role("viewer")
NEW_TOKEN = "account_new_token"

st.title("Your account")
st.caption(f"Signed in as `{viewer.email}` ({viewer.role}).")
show_notice()

with reading() as session:
    account = auth.find_account(session, viewer.actor.email)
    has_account = account is not None
    display_name = account.display_name if account else None
    pseudonym = staff_id(session, viewer.actor.email)
if has_account:
    st.subheader("Your name in histories")
    st.markdown(
        "Pledge histories and What changed name who made each change. Without a display name "
        f"you appear as `{pseudonym}`; with one, colleagues see it instead (a desk or team "
        "name works well). Your email is never shown. Snapshots keep the staff id."
    )
    with st.form("account_display_name_form"):
        name = st.text_input(
            "Display name",
            value=display_name or "",
            max_chars=display_names.MAX_DISPLAY_NAME,
            placeholder="e.g. Baltic desk",
            help="Empty: shown by your staff id.",
        )
        if st.form_submit_button("Save display name"):
            save(
                lambda session: display_names.set_display_name(
                    session, actor=viewer.actor, name=name
                ),
                saved=lambda now: f"Histories now name you “{now or pseudonym}”.",
            )

st.subheader("Personal API tokens")
st.markdown(
    "A token lets a script or a notebook read what you can read here, through "
    "`/api/v1/snapshot.csv`, `/api/v1/pledges.json` and `/api/v1/participants.json`: send it "
    "as `Authorization: Bearer <token>`. It is shown once; keep it like a password, and "
    "revoke it when it is no longer needed."
)
if token := st.session_state.pop(NEW_TOKEN, None):
    st.success("Your new token, shown only this once:")
    st.code(token, language=None)

with st.form("account_token_form", clear_on_submit=True):
    name = st.text_input("What is it for?", max_chars=100, placeholder="e.g. briefing notebook")
    if st.form_submit_button("Make a token"):
        save(
            lambda session: tokens.create_token(
                session, actor=viewer.actor, email=viewer.actor.email, name=name
            ),
            saved=lambda token: st.session_state.update({NEW_TOKEN: token}),
            problems=lambda problems: st.error("; ".join(p.message for p in problems)),
        )

with reading() as session:
    mine = tokens.tokens_of(session, viewer.actor.email)
if not mine:
    st.info("You have no tokens.")
else:
    st.dataframe(pd.DataFrame(mine), hide_index=True, placeholder="—", key="account_tokens")
    active = {t["id"]: t["name"] for t in mine if not t["revoked"]}
    if active:
        chosen = st.selectbox(
            "Revoke a token", list(active), format_func=lambda i: f"{i}: {active[i]}"
        )
        if st.button("Revoke", key="account_revoke"):
            save(lambda session: tokens.revoke_token(session, actor=viewer.actor, token_id=chosen))
