"""The headline tiles, as the overview and the briefing pack both show them: per category, how
many participants offer something (announced or further up the ladder), what sizes were
published and by how many, and the whole ladder ("5 announced · 8 considering · 3 ruled
out"). One number never mixes rungs of the ladder, and a sum of one line item says so."""

from __future__ import annotations

from dataclasses import dataclass

from coalition.figures.metrics import CategoryFigures
from coalition.figures.view import View
from coalition.money.sizes import is_lending, measured_size
from core.vocabulary import OFFER_STATUSES

# (category, label, what is offered, in words)
CATEGORY_TILES = (
    ("funding", "Funding", "funding"),
    ("troops", "Troops", "troops"),
    ("aircraft", "Aircraft", "aircraft"),
    ("ships", "Ships", "ships"),
)


@dataclass(frozen=True)
class Tile:
    label: str
    value: str
    notes: tuple[str, ...]
    category: str | None = None


def _participants(count: int) -> str:
    return f"{count:,} participant" + ("" if count == 1 else "s")


def _only_item(view: View, category: str) -> str:
    """The one offer with a published size: who, and what it is."""
    pledges = view.pledges
    offers = pledges[
        (pledges["category"] == category)
        & pledges["status"].isin(OFFER_STATUSES)
        & ~is_lending(pledges)
        & pledges["participant_code"].isin(view.participants["code"])
    ]
    known = offers[measured_size(offers).notna()]
    return str(known["participant"].iloc[0]) if len(known) else ""


def sizes_note(view: View, figures: CategoryFigures, noun: str, offering: int) -> str:
    """Who offers, what the offers' published sizes add up to and from how many participants;
    a single line item named as such, never read as a coalition total."""
    if offering == 0:
        return f"No participant offers {noun} in this view."
    who = f"{'participant offers' if offering == 1 else 'participants offer'} {noun}"
    unknown = (
        f"; {figures.unknown_size:,} offer{'' if figures.unknown_size == 1 else 's'} of unknown "
        "size"
        if figures.unknown_size and figures.known_pledges
        else ""
    )
    if figures.known_pledges == 0:
        return f"{who}; no size published."
    if figures.known_pledges == 1:
        what = "amount" if figures.category == "funding" else "size"
        return (
            f"{who}; one published {what}, not a total: {figures.known_text()} "
            f"({_only_item(view, figures.category)}){unknown}."
        )
    return (
        f"{who}; {figures.known_text()} published by "
        f"{_participants(figures.known_participants)}{unknown}."
    )


def tiles(view: View) -> list[Tile]:
    """The five headline tiles for this view: participants, then one per category."""
    headline = view.headline
    shown = [Tile("Participants", f"{headline.participants:,}", ("On the record by this date.",))]
    for category, label, noun in CATEGORY_TILES:
        if not view.filters.shows(category):
            shown.append(Tile(label, "not shown", ("Not a chosen category.",), category))
            continue
        ladder = headline.ladders[category]
        figures = headline.category(category)
        notes = [sizes_note(view, figures, noun, ladder.offering), f"Ladder: {ladder.text()}."]
        if category == "funding" and headline.lending.pledges:
            notes.append(f"Apart, never added: loans and guarantees, {headline.lending.summary()}.")
        # The number alone: a tile's value is read at a glance, and never cut to fit.
        value = f"{ladder.offering:,}" if ladder.offering else "none"
        shown.append(Tile(label, value, tuple(notes), category))
    return shown
