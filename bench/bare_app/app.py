"""A bare Streamlit app, the floor for bench/browser.py: two pages through st.navigation, as the
project's, one a plotly line chart and one text. Whatever a switch or load of ours costs above
this is ours; what this costs is Streamlit's and the browser's."""

import streamlit as st

from bench.bare_app.floor import chart_page, text_page

st.set_page_config(page_title="Bare", layout="wide")
st.navigation(
    [
        st.Page(text_page, title="Text", url_path="text", default=True),
        st.Page(chart_page, title="Chart", url_path="chart"),
    ],
    expanded=True,
).run()
