"""The app's frame: page config, database start-up, who is signed in, navigation by role,
and the sidebar filters."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import streamlit as st
from sqlalchemy.exc import OperationalError

from coalition.access import auth
from coalition.errors import ValidationFailed
from coalition.read import queries
from core.settings import PROJECT_ROOT
from db.engine import DatabaseFault, database_fault
from ui.auth import current_viewer, sign_out
from ui.data import writing
from ui.resources import current_data_version, forget_engine, get_engine, read
from ui.run_context import Viewer, start_run, this_run, update_run
from ui.style import apply_style, print_fit
from ui.widgets.filters import sidebar_filters

# (file, title, icon, the least role that sees it). A page a role may not use is not in its
# navigation and its address shows a refusal instead (pages_for); the domain layer checks
# every write again regardless.
PAGES = (
    ("pages/overview.py", "Overview", ":material/dashboard:", "viewer"),
    ("pages/changes.py", "What changed", ":material/difference:", "viewer"),
    ("pages/map.py", "Map", ":material/public:", "viewer"),
    ("pages/timeline.py", "Timeline", ":material/timeline:", "viewer"),
    ("pages/delivery.py", "Delivery", ":material/local_shipping:", "viewer"),
    ("pages/participant.py", "Participant", ":material/flag:", "viewer"),
    ("pages/ranking.py", "Ranking", ":material/leaderboard:", "viewer"),
    ("pages/search.py", "Search", ":material/search:", "viewer"),
    ("pages/snapshots.py", "Snapshots", ":material/download:", "viewer"),
    ("pages/about.py", "About the data", ":material/info:", "viewer"),
    ("pages/edit_pledges.py", "Edit pledges", ":material/edit:", "editor"),
    ("pages/import_pledges.py", "Import pledges", ":material/upload_file:", "editor"),
    ("pages/reference_data.py", "Reference data", ":material/table_edit:", "admin"),
    ("pages/audit.py", "Audit log", ":material/policy:", "admin"),
    ("pages/account.py", "Your account", ":material/key:", "viewer"),
)
# Pages about one's own account: not for anonymous readers.
PERSONAL = ("pages/account.py",)
SIGN_IN_PAGE = ("pages/sign_in.py", "Sign in", ":material/login:")


def _page(path: str, title: str, icon: str, *, default: bool = False) -> st.Page:
    return st.Page(
        PROJECT_ROOT / path, title=title, icon=icon, url_path=Path(path).stem, default=default
    )


def page(name: str) -> st.Page:
    """The page of pages/``name``.py, for st.switch_page and st.page_link."""
    for path, title, icon, *_ in (*PAGES, SIGN_IN_PAGE):
        if Path(path).stem == name:
            return _page(path, title, icon)
    raise KeyError(name)


def pages_for(viewer: Viewer) -> list[st.Page]:
    """The pages this viewer may use; the first is the default (the sign-in page when there is
    nothing to see without an account). Each has a stable path: its file's name."""
    entries = [
        (path, title, icon)
        for path, title, icon, minimum in PAGES
        if viewer.may(minimum) and (viewer.email or path not in PERSONAL)
    ]
    if viewer.email is None:
        entries.append(SIGN_IN_PAGE)
    pages = [
        _page(path, title, icon, default=index == 0)
        for index, (path, title, icon) in enumerate(entries)
    ]
    # A page this viewer may not use keeps its address, hidden from the navigation, and says
    # why there (a link from a colleague, a bookmark from another role), instead of
    # Streamlit's "Page not found".
    if viewer.role is not None:
        pages += [
            st.Page(
                _refusal(Path(path).stem, title, minimum),
                title=title,
                icon=icon,
                url_path=Path(path).stem,
                visibility="hidden",
            )
            for path, title, icon, minimum in PAGES
            if not viewer.may(minimum)
        ]
    return pages


ROLE_WORDS = {"editor": "editors and admins", "admin": "admins"}


