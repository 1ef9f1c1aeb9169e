"""Headline figures: per category, the offers (pledges announced or further up the ladder of
commitment, core.vocabulary.is_offer), the sum of their published sizes, and where every
participant stands on the ladder. Unknown sizes are counted, never summed as zero."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from coalition.figures.ladder import Ladder, rungs_by_category
from coalition.money.sizes import is_lending, measured_size
from coalition.text.formatting import UNITS, money
from core.vocabulary import CATEGORIES, OFFER_STATUSES


@dataclass(frozen=True)
class CategoryFigures:
    """The offers in one category: how many (``pledges``), from how many participants, the sum
    of the sizes published and how many have no published size."""

    category: str
    pledges: int
    participants: int
    known_total: float
    unknown_size: int
    # How many participants the published sizes come from.
    known_participants: int = 0
    # What is counted, in words: offers in a headline; a delivery stage's pledges.
    noun: str = "offer"

    @property
    def known_pledges(self) -> int:
        return self.pledges - self.unknown_size

    def known_text(self) -> str:
        """The sum of published sizes: "€5.11bn", "1,250 troops"."""
        return amount_text(self.category, self.known_total)

    def figure(self) -> str:
        """The headline figure, never a bare zero where sizes were not published:
        "1,250 troops", "≥ 1,250 troops", "3 offers, size not published", "no offer"."""
        if self.pledges == 0:
            return f"no {self.noun}"
        if self.known_pledges == 0:
            return f"{_counted(self.pledges, self.noun)}, size not published"
        return ("≥ " if self.unknown_size else "") + self.known_text()

    def short(self) -> str:
        """The figure in a few characters, for a headline tile whose caption says the rest:
        "≥ 1,250 troops", "5 offers" (no size published), "none"."""
        if self.pledges and not self.known_pledges:
            return _counted(self.pledges, self.noun)
        return "none" if self.pledges == 0 else self.figure()

    def summary(self) -> str:
        """The figure and what it leaves out: "≥ 550 troops, + 3 offers of unknown size"."""
        if self.unknown_size and self.known_pledges:
            return f"{self.figure()}, + {_counted(self.unknown_size, self.noun)} of unknown size"
        return self.figure()

    def caption(self) -> str:
        """Under a headline tile: the summary and how many participants it comes from."""
        if not self.pledges:
            return f"No {self.category} offer in this view."
        who = f"{self.participants:,} participant" + ("" if self.participants == 1 else "s")
        return f"{self.summary()}; from {who}"


def _counted(count: int, noun: str = "offer") -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def amount_text(category: str, value: float) -> str:
    """One number format on every page: "€5.11bn" for money, "1,250 troops" for the rest."""
    if category == "funding":
        return money(value)
    return f"{value:,.0f} {UNITS.get(category, '')}".strip()


@dataclass(frozen=True)
class Headline:
    participants: int
    # Funding here is grants, in-kind and unspecified money; loans and guarantees are apart.
    by_category: dict[str, CategoryFigures]
    lending: CategoryFigures
    funding_by_currency: pd.DataFrame  # currency, pledges, known_amount, amount_eur, unknown
    # Where each participant stands in each category, considering and refusals included.
    ladders: dict[str, Ladder]

    def category(self, name: str) -> CategoryFigures:
        return self.by_category[name]


def headline(
    participants: pd.DataFrame, pledges: pd.DataFrame, refusals: pd.DataFrame | None = None
) -> Headline:
    """Figures over the given (already filtered) participants and pledges: totals count
    offers only, whatever else the status filter shows; the ladders count every participant
    on its highest rung, and ``refusals`` (stated refusals, whatever the status filter) as
    ruled out."""
    on_record = participants["code"]
    mine = pledges[pledges["participant_code"].isin(on_record)]
    refused = pledges.iloc[0:0] if refusals is None else refusals
    refused = refused[refused["participant_code"].isin(on_record)]
    rungs = rungs_by_category(mine, refused, CATEGORIES)
    ladders = {c: Ladder.of(c, rungs[c]) for c in CATEGORIES}
    pledges = mine[mine["status"].isin(OFFER_STATUSES)]
    lending = is_lending(pledges)

    def figures(category: str, rows: pd.DataFrame) -> CategoryFigures:
        size = measured_size(rows)
        return CategoryFigures(
            category=category,
            pledges=len(rows),
            participants=rows["participant_code"].nunique(),
            known_total=float(size.sum(skipna=True)),
            unknown_size=int(rows["quantity"].isna().sum()),
            known_participants=rows.loc[size.notna(), "participant_code"].nunique(),
        )

    by_category = {
        category: figures(category, pledges[(pledges["category"] == category) & ~lending])
        for category in CATEGORIES
    }
    funding = pledges[pledges["category"] == "funding"]
    by_currency = (
        funding.assign(unknown=funding["quantity"].isna())
        .groupby("currency", dropna=False)
        .agg(
            pledges=("id", "size"),
            known_amount=("quantity", "sum"),
            amount_eur=("amount_eur", "sum"),
            unknown=("unknown", "sum"),
        )
        .reset_index()
    )
    return Headline(
        participants=len(participants),
        by_category=by_category,
        lending=figures("funding", pledges[lending]),
        funding_by_currency=by_currency,
        ladders=ladders,
    )
