"""Who gives most, and who has offered what: the ranking and the coverage matrix.

Both are built from one View (coalition/figures/view.py), so they agree with the overview and
the map.
Plain Python over DataFrames: the Ranking page draws what these return, and tests read them
directly. A size that was never published is shown as unknown and ranked after every
published figure, never as zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from coalition.figures.charts import (
    BAR_OUTLINE,
    CATEGORY_COLOURS,
    chart_title,
    count_ticks,
    money_ticks,
    plain,
)
from coalition.figures.ladder import RULED_OUT as RULED_OUT_RUNG
from coalition.figures.ladder import highest_rungs
from coalition.figures.metrics import CategoryFigures
from coalition.figures.view import View
from coalition.money.sizes import is_lending
from coalition.read.filters import PledgeFilter
from coalition.text.formatting import money
from core.vocabulary import CATEGORIES, OFFER_STATUSES, is_offer


@dataclass(frozen=True)
class RankMeasure:
    key: str  # the column of View.by_participant
    label: str
    category: str
    axis_title: str


RANK_MEASURES = {
    m.key: m
    for m in (
        RankMeasure("funding_eur", "Funding (EUR, known)", "funding", "Funding, known (EUR)"),
        RankMeasure(
            "funding_pct_gdp", "Funding as % of GDP", "funding", "Known funding (% of GDP)"
        ),
        RankMeasure("troops", "Troops offered", "troops", "Troops (count)"),
        RankMeasure(
            "troops_per_million",
            "Troops per million inhabitants",
            "troops",
            "Troops per million inhabitants",
        ),
        RankMeasure("aircraft", "Aircraft", "aircraft", "Aircraft (count)"),
        RankMeasure("ships", "Ships", "ships", "Ships (count)"),
    )
}
# How many countries the chart draws; the table lists them all.
CHART_TOP = 15

# Rank groups, in the order they are listed.
KNOWN, UNKNOWN, LENDING_ONLY, NOTHING = 0, 1, 2, 3
NOTHING_REPORTED = "nothing reported"


def measures_for(filters: PledgeFilter) -> list[str]:
    """The measures whose category the sidebar's category filter leaves in."""
    return [key for key, m in RANK_MEASURES.items() if filters.shows(m.category)]


def _ratio_text(measure: RankMeasure, value: float) -> str:
    if measure.key == "funding_pct_gdp":
        return f"{value:.3f}% of GDP"
    return f"{value:,.1f} troops per million"


def _year(year: float) -> str:
    return f" ({year:.0f})" if pd.notna(year) else ""


def _basis(measure: RankMeasure, row) -> str:
    """What a ratio is worked out from: "€2bn of a GDP of US$3tn (2023)"; blank without a
    known figure to divide."""
    if measure.key == "funding_pct_gdp":
        if pd.isna(row.funding_eur):
            return ""
        if pd.isna(row.gdp_usd):
            return f"{money(row.funding_eur)}; no GDP figure"
        return (
            f"{money(row.funding_eur)} of a GDP of {money(row.gdp_usd, 'USD')}{_year(row.gdp_year)}"
        )
    if pd.isna(row.troops):
        return ""
    if pd.isna(row.population):
        return f"{row.troops:,.0f} troops; no population figure"
    people = f"{row.population:,.0f} people{_year(row.population_year)}"
    return f"{row.troops:,.0f} troops for {people}"


