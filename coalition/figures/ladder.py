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
    return rungs_by_category(pledges, refusals, (category,))[category]


def rungs_by_category(
    pledges: pd.DataFrame, refusals: pd.DataFrame, categories: tuple[str, ...]
) -> dict[str, pd.Series]:
    """``highest_rungs`` for several categories in one pass over the rows. In plain Python:
    a page reads every category's ladder, and a pandas group-by per category cost more than
    the rows themselves (a few hundred on a view)."""
    rank_of = {status: rank for rank, status in enumerate(LADDER)}
    best: dict[str, dict[str, int]] = {category: {} for category in categories}
    for code, category, status in zip(
        pledges["participant_code"].tolist(),
        pledges["category"].tolist(),
        pledges["status"].tolist(),
        strict=True,
    ):
        rank, own = rank_of.get(status), best.get(category)
        if rank is not None and own is not None and own.get(code, -1) < rank:
            own[code] = rank
    refused: dict[str, dict[str, None]] = {category: {} for category in categories}
    for code, category in zip(
        refusals["participant_code"].tolist(), refusals["category"].tolist(), strict=True
    ):
        if category in refused and code not in best[category]:
            refused[category][code] = None
    return {
        category: pd.Series(
            [LADDER[best[category][code]] for code in sorted(best[category])]
            + [RULED_OUT] * len(refused[category]),
            index=[*sorted(best[category]), *refused[category]],
            dtype=object,
        )
        for category in categories
    }


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
