"""Search: what is typed is text, never a query language; it finds pledges, meetings and
participants whatever the case and accents, as the record stood on the "as of" day, and refuses
what cannot be text."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import select

from coalition.access.auth import Actor
from coalition.errors import ValidationFailed
from coalition.read import search
from coalition.write.pledges import create_pledges, update_pledge
from db.engine import read_session, write_session
from db.models import Pledge
from tests.support.app import open_sections, start_app

EDITOR = Actor("e@example.org")
BASE = {
    "category": "other",
    "status": "announced",
    "announced_on": date(2025, 6, 2),
    "source_title": "Search test source",
    "confidence": "high",
}
ENTRIES = {
    "percent": BASE
    | {"participant_code": "FRA", "description": "Covers 100% of the demining budget"},
    "underscore": BASE | {"participant_code": "GBR", "description": "Programme code AIR_DEF"},
    "quotes": BASE
    | {
        "participant_code": "NZL",
        "description": "Training offer",
        "notes": """The minister's words: "ready when asked"; see O'Brien""",
    },
    "sql": BASE
    | {
        "participant_code": "POL",
        "description": "Logistics hub",
        "conditions": "'; DROP TABLE pledge; --",
    },
    "accents": BASE
    | {
        "participant_code": "FRA",
        "description": "Hôpital de campagne",
        "capability_type": "Field hospital",
        "source_title": "Le Monde, Zürich edition",
    },
    "backslash": BASE | {"participant_code": "GBR", "description": r"Path C:\depots\east"},
    "later": BASE
    | {
        "participant_code": "GBR",
        "description": "Bridging kit",
        "announced_on": date(2025, 10, 1),
    },
}


def record(engine) -> dict[str, int]:
    with write_session(engine) as session:
        ids = create_pledges(
            session, actor=EDITOR, entries=list(ENTRIES.values()), reason="Search tests"
        )
    pledges = dict(zip(ENTRIES, ids, strict=True))
    with write_session(engine) as session:  # renamed from 1 September 2025
        update_pledge(
            session,
            actor=EDITOR,
            pledge_id=pledges["percent"],
            expected_version=1,
            changes={"description": "Covers 100% of the mine clearance budget"},
            reason="Search tests",
            effective_on=date(2025, 9, 1),
        )
    return pledges


@pytest.fixture
def corpus(engine):
    record(engine)
    with read_session(engine) as session:
        return search.corpus(session)


def found(corpus, query: str) -> set[str]:
    """The descriptions of the pledges found."""
    return set(search.find(corpus, query).pledges["description"])


def test_percent_and_underscore_mean_themselves(corpus):
    assert found(corpus, "%") == {"Covers 100% of the mine clearance budget"}
    assert found(corpus, "100%") == {"Covers 100% of the mine clearance budget"}
    assert found(corpus, "_") == {"Programme code AIR_DEF"}
    assert found(corpus, "air_def") == {"Programme code AIR_DEF"}
    assert found(corpus, "AIR%DEF") == set()
    assert found(corpus, "%%") == set()
    assert found(corpus, "\\") == {r"Path C:\depots\east"}
    assert found(corpus, "[a-z]") == set()
    assert found(corpus, ".*") == set()


def test_quotes_and_sql_looking_text_are_plain_text(engine, corpus):
    assert found(corpus, "O'Brien") == {"Training offer"}
    assert found(corpus, '"ready when asked"') == {"Training offer"}
    assert found(corpus, "minister's") == {"Training offer"}
    assert found(corpus, "'; DROP TABLE pledge; --") == {"Logistics hub"}
    assert found(corpus, "' OR '1'='1") == set()
    assert found(corpus, "1=1; --") == set()
    with read_session(engine) as session:
        assert session.exec(select(func.count()).select_from(Pledge)).one() == 9 + len(ENTRIES)


def test_case_accents_and_spaces_do_not_matter(corpus):
    assert found(corpus, "HÔPITAL") == {"Hôpital de campagne"}
    assert found(corpus, "hopital") == {"Hôpital de campagne"}
    assert found(corpus, "zurich") == {"Hôpital de campagne"}
    assert found(corpus, "ZÜRICH") == {"Hôpital de campagne"}
    assert found(corpus, "  field   HOSPITAL ") == {"Hôpital de campagne"}
    results = search.find(corpus, "zürich")
    assert list(results.pledges["matched"]) == ["source title"]
    assert list(results.pledges["excerpt"]) == ["Le Monde, Zürich edition"]
    assert search.fold("Straße Ångström") == "strasse angstrom"


def test_results_name_the_field_they_matched(corpus):
    results = search.find(corpus, "asked")
    assert list(results.pledges["matched"]) == ["notes"]
    assert list(results.pledges["participant_code"]) == ["NZL"]
    results = search.find(corpus, "search test")
    assert len(results.pledges) == len(ENTRIES) - 1  # all but the one cited from Le Monde
    assert set(results.pledges["matched"]) == {"source title"}
    table = search.pledges_for_display(results.pledges)
    assert {"Participant", "Code", "Matched in", "Matched text"} <= set(table.columns)


def test_meetings_and_participants_are_found_too(corpus):
    results = search.find(corpus, "paris")
    assert list(results.meetings["title"]) == ["Fixture hybrid meeting", "Fixture Paris meeting"]
    assert set(results.meetings["matched"]) == {"location", "title, location"}
    assert list(results.meetings["hosts"]) == [["FRA", "GBR"], ["FRA"]]
    results = search.find(corpus, "second fixture")
    assert list(results.meetings["matched"]) == ["summary"]
    results = search.find(corpus, "zeal")
    assert list(results.participants["code"]) == ["NZL"]
    assert list(results.participants["matched"]) == ["name"]
    names = dict(zip(corpus.participants["code"], corpus.participants["name"], strict=True))
    meetings = search.meetings_for_display(search.find(corpus, "hybrid").meetings, names)
    assert list(meetings["Hosts"]) == ["France, United Kingdom"]


def test_sidebar_filters_do_not_narrow_a_search(corpus):
    # Withdrawn pledges, refusals and bilateral aid are all found.
    assert "Fixture refusal of troops" in found(corpus, "refusal")
    assert "Fixture bilateral aid total" in found(corpus, "bilateral")


def test_the_record_as_of_a_day(engine):
    record(engine)
    with read_session(engine) as session:
        august = search.corpus(session, date(2025, 8, 1))
        september = search.corpus(session, date(2025, 9, 1))
    assert found(august, "demining") == {"Covers 100% of the demining budget"}
    assert found(august, "mine clearance") == set()
    assert found(september, "mine clearance") == {"Covers 100% of the mine clearance budget"}
    assert found(september, "demining") == set()
    assert found(august, "bridging") == set()  # announced in October
    # The hybrid meeting of 4 September had not been held on 1 September.
    assert list(search.find(september, "paris").meetings["title"]) == ["Fixture Paris meeting"]


def test_a_thousand_characters_are_searched_and_more_refused(corpus):
    longest = "budget " + "x" * (search.MAX_LENGTH - 7)
    assert len(longest) == 1_000
    assert search.find(corpus, longest).total == 0
    with pytest.raises(ValidationFailed) as refused:
        search.find(corpus, longest + "x")
    assert str(refused.value) == (
        "Search: is 1,001 characters long; a search may be at most 1,000 characters"
    )
    # Surrounding spaces are not counted.
    assert search.check_query("  " + longest + "  ") == longest


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("mine\x00", "contains a NUL character"),
        ("mine\u202eclearance", "contains a bidirectional control character"),
        ("\u2066mine", "contains a bidirectional control character"),
    ],
)
def test_text_that_cannot_be_text_is_refused(corpus, query, message):
    with pytest.raises(ValidationFailed, match=message):
        search.find(corpus, query)


def test_an_empty_search_finds_nothing(corpus):
    for query in ("", "   ", None):
        results = search.find(corpus, query)
        assert results.total == 0
        assert list(results.pledges.columns[-2:]) == ["matched", "excerpt"]


def test_a_long_text_is_shown_around_its_match():
    text = "a" * 300 + " the word " + "b" * 300
    excerpt = search._excerpt(text, "word")
    assert "the word" in excerpt
    assert excerpt.startswith("…") and excerpt.endswith("…")
    assert len(excerpt) <= search.EXCERPT_LENGTH + 2


def test_markdown_in_the_record_is_shown_as_typed():
    assert search.escape_markdown("[click](https://x) **bold** :red[x] $x$") == (
        r"\[click\]\(https\://x\) \*\*bold\*\* \:red\[x\] \$x\$"
    )


# The page and the sidebar box, in the real Streamlit runtime.


def shown(markdown: str) -> str:
    """A link's label as it reads (its Markdown escapes removed)."""
    return markdown.replace("\\", "")


