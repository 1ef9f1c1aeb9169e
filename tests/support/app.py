"""The app under AppTest: started on a test database, signed in, and what a page shows."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from coalition.bootstrap import close_app_engines, initialise_database
from core.settings import PROJECT_ROOT
from db.engine import create_db_engine
from tests.support.accounts import VIEWER, add_accounts
from tests.support.data import FIXTURE_DATA
from ui.resources import clear_cached_data

APP = str(PROJECT_ROOT / "ui" / "main.py")


def start_app(
    monkeypatch, database_url: str, data_dir: Path | None = None, email: str | None = VIEWER
) -> AppTest:
    """The app on this database, signed in as ``email`` (None: nobody signed in)."""
    data_dir = data_dir or FIXTURE_DATA
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("COALITION_DATA_DIR", str(data_dir))
    close_app_engines()  # the last test's database is gone
    st.cache_resource.clear()
    clear_cached_data()  # every read and figure of the last test's database
    st.cache_data.clear()
    if email is not None:
        engine = create_db_engine(database_url)
        initialise_database(engine, data_dir)
        add_accounts(engine)
        engine.dispose()
    at = AppTest.from_file(APP, default_timeout=60)
    if email is not None:
        at.session_state["auth_email"] = email
    return at


def open_sections(at: AppTest, *keys: str) -> AppTest:
    """Open these sections (ui/widgets/sections.py) as a reader's click does: what they hold is
    built at the next run."""
    for key in keys:
        at.session_state[key] = True
    return at


def pick_tab(at: AppTest, key: str, label: str) -> AppTest:
    """Pick this tab (ui/widgets/sections.py: chosen_tab) as a reader's click does: its
    content is built at the next run."""
    at.session_state[key] = label
    return at


def table_with(at: AppTest, column: str):
    """The first table on the page that has this column (tables without selection carry no key)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def tile(at: AppTest, label: str) -> tuple[str, list[str]]:
    """A headline tile of the overview: its value and the notes beneath it."""
    for column in at.columns:
        found = [m for m in column.metric if m.label == label]
        if found:
            return found[0].value, [c.value for c in column.caption]
    raise KeyError(label)
