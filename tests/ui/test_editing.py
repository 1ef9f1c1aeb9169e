"""What the pledge form edits (EditState), what a change holds (PledgeChange) and how "changed"
is decided (pledge_change), which the form, the importer and the write path share."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError
from sqlmodel import select

from coalition.access.auth import Actor
from coalition.errors import VersionConflict
from coalition.write.pledges import update_pledge
from db.engine import read_session, write_session
from db.models import Pledge, PledgeChange, PledgeFields, pledge_change
from tests.support.accounts import LOCAL_EDITOR
from ui.forms import pledge_fields as editing
from ui.forms.pledge_fields import CATEGORY_FIELDS, FORM_ROWS, EditState

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def test_a_change_holds_only_the_fields_set():
    change = PledgeChange(quantity=120, notes=None)
    assert change.as_dict() == {"quantity": 120, "notes": None}
    assert change.model_fields_set == {"quantity", "notes"}
    assert change and not PledgeChange()


def test_a_change_has_every_pledge_field_and_no_other():
    assert set(PledgeChange.model_fields) == set(PledgeFields.model_fields)
    with pytest.raises(ValidationError):
        PledgeChange(version=3)


def test_a_change_keeps_values_as_submitted_for_the_write_path_to_check():
    assert PledgeChange(announced_on="2025-13-01", quantity="x").as_dict() == {
        "announced_on": "2025-13-01",
        "quantity": "x",
    }


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (None, ""),
        (None, "   "),
        ("Ministry", " Ministry "),
        (date(2025, 9, 4), "2025-09-04"),
        (100.0, 100),
        (100, 100.0),
    ],
)
def test_the_same_value_written_differently_is_no_change(before, after):
    assert not pledge_change({"notes": before}, {"notes": after})


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Ministry", None),
        (None, "Ministry"),
        (date(2025, 9, 4), "2025-09-05"),
        (100.0, 100.5),
        (0, None),
    ],
)
def test_a_different_value_is_a_change_and_travels_as_submitted(before, after):
    assert pledge_change({"notes": before}, {"notes": after}).as_dict() == {"notes": after}


def test_only_the_fields_submitted_are_compared():
    before = {"description": "Trainers", "quantity": 100.0}
    assert pledge_change(before, {"quantity": 100}).as_dict() == {}
    assert pledge_change(before, {"conditions": "UK-led"}).as_dict() == {"conditions": "UK-led"}


def test_pledge_values_take_only_the_category_s_fields_with_blanks_as_none():
    form = {"description": "Funds", "quantity": 5.0, "currency": "GBP", "capability_type": "x"}
    form |= {"notes": "", "quantity_qualifier": "up_to"}
    values = editing.pledge_values("funding", form, size_unknown=False)
    assert set(values) == set(PledgeFields.model_fields)
    assert (values["currency"], values["capability_type"], values["notes"]) == ("GBP", None, None)
    unknown = editing.pledge_values("troops", form, size_unknown=True)
    assert (unknown["quantity"], unknown["quantity_qualifier"], unknown["currency"]) == (None,) * 3
    assert editing.blank_size_problem(unknown, size_unknown=True) is None
    assert editing.blank_size_problem(unknown, size_unknown=False).field == "quantity"


def test_the_form_has_each_field_once_and_each_category_shows_its_own():
    names = [spec.name for row in FORM_ROWS for spec in row]
    assert len(names) == len(set(names))
    assert set(PledgeFields.model_fields) - {"category"} <= set(names)
    keys = [spec.key for row in FORM_ROWS for spec in row] + [editing.CATEGORY_SPEC.key]
    assert len(keys) == len(set(keys))
    assert [n for n in names if n in editing.FORM_LABELS] == [
        n for n in editing.FORM_LABELS if n in names
    ]  # problems are listed in the form's order
    for category, own in CATEGORY_FIELDS.items():
        shown = {spec.name for row in FORM_ROWS if row.shown_for(category) for spec in row}
        others = {name for fields in CATEGORY_FIELDS.values() for name in fields} - set(own)
        assert set(own) <= shown and not shown & others
    (quantity,) = [spec for row in FORM_ROWS for spec in row if spec.name == "quantity"]
    assert quantity.label_for("troops") == "Number of troops"


def test_a_new_pledge_s_state():
    state = EditState()
    assert state.is_new and state.values == {} and state.conflict is None
    assert state.change({"notes": "x"}).as_dict() == {"notes": "x"}


@SQLITE_ONLY
def test_an_existing_pledge_s_state_keeps_what_was_loaded_through_a_conflict(engine):
    with read_session(engine) as session:
        pledge = session.exec(select(Pledge).where(Pledge.participant_code == "NZL")).first()
        state = EditState.of(pledge)
    assert (state.pledge_id, state.version, state.is_new) == (pledge.id, pledge.version, False)
    assert state.values == editing.current_values(pledge)
    submitted = state.values | {"quantity": 120.0, "description": f" {pledge.description} "}
    change = state.change(submitted)
    assert change.as_dict() == {"quantity": 120.0}

    actor = Actor(LOCAL_EDITOR)
    with write_session(engine) as session:
        update_pledge(
            session,
            actor=actor,
            pledge_id=pledge.id,
            expected_version=state.version,
            changes={"conditions": "UK-led programme"},
            reason="Detail from the embassy",
        )
    with pytest.raises(VersionConflict), write_session(engine) as session:
        update_pledge(
            session,
            actor=actor,
            pledge_id=pledge.id,
            expected_version=state.version,
            changes=change,
            reason="Six more trainers",
        )
    with read_session(engine) as session:
        conflicted = state.conflicted(change, session.get(Pledge, pledge.id))
    assert conflicted.values == state.values and conflicted.version == state.version
    assert conflicted.conflict.version == state.version + 1
    table = conflicted.conflict_table().set_index("field")
    assert table.loc["Conditions", "they saved"] == "UK-led programme"
    assert table.loc["Size", "you want"] == "120"

    # Re-applied on the current version, the change keeps their conditions.
    with write_session(engine) as session:
        saved = update_pledge(
            session,
            actor=actor,
            pledge_id=pledge.id,
            expected_version=conflicted.conflict.version,
            changes=conflicted.conflict.change,
            reason="Six more trainers",
        )
        assert (saved.quantity, saved.conditions, saved.version) == (120, "UK-led programme", 3)
