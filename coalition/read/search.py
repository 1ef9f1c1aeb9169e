"""Search the record: where a word or phrase is mentioned in pledges, meetings and
participants' names.

What is typed is text, never a query language: it is matched as a literal piece of text
(``%``, ``_``, quotes and anything that looks like SQL mean themselves), ignoring case,
accents and runs of spaces. Matching is done here on the rows read, not in SQL: the same
folding then holds on SQLite and PostgreSQL alike (neither compares without accents out of the
box), and nothing typed ever reaches a statement.

Search answers "where is this mentioned", so the sidebar filters do not narrow it; the "as of"
date does: pledges as they stood on that day, and meetings held by then.

What people type is more than text: a participant by its name, code or another name it goes by
("Turkey" and "Türkiye", "UK" and "Britain": data/aliases.csv) finds its pledges first, then a
participant whose name holds the words, then a category or a status named ("ships", "ruled
out"), then every pledge whose text mentions them.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import pandas as pd
from sqlmodel import Session

from coalition.errors import Problem, ValidationFailed
from coalition.read import queries
from coalition.read.as_of import AsOf
from coalition.read.filters import PledgeFilter
from coalition.text.checks import check_text
from coalition.text.labels import label
from core.settings import get_settings
from core.vocabulary import STATUSES

MAX_LENGTH = 1_000
FIELD = "Search"
# The fields searched in each group, with the names shown beside a result.
PLEDGE_FIELDS = {
    "description": "description",
    "capability_type": "capability",
    "conditions": "conditions",
    "notes": "notes",
    "source_title": "source title",
}
MEETING_FIELDS = {"title": "title", "summary": "summary", "location": "location"}
PARTICIPANT_FIELDS = {"name": "name"}
EXCERPT_LENGTH = 160
_SPACES = re.compile(r"\s+")
ALIASES_FILE = "aliases.csv"
# How a pledge was found, best first: its participant named exactly (by name, code or another
# name), a participant's name holding the words, a category or status named, its text.
EXACT_PARTICIPANT, PARTICIPANT, WORD, TEXT = range(4)
# Words people use for a category or a status, besides its own name.
CATEGORY_WORDS = {
    "funding": ("fund", "funds", "money"),
    "troops": ("troop", "soldiers", "forces"),
    "aircraft": ("plane", "planes", "jets"),
    "ships": ("ship", "vessels", "naval"),
    "other": (),
}
STATUS_WORDS = {"ruled_out": ("refusal", "refused", "refusals"), "withdrawn": ("withdrawal",)}


def fold(text: object) -> str:
    """Text as it is compared: without accents (é → e), case folded (ß → ss), runs of spaces
    as one space."""
    if not isinstance(text, str):
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", bare.casefold()).strip()


def check_query(text: str | None) -> str:
    """The query as typed, without surrounding spaces ("" for none), or every problem with it:
    longer than 1,000 characters, a NUL character, a bidirectional control character."""
    text = (text or "").strip()
    problems = []
    if len(text) > MAX_LENGTH:
        problems.append(
            Problem(
                FIELD,
                f"is {len(text):,} characters long; a search may be at most "
                f"{MAX_LENGTH:,} characters",
            )
        )
    if (problem := check_text(FIELD, text)) is not None:
        problems.append(problem)
    if problems:
        raise ValidationFailed(problems)
    return text


@cache
def _aliases(path: Path) -> dict[str, tuple[str, ...]]:
    if not path.exists():
        return {}
    found: dict[str, list[str]] = {}
    with path.open(encoding="utf-8", newline="") as rows:
        for row in csv.DictReader(rows):
            found.setdefault(row["code"].strip(), []).append(row["alias"].strip())
    return {code: tuple(names) for code, names in found.items()}


def aliases(data_dir: Path) -> dict[str, tuple[str, ...]]:
    """The other names each participant goes by, by code (the seed folder's aliases.csv)."""
    return _aliases(data_dir / ALIASES_FILE)


def _words(named: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Each folded word that names a code: the code, its label, and the other words."""
    return {
        fold(word): code for code, others in named.items() for word in (code, label(code), *others)
    }


CATEGORY_OF_WORD = _words(CATEGORY_WORDS)
STATUS_OF_WORD = _words({s: STATUS_WORDS.get(s, ()) for s in STATUSES})


@dataclass(frozen=True)
class Corpus:
    """What can be found, as of one date, with each searched field folded once."""

    as_of: date | None
    pledges: pd.DataFrame
    meetings: pd.DataFrame
    participants: pd.DataFrame


def _folded(frame: pd.DataFrame, fields: dict[str, str]) -> pd.DataFrame:
    return frame.assign(**{f"folded_{name}": frame[name].map(fold) for name in fields})


def corpus(session: Session, as_of: date | None = None) -> Corpus:
    """Every pledge (whatever its status, scope or participant) as it stood on ``as_of``,
    every meeting held by then, and every participant."""
    everything = PledgeFilter(statuses=(), scopes=(), as_of=as_of)
    pledges = queries.pledges_frame(session, everything)
    meetings = queries.events_frame(session, AsOf(as_of))
    participants = queries.participants_frame(session)
    names = dict(zip(participants["code"], participants["name"], strict=True))
    other_names = aliases(get_settings().data_dir)
    participants = participants.assign(
        known_as=[
            frozenset(fold(n) for n in (name, code, *other_names.get(code, ())))
            for code, name in zip(participants["code"], participants["name"], strict=True)
        ]
    )
    meetings = meetings.assign(
        hosts=meetings["host_codes"].map(
            lambda codes: [c for c in (codes or "").split(";") if c in names]
        )
    )
    return Corpus(
        as_of=as_of,
        pledges=_folded(pledges, PLEDGE_FIELDS),
        meetings=_folded(meetings.reset_index(drop=True), MEETING_FIELDS),
        participants=_folded(participants, PARTICIPANT_FIELDS),
    )


@dataclass(frozen=True)
class Results:
    query: str
    pledges: pd.DataFrame
    meetings: pd.DataFrame
    participants: pd.DataFrame

    @property
    def total(self) -> int:
        return len(self.pledges) + len(self.meetings) + len(self.participants)


def _excerpt(text: str, needle: str) -> str:
    """The matched text, or the part of it around the first match when it is long."""
    text = _SPACES.sub(" ", text).strip()
    if len(text) <= EXCERPT_LENGTH:
        return text
    folded = fold(text)
    # Folding keeps positions wherever it keeps length (accents dropped, most case folds).
    at = folded.find(needle) if len(folded) == len(text) else 0
    start = max(0, min(at - EXCERPT_LENGTH // 3, len(text) - EXCERPT_LENGTH))
    end = start + EXCERPT_LENGTH
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")


def _matches(frame: pd.DataFrame, fields: dict[str, str], needle: str) -> pd.DataFrame:
    """The rows where ``needle`` occurs in any field, with ``matched`` (the fields' names) and
    ``excerpt`` (from the first of them)."""
    hits = pd.DataFrame(
        {name: [needle in text for text in frame[f"folded_{name}"]] for name in fields},
        index=frame.index,
    )
    found = frame[hits.any(axis=1)].drop(columns=[f"folded_{name}" for name in fields])
    hits = hits.loc[found.index]
    matched = [[name for name in fields if row[name]] for row in hits.to_dict(orient="records")]
    return found.assign(
        matched=[", ".join(fields[name] for name in names) for names in matched],
        excerpt=[
            _excerpt(str(found.at[index, names[0]]), needle)
            for index, names in zip(found.index, matched, strict=True)
        ],
    ).reset_index(drop=True)


def _named_participants(corpus: Corpus, needle: str) -> tuple[set[str], set[str]]:
    """The participants the words name exactly (name, code or another name), and those whose
    names hold them (three letters at least: "a" names nobody)."""
    exact, partial = set(), set()
    for code, names in zip(
        corpus.participants["code"], corpus.participants["known_as"], strict=True
    ):
        if needle in names:
            exact.add(code)
        elif len(needle) >= 3 and any(needle in name for name in names):
            partial.add(code)
    return exact, partial


def _found_pledges(corpus: Corpus, needle: str) -> pd.DataFrame:
    """Every pledge the words find, each with how (``rank``, ``matched``) and an excerpt."""
    pledges = corpus.pledges
    exact, partial = _named_participants(corpus, needle)
    text = pd.DataFrame(
        {
            name: [needle in folded for folded in pledges[f"folded_{name}"]]
            for name in PLEDGE_FIELDS
        },
        index=pledges.index,
    )
    reasons = pd.DataFrame(
        {
            "participant": pledges["participant_code"].isin(exact | partial),
            "category": pledges["category"].eq(CATEGORY_OF_WORD.get(needle)),
            "status": pledges["status"].eq(STATUS_OF_WORD.get(needle)),
        }
    )
    rank = pd.Series(TEXT, index=pledges.index)
    rank = rank.mask(reasons["category"] | reasons["status"], WORD)
    rank = rank.mask(pledges["participant_code"].isin(partial), PARTICIPANT)
    rank = rank.mask(pledges["participant_code"].isin(exact), EXACT_PARTICIPANT)
    hit = text.any(axis=1) | reasons.any(axis=1)
    found = pledges[hit].drop(columns=[f"folded_{name}" for name in PLEDGE_FIELDS])
    why = pd.concat([reasons, text.rename(columns=PLEDGE_FIELDS)], axis=1).loc[found.index]
    matched = [[name for name, yes in row.items() if yes] for row in why.to_dict("records")]
    fields = [[n for n in PLEDGE_FIELDS if text.at[i, n]] for i in found.index]
    return found.assign(
        rank=rank[found.index],
        matched=[", ".join(names) for names in matched],
        excerpt=[
            _excerpt(str(found.at[i, names[0] if names else "description"]), needle)
            for i, names in zip(found.index, fields, strict=True)
        ],
    ).reset_index(drop=True)


def find(corpus: Corpus, query: str) -> Results:
    """Everything in ``corpus`` that ``query`` (checked with ``check_query``) finds: pledges of
    a participant it names first, then of a category or status it names, then those whose
    text mentions it, newest first within each; meetings newest first; participants named by
    it first, then by name."""
    needle = fold(check_query(query))
    if not needle:  # nothing searched, nothing found
        corpus = Corpus(
            corpus.as_of,
            corpus.pledges.iloc[0:0],
            corpus.meetings.iloc[0:0],
            corpus.participants.iloc[0:0],
        )
    pledges = _found_pledges(corpus, needle)
    meetings = _matches(corpus.meetings, MEETING_FIELDS, needle)
    exact, partial = _named_participants(corpus, needle)
    named = corpus.participants[corpus.participants["code"].isin(exact | partial)]
    participants = named.drop(columns=["known_as"]).assign(
        matched="name", excerpt=named["name"], _exact=named["code"].isin(exact)
    )
    return Results(
        query=query,
        pledges=pledges.sort_values(
            ["rank", "announced_on", "participant", "id"],
            ascending=[True, False, True, True],
            ignore_index=True,
        ),
        meetings=meetings.sort_values("held_on", ascending=False, ignore_index=True),
        participants=participants.sort_values(["_exact", "name"], ascending=[False, True])
        .drop(columns=["_exact", "folded_name"])
        .reset_index(drop=True),
    )


def pledges_for_display(found: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Participant": found["participant"],
            "Code": found["participant_code"],
            "Category": found["category"].map(label),
            "Status": found["status"].map(label),
            "What": found["description"],
            "Announced": found["announced_on"],
            "Matched in": found["matched"],
            "Matched text": found["excerpt"],
            "Pledge": found["id"],
        }
    )


def meetings_for_display(found: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Date": found["held_on"],
            "Meeting": found["title"],
            "Where": found["location"],
            "Hosts": [", ".join(names[c] for c in hosts) for hosts in found["hosts"]],
            "Matched in": found["matched"],
            "Matched text": found["excerpt"],
        }
    )


def participants_for_display(found: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Participant": found["name"],
            "Code": found["code"],
            "Region": found["region"],
            "Matched in": found["matched"],
        }
    )


_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~$:])")


def escape_markdown(text: str) -> str:
    """Text from the record (or typed) made safe where Streamlit reads Markdown: a link's
    label, a heading."""
    return _MARKDOWN.sub(r"\\\1", _SPACES.sub(" ", text).strip())
