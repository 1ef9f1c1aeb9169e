"""Coalition Tracker: entry point. Run with ``streamlit run app.py``."""

import streamlit as st

from coalition.errors import ValidationFailed
from ui.filters import sidebar_filters
from ui.resources import current_data_version, get_engine, load_filter_options

st.set_page_config(page_title="Coalition Tracker", page_icon="🛡️", layout="wide")

try:
    get_engine()
except ValidationFailed as error:
    st.error("The seed data could not be loaded, so nothing was written to the database.")
    st.markdown("\n".join(f"- {problem}" for problem in error.problems))
    st.stop()

# Each url_path differs from its file's stem on purpose. Because a pages/ folder sits beside
# app.py, Streamlit treats a process's first run as a legacy multipage app; if a legacy page name
# matched a URL here, that run would execute the page without this entry script (no sidebar, no
# data version). Distinct URLs send every run through this file.
pages = [
    st.Page(
        "pages/overview.py",
        title="Overview",
        icon=":material/dashboard:",
        default=True,
        url_path="pledges",
    ),
    st.Page(
        "pages/participant.py",
        title="Participant",
        icon=":material/flag:",
        url_path="participants",
    ),
    st.Page("pages/about.py", title="About the data", icon=":material/info:", url_path="method"),
]
navigation = st.navigation(pages)

version = current_data_version()
st.session_state["data_version"] = version
st.session_state["active_filters"] = sidebar_filters(load_filter_options(version)["regions"])

navigation.run()
