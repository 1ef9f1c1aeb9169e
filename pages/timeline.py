"""Timeline: how pledges grew meeting by meeting, rebuilt from the revision history."""

import streamlit as st

from coalition.figures import timeline_figures
from coalition.read import queries, timeline
from coalition.read.as_of import AsOf
from coalition.text import formatting
from core.vocabulary import STATUSES
from ui.resources import read, shared
from ui.run_context import this_run
from ui.widgets.as_of import as_of_banner
from ui.widgets.sections import chosen_tab, opened
from ui.widgets.tables import table

filters = this_run().filters
until = filters.when.shown
st.title("Timeline")
as_of_banner(filters)
st.caption(
    "Each pledge counts from its announcement; a revised figure changes the line from the "
    "revision's date, and a withdrawal takes the pledge out from that date. "
    f"Showing {filters.describe()}."
)

series, status_counts = read(timeline.timeline_series, filters)
events = read(queries.events_frame, AsOf(until))
if series.empty:
    st.info("No pledges match the current filters. Clear a filter in the sidebar to see more.")
    st.stop()

# One chart drawn at a time, the one picked.
PLEDGED, BY_STATUS, COMMITMENTS = "Pledged", "By status", "Commitments and deployments"
chart, tab = chosen_tab([PLEDGED, BY_STATUS, COMMITMENTS], key="timeline_chart")
with tab:
    if chart == PLEDGED:
        st.plotly_chart(
            shared(timeline_figures.cumulative_figure, series, events, until),
            key="timeline_cumulative",
        )
    elif chart == BY_STATUS:
        st.plotly_chart(
            shared(
                timeline_figures.status_figure,
                status_counts,
                until,
                filters.statuses or STATUSES,
            ),
            key="timeline_status",
        )
    else:
        current = read(timeline_figures.commitments, filters)
        gantt = shared(timeline_figures.gantt_frame, current, until)
        if later := timeline_figures.gantt_later(current, until):
            st.caption(
                f"{later} commitment{'s' if later != 1 else ''} start after {until:%d %b %Y}."
            )
        if gantt.empty:
            st.info("No committed, deployed or delivered pledges under the current filters.")
        else:
            shown = shared(timeline_figures.most_recent, gantt)
            if len(shown) < len(gantt):
                st.caption(
                    f"The chart below shows the {len(shown)} most recently started of "
                    f"{len(gantt):,} commitments; narrow the filters in the sidebar to see others."
                )
            st.plotly_chart(
                shared(timeline_figures.gantt_figure, shown, until),
                key="timeline_gantt",
            )

if section := opened("Figures behind the charts", key="timeline_figures_section"):
    with section:
        table(
            timeline_figures.series_for_display(series),
            file_name="pledged-over-time.csv",
            key="timeline_series",
        )

if section := opened("Meetings", key="timeline_meetings_section"):
    with section:
        table(
            formatting.meetings_for_display(events),
            file_name="meetings.csv",
            key="timeline_meetings",
            column_config={"Link": st.column_config.LinkColumn("Link", display_text="open source")},
        )