def test_the_sidebar_search_opens_the_search_page_with_the_query_in_the_address(
    monkeypatch, database_url
):
    at = start_app(monkeypatch, database_url).run()
    at.sidebar.text_input(key="shell_search_text").input("PARIS")
    next(b for b in at.sidebar.button if b.label == "Search").click().run()
    assert not at.exception
    assert at.query_params["q"] in ("PARIS", ["PARIS"])
    assert at.title[0].value == "Search"
    assert any(c.value.startswith("Search the record") for c in at.caption)
    headings = [s.value for s in at.main.subheader]
    assert headings == ["Pledges (0)", "Meetings (2)", "Participants (0)"]
    links = [shown(link.proto.label) for link in at.get("page_link")]
    assert links == ["Host: France", "Host: United Kingdom", "Host: France"]
    assert [link.proto.query_string for link in at.get("page_link")] == [
        "code=FRA",
        "code=GBR",
        "code=FRA",
    ]
    # The box shows the search it opened, ready to be changed.
    assert at.sidebar.text_input(key="shell_search_text").value == "PARIS"


def test_the_search_page_lists_pledges_linking_to_their_participant(monkeypatch, sqlite_url):
    at = start_app(monkeypatch, sqlite_url)
    at.query_params["q"] = "fixture troops"
    at.run()
    at.switch_page("../pages/search.py").run()
    assert not at.exception
    assert next(s.value for s in at.subheader) == "Pledges (2)"
    links = at.get("page_link")
    assert [shown(link.proto.label) for link in links] == [
        "France: Fixture troops of unknown size",
        "United Kingdom: Fixture troops of unknown size",
    ]
    assert any("Matched in description" in c.value for c in at.caption)
    open_sections(at, "search_pledges_section").run()
    table = next(d.value for d in at.dataframe if "Matched in" in d.value.columns)
    assert list(table["Code"]) == ["FRA", "GBR"]


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("", "Type a word or a phrase"),
        ("x" * 1_001, "is 1,001 characters long"),
        ("a\u202eb", "bidirectional control character"),
    ],
)
def test_the_search_page_explains_an_empty_or_refused_search(monkeypatch, sqlite_url, query, shown):
    at = start_app(monkeypatch, sqlite_url)
    if query:
        at.query_params["q"] = query
    at.run()
    at.switch_page("../pages/search.py").run()
    assert not at.exception
    messages = [e.value for e in (*at.info, *at.error)]
    assert any(shown in m for m in messages), messages
    assert not at.get("page_link")


