"""The staff's findings on the import file: the template was a header row only (no example, no
allowed codes); the app's own words ('Ships', 'Announced', 'In kind', 'Belgium') were refused;
'participant_code is longer than 4 characters' never hinted at 'BEL'. Each reproduced here."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func
from sqlmodel import select

from coalition.access.auth import Actor
from coalition.bootstrap import initialise_database
from coalition.errors import ValidationFailed
from coalition.write.allowed_values import allowed_values_csv
from coalition.write.import_file import IMPORT_COLUMNS, template_csv
from coalition.write.importer import commit_import, preview_import
from coalition.write.validation import VOCABULARY_FIELDS
from core.vocabulary import QUANTITY_QUALIFIERS
from db.engine import create_db_engine, read_session, write_session
from db.models import Pledge
from tests.support.accounts import add_accounts
from tests.support.app import start_app
from tests.support.imports import ROW, new_rows, seed_with_more_participants

EDITOR = Actor("a@example.org")


def preview(engine, data: bytes):
    with read_session(engine) as session:
        return preview_import(session, data)


def pledge_count(engine) -> int:
    with read_session(engine) as session:
        return session.exec(select(func.count()).select_from(Pledge)).one()


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def full_row(cells: dict) -> bytes:
    """A file of the template's columns holding one row."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(IMPORT_COLUMNS), restval="")
    writer.writeheader()
    writer.writerow(cells)
    return out.getvalue().encode("utf-8")


@pytest.fixture
def more_participants(tmp_path, database_url, monkeypatch):
    """The fixture record with Belgium and Türkiye (also called Turkey) among its participants,
    the other names read from the same seed folder, as the app reads them."""
    data_dir = seed_with_more_participants(tmp_path)
    monkeypatch.setenv("COALITION_DATA_DIR", str(data_dir))
    engine = create_db_engine(database_url)
    initialise_database(engine, data_dir)
    add_accounts(engine)
    yield engine
    engine.dispose()


def test_the_template_holds_one_example_row_that_cannot_be_imported_by_mistake(engine):
    (example,) = csv_rows(template_csv())
    assert list(example) == list(IMPORT_COLUMNS)
    assert example["description"].startswith("EXAMPLE")
    # Left in the file, it is named and refused: never a made-up pledge recorded.
    before = pledge_count(engine)
    checked = preview(engine, template_csv())
    assert [str(p) for p in checked.problems] == [
        "upload, row 2, column 'description': is the template's example row: delete it and "
        "write your pledges on rows of their own"
    ]
    with pytest.raises(ValidationFailed), write_session(engine) as session:
        commit_import(session, actor=EDITOR, data=template_csv(), reason="Template")
    assert pledge_count(engine) == before
    # Its values are ones the importer takes: with its text rewritten, it is a new pledge.
    own = example | {"description": "Engineer company", "source_title": "MoD press release"}
    (row,) = preview(engine, full_row(own)).rows
    assert (row.status, row.problems) == ("new", [])
    # A row that kept the mark in one cell only is still the example.
    kept = own | {"source_title": example["source_title"]}
    (problem,) = preview(engine, full_row(kept)).problems
    assert (problem.row, problem.field) == (2, "source_title")


def test_the_apps_own_words_import_as_their_codes(more_participants):
    """Case, accents and surrounding spaces aside, as search compares them."""
    rows = [
        ROW
        | {
            "participant_code": " Belgium ",
            "category": "Ships",
            "status": "Announced",
            "description": "Minehunter",
            "quantity": "1",
            "confidence": "HIGH",
        },
        ROW | {"participant_code": "turkiye", "category": "troops", "status": "ruled out"},
        ROW | {"participant_code": "Turkey", "description": "Frigate", "category": "SHIPS"},
        ROW
        | {"participant_code": "bel", "description": "Funds", "category": "Funding"}
        | {"quantity": "5000000", "currency": "eur"},
    ]
    data = new_rows(*rows)
    checked = preview(more_participants, data)
    assert checked.problems == []
    fields = [row.checked.fields for row in checked.rows]
    assert [(f.participant_code, f.category, f.status, f.confidence) for f in fields] == [
        ("BEL", "ships", "announced", "high"),
        ("TUR", "troops", "ruled_out", "high"),
        ("TUR", "ships", "announced", "high"),
        ("BEL", "funding", "announced", "high"),
    ]
    assert fields[3].currency == "EUR"
    # The labels of the columns the helper's file leaves out, in a file of their own.
    labelled = io.StringIO()
    writer = csv.DictWriter(
        labelled,
        fieldnames=[*rows[0], "quantity_qualifier", "instrument", "scope", "announced_precision"],
    )
    writer.writeheader()
    writer.writerow(
        rows[0]
        | {
            "quantity_qualifier": "Up to",
            "instrument": "In kind",
            "scope": "reassurance force",
            "announced_precision": "To the month",
        }
    )
    (row,) = preview(more_participants, labelled.getvalue().encode()).rows
    assert row.problems == []
    assert row.values["instrument"] == "in_kind"  # the preview shows the codes stored
    typed = row.checked.fields
    assert (typed.quantity_qualifier, typed.instrument, typed.scope) == (
        "up_to",
        "in_kind",
        "reassurance_force",
    )
    assert typed.announced_precision == "month"
    with write_session(more_participants) as session:
        summary = commit_import(session, actor=EDITOR, data=data, reason="Embassy list")
    assert summary["new"] == 4
    with read_session(more_participants) as session:
        stored = session.exec(select(Pledge).where(Pledge.description == "Minehunter")).one()
    assert (stored.participant_code, stored.category, stored.status) == (
        "BEL",
        "ships",
        "announced",
    )


