"""The edit page's pledge form: which pledge it edits (kept in the session state across reruns),
its fields drawn from their specs (coalition.write.editing.FORM_ROWS) with their problems, the save,
and a conflict with what someone else saved meanwhile."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st
from sqlmodel import Session

from coalition.access.auth import Actor, PermissionDenied
from coalition.errors import Problem, ValidationFailed, VersionConflict
from coalition.read import queries
from coalition.text.labels import INSTRUMENT_LABELS, SCOPE_LABELS, label
from coalition.write.pledges import create_pledge, update_pledge
from db.models import PledgeChange
from ui.data import DatabaseFault, reading
from ui.forms import pledge_fields as editing
from ui.forms.pledge_fields import CATEGORY_SPEC, FORM_ROWS, EditState, FieldSpec
from ui.resources import read, show_write_fault
from ui.writes import save

ERRORS, STATE = "edit_errors", "edit_state"
FORM_GENERATION = "edit_form_generation"
PICKER, PICKED = "edit_pledge_id", "edit_picked"
ADDRESS_READ = "edit_pledge_address_read"  # the ?pledge= last read or written
NEW, CHANGE = "Record a new pledge", "Change an existing pledge"
OPTION_LABELS = {
    "category": label,
    "status": label,
    "quantity_qualifier": lambda q: q.replace("_", " "),
    "instrument": INSTRUMENT_LABELS.get,
    "scope": SCOPE_LABELS.get,
}
SPECS = {spec.name: spec for row in FORM_ROWS for spec in row}


@dataclass(frozen=True)
class Submission:
    """What the form holds (as last submitted), and whether it was submitted on this run."""

    category: str
    values: dict[str, Any]  # the pledge as the write path takes it (editing.pledge_values)
    blank_size: Problem | None  # found by the form itself (editing.blank_size_problem)
    reason: str
    effective_on: str
    submitted: bool


def pick_pledge(pledges: pd.DataFrame) -> int | None:
    """New pledge (None) or the id of the one to change, as the editor chooses. The pledge
    being changed is in the address (?pledge=12), so a link opens the form on it."""
    asked = st.query_params.get("pledge", "")
    if asked != st.session_state.get(ADDRESS_READ):  # a link opened here, not our own write
        st.session_state[ADDRESS_READ] = asked
        if asked.isdigit():
            st.session_state["edit_mode"] = CHANGE
            st.session_state[PICKED] = int(asked)
            st.session_state.pop(PICKER, None)
    if st.radio("What do you want to do?", [NEW, CHANGE], horizontal=True, key="edit_mode") == NEW:
        if "pledge" in st.query_params:
            del st.query_params["pledge"]
        st.session_state[ADDRESS_READ] = ""
        return None
    choices = {
        int(p.id): f"{p.participant} · {label(p.category)} · {p.description[:60]} "
        f"({label(p.status).lower()})"
        for p in pledges.itertuples()
    }
    if asked.isdigit() and int(asked) not in choices:
        st.warning(f"This address names pledge {asked}, which is not in the record.")
    # A browser sends back the label of the option it shows, and keeps showing that label
    # until told otherwise. A save changes the label (description, status), so the old label
    # would stay on screen and, at the next click, match no option: the picker would jump to
    # the first pledge. The choice is therefore kept by id and handed to the picker again on
    # every run, which sends the browser today's label.
    chosen = st.session_state.get(PICKER)  # read with the labels of the last run
    if chosen not in choices:
        chosen = st.session_state.get(PICKED)
    if chosen in choices:
        st.session_state[PICKER] = chosen
    pledge_id = st.selectbox("Pledge", list(choices), format_func=lambda i: choices[i], key=PICKER)
    st.session_state[PICKED] = pledge_id
    if pledge_id is not None:
        st.query_params["pledge"] = st.session_state[ADDRESS_READ] = str(pledge_id)
    return pledge_id


def field_key(key: str) -> str:
    return f"edit_field_{key}:{st.session_state.get(FORM_GENERATION, 0)}"


def fresh_form() -> None:
    """Give every field a new key. A browser keeps what a widget shows for as long as its key
    stays the same, whatever default the script passes, so a form filled in for one pledge
    (or left over from the last save) must come back as new widgets, not new defaults."""
    for key in [k for k in st.session_state if k.startswith("edit_field_")]:
        del st.session_state[key]
    st.session_state[FORM_GENERATION] = st.session_state.get(FORM_GENERATION, 0) + 1


def edit_state(pledge_id: int | None) -> EditState:
    """What the form edits. The version the editor started from is kept until the pledge is
    saved or another is chosen."""
    state: EditState | None = st.session_state.get(STATE)
    if pledge_id is None:
        if state is not None and not state.is_new:
            fresh_form()  # back to a new pledge: none of the other pledge's values
        state = EditState()
    elif state is None or state.pledge_id != pledge_id:
        with reading() as session:
            state = EditState.load(session, pledge_id)
        fresh_form()
        st.session_state.pop(ERRORS, None)  # problems (and a conflict) belong to their pledge
    st.session_state[STATE] = state
    return state


def _problems(errors: dict[str, list[str]], category: str, row) -> None:
    """Each field's problems, just above it (or above its row), under the anchor that the list
    of problems at the top links to."""
    for field in (spec.name for spec in row):
        name = editing.form_label(field, category)
        for number, message in enumerate(errors.get(field, [])):
            # The margin keeps the message clear of the app's header when a link scrolls here.
            anchor = (
                f'<a id="{editing.field_anchor(field)}" style="scroll-margin-top: 4.5rem"></a>'
                if number == 0
                else ""
            )
            st.caption(
                f":red[{editing.as_text(name)} {editing.as_text(message)}]{anchor}",
                unsafe_allow_html=True,
            )


def _summary(errors: dict[str, list[str]], category: str) -> None:
    """Above the form, every problem in the form's order, each linking to its field."""
    st.error(
        f"{sum(len(m) for m in errors.values())} problem(s): nothing was saved.\n\n"
        + "\n".join(
            f"- [{editing.as_text(editing.form_label(field, category))}]"
            f"(#{editing.field_anchor(field)}) {editing.as_text(message)}"
            for field, message in editing.in_form_order(errors)
        )
    )


