"""Per-participant measures for the map and the participant page: each measure's known value
(offers only, loans and guarantees apart), the count of unknown sizes behind it, where the
participant stands on the ladder of commitment in each category, and how a value reads
("€1.2bn", "≥ 500 troops", "size not published")."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from coalition.figures.ladder import rungs_by_category
from coalition.money.sizes import is_lending, measured_size
from coalition.text.formatting import money
from core.vocabulary import CATEGORIES, OFFER_STATUSES, STATUSES


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    unit: str


MEASURES = {
    m.key: m
    for m in (
        Measure("funding_eur", "Funding (EUR)", "EUR"),
        Measure("troops", "Troops", "troops"),
        Measure("aircraft", "Aircraft", "aircraft"),
        Measure("ships", "Ships", "ships"),
        Measure("pledges", "Number of offers", "offers"),
        Measure("funding_pct_gdp", "Funding as % of GDP", "% of GDP"),
        Measure("troops_per_million", "Troops per million inhabitants", "per million"),
    )
}
CATEGORY_OF = {
    "funding_eur": "funding",
    "troops": "troops",
    "aircraft": "aircraft",
    "ships": "ships",
    "funding_pct_gdp": "funding",
    "troops_per_million": "troops",
}


def measures_for(filters) -> list[str]:
    """The measures a map of this view can colour by: those of the categories the sidebar
    leaves in, and the count of offers (every category has one). A Troops filter never leaves
    the map coloured by funding, all grey."""
    return [k for k in MEASURES if k not in CATEGORY_OF or filters.shows(CATEGORY_OF[k])]


def participant_figures(
    participants: pd.DataFrame,
    pledges: pd.DataFrame,
    usd_per_eur: float | None,
    refusals: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per participant: every measure's known value (offers only) and the count of unknown
    sizes behind it, its rung on the ladder in each category (``{category}_rung``: a ladder
    status, "ruled_out", or empty), plus the status breakdown for tooltips."""
    frame = participants.set_index("code")[
        [
            "name",
            "kind",
            "region",
            "population",
            "population_year",
            "gdp_usd",
            "gdp_year",
            "centroid_lat",
            "centroid_lon",
        ]
    ].copy()
    pledges = pledges[pledges["participant_code"].isin(frame.index)]
    refused = pledges.iloc[0:0] if refusals is None else refusals
    refused = refused[refused["participant_code"].isin(frame.index)]
    # Measures add up offers only; the status breakdown below lists every status.
    active = pledges[pledges["status"].isin(OFFER_STATUSES) & ~is_lending(pledges)]
    for category, rungs in rungs_by_category(pledges, refused, CATEGORIES).items():
        frame[f"{category}_rung"] = rungs
    frame = frame.fillna({f"{category}_rung": "" for category in CATEGORIES})
    for category in ("funding", "troops", "aircraft", "ships"):
        own = active[active["category"] == category]
        size = measured_size(own)
        grouped = size.groupby(own["participant_code"])
        key = "funding_eur" if category == "funding" else category
        frame[key] = grouped.sum(min_count=1)
        frame[f"{category}_pledges"] = grouped.size()
        frame[f"{category}_unknown"] = size.isna().groupby(own["participant_code"]).sum()
    frame["pledges"] = active.groupby("participant_code").size()
    frame = frame.fillna(
        {c: 0 for c in frame.columns if c.endswith(("_pledges", "_unknown"))} | {"pledges": 0}
    )
    frame["funding_pct_gdp"] = (
        frame["funding_eur"] * usd_per_eur / frame["gdp_usd"] * 100 if usd_per_eur else np.nan
    )
    frame["troops_per_million"] = frame["troops"] / frame["population"] * 1e6
    every = pd.concat([pledges, refused[~refused["id"].isin(pledges["id"])]])
    # Counted in plain Python: a pandas cell lookup per participant and status cost more than
    # the whole view.
    counts = Counter(zip(every["participant_code"].tolist(), every["status"].tolist(), strict=True))
    frame["status_breakdown"] = [
        ", ".join(f"{counts[code, s]} {s.replace('_', ' ')}" for s in STATUSES if counts[code, s])
        or "nothing reported"
        for code in frame.index
    ]
    return frame


def measure_text(measure: Measure, value: float) -> str:
    if measure.key == "funding_eur":
        return money(value)
    if measure.key == "funding_pct_gdp":
        return f"{value:.3f}% of GDP"
    if measure.key == "troops_per_million":
        return f"{value:,.1f} troops per million"
    unit = measure.unit.removesuffix("s") if value == 1 else measure.unit  # 1 offer, 1 ship
    return f"{value:,.0f} {unit}"


def figures_for_display(figures: pd.DataFrame, measure: Measure) -> pd.DataFrame:
    """The table under the map: each participant's figure in words ("€1.2bn", "≥ 500
    troops", "size not published"), largest first, unknowns after the known figures."""
    category = CATEGORY_OF.get(measure.key)
    values = figures[measure.key]
    unknown = figures[f"{category}_unknown"].astype(int) if category else values * 0
    shown = [
        (f"≥ {measure_text(measure, v)}" if u else measure_text(measure, v))
        if pd.notna(v)
        else ("size not published" if u else "none recorded")
        for v, u in zip(values.tolist(), unknown.tolist(), strict=True)
    ]
    table = pd.DataFrame(
        {
            "Participant": figures["name"],
            measure.label: shown,
            "Pledges of unknown size": unknown,
            "Status": figures["status_breakdown"],
            "_order": values.fillna(-1.0),
        }
    )
    if not category:
        table = table.drop(columns=["Pledges of unknown size"])
    return (
        table.sort_values(["_order", "Participant"], ascending=[False, True])
        .drop(columns=["_order"])
        .reset_index(drop=True)
    )
