"""Audit log (admins): every sign-in, edit, refusal and account change, filterable."""

import tempfile
from datetime import date
from pathlib import Path

import streamlit as st

from coalition.access.audit import ACTION_GROUPS
from coalition.errors import ValidationFailed
from coalition.read import queries
from core import clock
from ui.data import PG_DUMP_HINT, backup_bytes, reading
from ui.resources import get_engine
from ui.shell import require_role
from ui.widgets.dates import typed_date
from ui.widgets.tables import file_download, table

require_role("admin")

st.title("Audit log")
left, middle, right, far = st.columns(4)
# Not cached: sign-ins do not move the data version, and the log must be current.
with reading() as session:
    actors = queries.audit_actors(session)
actor = left.selectbox(
    "Who", [None, *actors], format_func=lambda a: a or "Anyone", key="audit_actor"
)
action = middle.selectbox(
    "What",
    [None, *ACTION_GROUPS],
    format_func=lambda a: "Everything" if a is None else ACTION_GROUPS[a],
    key="audit_action",
)
days: dict[str, date | None] = {}
for where, key, label, help in (
    (right, "audit_since", "From", "The first day shown (included); empty: from the start."),
    (far, "audit_until", "To", "The last day shown (included); empty: to today."),
):
    try:
        days[key] = typed_date(
            label, key=key, within=(date.min, clock.today()), where=where, help=help
        )
    except ValidationFailed as failure:
        where.error(f"{failure.problems[0].message}: not applied.")
        days[key] = None
since, until = days["audit_since"], days["audit_until"]

with reading() as session:
    events = queries.audit_frame(
        session, actor=actor, action_prefix=action, since=since, until=until
    )
st.caption(f"{len(events):,} events, newest first (at most 5,000 shown).")
table(events, file_name=f"audit-log-{clock.today():%Y-%m-%d}.csv", key="audit")

st.subheader("Backup")
engine = get_engine()
if engine.dialect.name == "sqlite":
    if st.button("Prepare a backup of the whole database", key="audit_backup_prepare"):
        with tempfile.TemporaryDirectory() as folder:
            st.session_state["audit_backup"] = backup_bytes(engine, Path(folder) / "backup.db")
    if backup := st.session_state.get("audit_backup"):
        file_download(
            "Download the backup (SQLite)",
            backup,
            file_name=f"coalition-backup-{clock.today():%Y-%m-%d}.db",
            mime="application/vnd.sqlite3",
            key="audit_backup_download",
        )
else:
    st.info(PG_DUMP_HINT)