def ranking(view: View, measure_key: str) -> pd.DataFrame:
    """Every participant of the view in rank order for one measure.

    Published figures come first, largest first ("≥ 500 troops" when some of the
    participant's pledges in the category have no published size: ranked by what is known);
    then participants whose pledges in the category have no published size at all (or, for a
    ratio, no GDP or population to divide by); then those whose only funding is loans or
    guarantees, which no funding total counts; then those with nothing reported. Columns:
    code, name, kind, group, value, rank (known figures only), figure (as shown), pledges,
    unknown, basis (ratios only)."""
    measure = RANK_MEASURES[measure_key]
    figures = view.by_participant
    category = measure.category
    offers = view.pledges[view.pledges["status"].isin(OFFER_STATUSES)]
    lenders = set(offers.loc[is_lending(offers), "participant_code"])
    rows = []
    for code, row in figures.iterrows():
        pledges, unknown = int(row[f"{category}_pledges"]), int(row[f"{category}_unknown"])
        value = row[measure.key]
        base = row["funding_eur" if category == "funding" else category]
        if pd.notna(value):
            group = KNOWN
            if measure.key in ("funding_pct_gdp", "troops_per_million"):
                figure = ("≥ " if unknown else "") + _ratio_text(measure, float(value))
            else:
                figure = CategoryFigures(category, pledges, 1, float(value), unknown).figure()
        elif pledges:
            group = UNKNOWN
            figure = CategoryFigures(category, pledges, 1, 0.0, unknown).figure()
            if pd.notna(base):  # a known size, but nothing to divide it by
                figure = "no GDP figure" if category == "funding" else "no population figure"
        elif category == "funding" and code in lenders:
            group, figure = LENDING_ONLY, "loans or guarantees only (not counted)"
        elif row[f"{category}_rung"] in ("considering", RULED_OUT_RUNG):
            rung = row[f"{category}_rung"]
            group, figure = NOTHING, "considering, no offer" if rung == "considering" else RULED_OUT
        else:
            group, figure = NOTHING, NOTHING_REPORTED
        rows.append(
            {
                "code": code,
                "name": row["name"],
                "kind": row["kind"],
                "group": group,
                "value": float(value) if pd.notna(value) else float("nan"),
                "figure": figure,
                "pledges": pledges,
                "unknown": unknown,
                "basis": _basis(measure, row)
                if measure.key in ("funding_pct_gdp", "troops_per_million")
                else "",
            }
        )
    frame = pd.DataFrame(
        rows,
        columns=[
            "code",
            "name",
            "kind",
            "group",
            "value",
            "figure",
            "pledges",
            "unknown",
            "basis",
        ],
    )
    frame = frame.sort_values(
        ["group", "value", "name"], ascending=[True, False, True], na_position="last"
    ).reset_index(drop=True)
    # Ranked among the countries only: an institution or Ukraine is listed apart.
    countries = frame["kind"].eq("country") & frame["group"].eq(KNOWN)
    frame["rank"] = (
        frame["value"].where(countries).rank(method="min", ascending=False).astype("Int64")
    )
    return frame


def countries(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["kind"] == "country"].reset_index(drop=True)


def institutions_and_ukraine(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["kind"] != "country"].reset_index(drop=True)


def ranking_for_display(frame: pd.DataFrame, measure_key: str, *, ranked: bool) -> pd.DataFrame:
    """The ranking as a table under plain titles; ``ranked`` adds the countries' rank."""
    measure = RANK_MEASURES[measure_key]
    table = pd.DataFrame(
        {
            "Rank": frame["rank"],
            "Participant": frame["name"],
            measure.label: frame["figure"],
            "Pledges counted": frame["pledges"],
            "Of unknown size": frame["unknown"],
            "Worked out from": frame["basis"],
        }
    )
    if not ranked:
        table = table.drop(columns=["Rank"])
    if measure.key not in ("funding_pct_gdp", "troops_per_million"):
        table = table.drop(columns=["Worked out from"])
    return table.reset_index(drop=True)


def _value_axis(measure: RankMeasure, largest: float) -> dict:
    if measure.key == "funding_eur":
        return money_ticks(largest)
    if measure.key == "funding_pct_gdp":
        return {"rangemode": "tozero", "ticksuffix": "%", "tickformat": ",.3~f"}
    if measure.key == "troops_per_million":
        return {"rangemode": "tozero", "tickformat": ",.0f"}
    return count_ticks(largest)


def ranking_chart(frame: pd.DataFrame, measure_key: str, top: int = CHART_TOP) -> go.Figure:
    """Horizontal bars of the published figures of the top countries, largest at the top.
    Each bar is labelled with its figure as the table shows it ("≥ 500 troops")."""
    measure = RANK_MEASURES[measure_key]
    shown = countries(frame)
    shown = shown[(shown["group"] == KNOWN) & (shown["value"] > 0)].head(top)
    largest = float(shown["value"].max()) if len(shown) else 0.0
    names = [plain(n) for n in shown["name"]]
    figure = go.Figure()
    figure.add_bar(
        name=measure.label,
        y=names,
        x=shown["value"].tolist(),
        orientation="h",
        marker_color=CATEGORY_COLOURS[measure.category],
        marker_line=BAR_OUTLINE,
        text=[plain(f) for f in shown["figure"]],
        textposition="outside",
        cliponaxis=False,
        hovertext=[f"{n}: {plain(f)}" for n, f in zip(names, shown["figure"], strict=True)],
        hoverinfo="text",
    )
    figure.update_layout(
        title=chart_title(f"{measure.label}: the countries with the largest published figures"),
        template="plotly_white",
        # Room on the right for the label of the longest bar.
        margin={"l": 10, "r": 120, "t": 50, "b": 10},
        height=120 + 28 * max(len(shown), 1),
        showlegend=False,
        xaxis={"title": measure.axis_title, **_value_axis(measure, largest)},
        yaxis={"title": "Country", "autorange": "reversed", "automargin": True},
    )
    return figure


