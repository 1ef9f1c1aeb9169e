"""Bulk import: previews name every problem; commits are all-or-nothing and idempotent."""

from __future__ import annotations

import csv
import getpass
import io
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func
from sqlmodel import select

from coalition.access.auth import Actor
from coalition.bootstrap import initialise_database
from coalition.errors import ValidationFailed
from coalition.output.snapshots import build_snapshot
from coalition.read.columns import SNAPSHOT_COLUMNS
from coalition.read.filters import PledgeFilter
from coalition.write.import_file import template_csv
from coalition.write.importer import commit_import, preview_import
from core.settings import PROJECT_ROOT
from core.vocabulary import SCOPES
from db.engine import create_db_engine, read_session, write_session
from db.models import AuditEvent, Pledge, PledgeRevision
from tests.support.accounts import add_accounts
from tests.support.app import start_app
from tests.support.data import FIXTURE_DATA, cli_env, run_cli
from tests.support.imports import ROW, new_rows, seed_without_pledges

EDITOR = Actor("a@example.org")
# Columns that describe where a row lives rather than what it says.
# Recorded by the database that writes the row: an import is a new revision, and the person
# importing vouches for the row that day (a new check).
BOOKKEEPING = ("pledge_id", "version", "recorded_at", "recorded_by", "checked_on")


def export_all(engine) -> bytes:
    with read_session(engine) as session:
        return build_snapshot(
            session, filters=PledgeFilter(statuses=(), scopes=SCOPES), known_at=datetime.now(UTC)
        ).csv


def counts(engine) -> tuple[int, int]:
    with read_session(engine) as session:
        return tuple(
            session.exec(select(func.count()).select_from(t)).one()
            for t in (Pledge, PledgeRevision)
        )


def preview(engine, data: bytes):
    with read_session(engine) as session:
        return preview_import(session, data)


def run_import(engine, data: bytes, reason: str = "Quarterly update from the embassies"):
    with write_session(engine) as session:
        return commit_import(session, actor=EDITOR, data=data, reason=reason)


@pytest.fixture
def empty_record(tmp_path, database_url):
    """A database with the participants and rates but no pledges."""
    engine = create_db_engine(database_url)
    initialise_database(engine, seed_without_pledges(tmp_path))
    add_accounts(engine)
    yield engine
    engine.dispose()


def test_our_own_export_rebuilds_the_record_in_an_empty_database(engine, tmp_path):
    exported = export_all(engine)
    target = create_db_engine(f"sqlite:///{tmp_path / 'target.db'}")
    initialise_database(target, seed_without_pledges(tmp_path))
    add_accounts(target)
    # Pledge numbers belong to the source database: imported, they are new pledges here.
    frame = pd.read_csv(io.BytesIO(exported), dtype=str, keep_default_na=False)
    frame["pledge_id"] = ""
    summary = run_import(target, frame.to_csv(index=False).encode())
    assert summary["new"] == 9 and summary["changed"] == 0  # every fixture pledge
    rebuilt = pd.read_csv(io.BytesIO(export_all(target)), dtype=str, keep_default_na=False)
    original = pd.read_csv(io.BytesIO(exported), dtype=str, keep_default_na=False)
    columns = [c for c in SNAPSHOT_COLUMNS if c not in BOOKKEEPING]
    key = ["participant_code", "category", "description"]
    assert (
        rebuilt[columns]
        .sort_values(key, ignore_index=True)
        .equals(original[columns].sort_values(key, ignore_index=True))
    )
    target.dispose()


def test_importing_the_same_file_again_changes_nothing(engine):
    data = new_rows(ROW)
    first = run_import(engine, data)
    assert (first["new"], first["unchanged"]) == (1, 0)
    before = counts(engine)
    again = preview(engine, data)
    assert [r.status for r in again.rows] == ["unchanged"]
    assert again.rows[0].note.startswith("already recorded as pledge")
    assert run_import(engine, data)["new"] == 0
    assert counts(engine) == before
    # Our export of everything, imported back, is all unchanged too.
    assert {r.status for r in preview(engine, export_all(engine)).rows} == {"unchanged"}


def test_changed_rows_update_their_pledge_with_one_batch_id(engine):
    exported = pd.read_csv(io.BytesIO(export_all(engine)), dtype=str, keep_default_na=False)
    nz = exported["participant_code"].eq("NZL") & exported["category"].eq("troops")
    exported.loc[nz, "quantity"] = "120"
    data = pd.concat([exported, pd.read_csv(io.BytesIO(new_rows(ROW)), dtype=str)])
    data = data.fillna("").to_csv(index=False).encode()
    checked = preview(engine, data)
    assert (checked.count("new"), checked.count("changed"), checked.count("error")) == (1, 1, 0)
    summary = run_import(engine, data)
    with read_session(engine) as session:
        batch = session.exec(
            select(PledgeRevision).where(PledgeRevision.batch_id == summary["batch_id"])
        ).all()
        entry = session.exec(select(AuditEvent).where(AuditEvent.action == "import.commit")).one()
    assert sorted(r.action for r in batch) == ["create", "update"]
    assert entry.details["batch_id"] == summary["batch_id"] and entry.details["new"] == 1


