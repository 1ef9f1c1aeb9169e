"""Import pledges (editors): upload a CSV, check every row, then write all of it or nothing."""

import pandas as pd
import streamlit as st

from coalition.auth import PermissionDenied
from coalition.errors import ValidationFailed, VersionConflict
from coalition.importer import commit_import, preview_import, template_csv
from db.engine import read_session, write_session
from ui.resources import get_engine
from ui.shell import require_entry, require_role
from ui.tables import page_of_rows

require_entry()
viewer = require_role("editor")

st.title("Import pledges")
st.caption(
    "Use the template, or a snapshot downloaded from this app: rows with a pledge_id change "
    "that pledge, rows without one are new. Nothing is written until every row is correct, "
    "and then all of it is written at once."
)
st.download_button(
    "Download the template (CSV)",
    data=template_csv(),
    file_name="pledges-template.csv",
    mime="text/csv",
    key="import_template",
)
if notice := st.session_state.pop("import_notice", None):
    st.success(notice)

upload = st.file_uploader("CSV file (UTF-8, comma-separated)", type=["csv"], key="import_file")
if upload is None:
    st.stop()
data = upload.getvalue()
with read_session(get_engine()) as session:
    preview = preview_import(session, data)

counts = {status: preview.count(status) for status in ("new", "changed", "unchanged", "error")}
st.markdown(" · ".join(f"**{n}** {status}" for status, n in counts.items()))
if preview.problems:
    st.error(f"{len(preview.problems)} problem(s): fix them in the file and upload it again.")
    st.dataframe(
        pd.DataFrame(
            [{"row": p.row, "column": p.field, "problem": p.message} for p in preview.problems]
        ),
        hide_index=True,
        key="import_problems",
    )
if preview.rows:
    marked = pd.DataFrame(
        [
            {
                "row": r.line,
                "status": r.status,
                "pledge": r.pledge_id,
                "participant": r.values.get("participant_code"),
                "category": r.values.get("category"),
                "description": r.values.get("description"),
                "changes": ", ".join(sorted(r.changes)) or r.note,
            }
            for r in preview.rows
        ]
    )
    st.dataframe(page_of_rows(marked, key="import_preview"), hide_index=True, key="import_preview")
if preview.problems or not (counts["new"] or counts["changed"]):
    if not preview.problems:
        st.info("Everything in this file is recorded already: there is nothing to import.")
    st.stop()

reason = st.text_input("Reason (where this file comes from) *", key="import_reason")
if st.button(
    f"Import {counts['new']} new and {counts['changed']} changed pledges",
    type="primary",
    key="import_commit",
):
    bar = st.progress(0.0, text="Importing…")
    try:
        with write_session(get_engine()) as session:
            summary = commit_import(
                session,
                actor=viewer.actor,
                data=data,
                reason=reason,
                progress=lambda done, total: bar.progress(
                    done / total, text=f"Importing {done}/{total}"
                ),
            )
    except ValidationFailed as failure:
        st.error("Nothing was imported: " + "; ".join(str(p) for p in failure.problems))
    except VersionConflict as conflict:
        st.error(f"Nothing was imported: {conflict}. Upload the file again to re-check it.")
    except PermissionDenied as refusal:
        st.error(str(refusal))
    else:
        st.session_state["import_notice"] = (
            f"Imported batch {summary['batch_id']}: {summary['new']} new, "
            f"{summary['changed']} changed, {summary['unchanged']} unchanged."
        )
        del st.session_state["import_file"]
        st.rerun()
