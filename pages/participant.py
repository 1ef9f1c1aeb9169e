"""One participant: profile, normalised figures, pledges with their history, meetings."""

from dataclasses import replace

import pandas as pd
import streamlit as st

from coalition.figures import measures
from coalition.figures.geo import choropleth
from coalition.read import queries
from coalition.read.filters import MEMBERSHIP_COLUMNS
from coalition.read.history import revision_history
from coalition.text import formatting
from ui.resources import read, shared
from ui.run_context import this_run
from ui.widgets.as_of import as_of_banner
from ui.widgets.tables import pledge_table, table

# The page is about one participant: region and membership filters do not apply to it.
filters = replace(this_run().filters, regions=(), memberships=())
participants = read(queries.participants_frame)
names = dict(zip(participants["code"], participants["name"], strict=True))

requested = st.query_params.get("code")
codes = list(names)
code = st.selectbox(
    "Participant",
    codes,
    index=codes.index(requested) if requested in names else 0,
    format_func=lambda c: names[c],
    key="participant_code",
)
assert code is not None  # a choice among the participants, never none
st.query_params["code"] = code

pledges = read(queries.pledges_frame, filters)
figures = shared(
    measures.participant_figures,
    participants,
    pledges,
    read(queries.usd_per_eur),
)
profile = figures.loc[code]
details = participants.set_index("code").loc[code]

st.title(profile["name"])
as_of_banner(filters)
memberships = [label for label, column in MEMBERSHIP_COLUMNS.items() if details[column]]
st.markdown(
    f"**{profile['kind'].capitalize()}** · {profile['region']} · "
    f"member of {', '.join(memberships) if memberships else 'none of EU, NATO, Commonwealth'}"
)
first_source = (
    f"[{details['source_title']}]({details['source_url']})"
    if details["source_url"]
    else (details["source_title"] or "source not recorded")
)
st.caption(
    f"First reported as a participant on {details['first_reported_on']:%d %b %Y} "
    f"({first_source}; confidence {details['confidence']})."
)

text_column, map_column = st.columns([3, 2])
with text_column:
    left, right = st.columns(2)
    if pd.notna(profile["population"]):
        left.metric(
            f"Population ({int(profile['population_year'])})", f"{int(profile['population']):,}"
        )
    if pd.notna(profile["gdp_usd"]):
        right.metric(
            f"GDP, current US$ ({int(profile['gdp_year'])})",
            formatting.money(profile["gdp_usd"], "USD"),
        )
    if pd.notna(profile["funding_pct_gdp"]):
        left.metric(
            "Known funding, % of GDP",
            f"{profile['funding_pct_gdp']:.3f}%",
            help=f"Known funding in EUR, converted to US$ at the ECB rate, over "
            f"{int(profile['gdp_year'])} GDP.",
        )
    if pd.notna(profile["troops_per_million"]):
        right.metric(
            "Known troops per million inhabitants",
            f"{profile['troops_per_million']:,.1f}",
            help=f"Per {int(profile['population_year'])} population.",
        )
    links = " · ".join(
        f"[{name}]({details[column]})"
        for name, column in (("population", "population_source_url"), ("GDP", "gdp_source_url"))
        if isinstance(details[column], str) and details[column]
    )
    st.caption(
        f"Reference figures: {details['reference_source']}." + (f" {links}" if links else "")
    )
with map_column:
    st.plotly_chart(
        shared(choropleth.locator_figure, figures, code),
        theme=None,
        config=choropleth.CONFIG,
        key="participant_map",
        alt=f"Map locating {profile['name']}",
    )

st.subheader("Pledges")
own = shared(queries.pledges_of, pledges, code)
if own.empty:
    st.info(
        "No pledges recorded for this participant under the current filters (bilateral aid "
        "shows only with 'Include bilateral aid' in the sidebar). Most contributions were not "
        "published country by country."
    )
else:
    pledge_table(
        own, key="participant_pledges", hide=("Participant",), file_name=f"pledges-{code}.csv"
    )
    st.subheader("Revision history")
    labels = {
        pledge.id: f"{pledge.category.capitalize()}: {pledge.description[:70]}"
        for pledge in own.itertuples()
    }
    # The pledge shown is in the address as its id (?pledge=12), as the participant is.
    asked = st.query_params.get("pledge", "")
    pledge_ids = list(labels)
    chosen = st.selectbox(
        "Pledge",
        pledge_ids,
        index=pledge_ids.index(int(asked)) if asked.isdigit() and int(asked) in labels else 0,
        format_func=lambda pledge_id: labels[pledge_id],
        key=f"participant_history_pledge_{code}",
        help="Who changed what, when and why, one revision per row.",
    )
    st.query_params["pledge"] = str(chosen)
    revisions = read(queries.pledge_revisions_frame, chosen, filters.as_of)
    history = revision_history(revisions)
    st.caption(f"{len(history)} revision" + ("" if len(history) == 1 else "s"))
    table(history, file_name=f"pledge-{chosen}-history.csv", key="participant_history")

st.subheader("Meetings attended")
meetings = read(queries.meetings_attended, code)
if meetings.empty:
    st.info("No attendance recorded in the sources we hold.")
else:
    table(
        meetings.rename(
            columns={
                "held_on": "Date",
                "title": "Meeting",
                "location": "Where",
                "source_title": "Source",
                "source_url": "Link",
            }
        ),
        file_name=f"meetings-{code}.csv",
        key="participant_meetings",
        column_config={"Link": st.column_config.LinkColumn("Link", display_text="open source")},
    )