# ---------------------------------------------------------------------------------------------
# Coverage: participants by category, in words.

SIZE_KNOWN = "size known"
SIZE_UNKNOWN = "size unknown"
CONSIDERING = "considering"
RULED_OUT = "ruled out"
COVERAGE_STATES = (SIZE_KNOWN, SIZE_UNKNOWN, CONSIDERING, RULED_OUT, NOTHING_REPORTED)
KIND_ORDER = {"country": 0, "institution": 1, "beneficiary": 2}
KIND_LABELS = {"country": "Country", "institution": "Institution", "beneficiary": "Beneficiary"}


def _cells(view: View, category: str) -> dict[str, str]:
    """Each participant's cell in one category, from its rung on the ladder of commitment."""
    rungs = highest_rungs(view.pledges, view.refusals, category)
    offers = view.pledges[
        (view.pledges["category"] == category) & view.pledges["status"].isin(OFFER_STATUSES)
    ]
    known = set(offers.loc[offers["quantity"].notna(), "participant_code"])
    cells = {}
    for code, rung in rungs.items():
        if is_offer(rung):
            cells[code] = SIZE_KNOWN if code in known else SIZE_UNKNOWN
        else:
            cells[code] = CONSIDERING if rung == "considering" else RULED_OUT
    return cells


def coverage(view: View, categories: tuple[str, ...] = ()) -> pd.DataFrame:
    """One row per participant of the view (countries by name, then the institutions, then
    Ukraine), one column per category (``categories``, or all), each cell in words.

    A cell takes the first of these that holds for the participant's pledges in the category:

    1. "size known": an offer (core.vocabulary.is_offer: announced, committed, deployed or
       delivered) with a published size (loans and guarantees included: they were offered);
    2. "size unknown": an offer, none with a published size;
    3. "considering": only pledges still being considered;
    4. "ruled out": a stated refusal (whatever the status filter), and nothing on the ladder;
    5. "nothing reported": no pledge in the category (a withdrawn pledge counts as none).

    Columns: code, name, kind, then one per category."""
    categories = categories or CATEGORIES
    participants = view.participants
    frame = pd.DataFrame(
        {
            "code": participants["code"],
            "name": participants["name"],
            "kind": participants["kind"],
        }
    )
    for category in categories:
        cells = _cells(view, category)
        frame[category] = [cells.get(code, NOTHING_REPORTED) for code in frame["code"].tolist()]
    order = frame["kind"].map(KIND_ORDER).fillna(len(KIND_ORDER))
    return (
        frame.assign(_order=order)
        .sort_values(["_order", "name"])
        .drop(columns=["_order"])
        .reset_index(drop=True)
    )


def coverage_for_display(matrix: pd.DataFrame) -> pd.DataFrame:
    """The matrix under plain titles, for the screen and its CSV."""
    categories = [c for c in matrix.columns if c in CATEGORIES]
    table = pd.DataFrame(
        {"Participant": matrix["name"], "Kind": matrix["kind"].map(KIND_LABELS)}
        | {category.capitalize(): matrix[category] for category in categories}
    )
    return table.reset_index(drop=True)


OFFERED = (SIZE_KNOWN, SIZE_UNKNOWN)


def not_offered(matrix: pd.DataFrame, category: str) -> str:
    """The one-line answer: "2 of 4 countries have not offered troops: New Zealand
    (considering), Poland (ruled out)." Countries only: the institutions and Ukraine are
    not expected to send troops."""
    own = matrix[matrix["kind"] == "country"]
    if own.empty:
        return "No country is on the record under these filters."
    missing = own[~own[category].isin(OFFERED)]
    what = "offered funding" if category == "funding" else f"offered {category}"
    if category == "other":
        what = "offered other support"
    if missing.empty:
        return f"All {len(own)} countries shown have {what}."
    names = ", ".join(
        name if cell == NOTHING_REPORTED else f"{name} ({cell})"
        for name, cell in zip(missing["name"], missing[category], strict=True)
    )
    verb = "has" if len(missing) == 1 else "have"
    return f"{len(missing)} of {len(own)} countries {verb} not {what}: {names}."
