"""A bare Streamlit app, the floor for bench/browser.py: two pages through st.navigation, as the
project's, one a plotly line chart and one text. Whatever a switch or load of ours costs above
this is ours; what this costs is Streamlit's and the browser's."""

import plotly.graph_objects as go
import streamlit as st

CHART_MARKER = "A line chart"
TEXT_MARKER = "A page of text"


def text_page() -> None:
    st.title("Text")
    st.markdown(f"{TEXT_MARKER}: nothing but these words.")


def chart_page() -> None:
    st.title("Chart")
    days = list(range(60))
    # The marker is the chart's own title, so the page counts as shown once plotly drew it.
    figure = go.Figure(go.Scatter(x=days, y=[d * d for d in days], mode="lines"))
    st.plotly_chart(figure.update_layout(title=CHART_MARKER))


st.set_page_config(page_title="Bare", layout="wide")
st.navigation(
    [
        st.Page(text_page, title="Text", url_path="text", default=True),
        st.Page(chart_page, title="Chart", url_path="chart"),
    ],
    expanded=True,
).run()
