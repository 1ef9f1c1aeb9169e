"""Who is signed in. A local sign-in is a server-side session named by an HttpOnly cookie
(entry/server.py sets it); OIDC sign-in (st.login) is read from st.user. Either way the role
comes from our database on every run, so a role change or a disabled account takes effect at
the next click."""

from __future__ import annotations

import streamlit as st

from coalition.access import auth, sessions
from core.settings import get_settings
from ui.data import reading, writing
from ui.run_context import Viewer

SESSION_EMAIL = "auth_email"


def oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


def _oidc_email() -> str | None:
    if not oidc_configured():
        return None
    if not getattr(st.user, "is_logged_in", False):
        return None
    if st.user.get("email_verified") is False:
        return None  # the provider says the address is not proven to be theirs
    return auth.normalise_email(str(st.user.get("email") or "")) or None


def _cookie_session() -> None:
    """Resolve the browser's session cookie, on every run: a revoked, idle or expired session
    signs this tab out at its next click, whatever it held before."""
    token = st.context.cookies.get(sessions.COOKIE)
    if not isinstance(token, str) or not token:  # no browser (AppTest) or no cookie
        return
    policy = sessions.SessionPolicy.of(get_settings())
    with reading() as session:
        found, reason = sessions.find_session(session, token, policy)
    if found is None:
        if st.session_state.pop(SESSION_EMAIL, None) or reason in ENDED:
            st.session_state[SESSION_ENDED] = reason
        return
    st.session_state[SESSION_EMAIL] = found.email
    if found.stale:
        with writing() as session:
            sessions.touch(session, found.token_hash)


# Why a cookie no longer signs anyone in, in words for the sign-in page.
ENDED = {
    "revoked session": "You were signed out.",
    "idle session": "You were signed out after a long time without activity.",
    "expired session": "Your session reached its time limit.",
    "disabled account": "This account is disabled.",
}
SESSION_ENDED = "auth_session_ended"


def current_viewer() -> Viewer:
    settings = get_settings()
    _cookie_session()
    email = st.session_state.get(SESSION_EMAIL) or _oidc_email()
    if email:
        with reading() as session:
            role = auth.role_of(session, auth.Actor(email))
            if role is None and _oidc_email() == email and settings.oidc_default_role:
                account = auth.find_account(session, email)
                if account is None:  # unknown to us: the configured default, never more
                    role = settings.oidc_default_role
        if role is not None:
            return Viewer(email, role)
        st.session_state.pop(SESSION_EMAIL, None)  # disabled or removed meanwhile
    if settings.anonymous_read:
        return Viewer(None, "viewer")
    return Viewer(None, None)


def sign_out(viewer: Viewer) -> None:
    """End this browser's session: its cookie signs nobody in from now on, here or anywhere
    it was copied to."""
    if viewer.email:
        with writing() as session:
            token = st.context.cookies.get(sessions.COOKIE)
            sessions.end_session(session, token if isinstance(token, str) else None)
            auth.sign_out(session, email=viewer.email)
    st.session_state.pop(SESSION_EMAIL, None)
    if _oidc_email():
        st.logout()