def test_a_refused_value_names_the_nearest_allowed_one(more_participants):
    rows = [
        ROW | {"participant_code": "Belgum"},
        ROW | {"participant_code": "XYZ", "description": "Second"},
        ROW | {"category": "shipz", "description": "Third"},
        ROW | {"status": "anounced", "description": "Fourth"},
        ROW | {"confidence": "hihg", "description": "Fifth"},
        ROW | {"category": "funding", "currency": "GPB", "description": "Sixth"},
        ROW | {"category": "tanks", "description": "Seventh"},
    ]
    before = pledge_count(more_participants)
    problems = [str(p) for p in preview(more_participants, new_rows(*rows)).problems]
    assert problems == [
        "upload, row 2, column 'participant_code': 'Belgum' is not a participant code; did you "
        "mean BEL (Belgium)?",
        "upload, row 3, column 'participant_code': 'XYZ' is not a participant code or name "
        "(the allowed values file lists them all)",
        "upload, row 4, column 'category': 'shipz' is not one of: funding, troops, aircraft, "
        "ships, other; did you mean ships?",
        "upload, row 5, column 'status': 'anounced' is not one of: considering, announced, "
        "committed, deployed, delivered, withdrawn, ruled_out; did you mean announced?",
        "upload, row 6, column 'confidence': 'hihg' is not one of: high, medium, low; did you "
        "mean high?",
        "upload, row 7, column 'currency': 'GPB' has no exchange rate to EUR (known: EUR, GBP, "
        "NZD, USD); did you mean GBP?",
        "upload, row 8, column 'category': 'tanks' is not one of: funding, troops, aircraft, "
        "ships, other",
    ]
    with pytest.raises(ValidationFailed), write_session(more_participants) as session:
        commit_import(session, actor=EDITOR, data=new_rows(*rows), reason="Embassy list")
    assert pledge_count(more_participants) == before


def test_the_allowed_values_file_lists_every_code_with_its_label(more_participants):
    with read_session(more_participants) as session:
        data = allowed_values_csv(session)
    rows = csv_rows(data)
    assert list(rows[0]) == ["column", "value", "label", "also_accepted"]
    listed = {(r["column"], r["value"]): (r["label"], r["also_accepted"]) for r in rows}
    # Participants as recorded, with the other names the importer takes for them.
    assert listed[("participant_code", "BEL")] == ("Belgium", "")
    assert listed[("participant_code", "TUR")] == ("Türkiye", "Turkey")
    assert listed[("participant_code", "GBR")] == ("United Kingdom", "UK; Britain; British")
    assert listed[("category", "ships")] == ("Ships", "")
    assert listed[("status", "ruled_out")] == ("Ruled out", "")
    assert listed[("instrument", "in_kind")] == ("In kind", "")
    assert listed[("currency", "EUR")] == ("EUR", "")
    for column, codes in {**VOCABULARY_FIELDS, "quantity_qualifier": QUANTITY_QUALIFIERS}.items():
        assert [r["value"] for r in rows if r["column"] == column] == list(codes), column
    assert [r["value"] for r in rows if r["column"] == "currency"] == ["EUR", "GBP", "NZD", "USD"]
    # Every value and label in the file, imported as it is written there, is taken.
    funding = ROW | {"category": "funding", "quantity": "1000", "currency": "EUR"}
    for row in rows:
        for word in (row["value"], row["label"]):
            # A currency, and the funding category, take a funding row; the rest a troop one.
            takes_funding = row["column"] == "currency" or row["value"] == "funding"
            base = funding if takes_funding else ROW
            (imported,) = preview(more_participants, full_row(base | {row["column"]: word})).rows
            assert imported.problems == [], (word, imported.problems)
            assert imported.values[row["column"]] == row["value"]


def test_the_import_page_offers_the_template_and_the_allowed_values(monkeypatch, sqlite_url):
    at = start_app(monkeypatch, sqlite_url, email="editor@example.org").run()
    at.switch_page("../pages/import_pledges.py").run()
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Download the template (CSV)", "Download the allowed values (CSV)"]
    assert any("example row" in c.value and "allowed values" in c.value for c in at.caption)
