"""One view of the record: the participants and pledges under the filters and "as of" date,
and every figure derived from them. The overview, map, participant page and snapshot summary
all read a View, so a headline, a table row and a map colour cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import pandas as pd
from sqlmodel import Session

from coalition.figures import measures
from coalition.figures.ladder import RULED_OUT
from coalition.figures.metrics import Headline, headline
from coalition.read import queries
from coalition.read.filters import PledgeFilter


@dataclass(frozen=True)
class View:
    filters: PledgeFilter
    # Participants matching the filters that are on the record by the as-of date: reported as
    # participants by then, or with a pledge listed (some spoke before the coalition existed).
    participants: pd.DataFrame
    pledges: pd.DataFrame
    # Stated refusals (ruled out) under the same filters, whatever the status filter: the
    # ladder of commitment shows them beside the offers.
    refusals: pd.DataFrame
    headline: Headline
    # Per participant measures (the map, the participant page, the participants summary).
    by_participant: pd.DataFrame


def build_view(session: Session, filters: PledgeFilter, known_at: datetime | None = None) -> View:
    """Everything a page shows under ``filters`` from one read of participants and pledges
    (with ``known_at``, the record as recorded by then, as a snapshot pins it)."""
    wanted = filters.statuses
    # One read for the pledges and the refusals: the chosen statuses and "ruled out".
    read = replace(filters, statuses=tuple(dict.fromkeys((*wanted, RULED_OUT))) if wanted else ())
    found = queries.pledges_frame(session, read, known_at=known_at)
    pledges = found[found["status"].isin(wanted)] if wanted else found
    pledges = pledges.reset_index(drop=True)
    refusals = found[found["status"] == RULED_OUT].reset_index(drop=True)
    everyone = queries.participants_frame(session, replace(filters, as_of=None))
    participants = filters.when.on_the_record(everyone, pledges).reset_index(drop=True)
    return View(
        filters=filters,
        participants=participants,
        pledges=pledges,
        refusals=refusals,
        headline=headline(participants, pledges, refusals),
        by_participant=measures.participant_figures(
            participants, pledges, queries.usd_per_eur(session), refusals
        ),
    )
