"""Edit pledges (editors): record a new pledge, or change, withdraw or restore one."""

import streamlit as st

from coalition import editing, queries
from coalition.auth import PermissionDenied
from coalition.charts import label
from coalition.errors import ValidationFailed, VersionConflict
from coalition.formatting import INSTRUMENT_LABELS, SCOPE_LABELS
from coalition.history import revision_history
from coalition.pledges import create_pledge, update_pledge
from ui.data import (
    CATEGORIES,
    CONFIDENCES,
    DATE_PRECISIONS,
    EARLIEST_DATE,
    INSTRUMENTS,
    LATEST_DATE,
    QUANTITY_QUALIFIERS,
    SCOPES,
    STATUSES,
    DatabaseFault,
    Pledge,
    reading,
    writing,
)
from ui.resources import read, show_write_fault
from ui.shell import require_role

viewer = require_role("editor")

ERRORS, CONFLICT, BASE, NOTICE = "edit_errors", "edit_conflict", "edit_base", "edit_notice"
FORM_GENERATION = "edit_form_generation"
PICKER, PICKED = "edit_pledge_id", "edit_picked"
st.title("Edit pledges")
st.caption(editing.EDITING_SCOPE)
if notice := st.session_state.pop(NOTICE, None):
    st.success(notice)

participants = read(queries.participants_frame)
names = dict(zip(participants["code"], participants["name"], strict=True))
pledges = read(queries.pledges_frame)  # every status: withdrawn pledges can be restored

mode = st.radio(
    "What do you want to do?",
    ["Record a new pledge", "Change an existing pledge"],
    horizontal=True,
    key="edit_mode",
)
editing_id = None
if mode == "Change an existing pledge":
    choices = {
        int(p.id): f"{p.participant} · {label(p.category)} · {p.description[:60]} "
        f"({label(p.status).lower()})"
        for p in pledges.itertuples()
    }
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
    editing_id = st.selectbox("Pledge", list(choices), format_func=choices.get, key=PICKER)
    st.session_state[PICKED] = editing_id


def field_key(name: str) -> str:
    return f"edit_field_{name}:{st.session_state.get(FORM_GENERATION, 0)}"


def fresh_form() -> None:
    """Give every field a new key. A browser keeps what a widget shows for as long as its key
    stays the same, whatever default the script passes, so a form filled in for one pledge
    (or left over from the last save) must come back as new widgets, not new defaults."""
    for key in [k for k in st.session_state if k.startswith("edit_field_")]:
        del st.session_state[key]
    st.session_state[FORM_GENERATION] = st.session_state.get(FORM_GENERATION, 0) + 1


# The version the editor started from is kept until the pledge is saved or another is chosen.
base = st.session_state.get(BASE)
if editing_id is None:
    if base is not None:
        fresh_form()  # back to a new pledge: none of the other pledge's values
    base = None
elif base is None or base["id"] != editing_id:
    with reading() as session:
        current = session.get(Pledge, editing_id)
        base = {
            "id": editing_id,
            "version": current.version,
            "values": editing.current_values(current),
        }
    fresh_form()
    st.session_state.pop(ERRORS, None)
    st.session_state.pop(CONFLICT, None)  # a conflict belongs to the pledge it came from
st.session_state[BASE] = base
start = base["values"] if base else {}

errors: dict[str, list[str]] = st.session_state.get(ERRORS, {})


def problems_for(*fields: str) -> None:
    """Each field's problems, just above it (or above its row), under the anchor that the list
    of problems at the top links to."""
    for field in fields:
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


def default(field: str, fallback=None):
    value = start.get(field, fallback)
    return fallback if value is None else value


DATE_PLACEHOLDER = "YYYY-MM-DD"
DATE_HELP = f"YYYY-MM-DD, from {EARLIEST_DATE:%Y-%m-%d} to {LATEST_DATE:%Y-%m-%d}."


def date_text(field: str) -> str:
    value = start.get(field)
    return value.isoformat() if value is not None else ""


# The category about to show (the select below), for the size field's name in problems.
category = st.session_state.get(field_key("category"), default("category", "troops"))
if errors:
    # Above the form, every problem in the form's order, each linking to its field.
    st.error(
        f"{sum(len(m) for m in errors.values())} problem(s): nothing was saved.\n\n"
        + "\n".join(
            f"- [{editing.as_text(editing.form_label(field, category))}]"
            f"(#{editing.field_anchor(field)}) {editing.as_text(message)}"
            for field, message in editing.in_form_order(errors)
        )
    )

problems_for("category")
category = st.selectbox(
    "Category",
    CATEGORIES,
    index=CATEGORIES.index(default("category", "troops")),
    format_func=label,
    key=field_key("category"),
)

