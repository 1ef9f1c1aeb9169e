"""How every page writes: one transaction (ui.data.writing), what refused it shown where the
page asked for it (nothing was saved), and on success a notice kept for the next run, the
widgets that held the input cleared and the page run again."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

import streamlit as st
from sqlmodel import Session

from coalition.access.auth import PermissionDenied
from coalition.errors import Problem, ValidationFailed, VersionConflict
from ui.data import DatabaseFault, writing
from ui.resources import show_write_fault

T = TypeVar("T")
NOTICE = "write_notice"


def show_problems(problems: list[Problem]) -> None:
    st.error(
        f"{len(problems)} problem(s): nothing was saved.\n\n"
        + "\n".join(f"- {problem}" for problem in problems)
    )


def show_conflict(conflict: VersionConflict) -> None:
    st.error(f"Nothing was saved: {conflict}. Load it again to see the current version.")


def show_refusal(refusal: PermissionDenied) -> None:
    st.error(str(refusal))


def save(
    write: Callable[[Session], T],
    *,
    saved: Callable[[T], str | None] = lambda _: None,
    forget: Iterable[str] = (),
    problems: Callable[[list[Problem]], object] = show_problems,
    conflict: Callable[[VersionConflict], object] = show_conflict,
    refused: Callable[[PermissionDenied], object] = show_refusal,
    fault: Callable[[DatabaseFault], object] = show_write_fault,
) -> None:
    """Run ``write(session)`` in one transaction. A refusal goes to its handler (by default
    shown here); on success ``saved(result)`` may keep state and returns the notice shown at
    the top of the next run (show_notice), the keys in ``forget`` are cleared, and the page
    runs again."""
    try:
        with writing() as session:
            result = write(session)
    except ValidationFailed as failure:
        problems(failure.problems)
    except VersionConflict as error:
        conflict(error)
    except PermissionDenied as refusal:
        refused(refusal)
    except DatabaseFault as error:
        fault(error)
    else:
        if notice := saved(result):
            st.session_state[NOTICE] = notice
        for key in forget:
            st.session_state.pop(key, None)
        st.rerun()


def show_notice() -> None:
    """What the last save on this page stored, once: at the top of the page, and as a toast
    that stays in view until closed (a save made at the foot of a long form showed its
    notice off-screen, as if nothing had happened)."""
    if notice := st.session_state.pop(NOTICE, None):
        st.success(notice, icon=":material/check_circle:")
        st.toast(notice, icon=":material/check_circle:", duration="infinite")
