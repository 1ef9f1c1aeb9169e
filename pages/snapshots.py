"""Snapshots: citable CSV files of the record, with a manifest to issue the same file again, and
the same record as an Excel workbook."""

import streamlit as st

from coalition.errors import ValidationFailed
from coalition.figures.view import build_view
from coalition.output import workbook
from coalition.output.snapshots import build_snapshot, log_snapshot, pin_known_at
from coalition.read import queries
from coalition.text import formatting
from ui.data import DatabaseFault, writing
from ui.resources import read
from ui.run_context import this_run
from ui.widgets.as_of import as_of_banner
from ui.widgets.sections import opened
from ui.widgets.tables import csv_download, file_download

viewer = this_run().viewer
filters = this_run().filters
st.title("Snapshots")
as_of_banner(filters)
st.caption(
    "A snapshot shows the pledges under the sidebar's filters and “As of” date, using only "
    "what was recorded by its “known at” time, so the same file can be issued again later. "
    "Cells that a spreadsheet would run as formulas start with an apostrophe. The Excel "
    "workbook holds the same pledges with numbers, dates and amounts typed, and the meetings "
    "and who attended, the participants, the sources, and how it was made (with the SHA-256 "
    "of the CSV it matches)."
)

left, right = st.columns([2, 1])
reissue = left.text_input(
    "Known at (to issue a file again, paste “known_at” from its manifest)",
    placeholder="empty: the record's last change",
    key="known_at",
    bind="query-params",  # a link to this page issues the same file
)
excel_bom = right.checkbox(
    "For Excel (UTF-8 byte-order mark)",
    key="excel_bom",
    bind="query-params",
    help="Excel needs it to read accents correctly; pandas and LibreOffice do not.",
)
try:
    # By default the pin is the record's last change: the same file as "now" (and as the
    # /api/v1/snapshot.csv endpoint gives), the same for every session until the next write.
    known_at = read(pin_known_at, reissue)
except ValidationFailed as failure:
    st.error(failure.problems[0].message + ".")
    st.stop()

snapshot = read(build_snapshot, filters, known_at, excel_bom)
manifest = snapshot.manifest
st.markdown(
    f"**{manifest['rows']} pledges** · as of {manifest['as_of'] or 'today'} · known at "
    f"`{manifest['known_at']}` · SHA-256 `{manifest['sha256'][:16]}…`"
)


def log_download() -> None:
    try:
        with writing() as session:
            log_snapshot(session, actor=viewer.email or "anonymous", snapshot=snapshot)
    except DatabaseFault as fault:
        st.warning(
            f"The download could not be logged ({fault}); keep its manifest to issue it again."
        )


def workbook_file() -> bytes:
    """Made when clicked, and logged as it is made: the same pins as the CSV above."""
    with writing() as session:
        book = workbook.build_workbook(session, filters, known_at)
        log_snapshot(session, actor=viewer.email or "anonymous", snapshot=book)
    return book.data


left, middle, right = st.columns(3)
file_download(
    "Download the snapshot (CSV)",
    snapshot.csv,
    file_name=snapshot.file_name,
    mime="text/csv",
    key="snapshots_csv",
    where=left,
    on_click=log_download,  # the download is logged: this rerun must happen
    type="primary",
)
file_download(
    "Download as an Excel workbook",
    workbook_file,
    file_name=snapshot.file_name.removesuffix(".csv") + ".xlsx",
    mime=workbook.MEDIA_TYPE,
    key="snapshots_xlsx",
    where=middle,
)
file_download(
    "Download its manifest (JSON)",
    # Made on click: a file sent with the page is fetched by the browser at once, and leaving
    # the page before that fetch ends deletes it (a 404 in the console).
    lambda: snapshot.manifest_json,
    file_name=snapshot.manifest_file_name,
    mime="application/json",
    key="snapshots_manifest",
    where=right,
)
if section := opened("Manifest", key="snapshots_manifest_section"):
    with section:
        st.json(manifest)

st.subheader("Other tables")
summary = formatting.participants_summary_for_display(read(build_view, filters).by_participant)
left, right = st.columns(2)
with left:
    csv_download(
        summary,
        label="Participants summary with normalised figures (CSV)",
        file_name="participants-summary.csv",
        key="snapshots_participants",
    )
with right:
    csv_download(
        formatting.meetings_for_display(read(queries.events_frame)),
        label="Meetings (CSV)",
        file_name="meetings.csv",
        key="snapshots_meetings",
    )