with st.form("edit_pledge_form"):
    form: dict = {}
    problems_for("participant_code", "status")
    left, right = st.columns(2)
    codes = sorted(names, key=names.get)
    chosen_code = start.get("participant_code")
    form["participant_code"] = left.selectbox(
        "Participant *",
        codes,
        # A new pledge names nobody until the editor chooses.
        index=codes.index(chosen_code) if chosen_code in codes else None,
        placeholder="Choose a participant…",
        format_func=names.get,
        key=field_key("participant"),
    )
    form["status"] = right.selectbox(
        "Status *",
        STATUSES,
        index=STATUSES.index(default("status", "announced")),
        format_func=label,
        key=field_key("status"),
        help="Withdrawing keeps the pledge and its history. Only an admin may restore one.",
    )
    problems_for("description")
    form["description"] = st.text_input(
        "What was pledged *",
        value=default("description", ""),
        max_chars=500,
        key=field_key("description"),
    )

    problems_for("quantity", "quantity_qualifier")
    left, middle, right = st.columns([2, 1, 1])
    size_unknown = middle.checkbox(
        "Size not published",
        value=bool(start) and start.get("quantity") is None,
        key=field_key("size_unknown"),
        help="Leave the size unknown rather than guess; totals count it separately.",
    )
    form["quantity"] = left.number_input(
        editing.QUANTITY_LABELS[category],
        min_value=None,
        value=default("quantity"),
        step=1.0 if category != "funding" else 1_000_000.0,
        format="%.0f",
        key=field_key("quantity"),
    )
    form["quantity_qualifier"] = right.selectbox(
        "Qualifier",
        QUANTITY_QUALIFIERS,
        index=QUANTITY_QUALIFIERS.index(default("quantity_qualifier", "exact")),
        format_func=lambda q: q.replace("_", " "),
        key=field_key("qualifier"),
    )
    if category == "funding":
        problems_for("currency")
        form["currency"] = (
            st.text_input(
                "Currency (ISO code) *",
                value=default("currency", "EUR"),
                max_chars=3,
                key=field_key("currency"),
            )
            .strip()
            .upper()
        )
        preview = editing.eur_preview(
            read(queries.exchange_rates_frame),
            None if size_unknown else form["quantity"],
            form["currency"],
            # The date as last submitted (the field is further down this form).
            editing.typed_date(
                st.session_state.get(field_key("announced"), date_text("announced_on"))
            ),
            default("announced_precision", "day"),
        )
        if preview:
            st.caption(f"In euros: {preview}")
    else:
        problems_for("capability_type")
        form["capability_type"] = st.text_input(
            "Type (optional)",
            value=default("capability_type", ""),
            max_chars=100,
            placeholder="e.g. Gripen, minehunter",
            key=field_key("type"),
        )
    problems_for("conditions")
    form["conditions"] = st.text_input(
        "Conditions",
        value=default("conditions", ""),
        max_chars=500,
        placeholder="e.g. requires a US backstop; parliamentary approval",
        key=field_key("conditions"),
    )

    problems_for("instrument", "scope")
    left, right = st.columns(2)
    form["instrument"] = left.selectbox(
        "Given as *",
        INSTRUMENTS,
        index=INSTRUMENTS.index(default("instrument", "unspecified")),
        format_func=INSTRUMENT_LABELS.get,
        key=field_key("instrument"),
        help="Loans and guarantees (export credit included) are never added into a grant total.",
    )
    form["scope"] = right.selectbox(
        "Part of *",
        SCOPES,
        index=SCOPES.index(default("scope", "reassurance_force")),
        format_func=SCOPE_LABELS.get,
        key=field_key("scope"),
        help="The reassurance force; other support announced within the coalition's meetings; "
        "or aid reported alongside but given outside the coalition (not counted by default).",
    )

    problems_for("announced_on", "announced_precision", "start_on", "end_on")
    left, middle, right, far = st.columns(4)
    # Dates are typed, not picked: what is saved is exactly what was typed, or nothing (a
    # date picker keeps its last valid day when what is typed is out of range).
    form["announced_on"] = left.text_input(
        "Announced on *",
        value=date_text("announced_on"),
        placeholder=DATE_PLACEHOLDER,
        help=DATE_HELP,
        key=field_key("announced"),
    )
    form["announced_precision"] = middle.selectbox(
        "Date as precise as",
        DATE_PRECISIONS,
        index=DATE_PRECISIONS.index(default("announced_precision", "day")),
        key=field_key("precision"),
    )
    form["start_on"] = right.text_input(
        "Starts",
        value=date_text("start_on"),
        placeholder=DATE_PLACEHOLDER,
        help=DATE_HELP,
        key=field_key("start"),
    )
    form["end_on"] = far.text_input(
        "Ends",
        value=date_text("end_on"),
        placeholder=DATE_PLACEHOLDER,
        help=DATE_HELP,
        key=field_key("end"),
    )

    problems_for("source_title", "confidence")
    left, right = st.columns([3, 1])
    form["source_title"] = left.text_input(
        "Source *",
        value=default("source_title", ""),
        max_chars=300,
        help="The publication, or a note for a non-public channel.",
        key=field_key("source"),
    )
    form["confidence"] = right.selectbox(
        "Confidence *",
        CONFIDENCES,
        index=CONFIDENCES.index(default("confidence", "medium")),
        key=field_key("confidence"),
    )
    problems_for("source_url", "source_published_on")
    left, right = st.columns([3, 1])
    form["source_url"] = left.text_input(
        "Source link",
        value=default("source_url", ""),
        max_chars=500,
        placeholder="https://…",
        key=field_key("url"),
    )
    form["source_published_on"] = right.text_input(
        "Source published on",
        value=date_text("source_published_on"),
        placeholder=DATE_PLACEHOLDER,
        key=field_key("published"),
    )
    problems_for("notes")
    form["notes"] = st.text_area(
        "Notes", value=default("notes", ""), max_chars=2000, key=field_key("notes")
    )
    problems_for("reason")
    reason = st.text_input(
        "Reason for this change *",
        max_chars=500,
        key=field_key("reason"),
        placeholder="e.g. Confirmed by the embassy on 3 March",
    )
    problems_for("effective_on")
    effective_on = st.text_input(
        "In effect from",
        placeholder=DATE_PLACEHOLDER,
        key=field_key("effective"),
        help="The day from which this holds, for the 'As of' views (YYYY-MM-DD). Empty: the "
        "announcement date for a new pledge, today for a change.",
    )
    submitted = st.form_submit_button("Save pledge", type="primary")


