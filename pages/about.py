"""About the data: the method, written for policy staff, the change log, and the reference
tables (conversions, planning figures, meetings)."""

import streamlit as st

from coalition.read import queries
from coalition.read.freshness import freshness
from coalition.read.review import REVIEW_DAYS, check_summary
from coalition.seed.files import change_log
from coalition.text import formatting
from core.settings import SCREENS, SCREENS_URL, get_settings
from ui.resources import read, shared
from ui.run_context import this_run
from ui.widgets.tables import csv_download, table

# (tab, screenshot, the question the view answers)
GUIDE = (
    ("What changed", "what-changed.png", "What changed since my last briefing?"),
    ("Ranking", "ranking.png", "Who gives most, absolutely and for their size?"),
    ("Coverage", "coverage.png", "Who has not offered troops (or ships, or funding)?"),
    ("Delivery", "delivery.png", "How much is delivered, not just announced?"),
    ("Force gap", "force-gap.png", "How far are troop offers from the planning figures?"),
    ("Briefing pack", "briefing.png", "What can I hand on? (Overview: Briefing pack)"),
    ("Search", "search.png", "Where is something mentioned? (the sidebar's search box)"),
    (
        "Email digest",
        "digest.png",
        "How do I hear of changes without opening the app? (Your account: a daily or weekly "
        "digest; shown here with made-up example data)",
    ),
)

st.title("About the data")
st.markdown(
    """
**What this tracks.** The 37 participants of the coalition of the willing for Ukraine
(34 countries, Ukraine, the EU and NATO) and what each has publicly pledged: funding, troops,
aircraft, ships and other capabilities.

### Method

**What counts as a pledge.** A public statement by a participant's government of what it will
contribute, or that it will not: an offer, a commitment, a deployment, a delivery, or a refusal.
Reports from anonymous officials and commentators' estimates are kept in a pledge's notes, never
as the pledge or its size. Each pledge is dated to the day the participant *first* said it, not
a later restatement; statements made before the coalition existed (2 March 2025) keep their
real date.

**What it is part of (scope).** Every pledge is one of:

- *Reassurance force*: the planned multinational force, its land, air and sea components, and
  offers or refusals to take part. Counted in totals.
- *Coalition support*: other support announced within the coalition's meetings. Counted in
  totals.
- *Bilateral*: aid reported alongside but given outside the coalition (national aid packages,
  NATO PURL purchases, national totals). Counted only with "Include bilateral aid" in the
  sidebar.

**How it is given (instrument).** Grant, loan, guarantee (export credit included), in kind
(troops, equipment, ships, aircraft) or not specified. **Loans and guarantees are never added
into a total of grants and in-kind aid**: money lent, or guaranteed and perhaps never drawn, is
not a gift. The overview shows them as their own figure.

**The ladder of commitment.** A pledge climbs these rungs, and every page, file and the
briefing pack use one rule for them: **an offer is a pledge announced or further up**.

| rung | meaning | an offer? |
|---|---|---|
| considering | publicly open to contributing, nothing promised yet | no: on the ladder only |
| announced | a contribution promised in public, not yet formalised | yes |
| committed | formalised: signed, budgeted or approved | yes |
| deployed | forces or assets in place | yes |
| delivered | funding paid or equipment handed over | yes |

Apart from the ladder: **ruled out** (a participant has said it will not contribute in this
category) and **withdrawn** (a pledge taken back, kept for the record).

A headline tile counts the participants that *offer* in its category, never a number that
mixes rungs, with the whole ladder beneath it: "5 announced · 8 considering · 3 ruled out"
counts each participant once, on its highest rung. Totals add up offers only; the map, the
ranking, the coverage matrix, the force gap, the briefing pack and the snapshot CSV (its
`counts_as_offer` column) count the same participants. Withdrawn pledges and refusals are
hidden from the tables by default (choose them in the sidebar's status filter); refusals still
show on the ladder and the map.

**Unknown sizes.** Most contributions were deliberately not published country by country. A
size that was never published is stored as *unknown*, never guessed and never counted as zero.
Totals are sums of the known sizes only, always shown with the number of pledges of unknown
size beside them. A figure given as "up to" or "at least" is counted at the stated figure and
marked in the table.

**Dates.** A date is shown only as precisely as the source gave it: "Mar 2025" means the source
named the month, not the day.

**Currencies.** Funding keeps its original currency. Its euro figure uses the European Central
Bank's reference rate of the announcement day, or of the last business day before it (the ECB
publishes none on weekends and holidays). A pledge dated only to a month or a year uses that
month's or year's mean of the daily rates, and says so. Every converted figure shows its rate,
the rate's date and kind. Money routed through another body (NATO's PURL) is counted once,
under the participant that pays.

**Sources.** Every seed row links the public page it was checked against, with the day that
page was published, and the day a person last read the row against it ("Last verified", in
every table and snapshot). Official statements are preferred, then wire services, then
newspapers, then aggregators; where sources disagree the better one is kept and the notes say
so. Where something could not be found, the notes say that and the confidence is lowered.
Staff add pledges from their own channels with a source and a confidence for each; saving a
pledge records that day as its last check, and `python -m coalition mark-checked` records a
re-read that found it unchanged.

**History.** Every change to a pledge is stored as a revision with who, when and why; the
current figures are the newest revisions. A corrected figure never rewrites the past: snapshots
already cited can be issued again exactly.
"""
)

