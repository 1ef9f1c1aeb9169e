"""Overview: headline figures, charts and the pledge table for the current filters."""

from datetime import date

import streamlit as st

from coalition.errors import ValidationFailed
from coalition.figures import charts, force_gap
from coalition.figures.tiles import tiles
from coalition.figures.view import build_view
from coalition.output.briefing import content as briefing
from coalition.output.briefing.pdf import briefing_pdf
from coalition.output.snapshots import pin_known_at
from coalition.read import queries
from coalition.read.freshness import freshness
from coalition.text.formatting import money_words
from ui.resources import read, read_later, shared
from ui.run_context import this_run
from ui.widgets.as_of import as_of_banner
from ui.widgets.dates import typed_date
from ui.widgets.sections import opened
from ui.widgets.tables import file_download, pledge_table, table

filters = this_run().filters
view = read(build_view, filters)
pledges, figures = view.pledges, view.headline

st.title("Coalition of the willing: pledges overview")
as_of_banner(filters)
fresh = read(freshness, filters.when.shown, None)
st.caption(f"**{fresh.facts()}.** Showing {filters.describe()}.")
if warning := fresh.warning():
    st.warning(warning, icon=":material/update:")

# The briefing pack: this view on one or two A4 pages, made when clicked (and kept per data
# version and inputs, so clicking again is instant).
as_of = filters.when.shown
left, right, _ = st.columns([1, 1, 2], vertical_alignment="bottom")
default_since = briefing.default_since(as_of)
try:
    since = (
        typed_date(
            # Named as the pack's: it changes the PDF only (the page's changes are on What changed).
            "Briefing pack: changes since",
            key="briefing_since",
            bind="query-params",  # in the address: a shared link makes the same pack
            within=(date.min, date.max),  # check_since says what is wrong with a day out of range
            where=left,
            # Empty means a week before the date shown, whichever date that is: the day used shows.
            placeholder=default_since.isoformat(),
            help="For the PDF only: its top movers are the participants whose known figures "
            "changed most between this day and the date shown (empty: a week before it). The What "
            "changed page lists every change.",
        )
        or default_since
    )
    briefing.check_since(since, as_of)
except ValidationFailed as failure:
    right.error(failure.problems[0].message, icon=":material/event_busy:")
else:
    known_at = read(pin_known_at, "")
    file_download(
        "Briefing pack (PDF)",
        read_later(briefing_pdf, filters, since, known_at),
        file_name=briefing.file_name(filters, known_at),
        mime="application/pdf",
        key="overview_briefing",
        where=right,
        icon=":material/picture_as_pdf:",
    )

TILE_HELP = {
    "Participants": "Participants matching the region and membership filters that are on the "
    "record by the date shown: reported as participants by then, or with a pledge listed below.",
    "funding": "Participants offering funding (announced or further up the ladder). Sums are "
    "of grants, in-kind and unspecified money, converted at the stored rate (see About the "
    "data); amounts never published are counted apart, never as zero.",
}
for column, tile in zip(st.columns(5), shared(tiles, view), strict=True):
    column.metric(
        tile.label,
        tile.value,
        help=TILE_HELP.get(tile.category or tile.label)
        or f"Participants offering {tile.label.lower()}: announced, committed, deployed or "
        "delivered. The ladder below counts every participant once, on its highest rung.",
    )
    for note in tile.notes:
        column.caption(note)

if section := opened("Funding in original currencies", key="overview_currencies_section"):
    with section:
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
            by_currency.assign(
                **{
                    "Known amount (original currency)": money_words(
                        by_currency["Known amount (original currency)"], by_currency["Currency"]
                    ),
                    "Converted to EUR": money_words(by_currency["Converted to EUR"]),
                }
            ),
            download=by_currency,
            file_name="funding-by-currency.csv",
            key="overview_currencies",
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

if section := opened("Figures behind the charts", key="overview_figures_section"):
    with section:
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
        st.caption(f"Troops offered: {figures.category('troops').summary()}.")

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
    if section := opened("Force gap figures", key="overview_force_gap_section"):
        with section:
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
pledge_table(pledges, key="overview_pledges", file_name="pledges.csv")
st.caption(
    "“Size not published” means the size was never made public; it is not counted as zero. "
    "Open a participant's page for its profile and pledges."
)
