"""The rules only seed files must meet (check-seed): every row sourced, a dated rate for every
converted figure, no figure twice, hosts on their meetings' lists. Each rule fails on a copy of
the fixture data with the file, row and column named."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from coalition.seed.files import SeedError
from coalition.seed.load import load_seed
from core import clock
from tests.support.data import run_cli_process
from tests.support.seed_files import change, line_of, read, write


def problems_of(data_dir: Path) -> list[str]:
    with pytest.raises(SeedError) as caught:
        load_seed(data_dir)
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    "file_name", ["pledges.csv", "events.csv", "targets.csv", "participants.csv"]
)
def test_a_row_without_a_source_link_is_named(seed_copy, file_name):
    change(seed_copy / file_name, 3, source_url="")
    assert problems_of(seed_copy) == [
        f"{file_name}, row 3, column 'source_url': is required: every seed row links the "
        "public source it was checked against"
    ]


def test_an_attendance_row_without_a_source_link_is_named(seed_copy):
    change(seed_copy / "attendance.csv", 4, source_url="")
    assert problems_of(seed_copy) == [
        "attendance.csv, row 4, column 'source_url': is required: every seed row links the "
        "public source it was checked against"
    ]


def test_a_source_that_is_not_a_web_address_is_named(seed_copy):
    change(seed_copy / "pledges.csv", 2, source_url="ftp://example.org/file")
    assert problems_of(seed_copy) == [
        "pledges.csv, row 2, column 'source_url': 'ftp://example.org/file' is not a web address "
        "(expected http:// or https://)"
    ]


@pytest.mark.parametrize(
    ("column", "value", "allowed"),
    [
        ("instrument", "donation", "grant, loan, guarantee, in_kind, unspecified"),
        ("scope", "nato", "reassurance_force, coalition_support, bilateral"),
    ],
)
def test_an_unknown_instrument_or_scope_is_named(seed_copy, column, value, allowed):
    change(seed_copy / "pledges.csv", 4, **{column: value})
    assert problems_of(seed_copy) == [
        f"pledges.csv, row 4, column '{column}': '{value}' is not one of: {allowed}"
    ]


def test_funding_on_a_day_without_an_ecb_rate_is_named(seed_copy):
    path = seed_copy / "pledges.csv"
    line = line_of(path, seed_key="gbr-funding")
    # The fixture holds GBP rates for 28 Feb and 3 Mar 2025 only.
    change(path, line, announced_on="2025-03-20")
    assert problems_of(seed_copy) == [
        f"pledges.csv, row {line}, column 'currency': GBP has no dated rate: exchange_rates.csv "
        "needs an ECB daily rate on 2025-03-20 or the 4 days before"
    ]


def test_a_weekend_announcement_takes_the_last_business_day_before(seed_copy):
    path = seed_copy / "pledges.csv"
    # Sunday 2 Mar 2025: the rate of Friday 28 Feb is two days before.
    assert read(path)[line_of(path, seed_key="gbr-funding") - 2]["announced_on"] == "2025-03-02"
    assert len(load_seed(seed_copy).pledges) == 9


def test_a_month_dated_figure_needs_that_months_average(seed_copy):
    path = seed_copy / "pledges.csv"
    line = line_of(path, seed_key="gbr-funding")
    change(path, line, announced_on="2025-04-01", announced_precision="month")
    assert problems_of(seed_copy) == [
        f"pledges.csv, row {line}, column 'currency': GBP has no dated rate: exchange_rates.csv "
        "needs an ECB monthly average for 2025-04"
    ]


def test_the_same_amount_from_a_participant_on_one_day_twice_is_named(seed_copy):
    path = seed_copy / "pledges.csv"
    rows = read(path)
    twin = dict(rows[line_of(path, seed_key="gbr-funding") - 2])
    twin.update(seed_key="gbr-funding-again", description="The same deal, entered again")
    write(path, [*rows, twin])
    first = line_of(path, seed_key="gbr-funding")
    assert problems_of(seed_copy) == [
        f"pledges.csv, row {len(rows) + 2}, column 'quantity': the same amount from GBR on "
        f"2025-03-02 is already row {first}: a figure counted twice"
    ]


def test_an_attendance_list_without_the_host_is_named(seed_copy):
    path = seed_copy / "attendance.csv"
    write(
        path,
        [
            r
            for r in read(path)
            if not (r["held_on"] == "2025-03-11" and r["participant_code"] == "FRA")
        ],
    )
    line = line_of(seed_copy / "events.csv", held_on="2025-03-11")
    assert problems_of(seed_copy) == [
        f"events.csv, row {line}, column 'host_codes': the host FRA is missing from this "
        "meeting's attendance list in attendance.csv"
    ]


def test_a_first_report_after_a_recorded_meeting_is_named(seed_copy):
    path = seed_copy / "participants.csv"
    line = line_of(path, code="NZL")
    change(path, line, first_reported_on="2025-06-01")
    assert problems_of(seed_copy) == [
        f"participants.csv, row {line}, column 'first_reported_on': 2025-06-01 is after "
        "2025-03-11, when attendance.csv records it at a meeting"
    ]


def test_seed_keys_are_required_and_unique(seed_copy):
    path = seed_copy / "pledges.csv"
    change(path, 3, seed_key="")
    change(path, 5, seed_key="gbr-funding")
    assert problems_of(seed_copy) == [
        "pledges.csv, row 3, column 'seed_key': is required: a stable key that names this row "
        "across corrections",
        "pledges.csv, row 5, column 'seed_key': duplicates row 2",
    ]


def test_check_seed_command_fails_naming_file_row_and_column(seed_copy, tmp_path):
    change(seed_copy / "targets.csv", 2, source_url="")
    result = run_cli_process(
        f"sqlite:///{tmp_path / 'unused.db'}", "check-seed", "--data-dir", str(seed_copy)
    )
    assert result.returncode == 2
    assert "targets.csv, row 2, column 'source_url': is required" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "unused.db").exists()


def test_another_name_must_name_a_participant_once(seed_copy):
    change(seed_copy / "aliases.csv", 2, code="TUR")
    change(seed_copy / "aliases.csv", 4, alias="uk")
    assert problems_of(seed_copy) == [
        "aliases.csv, row 2, column 'code': 'TUR' is not a participant",
        "aliases.csv, row 4, column 'alias': duplicates row 2",
    ]


@pytest.mark.parametrize(
    "file_name",
    ["pledges.csv", "events.csv", "attendance.csv", "targets.csv", "participants.csv"],
)
def test_a_row_without_the_day_it_was_checked_is_named(seed_copy, file_name):
    change(seed_copy / file_name, 3, checked_on="")
    assert problems_of(seed_copy) == [
        f"{file_name}, row 3, column 'checked_on': is required: the day a person last read "
        "this row against its source"
    ]


def test_a_check_day_that_is_no_day_in_the_future_or_before_its_source_is_named(seed_copy):
    path = seed_copy / "pledges.csv"
    tomorrow = clock.today() + timedelta(days=1)
    published = date.fromisoformat(read(path)[0]["source_published_on"])
    change(path, 2, checked_on=(published - timedelta(days=1)).isoformat())
    change(path, 3, checked_on="2025-13-01")
    change(path, 4, checked_on=tomorrow.isoformat())
    assert problems_of(seed_copy) == [
        f"pledges.csv, row 2, column 'checked_on': {published - timedelta(days=1)} is before "
        f"the source was published ({published})",
        "pledges.csv, row 3, column 'checked_on': '2025-13-01' is not a valid date "
        "(expected YYYY-MM-DD)",
        f"pledges.csv, row 4, column 'checked_on': {tomorrow} is in the future "
        f"(today is {clock.today()})",
    ]


def test_a_meeting_list_shorter_than_its_reported_count_says_why(seed_copy):
    events = seed_copy / "events.csv"
    line = line_of(events, held_on="2025-03-11")
    listed = sum(r["held_on"] == "2025-03-11" for r in read(seed_copy / "attendance.csv"))
    change(events, line, reported_count=str(listed + 2), notes="")
    assert problems_of(seed_copy) == [
        f"events.csv, row {line}, column 'reported_count': the source reports {listed + 2} "
        f"participants and attendance.csv lists {listed}: complete the list, or say in notes "
        "why it cannot be"
    ]
    change(events, line, notes="The source gives the count only; it names these.")
    assert load_seed(seed_copy).events[1].reported_count == listed + 2
    change(events, line, reported_count=str(listed), notes="")
    assert load_seed(seed_copy).events[1].notes is None