last_change = read(queries.last_change)
fresh = read(freshness, this_run().filters.when.shown, None)
st.info(
    f"**Freshness.** {fresh.facts()}."
    + (f" The record last changed on {last_change:%d %b %Y at %H:%M} UTC." if last_change else "")
    + " An overview whose newest announcement is older than "
    f"{fresh.stale_after_days:,.0f} days says so plainly (COALITION_STALE_AFTER_DAYS)."
)

checks = read(check_summary, REVIEW_DAYS)
if checks.oldest is not None:
    oldest = checks.oldest
    when = (
        "was never read against its source"
        if oldest.checked_on is None
        else f"was last read against its source on {oldest.checked_on:%d %b %Y}"
    )
    due = (
        f"{checks.due:,} of {checks.rows:,} rows were not read against their sources in the "
        f"last {checks.days} days (`python -m coalition review-due --days {checks.days}` lists "
        "them)."
        if checks.due
        else f"All {checks.rows:,} rows were read against their sources in the last "
        f"{checks.days} days."
    )
    st.info(
        f"**Last verified.** The row checked longest ago ({oldest.table}: {oldest.key}) {when}. "
        + due
    )

with st.expander("Change log of data corrections", expanded=True):
    st.markdown(change_log(get_settings().data_dir) or "No corrections recorded.")

st.subheader("How funding was converted")
# Made once per data version, not on every visit: thousands of rows in a large record.
in_words, exact = shared(formatting.conversions_for_display, read(queries.pledges_frame))
table(
    in_words,
    download=exact,
    file_name="funding-conversions.csv",
    key="about_conversions",
)
st.caption("Every ECB rate held, daily and averaged, is in the download below.")
csv_download(
    lambda: formatting.exchange_rates_for_display(read(queries.exchange_rates_frame)),
    label="Download all exchange rates (CSV)",
    file_name="exchange-rates.csv",
    key="about_rates_download",
)

st.subheader("Planning figures for the force")
table(
    formatting.targets_for_display(read(queries.targets_frame)),
    file_name="targets.csv",
    key="about_targets",
    column_config={
        "Link": st.column_config.LinkColumn("Link", display_text="open source"),
        "Low": st.column_config.NumberColumn(format="%,.0f"),
        "High": st.column_config.NumberColumn(format="%,.0f"),
    },
)

st.subheader("Meetings")
events = read(queries.events_frame)
table(
    formatting.meetings_for_display(events),
    file_name="meetings.csv",
    key="about_meetings",
    column_config={"Link": st.column_config.LinkColumn("Link", display_text="open source")},
)

st.subheader("The views, and the questions they answer")
st.caption(
    "Screenshots of the seed data at 1440×900 (scripts/screenshots.py takes them again). "
    "Every view follows the sidebar's filters and date, except search."
)
for tab, (title, file_name, question) in zip(
    st.tabs([title for title, _, _ in GUIDE]), GUIDE, strict=True
):
    with tab:
        st.markdown(f"**{question}**")
        screen = SCREENS / file_name
        if screen.exists():
            st.image(f"{SCREENS_URL}/{file_name}", width="stretch", alt=f"Screenshot: {title}")
        else:
            st.caption("No screenshot in this installation.")
