"""The sidebar filters. They are drawn by app.py on every page, so their values persist across
page switches."""

from __future__ import annotations

from datetime import date

import streamlit as st

from coalition.charts import label
from coalition.filters import DEFAULT_STATUSES, MEMBERSHIPS, PledgeFilter
from coalition.validation import EARLIEST_DATE
from db.models import CATEGORIES, COALITION_SCOPES, SCOPES, STATUSES


def sidebar_filters(regions: list[str]) -> PledgeFilter:
    with st.sidebar:
        as_of = st.date_input(
            "As of",
            value=None,
            min_value=EARLIEST_DATE,
            max_value=date.today(),
            key="filter_as_of",
            help="Wind every page back to how the record stood at the end of this day, rebuilt "
            "from the pledges' revision history. Leave empty for today.",
        )
        st.subheader("Filters")
        st.caption("An empty filter means all.")
        categories = st.multiselect(
            "Category", CATEGORIES, format_func=label, key="filter_categories"
        )
        statuses = st.multiselect(
            "Status",
            STATUSES,
            default=list(DEFAULT_STATUSES),
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
    return PledgeFilter(
        categories=tuple(categories),
        statuses=tuple(statuses),
        regions=tuple(chosen_regions),
        memberships=tuple(memberships),
        as_of=as_of,
        scopes=SCOPES if bilateral else COALITION_SCOPES,
    )


def current_filters() -> PledgeFilter:
    """The filters app.py drew this run (pages read them from here)."""
    return st.session_state.get("active_filters", PledgeFilter())
