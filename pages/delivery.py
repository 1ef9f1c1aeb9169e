"""Commitments against delivery, per category and over time."""

import streamlit as st

from coalition.figures import delivery
from coalition.figures.view import build_view
from ui.resources import read, shared
from ui.run_context import this_run
from ui.widgets.as_of import as_of_banner
from ui.widgets.sections import chosen_tab, opened
from ui.widgets.tables import table

filters = this_run().filters
until = filters.when.shown
st.title("Commitments against delivery")
as_of_banner(filters)
st.caption(
    "How far each category's pledges have gone: considered, announced, committed, and "
    f"deployed (troops) or delivered (equipment and money). Showing {filters.describe()}."
)

stages = delivery.stages_for(filters)
totals = shared(delivery.by_stage, read(build_view, filters))
if not stages:
    st.info(
        "The status filter leaves only withdrawn pledges or stated refusals, which are never "
        "counted. Choose another status in the sidebar."
    )
    st.stop()
if totals["pledges"].any() and "delivered" in stages:
    present = [g for g in delivery.GROUPS if totals.loc[totals["category"] == g, "pledges"].any()]
    st.markdown("**Deployed or delivered so far**, by category")
    columns = st.columns(len(present))
    for column, group in zip(columns, present, strict=True):
        own = totals[totals["category"] == group]
        done = own[own["stage"] == "delivered"].iloc[0]
        pledged = delivery.figures(
            {
                "category": group,
                "pledges": own["pledges"].sum(),
                "known_total": own["known_total"].sum(),
                "unknown_size": own["unknown_size"].sum(),
            }
        )
        column.metric(
            delivery.group_label(group),
            delivery.figures(done).short(),
            help=f"Deployed or delivered: {delivery.figures(done).summary()}, of "
            f"{pledged.summary()} pledged.",
        )

# One chart drawn at a time, the one picked.
BY_STAGE, OVER_TIME = "Announced, committed, delivered", "Each stage over time"
chart, tab = chosen_tab([BY_STAGE, OVER_TIME], key="delivery_chart")
with tab:
    if chart == BY_STAGE:
        if not totals["pledges"].any():
            st.info(
                "No pledges match the current filters. Clear a filter in the sidebar to see more."
            )
        else:
            st.plotly_chart(shared(delivery.stage_figure, totals), key="delivery_stages_chart")
            st.caption(
                "Each bar is one category's whole, split by stage: above, its published sizes "
                "(the sums written in the bars); below, every pledge, those whose size was never "
                "published hatched (counted, never taken as zero). Loans and guarantees are "
                "shown apart and never added to funding. The figures are in 'Figures behind the "
                "bars' below."
            )
            if section := opened("Figures behind the bars", key="delivery_stages_section"):
                with section:
                    table(
                        delivery.stage_table(totals),
                        download=delivery.stage_table(totals, exact=True),
                        file_name="delivery-by-stage.csv",
                        key="delivery_stages",
                    )
    else:
        series = read(delivery.stages_over_time, filters)
        if series.empty or not series["pledges"].any():
            st.info("Nothing to draw over time under the current filters.")
        else:
            st.plotly_chart(
                shared(delivery.over_time_figure, series, until),
                key="delivery_over_time_chart",
            )
            st.caption(
                "Rebuilt from the revision history as the timeline is: a pledge moves from one "
                "stage to the next on the date of the revision that moved it, and a withdrawal "
                "takes it out. Pledges of unknown size are in the hover text and the table, "
                "never drawn as zero."
            )
            if section := opened("Figures behind the lines", key="delivery_figures_section"):
                with section:
                    table(
                        delivery.series_table(series),
                        download=delivery.series_table(series, exact=True),
                        file_name="delivery-over-time.csv",
                        key="delivery_over_time",
                    )