def _start(spec: FieldSpec, start: dict[str, Any]) -> Any:
    value = start.get(spec.name)
    return spec.default if value is None else value


def _date_text(spec: FieldSpec, start: dict[str, Any]) -> str:
    value = start.get(spec.name)
    return value.isoformat() if value is not None else ""


def _draw(spec: FieldSpec, place, start: dict[str, Any], category: str, names: dict[str, str]):
    """One field's widget, filled with the pledge's value (or the spec's default)."""
    key, label_, help_ = field_key(spec.key), spec.label_for(category), spec.help
    if spec.kind == "choice":
        return place.selectbox(
            label_,
            spec.options,
            index=spec.options.index(_start(spec, start)),
            format_func=OPTION_LABELS.get(spec.name, str),
            key=key,
            help=help_,
        )
    if spec.kind == "participant":
        codes, chosen = sorted(names, key=lambda c: names[c]), start.get(spec.name)
        return place.selectbox(
            label_,
            codes,
            # A new pledge names nobody until the editor chooses.
            index=codes.index(chosen) if chosen in codes else None,
            placeholder="Choose a participant…",
            format_func=names.get,
            key=key,
        )
    if spec.kind == "tick":  # the size not published: ticked for a pledge saved without one
        return place.checkbox(
            label_, value=bool(start) and start.get("quantity") is None, key=key, help=help_
        )
    if spec.kind == "number":
        return place.number_input(
            label_,
            min_value=None,
            value=_start(spec, start),
            step=1.0 if category != "funding" else 1_000_000.0,
            format="%.0f",
            key=key,
        )
    if spec.kind == "notes":
        return place.text_area(
            label_, value=_start(spec, start) or "", max_chars=spec.max_chars, key=key
        )
    value = _date_text(spec, start) if spec.kind == "date" else _start(spec, start) or ""
    typed = place.text_input(
        label_,
        value=value,
        max_chars=spec.max_chars,
        placeholder=spec.placeholder,
        help=help_,
        key=key,
    )
    return typed.strip().upper() if spec.kind == "code" else typed


def _eur_preview(drawn: dict[str, Any], start: dict[str, Any]) -> None:
    announced = SPECS["announced_on"]
    preview = editing.eur_preview(
        read(queries.exchange_rates_frame),
        None if drawn["size_unknown"] else drawn["quantity"],
        drawn["currency"],
        # The date as last submitted (the field is further down this form).
        editing.typed_date(
            st.session_state.get(field_key(announced.key), _date_text(announced, start))
        ),
        _start(SPECS["announced_precision"], start),
    )
    if preview:
        st.caption(f"In euros: {preview}")


def pledge_form(state: EditState, names: dict[str, str]) -> Submission:
    """The problems of the last save, the category, and the form with the fields it shows."""
    errors: dict[str, list[str]] = st.session_state.get(ERRORS, {})
    start = state.values
    # The category about to show (the select below), for the size field's name in problems.
    category = st.session_state.get(field_key(CATEGORY_SPEC.key), _start(CATEGORY_SPEC, start))
    if errors:
        _summary(errors, category)
    _problems(errors, category, [CATEGORY_SPEC])
    category = _draw(CATEGORY_SPEC, st, start, category, names)
    drawn: dict[str, Any] = {}
    with st.form("edit_pledge_form"):
        for row in FORM_ROWS:
            if not row.shown_for(category):
                continue
            _problems(errors, category, row)
            places = st.columns(list(row.widths)) if row.widths else [st]
            for spec, place in zip(row, places, strict=True):
                if spec.name == "effective_on" and not state.is_new:
                    drawn[CORRECTION] = _change_kind(place)
                drawn[spec.name] = _draw(spec, place, start, category, names)
                if spec.name == "currency":
                    _eur_preview(drawn, start)
        submitted = st.form_submit_button("Save pledge", type="primary")
    values = editing.pledge_values(category, drawn, drawn["size_unknown"])
    return Submission(
        category,
        values,
        editing.blank_size_problem(values, drawn["size_unknown"]),
        drawn["reason"],
        _holds_from(drawn, values),
        submitted,
    )


