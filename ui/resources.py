"""Cached resources and cached reads. Reads take the database's data version as an argument so a
write made through any process shows at the next rerun."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from coalition import queries
from coalition.bootstrap import initialise_database
from coalition.filters import PledgeFilter
from coalition.settings import get_settings
from db.engine import create_db_engine, read_session


@st.cache_resource(show_spinner="Preparing the database…")
def _engine_for(database_url: str, data_dir: str) -> Engine:
    from pathlib import Path

    engine = create_db_engine(database_url)
    initialise_database(engine, Path(data_dir))
    return engine


def get_engine() -> Engine:
    settings = get_settings()
    return _engine_for(settings.database_url, str(settings.data_dir))


def current_data_version() -> int:
    with read_session(get_engine()) as session:
        return queries.data_version(session)


@st.cache_data(show_spinner=False, max_entries=64)
def load_participants(version: int, filters: PledgeFilter | None = None) -> pd.DataFrame:
    with read_session(get_engine()) as session:
        return queries.participants_frame(session, filters)


@st.cache_data(show_spinner=False, max_entries=64)
def load_pledges(version: int, filters: PledgeFilter | None = None) -> pd.DataFrame:
    with read_session(get_engine()) as session:
        return queries.pledges_frame(session, filters)


@st.cache_data(show_spinner=False, max_entries=16)
def load_filter_options(version: int) -> dict[str, list[str]]:
    with read_session(get_engine()) as session:
        return queries.filter_options(session)


@st.cache_data(show_spinner=False, max_entries=16)
def load_targets(version: int) -> pd.DataFrame:
    with read_session(get_engine()) as session:
        return queries.targets_frame(session)


@st.cache_data(show_spinner=False, max_entries=16)
def load_events(version: int) -> pd.DataFrame:
    with read_session(get_engine()) as session:
        return queries.events_frame(session)


@st.cache_data(show_spinner=False, max_entries=16)
def load_exchange_rates(version: int) -> pd.DataFrame:
    with read_session(get_engine()) as session:
        return queries.exchange_rates_frame(session)


@st.cache_data(show_spinner=False, max_entries=64)
def load_meetings_attended(version: int, participant_code: str) -> pd.DataFrame:
    with read_session(get_engine()) as session:
        return queries.meetings_attended(session, participant_code)


@st.cache_data(show_spinner=False, max_entries=16)
def load_last_change(version: int):
    with read_session(get_engine()) as session:
        return queries.last_change(session)
