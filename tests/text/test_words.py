"""Numbers, money, codes and file names as a reader reads them. Found by hand: an EUR cell read
"6,858,4" for €1,936,858,415.65 (a long number cut to fit its column), Delivery showed
"230494410.5105", three snapshots of different days shared one file name."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd

from coalition.read.history import describe_changes, shown
from coalition.text.file_names import file_name
from coalition.text.formatting import money, money_words
from coalition.text.labels import field_label, value_label
from db.models import PLEDGE_FIELD_NAMES


def test_money_reads_short_and_whole():
    assert money(1_936_858_415.65) == "€1.94bn"
    assert money(230_494_410.5105) == "€230.49m"
    assert money(200_000_000, "GBP") == "£200m"
    assert money(-500) == "-€500"  # the sign before the currency, not after it
    column = money_words(pd.Series([1_936_858_415.65, None]), pd.Series(["EUR", None]))
    assert column.tolist() == ["€1.94bn", ""]


def test_codes_read_as_words():
    assert field_label("quantity") == "Size"
    assert field_label("participant_code") == "Participant"
    assert value_label("scope", "reassurance_force") == "Reassurance force"
    assert value_label("status", "ruled_out") == "Ruled out"
    assert value_label("instrument", "guarantee") == "Guarantee or export credit"
    assert shown(None, "quantity") == "not published"
    assert shown(None) == "none"  # never "None"
    assert (
        shown(1_600_000_000.0, "quantity", {"category": "funding", "currency": "GBP"}) == "£1.6bn"
    )


def test_a_history_says_what_changed_in_words():
    before = {
        "participant_code": "GBR",
        "category": "ships",
        "status": "announced",
        "quantity": 2.0,
        "currency": None,
        "scope": "reassurance_force",
    }
    after = before | {"quantity": 3.0, "status": "committed", "scope": "coalition_support"}
    others = dict.fromkeys(n for n in PLEDGE_FIELD_NAMES if n not in before)
    said = describe_changes(others | before, others | after)
    assert said == (
        "Status: Announced → Committed; Size: 2 → 3 ships; "
        "Part of: Reassurance force → Coalition support"
    )


def test_a_file_is_named_for_what_it_holds():
    known = datetime(2026, 12, 6, 17, 10, 42, tzinfo=UTC)
    assert (
        file_name("pledges", as_of=date(2025, 9, 30), known_at=known)
        == "coalition-pledges_as-of-2025-09-30_known-2026-12-06T1710Z.csv"
    )
    assert (
        file_name("Force gap", as_of=date(2025, 9, 30), categories=("troops",), extension="pdf")
        == "coalition-force-gap-troops_as-of-2025-09-30.pdf"
    )
    names = {
        file_name("pledges", as_of=day, known_at=known)
        for day in (date(2025, 1, 1), date(2025, 9, 30))
    }
    assert len(names) == 2
