"""Citable snapshots: byte-exact, reproducible from their manifest, safe in spreadsheets."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import UTC, date, datetime

import pandas as pd
import pytest
from sqlmodel import select

from coalition.access.auth import Actor
from coalition.errors import ValidationFailed
from coalition.output.snapshots import build_snapshot, pin_known_at
from coalition.read import queries
from coalition.read.filters import PledgeFilter
from coalition.text.safe_csv import neutralise, print_cells, to_csv
from coalition.write.pledges import update_pledge
from db.engine import create_db_engine, read_session, write_session
from db.models import AuditEvent, Pledge
from tests.support.accounts import VIEWER
from tests.support.app import start_app
from tests.support.data import run_cli
from tests.support.pledges import add_described, pin_seed_times
from ui.widgets.tables import print_data

PINNED = datetime(2026, 1, 1, tzinfo=UTC)
# The fixture's funding and ships as of 4 Sep 2025 (New Zealand's bilateral aid is hidden by
# default): a guarantee converted at a daily rate, a grant in euros, and a ship count.
EXPECTED_FUNDING_AND_SHIPS_4_SEPT_2025 = (
    "pledge_id,version,participant_code,participant,category,status,description,quantity,"
    "quantity_qualifier,currency,amount_eur,eur_rate_date,capability_type,conditions,"
    "announced_on,announced_precision,start_on,end_on,source_title,source_url,confidence,notes,"
    "recorded_at,recorded_by,instrument,scope,source_published_on,eur_rate,eur_rate_kind,"
    "counts_as_offer,checked_on\r\n"
    "1,1,GBR,United Kingdom,funding,committed,Fixture export-financed missiles,1600000000,"
    "up_to,GBP,2000000000.00,2025-02-28,air-defence missiles,,2025-03-02,day,,,"
    "Fixture source A,https://example.org/fixture/a,high,A fixture loan guarantee.,"
    "2025-12-31T00:00:00Z,seed,guarantee,coalition_support,2025-03-02,0.8,daily,yes,2025-12-01\r\n"
    "4,1,FRA,France,funding,announced,Fixture grant of two billion euros,2000000000,exact,EUR,"
    "2000000000.00,,,,2025-03-26,day,,,Fixture source C,https://example.org/fixture/c,high,,"
    "2025-12-31T00:00:00Z,seed,grant,coalition_support,2025-03-27,1,,yes,2025-12-01\r\n"
    "6,1,FRA,France,ships,announced,Fixture minehunters,2,exact,,,,minehunter,,2025-09-04,day,,,"
    "Fixture source E,https://example.org/fixture/e,medium,,2025-12-31T00:00:00Z,seed,in_kind,"
    "reassurance_force,2025-09-05,,,yes,2025-12-01\r\n"
)


def snapshot(engine, filters, known_at=PINNED, **options):
    with read_session(engine) as session:
        return build_snapshot(session, filters=filters, known_at=known_at, **options)


def test_a_snapshot_is_byte_exact(engine):
    pin_seed_times(engine)
    chosen = PledgeFilter(categories=("funding", "ships"), statuses=(), as_of=date(2025, 9, 4))
    taken = snapshot(engine, chosen)
    assert taken.csv.decode("utf-8") == EXPECTED_FUNDING_AND_SHIPS_4_SEPT_2025
    assert taken.manifest["rows"] == 3
    assert taken.manifest["sha256"] == hashlib.sha256(taken.csv).hexdigest()
    assert taken.manifest["known_at"] == "2026-01-01T00:00:00.000000Z"
    assert taken.manifest["filters"]["categories"] == ["funding", "ships"]


def test_the_same_pins_give_the_same_file_after_later_edits(engine):
    everything = PledgeFilter(statuses=())
    before = snapshot(engine, everything, known_at=datetime.now(UTC))
    with read_session(engine) as session:
        nz = session.exec(
            select(Pledge).where(Pledge.participant_code == "NZL", Pledge.category == "troops")
        ).one()
    with write_session(engine) as session:
        update_pledge(
            session,
            actor=Actor("a@example.org"),
            pledge_id=nz.id,
            expected_version=1,
            changes={"quantity": 150},
            reason="More trainers",
        )
    again = snapshot(engine, everything, known_at=_parse(before.manifest["known_at"]))
    assert again.csv == before.csv
    after = snapshot(engine, everything, known_at=datetime.now(UTC))
    assert after.csv != before.csv
    frame = pd.read_csv(io.BytesIO(after.csv))
    assert frame.loc[frame["pledge_id"] == nz.id, "quantity"].item() == 150
    frame = pd.read_csv(io.BytesIO(before.csv))
    assert frame.loc[frame["pledge_id"] == nz.id, "quantity"].item() == 100


def _parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def test_formula_text_is_neutralised_and_numbers_stay_numbers(engine):
    # (A leading tab or carriage return never reaches the database: input is stripped.)
    hostile = ['=HYPERLINK("http://x","y")', "+1+1", "@SUM(A1)", "-2 troops", "=1+2"]
    add_described(engine, hostile, source_title="Test", confidence="low")
    taken = snapshot(engine, PledgeFilter(categories=("troops",), statuses=()), datetime.now(UTC))
    frame = pd.read_csv(io.BytesIO(taken.csv))
    mine = frame[frame["source_title"] == "Test"]
    assert sorted(mine["description"]) == sorted("'" + h for h in hostile)
    # Numbers stay numbers (blank sizes make the column float, never text).
    assert frame["quantity"].dtype.kind == "f" and sorted(mine["quantity"]) == [10, 11, 12, 13, 14]
    seeded = pd.read_csv(
        io.BytesIO(snapshot(engine, PledgeFilter(statuses=()), datetime.now(UTC)).csv)
    )
    assert seeded["amount_eur"].dtype.kind == "f" and seeded["quantity"].dtype.kind == "f"


def test_the_excel_option_adds_a_byte_order_mark(engine):
    plain = snapshot(engine, PledgeFilter())
    excel = snapshot(engine, PledgeFilter(), excel_bom=True)
    assert excel.csv == b"\xef\xbb\xbf" + plain.csv
    assert pd.read_csv(io.BytesIO(excel.csv), encoding="utf-8-sig").columns[0] == "pledge_id"


def test_the_export_command_writes_csv_manifest_and_a_log_entry(engine, database_url, tmp_path):
    out = tmp_path / "snapshot.csv"
    result = run_cli(
        database_url,
        "export",
        "--as-of",
        "2025-09-04",
        "--out",
        str(out),
        "--category",
        "ships",
        "--known-at",
        "2026-01-01T00:00:00Z",
    )
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "snapshot.csv.manifest.json").read_text())
    assert manifest["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert manifest["as_of"] == "2025-09-04" and manifest["rows"] == 0  # seed recorded later
    with read_session(engine) as session:
        logged = session.exec(
            select(AuditEvent).where(AuditEvent.action == "snapshot.export")
        ).one()
        assert logged.details["sha256"] == manifest["sha256"]


def test_every_formula_prefix_is_neutralised():
    for cell in ("=1", "+1", "-1", "@x", "\tx", "\rx"):
        assert neutralise(cell) == "'" + cell
    assert neutralise("Plain text") == "Plain text" and neutralise(12.5) == 12.5


def test_the_snapshots_page_offers_the_files_and_logs_a_download(monkeypatch, sqlite_url):
    at = start_app(monkeypatch, sqlite_url, email=VIEWER).run()
    at.switch_page("../pages/snapshots.py").run()
    assert not at.exception
    assert at.title[0].value == "Snapshots"
    assert len(at.get("download_button")) == 5  # CSV, workbook, manifest, two tables
    assert any("pledges** · as of today" in m.value for m in at.markdown)
    # Pinned by default at the record's last write: the current record, reproducible.
    engine = create_db_engine(sqlite_url)
    with read_session(engine) as session:
        last = queries.last_recorded(session).astimezone(UTC)
    engine.dispose()
    assert any(f"known at `{last:%Y-%m-%dT%H:%M:%S.%fZ}`" in m.value for m in at.markdown)
    at.text_input(key="known_at").input("not a time").run()
    assert "is not a date and time" in at.error[0].value
    # Past the calendar's end in UTC, and a time still to come: a message, not a traceback.
    for text, message in (
        ("9999-12-31T23:59:59-01:00", "is outside the times a record can be known at"),
        ("0001-01-01T00:00:00+01:00", "is outside the times a record can be known at"),
        ("2099-01-01T00:00:00Z", "is in the future"),
    ):
        at.text_input(key="known_at").input(text).run()
        assert not at.exception
        assert message in at.error[0].value, text


def test_a_pin_still_to_come_is_refused_so_a_cited_file_cannot_change(engine):
    """Pinned to a future time, a snapshot would take every edit until then under one pin."""
    with read_session(engine) as session:
        with pytest.raises(ValidationFailed) as refused:
            pin_known_at(session, "2099-01-01T00:00:00Z")
        assert "is in the future" in str(refused.value)
        assert pin_known_at(session, "2026-01-01T01:00:00+01:00") == PINNED


def test_the_export_command_refuses_a_time_past_the_calendar_plainly(
    database_url, engine, tmp_path
):
    result = run_cli(
        database_url,
        "export",
        "--out",
        str(tmp_path / "x.csv"),
        "--known-at",
        "9999-12-31T23:59:59-01:00",
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "is outside the times a record can be known at" in result.stderr
    assert not (tmp_path / "x.csv").exists()


def test_downloads_write_whole_numbers_and_euro_cents():
    frame = pd.DataFrame(
        {
            "Population": [2745972.0, None],
            "Year": [2023.0, 2024.0],
            "Funding (EUR)": [85011185.68232661, 1.0],
            "units_per_eur": [0.8333, 1.25],
        }
    )
    assert to_csv(frame).decode().splitlines() == [
        "Population,Year,Funding (EUR),units_per_eur",
        "2745972,2023,85011185.68,0.8333",
        ",2024,1.00,1.25",
    ]


def test_a_printed_table_holds_every_cell_as_text_and_lets_links_wrap():
    cells = json.loads(
        print_cells(
            pd.DataFrame(
                {
                    "What": ["<b>100</b> troops", None],
                    "Link": ["https://x.org/a/b", ""],
                    "Troops": [15000.0, float("nan")],
                }
            )
        )
    )
    assert cells == {
        "columns": ["What", "Link", "Troops"],
        # As text: the browser sets each cell's text, never its HTML.
        "rows": [
            ["<b>100</b> troops", "https:/\u200b/\u200bx.org/\u200ba/\u200bb", "15000"],
            ["—", "", "—"],
        ],
    }


def test_a_printed_table_is_made_once_per_content_and_follows_every_change():
    rows = pd.DataFrame({"Participant": ["France", "Poland"], "Size": ["€2bn", None]})
    first = print_data(rows)
    assert first == print_cells(rows)
    assert print_data(rows.copy()) is first  # the same content: the same HTML, not made again
    for changed in (
        rows.iloc[::-1],  # another order
        rows.assign(Size=["€2bn", "—"]),  # a blank filled
        rows.rename(columns={"Size": "Amount"}),
        rows.assign(Size=[["a list"], None]),  # a cell pandas cannot hash
    ):
        assert print_data(changed) == print_cells(changed)
