"""Overview: headline figures, charts and the pledge table for the current filters."""

import streamlit as st

from coalition.errors import ValidationFailed
from coalition.figures import charts, force_gap
from coalition.figures.view import build_view
from coalition.output.briefing import content as briefing
from coalition.output.briefing.pdf import briefing_pdf
from coalition.output.snapshots import pin_known_at
from coalition.read import queries
from coalition.text import labels
from ui.resources import read, read_later, shared
from ui.run_context import this_run
from ui.widgets.as_of import as_of_banner
from ui.widgets.tables import file_download, pledge_table, table

filters = this_run().filters
view = read(build_view, filters)
pledges, figures = view.pledges, view.headline

st.title("Coalition of the willing: pledges overview")
as_of_banner(filters)
last_change = read(queries.last_change)
freshness = f" Record last changed {last_change:%d %b %Y %H:%M} UTC." if last_change else ""
st.caption(f"Showing {filters.describe()}.{freshness}")

# The briefing pack: this view on one or two A4 pages, made when clicked (and kept per data
# version and inputs, so clicking again is instant).
as_of = filters.when.shown
left, right, _ = st.columns([1, 1, 2], vertical_alignment="bottom")
since = left.date_input(
    "Changes since",
    value=briefing.default_since(as_of),
    key=f"overview_briefing_since_{as_of}",
    help="The pack's top movers: participants whose known figures changed most between this "
    "day and the date shown.",
)
try:
    briefing.check_since(since, as_of)
except ValidationFailed as failure:
    right.error(failure.problems[0].message, icon=":material/event_busy:")
else:
    file_download(
        "Briefing pack (PDF)",
        read_later(briefing_pdf, filters, since, read(pin_known_at, "")),
        file_name=briefing.file_name(as_of),
        mime="application/pdf",
        key="overview_briefing",
        where=right,
        icon=":material/picture_as_pdf:",
    )

columns = st.columns(5)
columns[0].metric(
    "Participants",
    figures.participants,
    help="Participants matching the region and membership filters that are on the record by "
    "the date shown: reported as participants by then, or with a pledge listed below.",
)


funding = figures.category("funding")
if not filters.shows("funding"):
    columns[1].metric("Funding (EUR)", "not shown", help="Funding is not a chosen category.")
else:
    columns[1].metric(
        "Funding (EUR)",
        funding.short(),
        help="Grants, in-kind and unspecified money, converted from each pledge's own currency "
        "at the stored rate (see About the data). Pledges whose size was never published are "
        "counted beside the sum, never as zero.",
    )
    columns[1].caption(funding.caption())
    lending = figures.lending
    if lending.pledges:
        columns[1].caption(
            f"Not included: loans and guarantees, {lending.summary()}. Lent or guaranteed "
            "money is not a grant, so it is never added to the total."
        )
for column, category in zip(columns[2:], ("troops", "aircraft", "ships"), strict=True):
    item = figures.category(category)
    if not filters.shows(category):
        column.metric(labels.label(category), "not shown", help="Not a chosen category.")
        continue
    column.metric(
        labels.label(category),
        item.short(),
        help="The sum of published sizes. Pledges whose size was never published are "
        "counted beside it, never as zero.",
    )
    column.caption(item.caption())

st.markdown(
    "**Participants with at least one pledge:** "
    + " · ".join(
        f"{labels.label(c.category)} {c.participants}" for c in figures.by_category.values()
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
    shared(charts.pledges_by_category_and_status, pledges),
    key="overview_by_status",
)
right.plotly_chart(shared(charts.pledges_by_region, pledges), key="overview_by_region")

with st.expander("Figures behind the charts"):
    left, right = st.columns(2)
    with left:
        table(
            shared(
                charts.counts_table,
                pledges,
                "category",
                "status",
            ),
            file_name="pledges-by-category-and-status.csv",
            key="overview_status_counts",
        )
    with right:
        table(
            shared(
                charts.counts_table,
                pledges,
                "region",
                "category",
            ),
            file_name="pledges-by-region.csv",
            key="overview_region_counts",
        )
    st.caption(f"Troops pledged: {figures.category('troops').summary()}.")

st.subheader("The force gap")
troops = figures.category("troops")
if not filters.shows("troops"):
    st.info("Troops are not a chosen category in the sidebar, so the force gap is not shown.")
elif (
    gaps := shared(force_gap.force_gap, troops, read(queries.targets_frame), filters.as_of)
).empty:
    st.info("No planning figure for the force had been stated by this date.")
else:
    st.caption(
        "Troops offered with a published size, under the sidebar's filters, against each "
        "planning figure stated by the date shown. Offers whose size was never published are "
        "counted beside each figure, never as zero."
    )
    st.plotly_chart(shared(force_gap.chart, gaps, troops), key="overview_force_gap")
    st.markdown(force_gap.sentences(gaps))
    with st.expander("Force gap figures"):
        whole = st.column_config.NumberColumn(format="%,.0f")
        table(
            force_gap.table(gaps),
            file_name="force-gap.csv",
            key="overview_force_gap_figures",
            column_config={
                **dict.fromkeys(force_gap.TROOP_COLUMNS, whole),
                "Link": st.column_config.LinkColumn(display_text="open source"),
            },
        )

st.subheader("Pledges")
pledge_table(pledges, key="overview_pledges", file_name="pledges-view.csv")
st.caption(
    "“Size not published” means the size was never made public; it is not counted as zero. "
    "Open a participant's page for its profile and pledges."
)
