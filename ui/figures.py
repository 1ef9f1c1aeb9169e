"""Derived figures that several pages show, built once per data version and filters."""

from __future__ import annotations

import pandas as pd

from coalition import maps, queries
from coalition.filters import PledgeFilter
from ui.resources import read, shared


def participant_figures(filters: PledgeFilter) -> pd.DataFrame:
    """Per participant measures under the filters (the map and the snapshot summary): one
    build shared by both pages and every session."""
    return shared(
        maps.participant_figures,
        read(queries.participants_frame, filters),
        read(queries.pledges_frame, filters),
        read(queries.usd_per_eur),
        key=(filters,),
    )
