"""Import pledges (editors): upload a CSV, check every row, then write all of it or nothing."""

import pandas as pd
import streamlit as st

from coalition.read.history import shown
from coalition.text.labels import field_label, label
from coalition.write.allowed_values import allowed_values_csv
from coalition.write.import_file import MAX_FILE_MB, MAX_ROWS, template_csv
from coalition.write.importer import APPLY, DROP, commit_import, preview_import
from ui.data import reading
from ui.forms.pledge_fields import EDITING_SCOPE
from ui.resources import read_later
from ui.run_context import this_run
from ui.shell import require_role
from ui.widgets.tables import file_download, page_of_rows
from ui.writes import save, show_notice

viewer = require_role("editor")

PREVIEW = "import_preview_cache"
CHOICES = {APPLY: "Apply this row's changes on top of the current version", DROP: "Drop this row"}

st.title("Import pledges")
st.caption(
    "Use the template, or a snapshot downloaded from this app: rows with a pledge_id change "
    "that pledge (from the version in the row), rows without one are new. Nothing is written "
    "until every row is correct, and then all of it is written at once. "
    f"Up to {MAX_ROWS:,} rows and {MAX_FILE_MB} MB a file."
)
st.caption(
    "The template's example row shows the format: write over it or delete it (a file that "
    "still holds it is refused). Coded columns take the code or the app's word for it, in any "
    "case and with or without accents ('ships' or 'Ships', 'in_kind' or 'In kind', 'BEL' or "
    "'Belgium'); the allowed values file lists every code with its label."
)
st.caption(EDITING_SCOPE)
file_download(
    "Download the template (CSV)",
    template_csv(),
    file_name="pledges-template.csv",
    mime="text/csv",
    key="import_template",
)
file_download(
    "Download the allowed values (CSV)",
    read_later(allowed_values_csv),
    file_name="pledges-allowed-values.csv",
    mime="text/csv",
    key="import_allowed_values",
)
show_notice()

upload = st.file_uploader("CSV file (UTF-8, comma-separated)", type=["csv"], key="import_file")
if upload is None:
    st.session_state.pop(PREVIEW, None)
    st.stop()

# Checked once per upload and state of the record, not on every rerun of this page.
cache_key = (upload.file_id, this_run().data_version)
cached = st.session_state.get(PREVIEW)
if cached is None or cached[0] != cache_key:
    with st.spinner("Checking every row…"), reading() as session:
        cached = (cache_key, preview_import(session, upload.getvalue()))
    st.session_state[PREVIEW] = cached
preview = cached[1]

counts = {
    status: preview.count(status) for status in ("new", "changed", "unchanged", "conflict", "error")
}
st.markdown(" · ".join(f"**{n}** {status}" for status, n in counts.items()))
if preview.problems:
    st.error(f"{len(preview.problems)} problem(s): fix them in the file and upload it again.")
    st.dataframe(
        pd.DataFrame(
            [{"Row": p.row, "Column": p.field, "Problem": p.message} for p in preview.problems]
        ),
        hide_index=True,
        placeholder="—",
        key="import_problems",
    )
if preview.rows:
    marked = pd.DataFrame(
        [
            {
                "Row": r.line,
                "In the file": r.status.capitalize(),
                "Pledge": r.pledge_id,
                "Participant": r.values.get("participant_code"),
                "Category": label(str(r.values.get("category") or "")),
                "What": r.values.get("description"),
                "Changes": ", ".join(field_label(name) for name in sorted(r.changes)) or r.note,
            }
            for r in preview.rows
        ]
    )
    st.dataframe(
        page_of_rows(marked, key="import_preview"),
        hide_index=True,
        placeholder="—",
        key="import_preview",
    )
if preview.problems or not (counts["new"] or counts["changed"] or counts["conflict"]):
    if not preview.problems:
        st.info("Everything in this file is recorded already: there is nothing to import.")
    st.stop()

resolutions: dict[int, str] = {}
if preview.conflicts:
    st.subheader(f"{len(preview.conflicts)} row(s) in conflict")
    st.warning(
        "Someone changed these pledges after the version your file starts from. Nothing in "
        "these rows is written unless you choose, row by row."
    )
    for row in preview.conflicts:
        with st.container(border=True):
            st.markdown(f"**Row {row.line}**: pledge {row.pledge_id}, from version {row.version}")
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            "field": field_label(name),
                            "your file": shown(value, name, row.values),
                            "recorded now": shown(row.current.get(name), name, row.current),
                        }
                        for name, value in row.changes.items()
                    ]
                ),
                hide_index=True,
                placeholder="—",
            )
            st.caption(
                "Changed since by: "
                + "; ".join(
                    f"{s['by']} on {s['recorded_at']:%d %b %Y %H:%M} UTC (version "
                    f"{s['version']}: {s['reason']})"
                    for s in row.since
                )
            )
            choice = st.radio(
                "What should happen to this row?",
                list(CHOICES),
                format_func=CHOICES.get,
                index=None,
                key=f"import_conflict_{row.line}",
            )
            if choice:
                resolutions[row.line] = choice

reason = st.text_input("Reason (where this file comes from) *", key="import_reason")
applied = sum(choice == APPLY for choice in resolutions.values())
if st.button(
    f"Import {counts['new']} new and {counts['changed'] + applied} changed pledges",
    type="primary",
    key="import_commit",
):
    bar = st.progress(0.0, text="Importing…")

    def imported(summary: dict) -> str:
        return (
            f"Imported batch {summary['batch_id']}: {summary['new']} new, "
            f"{summary['changed'] + summary['conflicts_applied']} changed, "
            f"{summary['unchanged']} unchanged"
            + (
                f", {summary['conflicts_dropped']} conflicting row(s) dropped."
                if summary["conflicts_dropped"]
                else "."
            )
        )

    def report(done: int, total: int) -> None:
        bar.progress(done / total, text=f"Importing {done}/{total}")

    data = upload.getvalue()
    save(
        lambda session: commit_import(
            session,
            actor=viewer.actor,
            data=data,
            reason=reason,
            resolutions=resolutions,
            preview=preview,
            progress=report,
        ),
        saved=imported,
        forget=("import_file", PREVIEW),
        problems=lambda problems: st.error(
            "Nothing was imported: " + "; ".join(str(p) for p in problems)
        ),
        conflict=lambda conflict: st.error(
            f"Nothing was imported: {conflict}. Upload the file again to re-check it."
        ),
    )
