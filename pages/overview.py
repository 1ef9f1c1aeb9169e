"""Overview: headline figures, charts and the pledge table for the current filters."""

import streamlit as st

from coalition import charts, formatting, queries
from coalition.metrics import headline
from ui.as_of import as_of_banner
from ui.filters import current_filters
from ui.resources import read, shared
from ui.tables import pledge_table, table

filters = current_filters()
participants = read(queries.participants_frame, filters)
pledges = read(queries.pledges_frame, filters)
figures = shared(headline, participants, pledges, key=(filters,))

st.title("Coalition of the willing: pledges overview")
as_of_banner(filters)
last_change = read(queries.last_change)
freshness = f" Record last changed {last_change:%d %b %Y %H:%M} UTC." if last_change else ""
st.caption(f"Showing {filters.describe()}.{freshness}")

columns = st.columns(5)
columns[0].metric(
    "Participants",
    figures.participants,
    help="Participants matching the region and membership filters.",
)
funding = figures.category("funding")
columns[1].metric(
    "Funding (EUR, known)",
    formatting.money(funding.known_total),
    help="Converted from each pledge's own currency at the stored rate; see About the data.",
)
columns[1].caption(
    f"Grants and in-kind: {funding.pledges} pledges from {funding.participants} participants"
    + (f"; {funding.unknown_size} of unknown size" if funding.unknown_size else "")
)
lending = figures.lending
if lending.pledges:
    columns[1].caption(
        f"Not included: loans and guarantees, {formatting.money(lending.known_total)} known "
        f"in {lending.pledges} pledge{'s' if lending.pledges != 1 else ''}"
        + (f" ({lending.unknown_size} of unknown size)" if lending.unknown_size else "")
        + ". Lent or guaranteed money is not a grant, so it is never added to the total."
    )
for column, category in zip(columns[2:], ("troops", "aircraft", "ships"), strict=True):
    item = figures.category(category)
    column.metric(
        f"{category.capitalize()} (known sizes)",
        f"{item.known_total:,.0f}",
        delta=f"+ {item.unknown_size} of unknown size" if item.unknown_size else None,
        delta_color="off",
        delta_arrow="off",
        help="The sum of published sizes. Pledges whose size was never published are "
        "counted beside it, never as zero.",
    )
    column.caption(f"{item.summary()}; pledges from {item.participants} participants")

st.markdown(
    "**Participants with at least one pledge:** "
    + " · ".join(
        f"{charts.label(c.category)} {c.participants}" for c in figures.by_category.values()
    )
)

with st.expander("Funding in original currencies"):
    by_currency = figures.funding_by_currency.rename(
        columns={
            "currency": "Currency",
            "pledges": "Pledges",
            "known_amount": "Known amount (original currency)",
            "amount_eur": "Converted to EUR",
            "unknown": "Of unknown size",
        }
    )
    table(
        by_currency,
        file_name="funding-by-currency.csv",
        key="overview_currencies",
        column_config={
            "Known amount (original currency)": st.column_config.NumberColumn(format="%,.0f"),
            "Converted to EUR": st.column_config.NumberColumn(format="€%,.0f"),
        },
    )

if pledges.empty:
    st.info("No pledges match the current filters. Clear a filter in the sidebar to see more.")
    st.stop()

left, right = st.columns(2)
left.plotly_chart(
    shared(charts.pledges_by_category_and_status, pledges, key=(filters,)),
    key="overview_by_status",
)
right.plotly_chart(
    shared(charts.pledges_by_region, pledges, key=(filters,)), key="overview_by_region"
)
st.plotly_chart(
    shared(
        charts.troops_against_targets,
        figures.category("troops"),
        read(queries.targets_frame),
        key=(filters,),
    ),
    key="overview_troops_targets",
)

st.subheader("Pledges")
pledge_table(pledges, key="overview_pledges", file_name="pledges-view.csv")
st.caption(
    "“Size not published” means the size was never made public; it is not counted as zero. "
    "Open a participant's page for its profile and pledges."
)
