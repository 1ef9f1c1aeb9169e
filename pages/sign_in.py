"""Sign in with a local account, or through the organisation's identity provider.

The form posts to /auth/sign-in (entry/server.py), a plain HTTP route: only a real response can
set the HttpOnly cookie that keeps the session across reloads, tabs and shared links. It comes
back here with ?failed=1 (and ?wait=N while attempts are slowed) or goes on to ``next``."""

from html import escape
from urllib.parse import urlencode

import streamlit as st

from coalition.access.auth import SIGN_IN_FAILED
from ui.auth import ENDED, SESSION_ENDED, oidc_configured

st.title("Sign in to the Coalition Tracker")
params = st.query_params
if params.get("failed"):
    wait = params.get("wait", "")
    st.error(SIGN_IN_FAILED + (f" Try again in {int(wait)} seconds." if wait.isdigit() else ""))
elif params.get("unavailable"):
    st.error("The database cannot be used right now, so nobody can sign in. Try again soon.")
elif ended := st.session_state.pop(SESSION_ENDED, None):
    st.info(f"{ENDED.get(ended, 'You were signed out.')} Sign in again to continue.")

# Where to go afterwards: as the link that led here said, or this address's own view.
others = {k: v for k, v in params.to_dict().items() if k not in ("next", "failed", "wait")}
next_path = params.get("next") or ("/?" + urlencode(others) if others else "/")
st.html(
    f"""
<style>
  .sign-in {{ display: grid; gap: 0.75rem; max-width: 28rem; font-family: inherit; }}
  .sign-in label {{ display: grid; gap: 0.25rem; font-size: 0.9rem; color: #31333f; }}
  .sign-in input {{ padding: 0.55rem 0.7rem; border: 1px solid #b8bbc4; border-radius: 0.4rem;
    font-size: 1rem; background: #fff; color: #31333f; }}
  .sign-in input:focus {{ outline: 2px solid #0b5cad; outline-offset: 1px; }}
  .sign-in button {{ justify-self: start; padding: 0.5rem 1.2rem; border: 0; border-radius: 0.4rem;
    background: #0b5cad; color: #fff; font-size: 1rem; cursor: pointer; }}
</style>
<form class="sign-in" method="post" action="/auth/sign-in">
  <label>Email
    <input name="email" type="email" autocomplete="username" required maxlength="254">
  </label>
  <label>Password
    <input name="password" type="password" autocomplete="current-password" required>
  </label>
  <input type="hidden" name="next" value="{escape(next_path, quote=True)}">
  <button type="submit">Sign in</button>
</form>
"""
)
st.caption(
    "A new server prints its first admin account's password on its console when it starts "
    '("Created the first admin account…"); more accounts are added with '
    "`python -m coalition users add`."
)

if oidc_configured():
    st.divider()
    if st.button("Sign in with your organisation's account", key="sign_in_oidc"):
        st.login()
