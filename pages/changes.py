"""What changed: pledges and meetings added or changed between two dates. The period lives in
the address (?from=YYYY-MM-DD&to=YYYY-MM-DD&by=recorded), so copying it shares the period."""

from __future__ import annotations

from datetime import date

import streamlit as st

from coalition.errors import Problem, ValidationFailed
from coalition.read import changes, queries
from coalition.text.checks import DATE_FORMAT
from core import clock
from ui.resources import read, shared
from ui.run_context import this_run
from ui.widgets.as_of import as_of_banner
from ui.widgets.tables import table

CHOSEN = "changes_chosen"  # (from, to, by) as last chosen, kept across page switches
ADDRESS_READ = "changes_address_read"  # the address last read or written, not to apply again
ADDRESS_PROBLEMS = "changes_address_problems"
TYPED = "changes_typed"  # (what was typed, its problems) while it makes no period
PARTICIPANT = "participant"  # the address's key, as the feed's
PARTICIPANTS = "changes_participants"
PARTICIPANTS_READ = "changes_participants_read"  # the address's participants last applied


def _address() -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple(
        (key, tuple(st.query_params.get_all(key)))
        for key in changes.QUERY_KEYS
        if key in st.query_params
    )


def _read_the_address(today: date, default: changes.Period) -> None:
    """A period named in an address opened here becomes the chosen one; one that is wrong is
    reported (and the current period kept)."""
    address = _address()
    if not address or address == st.session_state.get(ADDRESS_READ):
        return
    st.session_state[ADDRESS_READ] = address
    try:
        period = changes.period_from_query(dict(address), today=today, default=default)
    except ValidationFailed as failure:
        st.session_state[ADDRESS_PROBLEMS] = failure.problems
        return
    st.session_state.pop(ADDRESS_PROBLEMS, None)
    st.session_state.pop(TYPED, None)
    st.session_state[CHOSEN] = (period.start, period.end, period.by)


def _write_the_address(period: changes.Period) -> None:
    wanted = period.to_query()
    for key in changes.QUERY_KEYS:
        if st.query_params.get_all(key) != [wanted[key]]:
            st.query_params[key] = wanted[key]
    st.session_state[ADDRESS_READ] = _address()


def _chosen_on_the_page() -> None:
    """Days typed (YYYY-MM-DD, applied on Enter) and the axis, read as an address's are: a
    period becomes the chosen one; text that makes none is kept to be corrected, with why."""
    typed = {key: st.session_state[f"changes_{key}"] for key in changes.QUERY_KEYS}
    today = clock.today()
    try:
        period = changes.period_from_query(
            typed, today=today, default=changes.default_period(today)
        )
    except ValidationFailed as failure:
        st.session_state[TYPED] = (typed, failure.problems)
    else:
        st.session_state.pop(TYPED, None)
        st.session_state[CHOSEN] = (period.start, period.end, period.by)
    st.session_state.pop(ADDRESS_PROBLEMS, None)


def _participants_chosen(names: dict[str, str]) -> tuple[str, ...]:
    """The participants whose changes to show (none: all), from a multiselect that follows
    the address (?participant=DEU,FRA, as feeds and digests link to it) and writes it back;
    a code the record does not hold is named and left out."""
    named = [
        code.strip().upper()
        for value in st.query_params.get_all(PARTICIPANT)
        for code in value.split(",")
        if code.strip()
    ]
    known = tuple(dict.fromkeys(code for code in named if code in names))
    if unknown := sorted(set(named) - set(names)):
        st.warning(f"This address names {', '.join(unknown)}, which the record does not hold.")
    if st.session_state.get(PARTICIPANTS_READ) != known:
        st.session_state[PARTICIPANTS_READ] = known
        st.session_state[PARTICIPANTS] = list(known)
    chosen = tuple(
        st.multiselect(
            "Participants (all when none is chosen)",
            list(names),
            format_func=names.__getitem__,
            key=PARTICIPANTS,
            help="Only these participants' pledges, and the meetings they attended.",
        )
    )
    if chosen:
        st.query_params[PARTICIPANT] = ",".join(chosen)
    elif PARTICIPANT in st.query_params:
        del st.query_params[PARTICIPANT]
    st.session_state[PARTICIPANTS_READ] = chosen
    return chosen