def save(
    *, values: dict | None = None, changes: dict | None = None, version=None, also=None
) -> None:
    """Create (values) or update (changes on top of ``version``); outcomes land in the
    session state and show after the rerun. ``also`` is a problem the form found itself: it is
    listed with the write path's own, and nothing is saved."""
    try:
        with writing() as session:
            if base is None:
                saved = create_pledge(
                    session,
                    actor=viewer.actor,
                    values=values,
                    reason=reason,
                    effective_on=effective_on,
                )
            else:
                saved = update_pledge(
                    session,
                    actor=viewer.actor,
                    pledge_id=base["id"],
                    expected_version=version,
                    changes=changes,
                    reason=reason,
                    effective_on=effective_on,
                )
            saved_id, notice = saved.id, editing.saved_notice(saved, names[saved.participant_code])
            if also is not None:
                raise ValidationFailed([also])  # rolls the transaction back
    except ValidationFailed as failure:
        problems = failure.problems
        if also is not None and also not in problems:
            problems = [also, *problems]
        st.session_state[ERRORS] = ValidationFailed(problems).by_field()
    except VersionConflict:
        with reading() as session:
            theirs = session.get(Pledge, base["id"])
            st.session_state[CONFLICT] = {
                "changes": changes,
                "version": theirs.version,
                "theirs": editing.current_values(theirs),
            }
    except PermissionDenied as refusal:
        st.session_state[ERRORS] = {"status": [f"— refused: {refusal}"]}
    except DatabaseFault as fault:
        show_write_fault(fault)  # the form keeps what was typed, to try again
        st.stop()
    else:
        for key in (ERRORS, CONFLICT, BASE):
            st.session_state.pop(key, None)
        fresh_form()  # no double submission of the same pledge
        st.session_state[NOTICE] = notice
        st.session_state[PICKED] = saved_id  # what "Change an existing pledge" opens on
    st.rerun()


if submitted:
    st.session_state.pop(ERRORS, None)
    st.session_state.pop(CONFLICT, None)
    values = editing.pledge_values(category, form, size_unknown)
    values = {k: (None if v == "" else v) for k, v in values.items()}
    blank = editing.blank_size_problem(values, size_unknown)
    if base is None:
        save(values=values, also=blank)
    else:
        # Only what this editor changed travels: their other fields stay as saved.
        changes = editing.pledge_change(base["values"], values).as_dict()
        save(changes=changes, version=base["version"], also=blank)

conflict = st.session_state.get(CONFLICT)
if conflict and base:
    st.warning(
        f"Someone saved this pledge while you were editing it (it is now at version "
        f"{conflict['version']}). Nothing of yours was saved and nothing is lost: compare "
        "below, then re-apply your changes on top of theirs, or start again from theirs."
    )
    mine = base["values"] | conflict["changes"]
    st.dataframe(editing.conflict_table(base["values"], conflict["theirs"], mine), hide_index=True)
    left, right = st.columns(2)
    if left.button("Re-apply my changes on the current version", key="edit_reapply"):
        # The stored base moves only when this save succeeds (save() clears it then): if it
        # fails, the form must not later write this editor's old values over theirs.
        save(changes=conflict["changes"], version=conflict["version"])
    if right.button("Discard mine and start from theirs", key="edit_discard"):
        fresh_form()
        st.session_state.pop(CONFLICT, None)
        st.session_state.pop(BASE, None)
        st.rerun()

if base is not None:
    st.subheader("History of this pledge")
    st.dataframe(
        revision_history(read(queries.pledge_revisions_frame, base["id"])),
        hide_index=True,
        placeholder="—",
    )
