"""Search across pledges, meetings and participants: where is this mentioned?"""

import streamlit as st

from coalition.errors import ValidationFailed
from coalition.read import search
from coalition.text.formatting import partial_date
from coalition.text.labels import label
from ui.resources import read
from ui.run_context import this_run
from ui.shell import page
from ui.widgets.as_of import as_of_banner
from ui.widgets.sections import opened
from ui.widgets.tables import table

# Results listed as links in each group; the table under them holds every one.
LISTED = 20

filters = this_run().filters
st.title("Search")
st.caption(
    "Search the record: pledges (what was pledged, capability, conditions, notes, source), "
    "meetings (title, summary, place) and participants' names, for the words as typed, "
    "ignoring case and accents."
)
as_of_banner(filters)
st.caption(
    "Search looks through the whole record: the sidebar's filters (category, status, region, "
    "membership, bilateral aid) do not narrow it, so withdrawn pledges and refusals are found "
    "too. “As of” applies: pledges as they stood that day, and meetings held by then."
)

try:
    query = search.check_query(st.query_params.get("q", ""))
except ValidationFailed as failure:
    st.error(
        "This search cannot be run: " + "; ".join(str(p) for p in failure.problems) + ".",
        icon=":material/error:",
    )
    st.stop()
if not query:
    st.info(
        "Type a word or a phrase into **Search** in the sidebar and press Enter, for example "
        "a capability, a place or a participant's name.",
        icon=":material/search:",
    )
    st.stop()

corpus = read(search.corpus, filters.as_of)
results = search.find(corpus, query)
names = dict(zip(corpus.participants["code"], corpus.participants["name"], strict=True))
participant_page = page("participant")
st.markdown(
    f"**{results.total:,}** found for “{search.escape_markdown(query[:200])}”"
    + ("…" if len(query) > 200 else "")
)


def all_found(found, noun: str, for_display) -> None:
    """Under a group's links: every result of the group as a table (with its CSV)."""
    if found.empty:
        return
    if len(found) > LISTED:
        st.caption(f"The first {LISTED} of {len(found):,} {noun}; the table below lists them all.")
    if section := opened(f"All {noun} found, as a table", key=f"search_{noun}_section"):
        with section:
            table(for_display(found), file_name=f"search-{noun}.csv", key=f"search_{noun}")


def open_link(code: str, text: str) -> None:
    st.page_link(
        participant_page,
        label=search.escape_markdown(text),
        icon=":material/flag:",
        query_params={"code": code},
        help=f"Open the page of {names.get(code, code)}",
    )


st.subheader(f"Pledges ({len(results.pledges):,})")
if results.pledges.empty:
    st.caption("No pledge mentions this.")
for pledge in results.pledges.head(LISTED).itertuples():
    open_link(pledge.participant_code, f"{pledge.participant}: {pledge.description[:120]}")
    # The link shows the description; the excerpt is worth showing only for another field.
    matched = f"Matched in {pledge.matched}" + (
        "" if pledge.matched == "description" else f": {search.escape_markdown(pledge.excerpt)}"
    )
    st.caption(
        f"{label(pledge.category)} · {label(pledge.status).lower()} · dated "
        f"{partial_date(pledge.announced_on, pledge.announced_precision)}. {matched}"
    )
all_found(results.pledges, "pledges", search.pledges_for_display)

st.subheader(f"Meetings ({len(results.meetings):,})")
if results.meetings.empty:
    st.caption("No meeting mentions this.")
for meeting in results.meetings.head(LISTED).itertuples():
    st.markdown(
        f"**{search.escape_markdown(meeting.title)}**, {meeting.held_on:%d %b %Y}, "
        f"{search.escape_markdown(meeting.location)}"
    )
    st.caption(f"Matched in {meeting.matched}: {search.escape_markdown(meeting.excerpt)}")
    if meeting.hosts:
        for code in meeting.hosts:
            open_link(code, f"Host: {names.get(code, code)}")
    else:
        st.caption("No host recorded.")
all_found(results.meetings, "meetings", lambda found: search.meetings_for_display(found, names))

st.subheader(f"Participants ({len(results.participants):,})")
if results.participants.empty:
    st.caption("No participant's name matches this.")
for participant in results.participants.head(LISTED).itertuples():
    open_link(participant.code, participant.name)
    st.caption(f"{participant.kind.capitalize()}, {participant.region}.")
all_found(results.participants, "participants", search.participants_for_display)
