"""The sidebar filters. They are drawn by app.py on every page, so their values persist across
page switches."""

from __future__ import annotations

import streamlit as st

from coalition.errors import ValidationFailed
from coalition.read.filters import (
    AS_OF_EARLIEST,
    DEFAULT_STATUSES,
    MEMBERSHIPS,
    QUERY_KEYS,
    PledgeFilter,
    filters_from_query,
    filters_to_query,
)
from coalition.text.labels import label
from core import clock
from core.vocabulary import CATEGORIES, COALITION_SCOPES, SCOPES, STATUSES
from ui.widgets.dates import typed_date

APPLIED = "filters_from_address"


def _start_from_the_address() -> None:
    """On a session's first run, the filters a shared address names become the widgets'
    values. Later runs keep the widgets as the source (a page switch drops the query string,
    which must not reset anything)."""
    if st.session_state.get(APPLIED):
        return
    st.session_state[APPLIED] = True
    named = {key: st.query_params.get_all(key) for key in QUERY_KEYS if key in st.query_params}
    if not named:
        return
    try:
        filters = filters_from_query(named)
    except ValidationFailed as failure:
        st.sidebar.warning(
            "Some filters in this address were not understood and are left out: "
            + "; ".join(str(p) for p in failure.problems)
        )
        return
    st.session_state["filter_as_of"] = filters.as_of.isoformat() if filters.as_of else ""
    st.session_state["filter_categories"] = list(filters.categories)
    st.session_state["filter_statuses"] = list(filters.statuses)
    st.session_state["filter_regions"] = list(filters.regions)
    st.session_state["filter_memberships"] = list(filters.memberships)
    st.session_state["filter_bilateral"] = not filters.scopes or "bilateral" in filters.scopes


def _show_in_the_address(filters: PledgeFilter) -> None:
    """The address bar names the view, so copying it shares the view."""
    wanted = filters_to_query(filters)
    for key in QUERY_KEYS:
        if key in wanted:
            if st.query_params.get_all(key) != [wanted[key]]:
                st.query_params[key] = wanted[key]
        elif key in st.query_params:
            del st.query_params[key]


FILTER_KEYS = (
    "filter_as_of",
    "filter_categories",
    "filter_statuses",
    "filter_regions",
    "filter_memberships",
    "filter_bilateral",
)


def _keep_through_page_switches() -> None:
    """Hand each filter's value back to its widget on every run. Otherwise a value the
    address set (not typed) could show empty after a page switch, and the next click would
    send that empty value back: a shared "as of" link lost its date at the second click."""
    for key in FILTER_KEYS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def sidebar_filters(regions: list[str]) -> PledgeFilter:
    # The statuses' default is set as state, not as the widget's default: an address may set
    # it too, and Streamlit warns about a widget given both.
    st.session_state.setdefault("filter_statuses", list(DEFAULT_STATUSES))
    _start_from_the_address()
    _keep_through_page_switches()
    with st.sidebar:
        try:
            as_of = typed_date(
                "As of",
                key="filter_as_of",
                within=(AS_OF_EARLIEST, clock.today()),
                help="Wind every page back to how the record stood at the end of this day, "
                "rebuilt from the pledges' revision history. Leave empty for today.",
            )
        except ValidationFailed as failure:
            st.error(f"{failure.problems[0].message}: showing today's record.")
            as_of = None
        st.subheader("Filters")
        st.caption("An empty filter means all.")
        categories = st.multiselect(
            "Category", CATEGORIES, format_func=label, key="filter_categories"
        )
        statuses = st.multiselect(
            "Status",
            STATUSES,
            format_func=label,
            key="filter_statuses",
            help="Withdrawn pledges and stated refusals are hidden by default.",
        )
        chosen_regions = st.multiselect("Region", regions, key="filter_regions")
        memberships = st.multiselect(
            "Membership",
            MEMBERSHIPS,
            key="filter_memberships",
            help="Participants in any of the chosen organisations.",
        )
        bilateral = st.toggle(
            "Include bilateral aid",
            key="filter_bilateral",
            help="By default every figure counts the coalition's own pledges: the reassurance "
            "force and support announced within the coalition. Turn on to add aid reported "
            "alongside but given outside the coalition.",
        )
    filters = PledgeFilter(
        categories=tuple(categories),
        statuses=tuple(statuses),
        regions=tuple(chosen_regions),
        memberships=tuple(memberships),
        as_of=as_of,
        scopes=SCOPES if bilateral else COALITION_SCOPES,
    )
    _show_in_the_address(filters)
    return filters
