"""Broken seed files are refused with file, row and column named, and nothing is written."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import inspect

from coalition.bootstrap import initialise_database
from coalition.seed.files import SeedError
from coalition.seed.load import load_seed
from db.engine import create_db_engine
from tests.support.data import run_cli


def set_cell(path: Path, row_number: int, column: str, value: str) -> None:
    """Change one cell; row_number counts lines as an editor shows them (header = 1)."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
        header = list(rows[0].keys())
    rows[row_number - 2][column] = value
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def problems_of(data_dir: Path) -> list[str]:
    with pytest.raises(SeedError) as caught:
        load_seed(data_dir)
    return [str(p) for p in caught.value.problems]


def test_bad_date_is_named_with_file_row_and_column(seed_copy):
    set_cell(seed_copy / "pledges.csv", 3, "announced_on", "2025-13-45")
    assert problems_of(seed_copy) == [
        "pledges.csv, row 3, column 'announced_on': '2025-13-45' is not a valid date "
        "(expected YYYY-MM-DD)"
    ]


def test_unknown_participant_code_is_named(seed_copy):
    set_cell(seed_copy / "pledges.csv", 5, "participant_code", "XYZ")
    (problem,) = problems_of(seed_copy)
    assert problem.startswith("pledges.csv, row 5, column 'participant_code': 'XYZ' is not one of")


def test_negative_quantity_is_named(seed_copy):
    set_cell(seed_copy / "pledges.csv", 2, "quantity", "-5")
    assert problems_of(seed_copy) == ["pledges.csv, row 2, column 'quantity': cannot be negative"]


def test_all_problems_are_reported_together(seed_copy):
    set_cell(seed_copy / "pledges.csv", 2, "quantity", "-5")
    set_cell(seed_copy / "pledges.csv", 4, "status", "promised")
    set_cell(seed_copy / "participants.csv", 7, "centroid_lat", "north")
    set_cell(seed_copy / "events.csv", 2, "format", "telepathy")
    problems = problems_of(seed_copy)
    assert len(problems) == 4
    assert "participants.csv, row 7, column 'centroid_lat': 'north' is not a number" in problems
    assert any(p.startswith("pledges.csv, row 4, column 'status': 'promised'") for p in problems)
    assert any(p.startswith("events.csv, row 2, column 'format': 'telepathy'") for p in problems)


def test_duplicate_participant_code_is_refused(seed_copy):
    set_cell(seed_copy / "participants.csv", 3, "code", "GBR")
    problems = problems_of(seed_copy)
    assert "participants.csv, row 3, column 'code': duplicates row 2" in problems


def test_missing_column_and_wrong_encoding_are_named(seed_copy):
    targets = seed_copy / "targets.csv"
    targets.write_text(targets.read_text().replace("stated_on", "date", 1))
    events = seed_copy / "events.csv"
    events.write_bytes(events.read_bytes() + "2026-02-01,Réunion,Paris".encode("latin-1"))
    problems = problems_of(seed_copy)
    assert "targets.csv, row 1, column 'stated_on': column is missing from the header" in problems
    assert "targets.csv, row 1, column 'date': is not a known column" in problems
    assert "events.csv, row 5, column 'file': is not UTF-8 text (save it as UTF-8)" in problems


def test_broken_seed_leaves_the_database_untouched(seed_copy, database_url):
    set_cell(seed_copy / "pledges.csv", 2, "quantity", "-5")
    engine = create_db_engine(database_url)
    with pytest.raises(SeedError):
        initialise_database(engine, seed_copy)
    assert inspect(engine).get_table_names() == []
    engine.dispose()


def test_init_command_names_the_problem_and_exits_non_zero(seed_copy, tmp_path):
    set_cell(seed_copy / "pledges.csv", 3, "announced_on", "yesterday")
    database = tmp_path / "cli.db"
    result = run_cli(f"sqlite:///{database}", "init", "--data-dir", str(seed_copy))
    assert result.returncode == 2
    assert "pledges.csv, row 3, column 'announced_on': 'yesterday' is not a valid date" in (
        result.stderr
    )
    assert "nothing was written" in result.stderr
    assert not database.exists()


def test_attendance_matches_meetings_by_date_not_by_spelling(seed_copy, sqlite_url):
    """A date written with a time in both files still pairs up, and seeds."""
    for name in ("events.csv", "attendance.csv"):
        path = seed_copy / name
        path.write_text(path.read_text().replace("2025-03-11,", "2025-03-11T00:00:00,"))
    bundle = load_seed(seed_copy)
    assert any(row["held_on"].isoformat() == "2025-03-11" for row in bundle.attendance)
    engine = create_db_engine(sqlite_url)
    initialise_database(engine, seed_copy)
    engine.dispose()


def test_attendance_at_an_unknown_meeting_is_named(seed_copy):
    set_cell(seed_copy / "attendance.csv", 2, "held_on", "2025-03-03")
    set_cell(seed_copy / "attendance.csv", 3, "held_on", "soon")
    assert problems_of(seed_copy) == [
        "attendance.csv, row 2, column 'held_on': no meeting in events.csv on 2025-03-03",
        "attendance.csv, row 3, column 'held_on': 'soon' is not a valid date (expected YYYY-MM-DD)",
    ]
