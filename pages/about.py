"""About the data: method, statuses, unknown sizes, currencies, sources and freshness."""

import streamlit as st

from coalition import queries
from coalition.formatting import partial_date
from ui.resources import read
from ui.shell import require_entry
from ui.tables import table

require_entry()


st.title("About the data")
st.markdown(
    """
**What this tracks.** The 37 participants of the coalition of the willing for Ukraine
(34 countries, Ukraine, the EU and NATO) and what each has publicly pledged: funding, troops,
aircraft, ships and other capabilities.

**Statuses.** A pledge moves through these stages:

| status | meaning |
|---|---|
| considering | publicly open to contributing, nothing promised yet |
| announced | a contribution promised in public, not yet formalised |
| committed | formalised: signed, budgeted or approved |
| deployed | forces or assets in place |
| delivered | funding paid or equipment handed over |
| withdrawn | a pledge taken back (kept for the record) |
| ruled out | a participant has said it will not contribute in this category |

Withdrawn pledges and refusals are hidden by default; choose them in the sidebar's status filter.

**Unknown sizes.** Most contributions were deliberately not published country by country. A
size that was never published is stored as *unknown*, never guessed and never counted as zero.
Totals are sums of the known sizes only, always shown with the number of pledges of unknown
size beside them ("100 troops known + 9 pledges of unknown size"). A figure given as "up to" or
"at least" is counted at the stated figure and marked in the table.

**Dates.** A date is shown only as precisely as the source gave it: "Mar 2025" means the source
named the month, not the day.

**Currencies.** Funding keeps its original currency. The EUR figure divides it by the reference
rate (units per euro) of that currency: the newest stored rate on or before the pledge's
announcement date, or the earliest stored rate where the pledge is older than all of them.
Money routed through another body (for example NATO's PURL) is counted once, under the
participant that pays.

**History.** Every change to a pledge is stored as a revision with who, when and why; the
current figures are the newest revisions. A corrected figure never rewrites the past.

**Sources.** Seed data come from public reporting gathered for the project (summit attendance
lists, official statements, news reports), each pledge with its source and a confidence.
Population and GDP are World Bank figures with their year.
"""
)

last_change = read(queries.last_change)
newest = read(queries.newest_announcement)
if last_change and newest:
    st.info(
        f"**Freshness.** The pledge record last changed on {last_change:%d %b %Y at %H:%M} UTC. "
        f"Its newest announcement dates from {partial_date(*newest)}."
    )

st.subheader("Exchange rates")
table(
    read(queries.exchange_rates_frame).drop(columns=["id"]),
    file_name="exchange-rates.csv",
    key="about_rates",
    column_config={"source_url": st.column_config.LinkColumn("source_url")},
)

st.subheader("Planning figures for the force")
table(
    read(queries.targets_frame).drop(columns=["id"]), file_name="targets.csv", key="about_targets"
)

st.subheader("Meetings")
events = read(queries.events_frame)
table(
    events.drop(columns=["id"]),
    file_name="meetings.csv",
    key="about_meetings",
    column_config={"source_url": st.column_config.LinkColumn("source_url")},
)
