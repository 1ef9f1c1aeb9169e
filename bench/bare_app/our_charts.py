"""The bare app's two pages, and beside them one page per chart a reading page of ours opens
with, each drawn alone: built by the project's own builders from the database the benchmark
measures, under the default filters. For bench/charts.py: what one of our charts costs by
itself, as a ratio to the bare chart page, in the same server. No sign-in, no sidebar, no
caches but this one: whatever a page of ours costs above its charts is the rest of the page."""

import os
from collections.abc import Callable

import plotly.graph_objects as go
import streamlit as st

from bench.bare_app.floor import chart_page, text_page
from coalition.figures import charts, delivery, force_gap, ranking, timeline_figures
from coalition.figures.view import build_view
from coalition.read import queries, timeline
from coalition.read.as_of import AsOf
from coalition.read.filters import PledgeFilter
from db.engine import create_db_engine, read_session

FILTERS = PledgeFilter()


@st.cache_resource
def figures() -> dict[str, go.Figure]:
    """Each chart as its page opens with it, by the page's name and the chart's."""
    engine = create_db_engine(os.environ["DATABASE_URL"])
    until = FILTERS.when.shown
    with read_session(engine) as session:
        view = build_view(session, FILTERS)
        series, _ = timeline.timeline_series(session, FILTERS)
        events = queries.events_frame(session, AsOf(until))
        targets = queries.targets_frame(session)
    engine.dispose()
    troops = view.headline.category("troops")
    measure = ranking.measures_for(FILTERS)[0]
    return {
        "Overview: by status": charts.pledges_by_category_and_status(view.pledges),
        "Overview: by region": charts.pledges_by_region(view.pledges),
        "Overview: force gap": force_gap.chart(
            force_gap.force_gap(troops, targets, FILTERS.as_of), troops
        ),
        "Timeline: pledged": timeline_figures.cumulative_figure(series, events, until),
        "Delivery: by stage": delivery.stage_figure(delivery.by_stage(view)),
        "Ranking": ranking.ranking_chart(ranking.ranking(view, measure), measure),
    }


def ours(name: str) -> Callable[[], None]:
    def page() -> None:
        st.title(name)
        st.plotly_chart(figures()[name])

    return page


def overview_together() -> None:
    """The Overview's three charts as it lays them out, and nothing else."""
    st.title("Overview's charts")
    drawn = figures()
    left, right = st.columns(2)
    left.plotly_chart(drawn["Overview: by status"])
    right.plotly_chart(drawn["Overview: by region"])
    st.plotly_chart(drawn["Overview: force gap"])


st.set_page_config(page_title="Bare", layout="wide")
st.navigation(
    [
        st.Page(text_page, title="Text", url_path="text", default=True),
        st.Page(chart_page, title="Chart", url_path="chart"),
        *(
            st.Page(ours(name), title=name, url_path=f"ours{number}")
            for number, name in enumerate(figures())
        ),
        st.Page(overview_together, title="Overview's charts", url_path="overview-charts"),
    ],
    expanded=True,
).run()