# Found by hand: "Turkey" found none of Turkey's pledges (two said "Türkiye"), "ships" found
# four texts and not the pledges in the Ships category, and a second search typed on the
# Search page was thrown away.


def test_a_participant_is_found_by_any_name_it_goes_by_and_first(corpus):
    for query in ("United Kingdom", "UK", "gbr", "Britain", "british"):
        results = search.find(corpus, query)
        first = results.pledges.iloc[0]
        assert first["participant_code"] == "GBR", query
        assert first["matched"].startswith("participant"), query
        assert results.participants["code"].tolist()[0] == "GBR", query
        # Every pledge of the United Kingdom, whatever its text says.
        ranked = results.pledges[results.pledges["rank"] == search.EXACT_PARTICIPANT]
        assert set(ranked["participant_code"]) == {"GBR"}
        assert len(ranked) == sum(corpus.pledges["participant_code"] == "GBR")
    assert set(search.find(corpus, "Polska").pledges["participant_code"]) == {"POL"}
    # A name that holds the words comes after an exact name, before a mere mention.
    new = search.find(corpus, "new zeal").pledges
    assert new["participant_code"].iloc[0] == "NZL"
    assert new["rank"].iloc[0] == search.PARTICIPANT


def test_a_category_or_a_status_named_finds_its_pledges(corpus):
    ships = search.find(corpus, "ships").pledges
    in_category = corpus.pledges[corpus.pledges["category"] == "ships"]
    assert set(in_category["id"]) <= set(ships["id"])
    assert set(search.find(corpus, "Ship").pledges["id"]) == set(ships["id"])
    refusals = search.find(corpus, "ruled out").pledges
    assert set(refusals.loc[refusals["rank"] == search.WORD, "status"]) == {"ruled_out"}
    assert "status" in refusals["matched"].iloc[0]


def test_a_new_search_on_the_search_page_always_runs(monkeypatch, sqlite_url):
    at = start_app(monkeypatch, sqlite_url)
    at.query_params["q"] = "PARIS"
    at.run()
    at.switch_page("../pages/search.py").run()
    assert next(s.value for s in at.subheader) == "Pledges (0)"
    at.sidebar.text_input(key="shell_search_text").input("UK")
    next(b for b in at.sidebar.button if b.label == "Search").click().run()
    assert not at.exception
    assert at.query_params["q"] in ("UK", ["UK"])
    assert at.sidebar.text_input(key="shell_search_text").value == "UK"
    assert next(s.value for s in at.subheader) != "Pledges (0)"