def _problems_text(problems: list[Problem]) -> str:
    return "\n".join(f"- **{p.field}**: {p.message}" for p in problems)


filters = this_run().filters
today = clock.today()
st.title("What changed")
as_of_banner(filters)

default = changes.default_period(today, filters.as_of)
_read_the_address(today, default)
start, end, by = st.session_state.get(CHOSEN) or (default.start, default.end, default.by)
if address_problems := st.session_state.get(ADDRESS_PROBLEMS):
    st.error(
        "The period in this address could not be used, so the page shows the period below "
        "instead:\n" + _problems_text(address_problems),
        icon=":material/event_busy:",
    )
# The fields show the chosen period (the address's, the last typed, or the default week), or
# what was typed while it makes no period.
typed = st.session_state.get(TYPED)
shown = typed[0] if typed else {"from": start.isoformat(), "to": end.isoformat(), "by": by}
for key in changes.QUERY_KEYS:
    st.session_state[f"changes_{key}"] = shown[key]
first, last, axis = st.columns([1, 1, 2])
for where, key, label, help in (
    (first, "from", "From", "The first day of the period (included)."),
    (last, "to", "To", "The last day of the period (included)."),
):
    where.text_input(
        label,
        key=f"changes_{key}",
        on_change=_chosen_on_the_page,
        placeholder=DATE_FORMAT,
        help=f"{help} Type it as {DATE_FORMAT} and press Enter.",
    )
axis.radio(
    "Select changes by",
    changes.BY_CHOICES,
    format_func=changes.BY_LABELS.get,
    key="changes_by",
    on_change=_chosen_on_the_page,
    help="When it was recorded: what staff entered in these days (UTC), whatever day it "
    "holds from. When it took effect: what holds from one of these days, even if recorded "
    "earlier or later.",
)

if typed:
    st.error(
        "These dates do not make a period, so nothing is shown:\n" + _problems_text(typed[1]),
        icon=":material/event_busy:",
    )
    st.stop()
try:
    period = changes.check_period(start, end, by, today=today)
except ValidationFailed as failure:
    st.error(
        "These dates do not make a period, so nothing is shown:\n"
        + _problems_text(failure.problems),
        icon=":material/event_busy:",
    )
    st.stop()

_write_the_address(period)
participants = read(queries.participants_frame)
chosen = _participants_chosen(dict(zip(participants["code"], participants["name"], strict=True)))
st.subheader(f"What changed between {period.describe()}")
found = read(changes.changes_between, filters, period.start, period.end, period.by, chosen)
st.markdown(f"**{shared(changes.summary, found)}**")
st.caption(
    (
        "Changes recorded on these days (UTC), both included"
        if period.by == changes.BY_RECORDED
        else "Changes that took effect on these days, both included"
    )
    + f"; pledges under {filters.describe()}, listed when the pledge matched them before or "
    "after the change. Meetings are placed by the day they were held, whatever the filters. "
    "Role is the role the person held when making the change."
)
if note := changes.as_of_note(period, filters.as_of):
    st.info(note, icon=":material/history:")
if found.empty:
    st.info(
        f"Nothing changed between {period.describe()} among the pledges the sidebar's filters "
        "choose, and no meeting was held.",
        icon=":material/check_circle:",
    )
else:
    table(
        shared(changes.changes_for_display, found),
        file_name=f"changes-{period.start}-to-{period.end}-by-{period.by}.csv",
        key="changes_table",
        lead=("Participant", "What", "What changed", "In effect from", "By"),
        column_config={"What changed": st.column_config.TextColumn(width="medium")},
    )
