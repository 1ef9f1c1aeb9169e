"""The bare app's two pages: a page of text, and one plotly line chart. bench/browser.py and
bench/charts.py measure everything against them."""

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
