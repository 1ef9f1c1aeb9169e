"""Pledge validation: every problem named on its field, in words an analyst can act on."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coalition.errors import ValidationFailed
from coalition.write.validation import QUANTITY_CEILINGS, validate_pledge
from core.vocabulary import CATEGORIES
from tests.factories import pledge

CODES = {"GBR", "FRA"}
CURRENCIES = {"GBP", "USD"}
TODAY = date(2026, 11, 28)
VALID = pledge(
    category="funding",
    description="Air-defence package",
    quantity="1600000000",
    currency="GBP",
    announced_on="2025-03-02",
    source_title="Gov.uk",
)


def problems(**changes) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as caught:
        validate_pledge(
            VALID | changes, participant_codes=CODES, currencies=CURRENCIES, today=TODAY
        )
    return caught.value.by_field()


def test_valid_text_input_is_typed():
    fields = validate_pledge(VALID, participant_codes=CODES, currencies=CURRENCIES, today=TODAY)
    assert fields.quantity == 1.6e9
    assert fields.announced_on == date(2025, 3, 2)
    assert fields.announced_precision == "day"


def test_blank_quantity_means_unknown_not_zero():
    fields = validate_pledge(
        VALID | {"quantity": "  "}, participant_codes=CODES, currencies=CURRENCIES, today=TODAY
    )
    assert fields.quantity is None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"quantity": "-1"}, "quantity", "cannot be negative"),
        ({"quantity": "lots"}, "quantity", "'lots' is not a number"),
        (
            {"category": "troops", "currency": None, "quantity": "2.5"},
            "quantity",
            "troops are counted in whole numbers",
        ),
        (
            {"category": "troops", "currency": None, "quantity": "250000"},
            "quantity",
            "250,000 is above the ceiling of 200,000 for troops",
        ),
        (
            {"announced_on": "2024-12-31"},
            "announced_on",
            "2024-12-31 is outside 2025-01-01 to 2035-12-31",
        ),
        (
            {"end_on": "2036-01-01"},
            "end_on",
            "2036-01-01 is outside 2025-01-01 to 2035-12-31",
        ),
        (
            {"announced_on": "03/02/2025"},
            "announced_on",
            "'03/02/2025' is not a valid date (expected YYYY-MM-DD)",
        ),
        (
            {"source_url": "ftp://x"},
            "source_url",
            "'ftp://x' is not a web address (expected http:// or https://)",
        ),
        (
            {"currency": "JPY"},
            "currency",
            "'JPY' has no exchange rate to EUR (known: EUR, GBP, USD)",
        ),
        ({"currency": None}, "currency", "is required for funding"),
        ({"category": "ships", "quantity": None}, "currency", "applies to funding only"),
        (
            {"status": "maybe"},
            "status",
            "'maybe' is not one of: considering, announced, "
            "committed, deployed, delivered, withdrawn, ruled_out",
        ),
        ({"source_title": None}, "source_title", "is required"),
        ({"description": "x" * 501}, "description", "is longer than 500 characters"),
        (
            {"quantity": None, "quantity_qualifier": "up_to"},
            "quantity_qualifier",
            "needs a quantity to qualify",
        ),
        ({"start_on": "2025-06-01", "end_on": "2025-05-01"}, "end_on", "is before the start date"),
    ],
)
def test_each_rule_names_its_field(changes, field, message):
    assert problems(**changes) == {field: [message]}


def test_all_problems_come_together():
    found = problems(participant_code="XXX", quantity="-1", confidence="sure", end_on="2020-01-01")
    assert set(found) == {"participant_code", "quantity", "confidence", "end_on"}


hostile_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["=1+1", "-1", "1e400", "nan", "inf", "", " ", "0x10", "１２", "\x00", "null"]),
)


@settings(max_examples=500, deadline=None)
@given(
    quantity=st.one_of(hostile_text, st.floats(), st.integers(-(10**15), 10**15)),
    announced_on=st.one_of(hostile_text, st.dates().map(str)),
    category=st.one_of(st.sampled_from(CATEGORIES), hostile_text),
    currency=st.one_of(st.sampled_from(["GBP", "USD", "EUR", None]), hostile_text),
    source_url=st.one_of(st.just("https://example.org/a"), hostile_text),
)
def test_hostile_input_is_refused_with_a_field_or_accepted_clean(
    quantity, announced_on, category, currency, source_url
):
    raw = VALID | {
        "quantity": quantity,
        "announced_on": announced_on,
        "category": category,
        "currency": currency,
        "source_url": source_url,
    }
    try:
        fields = validate_pledge(raw, participant_codes=CODES, currencies=CURRENCIES, today=TODAY)
    except ValidationFailed as failure:
        assert failure.problems
        # Only the fields this test made hostile can be at fault, each with a message.
        hostile = {"quantity", "announced_on", "category", "currency", "source_url"}
        assert all(p.field in hostile and p.message for p in failure.problems)
        return
    # Whatever passed is sane: a known category, a finite size under its ceiling, a date in
    # range, a currency exactly when it is funding, and a web address.
    assert fields.category in CATEGORIES
    assert fields.quantity is None or 0 <= fields.quantity <= QUANTITY_CEILINGS[fields.category]
    assert date(2025, 1, 1) <= fields.announced_on <= date(2035, 12, 31)
    if fields.category == "funding":
        assert fields.currency in CURRENCIES | {"EUR"}
    else:
        assert fields.currency is None
    assert fields.source_url is None or fields.source_url.startswith(("http://", "https://"))


def test_dates_share_one_fixed_range_with_the_database():
    for day, ok in (
        (date(2024, 12, 31), False),
        (date(2025, 1, 1), True),
        (date(2035, 12, 31), True),
        (date(2036, 1, 1), False),
    ):
        raw = VALID | {"announced_on": day.isoformat()}
        try:
            validate_pledge(raw, participant_codes=CODES, currencies=CURRENCIES, today=TODAY)
        except ValidationFailed as failure:
            assert not ok, day
            assert [str(p) for p in failure.problems] == [
                f"announced_on: {day.isoformat()} is outside 2025-01-01 to 2035-12-31"
            ]
        else:
            assert ok, day


@pytest.mark.parametrize("character", ["\x00", "\u202e", "\u2066"])
def test_nul_and_bidirectional_controls_are_refused(character):
    raw = VALID | {"description": f"100 troops{character}001"}
    with pytest.raises(ValidationFailed) as caught:
        validate_pledge(raw, participant_codes=CODES, currencies=CURRENCIES, today=TODAY)
    (problem,) = caught.value.problems
    assert problem.field == "description"
    assert "NUL" in problem.message or "bidirectional" in problem.message


@pytest.mark.parametrize(
    ("character", "named"),
    [
        ("\x1b", "a control character (U+001B)"),
        ("\r", "a control character (U+000D)"),
        ("\x9b", "a control character (U+009B)"),
        ("\u200b", "an invisible character (U+200B)"),
    ],
)
def test_terminal_controls_and_invisible_characters_are_refused(character, named):
    raw = VALID | {"description": f"100 troops{character}[2J"}
    with pytest.raises(ValidationFailed) as caught:
        validate_pledge(raw, participant_codes=CODES, currencies=CURRENCIES, today=TODAY)
    (problem,) = caught.value.problems
    assert problem.field == "description"
    assert problem.message.startswith(f"contains {named}")


def test_line_breaks_and_tabs_stay_allowed_in_text():
    raw = VALID | {"description": "100 troops\n\tengineers", "notes": "First\nsecond"}
    validate_pledge(raw, participant_codes=CODES, currencies=CURRENCIES, today=TODAY)
