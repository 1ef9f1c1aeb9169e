"""Headline figures. Unknown sizes are counted, never summed as zero."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from coalition.money.sizes import is_lending, measured_size
from coalition.text.formatting import UNITS, money
from core.vocabulary import CATEGORIES, INACTIVE_STATUSES


@dataclass(frozen=True)
class CategoryFigures:
    category: str
    pledges: int
    participants: int
    known_total: float
    unknown_size: int

    @property
    def known_pledges(self) -> int:
        return self.pledges - self.unknown_size

    def known_text(self) -> str:
        """The sum of published sizes: "€5.11bn", "1,250 troops"."""
        return amount_text(self.category, self.known_total)

    def figure(self) -> str:
        """The headline figure, never a bare zero where sizes were not published:
        "1,250 troops", "≥ 1,250 troops", "3 pledges, size not published", "none recorded"."""
        if self.pledges == 0:
            return "none recorded"
        if self.known_pledges == 0:
            return f"{_pledges(self.pledges)}, size not published"
        return ("≥ " if self.unknown_size else "") + self.known_text()

    def short(self) -> str:
        """The figure in a few characters, for a headline tile whose caption says the rest:
        "≥ 1,250 troops", "13 pledges" (no size published), "none"."""
        if self.pledges and not self.known_pledges:
            return _pledges(self.pledges)
        return "none" if self.pledges == 0 else self.figure()

    def summary(self) -> str:
        """The figure and what it leaves out: "≥ 550 troops, + 3 pledges of unknown size"."""
        if self.unknown_size and self.known_pledges:
            return f"{self.figure()}, + {_pledges(self.unknown_size)} of unknown size"
        return self.figure()

    def caption(self) -> str:
        """Under a headline tile: the summary and how many participants it comes from."""
        if not self.pledges:
            return f"No {self.category} pledge in this view."
        who = f"{self.participants:,} participant" + ("" if self.participants == 1 else "s")
        return f"{self.summary()}; from {who}"


def _pledges(count: int) -> str:
    return f"{count:,} pledge" + ("" if count == 1 else "s")


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

    def category(self, name: str) -> CategoryFigures:
        return self.by_category[name]


def headline(participants: pd.DataFrame, pledges: pd.DataFrame) -> Headline:
    """Figures over the given (already filtered) participants and pledges. Withdrawals and
    refusals never count as pledges here, whatever the status filter shows."""
    pledges = pledges[
        pledges["participant_code"].isin(participants["code"])
        & ~pledges["status"].isin(INACTIVE_STATUSES)
    ]
    lending = is_lending(pledges)

    def figures(category: str, rows: pd.DataFrame) -> CategoryFigures:
        return CategoryFigures(
            category=category,
            pledges=len(rows),
            participants=rows["participant_code"].nunique(),
            known_total=float(measured_size(rows).sum(skipna=True)),
            unknown_size=int(rows["quantity"].isna().sum()),
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
    )
