"""One participant: profile, reference figures, pledges and meetings attended."""

import pandas as pd
import streamlit as st

from coalition import formatting, queries
from ui.filters import current_filters
from ui.resources import read
from ui.shell import require_entry
from ui.tables import pledge_table

require_entry()

participants = read(queries.participants_frame)
names = dict(zip(participants["code"], participants["name"], strict=True))

requested = st.query_params.get("code")
codes = list(names)
code = st.selectbox(
    "Participant",
    codes,
    index=codes.index(requested) if requested in names else 0,
    format_func=names.get,
    key="participant_code",
)
st.query_params["code"] = code
profile = participants.set_index("code").loc[code]

st.title(profile["name"])
memberships = [
    label
    for label, column in (
        ("EU", "eu_member"),
        ("NATO", "nato_member"),
        ("Commonwealth", "commonwealth_member"),
    )
    if profile[column]
]
st.markdown(
    f"**{profile['kind'].capitalize()}** · {profile['region']} · "
    f"member of {', '.join(memberships) if memberships else 'none of EU, NATO, Commonwealth'}"
)
st.caption(
    f"First reported as a participant on {profile['first_reported_on']:%d %b %Y} "
    f"(sources {profile['first_reported_sources']}; confidence {profile['confidence']})."
)

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
st.caption(f"Reference figures: {profile['reference_source']}.")

st.subheader("Pledges")
filters = current_filters()
all_pledges = read(queries.pledges_frame, filters)
own = all_pledges[all_pledges["participant_code"] == code]
if own.empty:
    st.info(
        "No pledges recorded for this participant under the current status and category "
        "filters. Most contributions were not published country by country."
    )
else:
    pledge_table(own, key="participant_pledges", hide=("Participant",))

st.subheader("Meetings attended")
meetings = read(queries.meetings_attended, code)
if meetings.empty:
    st.info("No attendance recorded in the sources we hold.")
else:
    st.dataframe(
        meetings.rename(
            columns={
                "held_on": "Date",
                "title": "Meeting",
                "location": "Where",
                "source_title": "Source",
            }
        ),
        hide_index=True,
        key="participant_meetings",
    )
