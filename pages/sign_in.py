"""Sign in with a local account, or through the organisation's identity provider."""

import streamlit as st

from coalition.auth import PermissionDenied
from db.engine import DatabaseFault
from ui.auth import oidc_configured, sign_in

st.title("Sign in to the Coalition Tracker")
with st.form("sign_in_form"):
    email = st.text_input("Email", key="sign_in_email", autocomplete="username")
    password = st.text_input(
        "Password", type="password", key="sign_in_password", autocomplete="current-password"
    )
    submitted = st.form_submit_button("Sign in", type="primary")
if submitted:
    try:
        sign_in(email, password)
    except PermissionDenied as refusal:
        st.error(str(refusal))
    except DatabaseFault as fault:
        st.error(f"Signing in needs the database, which cannot be used: {fault}.")
    else:
        st.rerun()

if oidc_configured():
    st.divider()
    if st.button("Sign in with your organisation's account", key="sign_in_oidc"):
        st.login()