def _refusal(name: str, title: str, minimum: str):
    def refused() -> None:
        viewer = this_run().viewer
        st.title(title)
        who = (
            f"you are signed in as `{viewer.email}`, a {viewer.role}"
            if viewer.email
            else "you are reading without an account"
        )
        st.error(
            f"This page is for {ROLE_WORDS[minimum]}: {who}. If you need it, ask an admin "
            f"for the {minimum} role.",
            icon=":material/block:",
        )
        st.page_link(page("overview"), label="Go to the overview", icon=":material/dashboard:")
        noted = f"refusal_noted_{name}"
        if not st.session_state.get(noted):  # once a session: a reload is not news
            st.session_state[noted] = True
            with writing() as session:
                auth.refuse_page(
                    session, email=viewer.email, role=viewer.role, page=name, required=minimum
                )

    refused.__name__ = f"refused_{name}"
    return refused


def _account_box(viewer: Viewer) -> None:
    with st.sidebar:
        if viewer.email:
            st.caption(f"Signed in as `{viewer.email}` ({viewer.role})")
            if st.button("Sign out", key="shell_sign_out"):
                sign_out(viewer)
                st.rerun()
        else:
            st.caption("Reading without an account.")


def _search_box() -> None:
    """Search from any page: the words go to the Search page in its address (``?q=``), so a
    search is a link that can be shared."""
    # The search shown goes into the box when the address brings a new one; otherwise the box
    # keeps what is being typed (setting it on every run threw a second search away).
    shown = st.query_params.get("q")
    if shown is not None and st.session_state.get("shell_search_shown") != shown:
        st.session_state["shell_search_text"] = shown
    st.session_state["shell_search_shown"] = shown
    with st.sidebar.form("shell_search", border=False):
        text = st.text_input(
            "Search", key="shell_search_text", placeholder="Pledges, meetings, participants"
        )
        submitted = st.form_submit_button("Search", icon=":material/search:")
    if submitted:
        st.switch_page(page("search"), query_params={"q": text})


def _database_unusable(fault: DatabaseFault) -> NoReturn:
    """One plain banner; the cached engine is dropped, so the next click connects, migrates and
    seeds afresh once the database is back."""
    forget_engine()
    st.error(
        f"The database cannot be used: {fault}. Nothing can be shown or saved right now; "
        "the app tries again at your next click.",
        icon=":material/database_off:",
    )
    st.stop()


def run_app() -> None:
    """Everything the script does on every run; the chosen page renders inside it."""
    st.set_page_config(page_title="Coalition Tracker", page_icon="🛡️", layout="wide")
    apply_style()
    try:
        get_engine()
    except ValidationFailed as error:
        st.error("The seed data could not be loaded, so nothing was written to the database.")
        # As plain text: the problems quote cell values, which must not render as markup.
        st.code("\n".join(str(problem) for problem in error.problems), language=None)
        st.stop()
    except (DatabaseFault, OperationalError) as error:
        fault = error if isinstance(error, DatabaseFault) else database_fault(error)
        if fault is None:
            raise
        _database_unusable(fault)
    try:
        viewer = current_viewer()
    except DatabaseFault as fault:
        _database_unusable(fault)
    start_run(viewer)
    navigation = st.navigation(pages_for(viewer), expanded=True)
    if viewer.role is not None:
        print_fit()
        _account_box(viewer)
        _search_box()
        try:
            update_run(data_version=current_data_version())
        except DatabaseFault as fault:
            if fault.tables_missing or not this_run().data_version:
                _database_unusable(fault)
            # Figures already read stay on screen, marked as possibly out of date.
            st.warning(
                f"The database cannot be read right now: {fault}. The figures below are as "
                "last read and may be out of date; changes cannot be saved.",
                icon=":material/database_off:",
            )
        update_run(filters=sidebar_filters(read(queries.filter_options)["regions"]))
        if read(queries.has_synthetic_data):
            st.warning(
                "This database holds **synthetic benchmark data**: generated pledges that "
                "are not real. Do not cite anything shown here.",
                icon=":material/science:",
            )
    try:
        navigation.run()
    except DatabaseFault as fault:  # a read the page needed failed part-way
        _database_unusable(fault)


def require_role(minimum: str) -> Viewer:
    """For pages that only some roles see: stop here if this viewer may not use the page."""
    viewer = this_run().viewer
    if not viewer.may(minimum):
        st.error("This page is not available to you.")
        st.stop()
    return viewer
