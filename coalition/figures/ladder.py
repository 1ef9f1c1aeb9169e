"""The ladder of commitment, per participant and category: how far each participant has gone
in a category (considering, announced, committed, deployed or delivered: the highest rung of
its pledges), or that it ruled the category out. Tiles, the map, the coverage matrix and the
briefing pack all read it from here, so they count the same participants as offering."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core.vocabulary import LADDER, OFFER_STATUSES

RULED_OUT = "ruled_out"
# Top of the ladder first, as the tiles list them; a refusal last.
RUNGS = (*reversed(LADDER), RULED_OUT)
RUNG_WORDS = {RULED_OUT: "ruled out"}


def highest_rungs(pledges: pd.DataFrame, refusals: pd.DataFrame, category: str) -> pd.Series:
    """Per participant code, its highest rung in ``category`` (a ladder status), or
    "ruled_out" for one that ruled the category out and has no pledge on the ladder in it.
    A loan or a guarantee is an offer of funding too (never added into a grant total)."""
    own = pledges[(pledges["category"] == category) & pledges["status"].isin(LADDER)]
    rank = own["status"].map(LADDER.index)
    best = rank.groupby(own["participant_code"]).max().map(lambda index: LADDER[index])
    refused = refusals.loc[refusals["category"] == category, "participant_code"].unique()
    only_refused = [code for code in refused if code not in best.index]
    return pd.concat([best, pd.Series(RULED_OUT, index=only_refused, dtype=object)])


@dataclass(frozen=True)
class Ladder:
    """How many participants stand on each rung in one category."""

    category: str
    counts: tuple[tuple[str, int], ...]  # (rung, participants), top first, none empty

    @classmethod
    def of(cls, category: str, rungs: pd.Series) -> Ladder:
        found = rungs.value_counts()
        return cls(category, tuple((r, int(found[r])) for r in RUNGS if found.get(r, 0)))

    def count(self, rung: str) -> int:
        return dict(self.counts).get(rung, 0)

    @property
    def offering(self) -> int:
        """Participants that offer something in the category (announced or further up)."""
        return sum(n for rung, n in self.counts if rung in OFFER_STATUSES)

    def text(self) -> str:
        """ "5 announced · 8 considering · 3 ruled out", or "nothing reported"."""
        return (
            " · ".join(f"{n:,} {RUNG_WORDS.get(rung, rung)}" for rung, n in self.counts)
            or "nothing reported"
        )