def test_one_bad_row_stops_everything_and_is_named(engine):
    data = new_rows(
        ROW, ROW | {"description": "Second", "quantity": "-3"}, ROW | {"description": "Third"}
    )
    before = counts(engine)
    with pytest.raises(ValidationFailed) as caught:
        run_import(engine, data)
    assert [str(p) for p in caught.value.problems] == [
        "upload, row 3, column 'quantity': cannot be negative"
    ]
    assert counts(engine) == before


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"participant_code": "XYZ"}, "row 2, column 'participant_code': 'XYZ' is not a "),
        ({"category": "tanks"}, "row 2, column 'category': 'tanks' is not one of"),
        ({"status": "maybe"}, "row 2, column 'status': 'maybe' is not one of"),
        ({"category": "funding", "currency": "XXX"}, "row 2, column 'currency': 'XXX' has no"),
        ({"quantity": "ten"}, "row 2, column 'quantity': 'ten' is not a number"),
        ({"announced_on": "31/02/2026"}, "row 2, column 'announced_on': '31/02/2026' is not a"),
        ({"source_title": ""}, "row 2, column 'source_title': is required"),
    ],
)
def test_each_kind_of_bad_cell_is_named(engine, change, expected):
    problems = [str(p) for p in preview(engine, new_rows(ROW | change)).problems]
    assert any(p.startswith("upload, " + expected) for p in problems), problems


def test_duplicates_encodings_and_delimiters_are_named(engine):
    duplicate = [str(p) for p in preview(engine, new_rows(ROW, ROW)).problems]
    assert duplicate == ["upload, row 3, column 'row': duplicates row 2"]
    latin1 = new_rows(ROW | {"description": "Déminage"}).decode().encode("latin-1")
    assert [str(p) for p in preview(engine, latin1).problems] == [
        "upload, row 2, column 'file': is not UTF-8 text (it looks like Latin-1 or "
        "Windows-1252): save it as 'CSV UTF-8'"
    ]
    semicolons = new_rows(ROW).decode().replace(",", ";").encode()
    assert "separates columns with semicolons" in str(preview(engine, semicolons).problems[0])
    with_bom = b"\xef\xbb\xbf" + new_rows(ROW)
    assert [r.status for r in preview(engine, with_bom).rows] == ["new"]
    header_only = template_csv().splitlines()[0]
    assert preview(engine, header_only).problems[0].message == "has no rows below its header"


def test_a_windows_file_with_a_line_break_in_a_cell_reads_as_a_form_would_store_it(engine):
    """Carriage returns are refused in text; a Windows line ending, in a cell too, is the
    line break a form stores."""
    data = new_rows(ROW | {"description": "Logistics company\nwith its trucks"})
    windows = b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n")
    (row,) = preview(engine, windows).rows
    assert (row.status, row.problems) == ("new", [])
    assert row.values["description"] == "Logistics company\nwith its trucks"


def test_text_our_export_guarded_against_formulas_comes_back_as_typed(engine):
    data = new_rows(ROW | {"description": "'=1+2 battalions"})
    (row,) = preview(engine, data).rows
    assert row.values["description"] == "=1+2 battalions"


def test_ten_thousand_rows_import_in_one_go(empty_record, tmp_path):
    rows = [ROW | {"description": f"Unit {n}", "quantity": str(n % 500)} for n in range(10_000)]
    summary = run_import(empty_record, new_rows(*rows))
    assert summary["new"] == 10_000
    assert counts(empty_record) == (10_000, 10_000)


