"""The app's frame: page config, database start-up, sidebar filters and navigation."""

from __future__ import annotations

import streamlit as st

from coalition import queries
from coalition.errors import ValidationFailed
from ui.filters import sidebar_filters
from ui.resources import current_data_version, get_engine, read

_ENTRY_RUNNING = "shell_entry_running"

PAGES = (
    ("pages/overview.py", "Overview", ":material/dashboard:"),
    ("pages/map.py", "Map", ":material/public:"),
    ("pages/timeline.py", "Timeline", ":material/timeline:"),
    ("pages/participant.py", "Participant", ":material/flag:"),
    ("pages/about.py", "About the data", ":material/info:"),
)


def run_app() -> None:
    """Everything app.py does on every run; the chosen page renders inside it."""
    st.session_state[_ENTRY_RUNNING] = True
    try:
        st.set_page_config(page_title="Coalition Tracker", page_icon="🛡️", layout="wide")
        try:
            get_engine()
        except ValidationFailed as error:
            st.error("The seed data could not be loaded, so nothing was written to the database.")
            # As plain text: the problems quote cell values, which must not render as markup.
            st.code("\n".join(str(problem) for problem in error.problems), language=None)
            st.stop()
        navigation = st.navigation(
            [
                st.Page(path, title=title, icon=icon, default=index == 0)
                for index, (path, title, icon) in enumerate(PAGES)
            ]
        )
        version = current_data_version()
        st.session_state["data_version"] = version
        st.session_state["active_filters"] = sidebar_filters(
            read(queries.filter_options)["regions"]
        )
        navigation.run()
    finally:
        st.session_state[_ENTRY_RUNNING] = False


def require_entry() -> None:
    """First call of every page file.

    Because a pages/ folder sits beside app.py, Streamlit runs each process's first script run
    in its legacy multipage mode, which may execute a page file directly, without app.py. Then
    the page runs the entry itself (which renders this page through st.navigation and switches
    Streamlit to the modern mode for good) and stops the direct run.
    """
    if st.session_state.get(_ENTRY_RUNNING):
        return
    run_app()
    st.stop()
