"""Who is signed in. Local sign-in keeps the email in this session's server-side state; OIDC
sign-in (st.login) is read from st.user. Either way the role comes from our database on
every run, so a role change or a disabled account takes effect at the next click."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from coalition import auth
from coalition.settings import get_settings
from db.engine import read_session, write_session
from ui.resources import get_engine

SESSION_EMAIL = "auth_email"


@dataclass(frozen=True)
class Viewer:
    """The person using this session, or an anonymous reader."""

    email: str | None
    role: str | None

    @property
    def actor(self) -> auth.Actor | None:
        return auth.Actor(self.email) if self.email else None

    def may(self, minimum: str) -> bool:
        return auth.allows(self.role, minimum)


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
    return auth.normalise_email(st.user.get("email") or "") or None


def current_viewer() -> Viewer:
    settings = get_settings()
    email = st.session_state.get(SESSION_EMAIL) or _oidc_email()
    if email:
        with read_session(get_engine()) as session:
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


def sign_in(email: str, password: str) -> None:
    """Raises auth.PermissionDenied with the one generic message on any failure."""
    with write_session(get_engine()) as session:
        account = auth.sign_in(session, email=email, password=password)
        st.session_state[SESSION_EMAIL] = account.email


def sign_out(viewer: Viewer) -> None:
    if viewer.email:
        with write_session(get_engine()) as session:
            auth.sign_out(session, email=viewer.email)
    st.session_state.pop(SESSION_EMAIL, None)
    if _oidc_email():
        st.logout()