def test_a_killed_import_leaves_no_part_of_its_batch(tmp_path):
    database = tmp_path / "kill.db"
    url = f"sqlite:///{database}"
    engine = create_db_engine(url)
    initialise_database(engine, FIXTURE_DATA)
    before = counts(engine)
    engine.dispose()
    big = tmp_path / "big.csv"
    rows = [ROW | {"description": f"Unit {n}"} for n in range(10_000)]
    big.write_bytes(new_rows(*rows))
    process = subprocess.Popen(
        [sys.executable, "-m", "coalition", "import", str(big), "--reason", "kill test"],
        cwd=PROJECT_ROOT,
        env=cli_env(url),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 120
    for line in process.stdout:  # wait until it is writing, well inside the batch
        if line.startswith("importing 1000/") or time.monotonic() > deadline:
            break
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    engine = create_db_engine(url)
    assert counts(engine) == before
    engine.dispose()
    assert sqlite3.connect(database).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_the_import_command_checks_before_it_writes(engine, database_url, tmp_path):
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_bytes(new_rows(ROW))
    bad.write_bytes(new_rows(ROW | {"quantity": "-1"}))

    def cli(*args):
        return run_cli(database_url, "import", *args)

    before = counts(engine)
    dry = cli(str(good), "--dry-run")
    assert dry.returncode == 0 and "Dry run: 1 new" in dry.stdout
    refused = cli(str(bad), "--reason", "x")
    assert refused.returncode == 2 and "row 2, column 'quantity'" in refused.stderr
    assert counts(engine) == before
    done = cli(str(good), "--reason", "From the embassy")
    assert done.returncode == 0 and "1 new" in done.stdout
    assert counts(engine) == (before[0] + 1, before[1] + 1)


def test_rows_from_the_command_line_do_not_name_the_servers_login(engine, database_url, tmp_path):
    """Viewers read who recorded a row: the command line, never the server account it ran as."""
    login = "ops-login-4f7a"
    new = tmp_path / "new.csv"
    new.write_bytes(new_rows(ROW | {"description": "Bridging company"}))
    out = tmp_path / "snapshot.csv"
    for args in (
        ["import", str(new), "--reason", "From the embassy"],
        ["export", "--out", str(out)],
    ):
        done = run_cli(database_url, *args, env={"LOGNAME": login, "USER": login})
        assert done.returncode == 0, done.stderr
    seen = out.read_text(encoding="utf-8") + Path(f"{out}.manifest.json").read_text()
    for name in {login, getpass.getuser()}:
        assert name not in seen
    (row,) = [
        r for r in csv.DictReader(io.StringIO(out.read_text())) if "Bridging" in r["description"]
    ]
    assert row["recorded_by"] == "command line"


def test_backup_is_a_consistent_copy(engine, tmp_path, database_url):
    out = tmp_path / "backup.db"
    result = run_cli(database_url, "backup", str(out))
    if database_url.startswith("postgresql"):
        assert result.returncode == 2 and "pg_dump" in result.stderr
        return
    assert result.returncode == 0, result.stderr
    copy = sqlite3.connect(out)
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert copy.execute("SELECT count(*) FROM pledge").fetchone()[0] == counts(engine)[0]


def test_libreoffice_reads_guarded_cells_as_text_not_formulas(engine, tmp_path):
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is installed by the README's test command"
    hostile = ['=HYPERLINK("http://x","y")', "+1+1", "@SUM(A1)", "-1-1"]
    data = new_rows(
        *[ROW | {"description": h, "quantity": str(10 + i)} for i, h in enumerate(hostile)]
    )
    run_import(engine, data)
    exported = tmp_path / "export.csv"
    exported.write_bytes(export_all(engine))
    subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--infilter=CSV:44,34,76,1",
            "--convert-to",
            "fods",
            "--outdir",
            str(tmp_path),
            str(exported),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    sheet = (tmp_path / "export.fods").read_text(encoding="utf-8")
    assert "table:formula" not in sheet
    for text in hostile:
        escaped = text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
        assert f"'{escaped}" in sheet or f"&apos;{escaped}" in sheet
    assert 'office:value-type="float" office:value="10"' in sheet  # numbers stay numbers


def test_the_import_page_previews_then_commits(monkeypatch, sqlite_url):
    at = start_app(monkeypatch, sqlite_url, email="editor@example.org").run()
    at.switch_page("../pages/import_pledges.py").run()
    bad = new_rows(ROW, ROW | {"description": "Other", "confidence": "sure"})
    at.file_uploader(key="import_file").set_value(("bad.csv", bad, "text/csv")).run()
    assert "1 problem(s)" in at.error[0].value
    problems = at.dataframe[0].value
    assert problems.iloc[0].tolist()[:2] == [3, "confidence"]
    # Nothing to commit while any row is wrong.
    assert "import_commit" not in [b.key for b in at.button]
    good = new_rows(ROW)
    at.file_uploader(key="import_file").set_value(("good.csv", good, "text/csv")).run()
    # Found by hand: the preview showed raw codes and "None" for what a new row lacks.
    preview = next(d for d in at.dataframe if "In the file" in d.value.columns)
    assert list(preview.value.columns) == [
        "Row",
        "In the file",
        "Pledge",
        "Participant",
        "Category",
        "What",
        "Changes",
    ]
    assert preview.value.iloc[0]["In the file"] == "New"
    assert preview.value.iloc[0]["Category"] == "Troops"
    assert preview.proto.placeholder == "—"  # a new row's missing pledge number
    at.text_input(key="import_reason").input("From the embassy").run()
    at.button(key="import_commit").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("Imported batch")
