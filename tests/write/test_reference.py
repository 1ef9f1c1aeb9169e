"""Admins' edits of the reference tables: checked like the seed files, all-or-nothing, audited."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlmodel import select

from coalition.access.auth import Actor, PermissionDenied
from coalition.errors import ValidationFailed
from coalition.write import reference
from db.engine import read_session, write_session
from db.models import AuditEvent, ExchangeRate, Participant
from tests.support.accounts import ADMIN
from tests.support.app import start_app


def frame(engine, name):
    with read_session(engine) as session:
        return reference.table_frame(session, reference.TABLES[name])


def save(engine, name, edited, actor=ADMIN):
    with write_session(engine) as session:
        return reference.save_table(session, actor=Actor(actor), table_name=name, edited=edited)


def test_an_admin_corrects_a_figure_and_the_audit_keeps_before_and_after(engine):
    participants = frame(engine, "participants")
    row = participants.index[participants["code"] == "POL"][0]
    participants.loc[row, "population"] = 36_500_000
    assert save(engine, "participants", participants) == {"added": 0, "changed": 1, "removed": 0}
    with read_session(engine) as session:
        assert session.get(Participant, "POL").population == 36_500_000
        entry = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert entry.action == "reference.participants.update" and entry.entity_id == "POL"
    assert entry.details["after"]["population"] == 36_500_000
    assert entry.details["before"]["population"] == 36_000_000


def test_rates_can_be_added_and_removed(engine):
    rates = frame(engine, "exchange_rates")
    new = {
        "id": None,
        "currency": "JPY",
        "rate_date": date(2025, 6, 30),
        "kind": "daily",
        "units_per_eur": 163.5,
        "source_title": "ECB",
        "source_url": None,
    }
    edited = pd.concat([rates, pd.DataFrame([new])], ignore_index=True)
    assert save(engine, "exchange_rates", edited) == {"added": 1, "changed": 0, "removed": 0}
    with read_session(engine) as session:
        assert "JPY" in set(session.exec(select(ExchangeRate.currency)).all())
    assert save(engine, "exchange_rates", rates) == {"added": 0, "changed": 0, "removed": 1}
    with read_session(engine) as session:
        assert "JPY" not in set(session.exec(select(ExchangeRate.currency)).all())


def test_every_problem_is_named_by_row_and_column_and_nothing_is_written(engine):
    targets = frame(engine, "targets")
    targets.loc[0, "low"] = 50_000  # above its high of 30,000
    targets.loc[1, "category"] = "spaceships"
    targets.loc[1, "source_url"] = "ftp://nowhere"
    before = frame(engine, "targets")
    with pytest.raises(ValidationFailed) as caught:
        save(engine, "targets", targets)
    messages = [str(p) for p in caught.value.problems]
    assert "Planning targets, row 1, column 'high': is below 'low'" in messages
    assert any(m.startswith("Planning targets, row 2, column 'category'") for m in messages)
    assert any(m.startswith("Planning targets, row 2, column 'source_url'") for m in messages)
    assert len(messages) == 3
    assert frame(engine, "targets").equals(before)


def test_participants_are_neither_added_nor_removed_here(engine):
    participants = frame(engine, "participants")
    with pytest.raises(ValidationFailed) as caught:
        save(engine, "participants", participants.iloc[1:])
    assert "participants cannot be removed here" in str(caught.value)


def test_a_meeting_with_attendance_cannot_be_removed(engine):
    events = frame(engine, "events")
    with pytest.raises(ValidationFailed) as caught:
        save(engine, "events", events.iloc[1:])
    assert "has attendance records and cannot be removed" in str(caught.value)


def test_an_editor_may_not_change_reference_data(engine):
    with pytest.raises(PermissionDenied):
        save(engine, "targets", frame(engine, "targets"), actor="a@example.org")


def test_the_reference_page_shows_every_table_to_an_admin(monkeypatch, sqlite_url):
    at = start_app(monkeypatch, sqlite_url, email=ADMIN).run()
    at.switch_page("../pages/reference_data.py").run()
    assert not at.exception
    assert [t.label for t in at.tabs] == [t.title for t in reference.TABLES.values()]
    assert len(at.get("arrow_data_frame")) + len(at.get("data_editor") or []) >= 1


def test_the_last_rate_of_a_currency_in_use_cannot_go(engine):
    rates = frame(engine, "exchange_rates")
    with pytest.raises(ValidationFailed) as caught:
        save(engine, "exchange_rates", rates[rates["currency"] != "NZD"])
    assert "pledges are recorded in NZD: keep at least one rate for it" in str(caught.value)
