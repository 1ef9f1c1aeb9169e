"""This run's context, typed: who is viewing, the sidebar's filters, the record's data version
and the day. The shell sets it once at the top of every run (ui/shell.py); pages, widgets and
cached reads take it from here, never from loose session-state strings."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import streamlit as st

from coalition.access import auth
from coalition.read.filters import PledgeFilter
from core import clock

_KEY = "run_context"


@dataclass(frozen=True)
class Viewer:
    """The person using this session, or an anonymous reader."""

    email: str | None
    role: str | None

    @property
    def actor(self) -> auth.Actor:
        """Who a write is made by. Pages that write are for signed-in roles only; an
        anonymous reader never reaches one."""
        if self.email is None:
            raise auth.PermissionDenied("an anonymous reader cannot change anything")
        return auth.Actor(self.email)

    def may(self, minimum: str) -> bool:
        return auth.allows(self.role, minimum)


@dataclass(frozen=True)
class RunContext:
    viewer: Viewer = Viewer(None, None)
    filters: PledgeFilter = field(default_factory=PledgeFilter)
    # The record's data version as last read: cached reads are keyed on it, so a write made
    # through any process shows at the next run.
    data_version: int = 0
    today: date = field(default_factory=clock.today)


def this_run() -> RunContext:
    """The context the shell set for this run (an empty one before it has)."""
    return st.session_state.get(_KEY) or RunContext()


def start_run(viewer: Viewer) -> RunContext:
    """A new run: its viewer and day; the data version and filters carry over until read."""
    previous = this_run()
    return _keep(replace(previous, viewer=viewer, today=clock.today()))


def update_run(**changes) -> RunContext:
    """This run's context with ``changes`` (data_version, filters)."""
    return _keep(replace(this_run(), **changes))


def _keep(context: RunContext) -> RunContext:
    st.session_state[_KEY] = context
    return context
