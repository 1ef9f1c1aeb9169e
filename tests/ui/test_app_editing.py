"""Signing in, roles in the navigation, and editing pledges through the real Streamlit runtime."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func
from sqlmodel import select

from coalition.access.auth import Actor
from coalition.write.pledges import update_pledge
from core import clock
from db.engine import create_db_engine, read_session, write_session
from db.models import Pledge, PledgeCheck, PledgeRevision
from tests.support.accounts import LOCAL_EDITOR
from tests.support.app import start_app, tile
from ui.forms import pledge_fields as editing


def open_editor(monkeypatch, database_url, email=LOCAL_EDITOR):
    at = start_app(monkeypatch, database_url, email=email).run()
    return at.switch_page("../pages/edit_pledges.py").run()


def field(at, kind: str, name: str):
    """The edit form's widget for a field, whatever generation of the form is showing (its
    keys are renewed whenever the form is filled for another pledge)."""
    return next(w for w in getattr(at, kind) if (w.key or "").split(":")[0] == f"edit_field_{name}")


def fill_new_pledge(at, participant: str | None = "FRA", **overrides):
    if participant is not None:
        field(at, "selectbox", "participant").set_value(participant)
    values = {
        "description": "Frigate for Black Sea patrols",
        "source": "Danish Ministry of Defence",
        "reason": "Announced at the press conference",
        "url": "https://example.org/press",
        "announced": "2025-09-04",
    } | overrides
    for name, value in values.items():
        field(at, "text_input", name).input(value)
    return at


def save_button(at):
    return next(b for b in at.button if b.label == "Save pledge")


def shown(text: str) -> str:
    """Markdown as the reader sees it: without anchors, link targets and backslash escapes."""
    text = re.sub(r'<a id="[\w-]+"[^>]*></a>', "", text)
    text = re.sub(r"(?<!\\)\[(.*?)(?<!\\)\]\(#[\w-]+\)", r"\1", text)
    return re.sub(r"\\(.)", r"\1", text)


def markup_in(text: str) -> list[str]:
    """The unescaped characters of markdown that would make a link or HTML."""
    return re.findall(r"(?<!\\)[<>\[\]]", re.sub(r'<a id="[\w-]+"[^>]*></a>', "", text))


def field_messages(at) -> list[str]:
    """The problems shown beside the fields."""
    return [shown(c.value) for c in at.caption if ":red[" in c.value]


def count(engine, table) -> int:
    with read_session(engine) as session:
        return session.exec(select(func.count()).select_from(table)).one()


def test_an_editor_records_a_pledge_and_the_overview_shows_it(monkeypatch, database_url):
    at = open_editor(monkeypatch, database_url)
    field(at, "selectbox", "category").set_value("troops")
    at.run()
    fill_new_pledge(at, participant="FRA")
    field(at, "selectbox", "status").set_value("committed")
    field(at, "number_input", "quantity").set_value(400)
    save_button(at).click().run()
    assert not at.exception
    assert at.success and at.success[0].value.startswith("Saved pledge")
    at.switch_page("../pages/overview.py").run()
    # New Zealand's 100 + these 400.
    assert "500 troops published by 2 participants" in tile(at, "Troops")[1][0]


def test_every_problem_shows_on_its_field_and_nothing_is_written(monkeypatch, sqlite_url):
    at = open_editor(monkeypatch, sqlite_url)
    fill_new_pledge(at, description="", url="not a link", reason="")
    field(at, "number_input", "quantity").set_value(-5)
    engine = create_db_engine(sqlite_url)
    before = count(engine, Pledge)
    save_button(at).click().run()
    messages = field_messages(at)
    assert ":red[What was pledged is required]" in messages
    assert ":red[Number of troops cannot be negative]" in messages
    assert any("Source link 'not a link' is not a web address" in m for m in messages)
    assert any(m.startswith(":red[Reason for this change is required") for m in messages)
    assert at.error[0].value.startswith("4 problem(s): nothing was saved")
    assert count(engine, Pledge) == before
    engine.dispose()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("9999-01-01", "9999-01-01 is outside 2025-01-01 to 2035-12-31"),
        ("1899/01/01", "'1899/01/01' is not a valid date (expected YYYY-MM-DD)"),
        ("2025-02-30", "'2025-02-30' is not a valid date (expected YYYY-MM-DD)"),
        ("", "is required"),
    ],
)
def test_a_date_is_saved_exactly_as_typed_or_not_at_all(monkeypatch, sqlite_url, typed, message):
    at = open_editor(monkeypatch, sqlite_url)
    fill_new_pledge(at, announced=typed)
    field(at, "number_input", "quantity").set_value(40)
    engine = create_db_engine(sqlite_url)
    before = count(engine, Pledge)
    save_button(at).click().run()
    messages = field_messages(at)
    assert f":red[Announced on {message}]" in messages
    assert at.error[0].value.startswith("1 problem(s): nothing was saved"), messages
    assert count(engine, Pledge) == before
    engine.dispose()


def test_a_mistyped_day_to_take_effect_is_named_and_nothing_is_written(monkeypatch, sqlite_url):
    at = open_editor(monkeypatch, sqlite_url)
    fill_new_pledge(at, effective="2025-13-01")
    field(at, "number_input", "quantity").set_value(40)
    engine = create_db_engine(sqlite_url)
    before = count(engine, Pledge)
    save_button(at).click().run()
    messages = field_messages(at)
    assert ":red[In effect from '2025-13-01' is not a valid date (expected YYYY-MM-DD)]" in messages
    assert count(engine, Pledge) == before
    engine.dispose()


def test_a_conflicting_save_shows_both_and_reapplies_without_losing_either(
    monkeypatch, database_url
):
    at = open_editor(monkeypatch, database_url)
    engine = create_db_engine(database_url)
    with read_session(engine) as session:
        pledge = session.exec(
            select(Pledge).where(Pledge.participant_code == "NZL", Pledge.category == "troops")
        ).one()
        pledge_id = pledge.id
    at.radio(key="edit_mode").set_value("Change an existing pledge").run()
    at.selectbox(key="edit_pledge_id").set_value(pledge_id).run()
    # Meanwhile another editor changes the conditions.
    with write_session(engine) as session:
        update_pledge(
            session,
            actor=Actor("b@example.org"),
            pledge_id=pledge_id,
            expected_version=1,
            changes={"conditions": "UK-led programme"},
            reason="Detail from the embassy",
        )
    field(at, "number_input", "quantity").set_value(120)
    field(at, "text_input", "reason").input("Six more trainers")
    save_button(at).click().run()
    assert "Someone saved this pledge while you were editing it" in at.warning[0].value
    table = at.dataframe[0].value.set_index("field")
    assert table.loc["Conditions", "they saved"] == "UK-led programme"
    assert table.loc["Size", "you want"] == "120"
    at.button(key="edit_reapply").click().run()
    assert at.success[0].value.startswith(f"Saved pledge {pledge_id} (version 3)")
    with read_session(engine) as session:
        saved = session.get(Pledge, pledge_id)
        assert (saved.quantity, saved.conditions) == (120, "UK-led programme")
    engine.dispose()


def pledge_id_of(engine, code: str, category: str) -> int:
    with read_session(engine) as session:
        return session.exec(
            select(Pledge.id).where(Pledge.participant_code == code, Pledge.category == category)
        ).one()


def choose_pledge(at, pledge_id: int):
    at.radio(key="edit_mode").set_value("Change an existing pledge").run()
    return at.selectbox(key="edit_pledge_id").set_value(pledge_id).run()


def picked(at) -> tuple[int, str]:
    """The pledge the picker holds: its id and its label, which the browser is sent. (A
    browser keeps showing the label it was last sent, and sends it back as the choice.)"""
    picker = at.selectbox(key="edit_pledge_id")
    label = picker.options[picker.index]
    assert (picker.proto.set_value, picker.proto.raw_value) == (True, label)
    return picker.value, label


def test_a_new_pledge_has_no_participant_until_one_is_chosen(monkeypatch, sqlite_url):
    at = open_editor(monkeypatch, sqlite_url)
    participant = field(at, "selectbox", "participant")
    assert participant.value is None
    assert participant.proto.placeholder == "Choose a participant…"
    fill_new_pledge(at, participant=None)
    field(at, "number_input", "quantity").set_value(40)
    engine = create_db_engine(sqlite_url)
    before = count(engine, Pledge)
    save_button(at).click().run()
    assert field_messages(at) == [":red[Participant is required]"]
    assert shown(at.error[0].value) == (
        "1 problem(s): nothing was saved.\n\n- Participant is required"
    )
    assert count(engine, Pledge) == before
    # What was typed stays; choosing the participant is all that is missing.
    assert field(at, "text_input", "description").value == "Frigate for Black Sea patrols"
    field(at, "selectbox", "participant").set_value("FRA")
    save_button(at).click().run()
    assert not at.error
    assert count(engine, Pledge) == before + 1
    engine.dispose()


def test_problems_are_listed_above_the_form_each_linking_to_its_field(monkeypatch, sqlite_url):
    at = open_editor(monkeypatch, sqlite_url)
    fill_new_pledge(at, description="", url="not a link", reason="")
    field(at, "number_input", "quantity").set_value(40)
    save_button(at).click().run()
    (summary,) = at.error
    order = [id(node) for node in at.main]
    # Above every field of the form.
    assert order.index(id(summary)) < order.index(id(field(at, "selectbox", "category")))
    links = re.findall(r"\[([^\]]+)\]\(#([\w-]+)\)", summary.value)
    # In the form's order, each named by its label.
    assert [name for name, _ in links] == [
        "What was pledged",
        "Source link",
        "Reason for this change",
    ]
    lines = shown(summary.value).splitlines()
    assert lines[0] == "3 problem(s): nothing was saved."
    assert "- What was pledged is required" in lines
    assert any(line.startswith("- Source link 'not a link' is not a web address") for line in lines)
    # Each link leads to an anchor just above its field (and the field's own message).
    nodes = list(at.main)
    inputs = [n for n in nodes if (getattr(n, "key", None) or "").startswith("edit_field_")]
    for (name, anchor), key in zip(links, ["description", "url", "reason"], strict=True):
        (holder,) = [
            n for n in nodes if n.type in ("markdown", "caption") and f'<a id="{anchor}"' in n.value
        ]
        assert holder.proto.allow_html
        assert name in shown(holder.value)
        after = order.index(id(holder))
        first_field_below = next(n for n in inputs if order.index(id(n)) > after)
        assert first_field_below.key.split(":")[0] == f"edit_field_{key}"


def test_typed_text_in_a_problem_is_shown_as_text(monkeypatch, sqlite_url):
    at = open_editor(monkeypatch, sqlite_url)
    typed = "<img src=x onerror=alert(1)>[x](#y) **b**"
    fill_new_pledge(at, url=typed)
    field(at, "number_input", "quantity").set_value(40)
    save_button(at).click().run()
    (message,) = [c.value for c in at.caption if ":red[" in c.value]
    assert markup_in(message) == ["[", "]"]  # the colour's own brackets
    assert f"Source link '{typed}' is not a web address" in shown(message)
    summary = at.error[0].value
    assert markup_in(summary) == ["[", "]"]  # the link to the field
    assert f"Source link '{typed}' is not a web address" in shown(summary)


def test_the_saved_message_says_what_was_saved(monkeypatch, database_url):
    at = open_editor(monkeypatch, database_url)
    fill_new_pledge(at, participant="GBR")
    field(at, "selectbox", "qualifier").set_value("up_to")
    field(at, "number_input", "quantity").set_value(10_000)
    save_button(at).click().run()
    engine = create_db_engine(database_url)
    with read_session(engine) as session:
        saved = session.exec(select(Pledge).order_by(Pledge.id.desc())).first()
    engine.dispose()
    assert (saved.participant_code, saved.quantity) == ("GBR", 10_000)
    notice = (
        f"Saved pledge {saved.id} (version 1): United Kingdom · Troops · up to 10,000 troops. "
        f"It is open below, with [its history](participant?code=GBR&pledge={saved.id})."
    )
    assert [s.value for s in at.success] == [notice]
    # And in view wherever the page was scrolled to: a toast that stays until closed.
    assert [t.value for t in at.toast] == [notice]


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        (
            {"category": "funding", "quantity": 1.6e9, "quantity_qualifier": "up_to"}
            | {"currency": "GBP"},
            "Funding · up to £1.6bn",
        ),
        ({"category": "aircraft", "quantity": None}, "Aircraft · size not published"),
    ],
)
def test_the_saved_message_gives_money_in_its_currency_and_an_unknown_size_as_such(fields, said):
    pledge = Pledge(id=5, version=2, participant_code="GBR", **fields)
    assert editing.saved_notice(pledge, "United Kingdom") == (
        f"Saved pledge 5 (version 2): United Kingdom · {said}. It is open below, with "
        "[its history](participant?code=GBR&pledge=5)."
    )


def test_after_a_save_the_picker_shows_the_pledge_as_saved(monkeypatch, database_url):
    at = open_editor(monkeypatch, database_url)
    engine = create_db_engine(database_url)
    pledge_id = pledge_id_of(engine, "NZL", "troops")
    choose_pledge(at, pledge_id)
    field(at, "text_input", "description").input("Trainers based in the United Kingdom")
    field(at, "selectbox", "status").set_value("delivered")
    field(at, "text_input", "reason").input("Training began")
    save_button(at).click().run()
    assert at.success[0].value.startswith(f"Saved pledge {pledge_id} (version 2): New Zealand")
    chosen, shown_label = picked(at)
    assert chosen == pledge_id
    assert "Trainers based in the United Kingdom" in shown_label
    assert "delivered" in shown_label.lower()
    assert field(at, "text_input", "description").value == "Trainers based in the United Kingdom"
    assert field(at, "selectbox", "status").value == "delivered"
    # Someone else's save shows at the next click too, on the same pledge.
    with write_session(engine) as session:
        update_pledge(
            session,
            actor=Actor("b@example.org"),
            pledge_id=pledge_id,
            expected_version=2,
            changes={"description": "Trainers in Britain"},
            reason="Wording from the embassy",
        )
    at.run()
    chosen, shown_label = picked(at)
    assert chosen == pledge_id and "Trainers in Britain" in shown_label
    engine.dispose()


def test_a_correction_holds_from_the_announcement_a_development_from_today(
    monkeypatch, database_url
):
    """Once every change held from today, so a corrected figure stayed wrong in every "as of"
    view of the days before. The form asks which kind of change it is."""
    at = open_editor(monkeypatch, database_url)
    engine = create_db_engine(database_url)
    pledge_id = pledge_id_of(engine, "NZL", "troops")
    choose_pledge(at, pledge_id)
    kind = next(r for r in at.radio if r.label == "This change is")
    assert kind.value is False  # a new development unless the editor says otherwise
    kind.set_value(True)
    field(at, "number_input", "quantity").set_value(120)
    field(at, "text_input", "reason").input("The ministry's figure was 120 all along")
    save_button(at).click().run()
    assert not at.exception and at.success
    with read_session(engine) as session:
        pledge = session.get(Pledge, pledge_id)
        newest = session.exec(
            select(PledgeRevision)
            .where(PledgeRevision.pledge_id == pledge_id)
            .order_by(PledgeRevision.version.desc())
        ).first()
        assert newest.effective_on == pledge.announced_on
    # And a development with no day given holds from today, as before.
    choose_pledge(at, pledge_id)
    field(at, "selectbox", "status").set_value("delivered")
    field(at, "text_input", "reason").input("Training began")
    save_button(at).click().run()
    with read_session(engine) as session:
        newest = session.exec(
            select(PledgeRevision)
            .where(PledgeRevision.pledge_id == pledge_id)
            .order_by(PledgeRevision.version.desc())
        ).first()
        assert newest.effective_on == clock.today()
    engine.dispose()


EDITING_CAPTION = (
    "Editing works on today's full record; the sidebar filters apply to the viewing pages only."
)


def test_the_edit_pages_ignore_the_viewing_filters(monkeypatch, database_url):
    at = open_editor(monkeypatch, database_url)
    # A view that would hide New Zealand's trainers and most of the record.
    at.sidebar.multiselect(key="filter_categories").set_value(["funding"])
    at.sidebar.multiselect(key="filter_statuses").set_value(["announced"])
    at.sidebar.multiselect(key="filter_regions").set_value(["Europe"])
    at.sidebar.text_input(key="filter_as_of").input("2025-03-01")
    at.run()
    assert EDITING_CAPTION in [c.value for c in at.caption]
    engine = create_db_engine(database_url)
    pledge_id = pledge_id_of(engine, "NZL", "troops")
    choose_pledge(at, pledge_id)
    assert len(at.selectbox(key="edit_pledge_id").options) == count(engine, Pledge)
    # The form holds today's record, not the record as of the sidebar's day.
    with read_session(engine) as session:
        recorded = session.get(Pledge, pledge_id)
        assert field(at, "text_input", "description").value == recorded.description
    field(at, "selectbox", "status").set_value("withdrawn")
    field(at, "text_input", "reason").input("New Zealand withdrew the offer")
    save_button(at).click().run()
    assert not at.error
    assert picked(at)[0] == pledge_id and "withdrawn" in picked(at)[1].lower()
    with read_session(engine) as session:
        assert session.get(Pledge, pledge_id).status == "withdrawn"
    # A new pledge outside the view is listed at once as well.
    at.radio(key="edit_mode").set_value("Record a new pledge").run()
    fill_new_pledge(at, participant="NZL", description="Fixture engineers")
    field(at, "number_input", "quantity").set_value(30)
    save_button(at).click().run()
    assert at.success[0].value.startswith("Saved pledge")
    at.radio(key="edit_mode").set_value("Change an existing pledge").run()
    labels = at.selectbox(key="edit_pledge_id").options
    assert len(labels) == count(engine, Pledge)
    assert "Fixture engineers" in picked(at)[1]  # it opens on the pledge just recorded
    at.switch_page("../pages/import_pledges.py").run()
    assert EDITING_CAPTION in [c.value for c in at.caption]
    engine.dispose()


def test_a_blank_size_is_kept_unknown_only_when_the_editor_says_so(monkeypatch, sqlite_url):
    at = open_editor(monkeypatch, sqlite_url)
    fill_new_pledge(at, reason="")
    engine = create_db_engine(sqlite_url)
    before = count(engine, Pledge)
    save_button(at).click().run()
    messages = field_messages(at)
    # Listed with the write path's own problems, not instead of them.
    assert any("tick “Size not published”" in m for m in messages), messages
    assert any(m.startswith(":red[Reason for this change is required") for m in messages)
    assert at.error[0].value.startswith("2 problem(s): nothing was saved")
    assert count(engine, Pledge) == before
    field(at, "checkbox", "size_unknown").check()
    field(at, "text_input", "reason").input("Announced at the press conference")
    save_button(at).click().run()
    assert at.success and "Troops · size not published" in at.success[0].value
    with read_session(engine) as session:
        saved = session.exec(select(Pledge).order_by(Pledge.id.desc())).first()
    assert (saved.quantity, saved.quantity_qualifier) == (None, None)
    engine.dispose()


def test_the_pledge_being_changed_is_in_the_address(monkeypatch, database_url, engine):
    """A link to the editing page opens the form on the pledge it names (?pledge=); choosing
    another, or a new pledge, changes the address."""
    nz, uk = pledge_id_of(engine, "NZL", "troops"), pledge_id_of(engine, "GBR", "troops")
    at = start_app(monkeypatch, database_url, email=LOCAL_EDITOR)
    at.query_params["pledge"] = str(nz)
    at.run().switch_page("../pages/edit_pledges.py").run()
    assert not at.exception
    assert at.radio(key="edit_mode").value == "Change an existing pledge"
    assert picked(at)[0] == nz
    assert field(at, "text_input", "description").value == "Fixture trainers outside Ukraine"
    choose_pledge(at, uk)
    assert at.query_params["pledge"] in (str(uk), [str(uk)])
    at.radio(key="edit_mode").set_value("Record a new pledge").run()
    assert "pledge" not in at.query_params
    # A pledge the record does not hold is said, and the form opens on the first one.
    missing = start_app(monkeypatch, database_url, email=LOCAL_EDITOR)
    missing.query_params["pledge"] = "999999"
    missing.run().switch_page("../pages/edit_pledges.py").run()
    assert [w.value for w in missing.warning] == [
        "This address names pledge 999999, which is not in the record."
    ]


def test_an_editor_records_a_reread_of_the_source_and_nothing_else_changes(
    monkeypatch, database_url, engine
):
    nz = pledge_id_of(engine, "NZL", "troops")
    with read_session(engine) as session:
        revisions = session.exec(select(func.count()).select_from(PledgeRevision)).one()
    at = start_app(monkeypatch, database_url, email=LOCAL_EDITOR)
    at.query_params["pledge"] = str(nz)
    at.run().switch_page("../pages/edit_pledges.py").run()
    assert "Last verified: **01 Dec 2025**." in " ".join(m.value for m in at.markdown)

    at.button(key="record_check").click().run()

    assert not at.exception
    assert f"Recorded today's check of pledge {nz} against its source." in at.success[0].value
    today = clock.today()
    assert f"Last verified: **{today:%d %b %Y}**." in " ".join(m.value for m in at.markdown)
    with read_session(engine) as session:
        assert session.exec(select(func.count()).select_from(PledgeRevision)).one() == revisions
        check = session.exec(select(PledgeCheck).where(PledgeCheck.pledge_id == nz)).all()[-1]
    assert check.checked_on == today and check.recorded_by == LOCAL_EDITOR