CORRECTION = "correction"
CHANGE_KINDS = {
    False: "A new development: it holds from today",
    True: "A correction: the record was wrong from the announcement, and is put right from then",
}


def _change_kind(place) -> bool:
    """Whether a change corrects the record or records news: a correction left to hold from
    today kept the wrong figure in every "as of" view of the days before."""
    return place.radio(
        "This change is",
        list(CHANGE_KINDS),
        format_func=CHANGE_KINDS.get,
        key=field_key("change_kind"),
        help="It decides the day the change holds from, unless one is given below.",
    )


def _holds_from(drawn: dict[str, Any], values: dict[str, Any]) -> str:
    """The day typed, or for a correction with none typed, the pledge's announcement day (as
    in the form); empty leaves the write path's default (today; a new pledge's announcement)."""
    typed = (drawn["effective_on"] or "").strip()
    if typed or not drawn.get(CORRECTION):
        return typed
    announced = values.get("announced_on")
    return announced.isoformat() if isinstance(announced, date) else str(announced or "")


def _save(
    state: EditState,
    form: Submission,
    *,
    actor: Actor,
    names: dict[str, str],
    change: PledgeChange | None = None,
    version: int | None = None,
    also: Problem | None = None,
) -> None:
    """Create the pledge from the form's values, or apply ``change`` on top of ``version``;
    outcomes land in the session state and show after the rerun. ``also`` is a problem the
    form found itself: it is listed with the write path's own, and nothing is saved."""

    def write(session: Session) -> tuple[int, str]:
        if state.is_new:
            saved = create_pledge(
                session,
                actor=actor,
                values=form.values,
                reason=form.reason,
                effective_on=form.effective_on,
            )
        else:
            assert state.pledge_id is not None and version is not None and change is not None
            saved = update_pledge(
                session,
                actor=actor,
                pledge_id=state.pledge_id,
                expected_version=version,
                changes=change,
                reason=form.reason,
                effective_on=form.effective_on,
            )
        if also is not None:
            raise ValidationFailed([also])  # rolls the transaction back
        assert saved.id is not None  # a stored pledge
        return saved.id, editing.saved_notice(saved, names[saved.participant_code])

    def saved(outcome: tuple[int, str]) -> str:
        pledge_id, notice = outcome
        fresh_form()  # no double submission of the same pledge
        st.session_state[PICKED] = pledge_id  # what "Change an existing pledge" opens on
        return notice

    def problems(found: list[Problem]) -> None:
        if also is not None and also not in found:
            found = [also, *found]
        st.session_state[ERRORS] = ValidationFailed(found).by_field()
        st.rerun()

    def conflict(_: VersionConflict) -> None:
        assert change is not None  # only a change to a stored pledge can meet a conflict
        with reading() as session:
            st.session_state[STATE] = state.after_conflict(session, change)
        st.rerun()

    def refused(refusal: PermissionDenied) -> None:
        st.session_state[ERRORS] = {"status": [f"— refused: {refusal}"]}
        st.rerun()

    def fault(error: DatabaseFault) -> None:
        show_write_fault(error)  # the form keeps what was typed, to try again
        st.stop()

    save(
        write,
        saved=saved,
        forget=(ERRORS, STATE),
        problems=problems,
        conflict=conflict,
        refused=refused,
        fault=fault,
    )


def submit(state: EditState, form: Submission, *, actor: Actor, names: dict[str, str]) -> None:
    """Save what was submitted: a new pledge whole; for a pledge being changed, only what this
    editor changed travels (their other fields stay as saved)."""
    st.session_state.pop(ERRORS, None)
    st.session_state[STATE] = state = replace(state, conflict=None)
    change = None if state.is_new else state.change(form.values)
    _save(
        state,
        form,
        actor=actor,
        names=names,
        change=change,
        version=state.version,
        also=form.blank_size,
    )


def show_conflict(
    state: EditState, form: Submission, *, actor: Actor, names: dict[str, str]
) -> None:
    """Someone saved this pledge since it was loaded: both sides, and the editor's choice."""
    conflict = state.conflict
    if conflict is None or state.is_new:
        return
    st.warning(
        f"Someone saved this pledge while you were editing it (it is now at version "
        f"{conflict.version}). Nothing of yours was saved and nothing is lost: compare "
        "below, then re-apply your changes on top of theirs, or start again from theirs."
    )
    st.dataframe(state.conflict_table(), hide_index=True, placeholder="—")
    left, right = st.columns(2)
    if left.button("Re-apply my changes on the current version", key="edit_reapply"):
        # The loaded values stay until this save succeeds (_save clears them then): if it
        # fails, the form must not later write this editor's old values over theirs.
        _save(
            state, form, actor=actor, names=names, change=conflict.change, version=conflict.version
        )
    if right.button("Discard mine and start from theirs", key="edit_discard"):
        fresh_form()
        st.session_state.pop(STATE, None)
        st.rerun()
