"""Search the record: where a word or phrase is mentioned in pledges, meetings and
participants' names.

What is typed is text, never a query language: it is matched as a literal piece of text
(``%``, ``_``, quotes and anything that looks like SQL mean themselves), ignoring case,
accents and runs of spaces. Matching is done here on the rows read, not in SQL: the same
folding then holds on SQLite and PostgreSQL alike (neither compares without accents out of the
box), and nothing typed ever reaches a statement.

Search answers "where is this mentioned", so the sidebar filters do not narrow it; the "as of"
date does: pledges as they stood on that day, and meetings held by then.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlmodel import Session

from coalition.errors import Problem, ValidationFailed
from coalition.read import queries
from coalition.read.as_of import AsOf
from coalition.read.filters import PledgeFilter
from coalition.text.checks import check_text
from coalition.text.labels import label

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


def find(corpus: Corpus, query: str) -> Results:
    """Everything in ``corpus`` that mentions ``query`` (checked with ``check_query``): pledges
    newest first, meetings newest first, participants by name."""
    needle = fold(check_query(query))
    rows = slice(None) if needle else slice(0)  # nothing searched, nothing found
    pledges = _matches(corpus.pledges.iloc[rows], PLEDGE_FIELDS, needle)
    meetings = _matches(corpus.meetings.iloc[rows], MEETING_FIELDS, needle)
    participants = _matches(corpus.participants.iloc[rows], PARTICIPANT_FIELDS, needle)
    return Results(
        query=query,
        pledges=pledges.sort_values(
            ["announced_on", "participant", "id"], ascending=[False, True, True], ignore_index=True
        ),
        meetings=meetings.sort_values("held_on", ascending=False, ignore_index=True),
        participants=participants.sort_values("name", ignore_index=True),
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
