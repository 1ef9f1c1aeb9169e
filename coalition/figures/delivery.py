"""Commitments against delivery: per category, how much of what was pledged is still being
considered, announced, committed, or deployed or delivered, on one date and over time.

The figures on a date come from the View (one read behind every figure), so the stages of a
category add up to the overview's figure for it. The lines over time are the timeline's state
rebuilding (coalition.read.states) counted once per stage, so the lines on a date equal the
"as of" view of that date. Loans and guarantees are a category of their own here, never
added into funding; a pledge with no published size is counted as such, never as zero.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots
from sqlmodel import Session

from coalition.figures.charts import (
    STATUS_COLOURS,
    chart_title,
    count_ticks,
    money_ticks,
    panel_titles,
    styled,
)
from coalition.figures.metrics import CategoryFigures, amount_text
from coalition.figures.view import View
from coalition.money.sizes import is_lending, measured_size
from coalition.read.filters import PledgeFilter
from coalition.read.revisions import revision_arrays
from coalition.read.states import StateRows
from coalition.text.formatting import UNITS
from coalition.text.labels import label
from core.vocabulary import CATEGORIES, SCOPES, STATUSES

# From pledge to delivery. Troops are deployed and equipment delivered: one last stage for both.
STAGES = ("considering", "announced", "committed", "delivered")
STAGE_STATUSES = {
    "considering": ("considering",),
    "announced": ("announced",),
    "committed": ("committed",),
    "delivered": ("deployed", "delivered"),
}
STAGE_LABELS = {
    "considering": "Considering",
    "announced": "Announced",
    "committed": "Committed",
    "delivered": "Deployed or delivered",
}
# The status blues, lighter to darker as a pledge advances.
STAGE_COLOURS = {stage: STATUS_COLOURS[stage] for stage in STAGES}
# White text on the two darker blues, black on the lighter ones (4.5:1 either way).
STAGE_TEXT = {"considering": "#000000", "announced": "#000000"}
# In place of a bar of published sizes where none was published.
NO_SIZE = "No size published"

# Loans and guarantees (export credit included): money that comes back or may never be drawn,
# shown beside funding, never inside it.
LENDING = "lending"
GROUPS = (*CATEGORIES, LENDING)
GROUP_LABELS = {LENDING: "Loans and guarantees"}
COLUMNS = ["category", "stage", "pledges", "participants", "known_total", "unknown_size"]
SERIES_COLUMNS = ["category", "stage", "date", "known_total", "pledges", "unknown_size"]


def group_label(group: str) -> str:
    return GROUP_LABELS.get(group, label(group))


def stages_for(filters: PledgeFilter) -> tuple[str, ...]:
    """The stages the status filter leaves anything in (withdrawals and refusals never
    count)."""
    counted = filters.ladder_statuses
    return tuple(s for s in STAGES if any(status in counted for status in STAGE_STATUSES[s]))


def groups_for(filters: PledgeFilter) -> tuple[str, ...]:
    """The categories shown: the chosen ones (all when none is), with loans and guarantees
    wherever funding is shown."""
    return tuple(g for g in GROUPS if filters.shows(g if g != LENDING else "funding"))


def _grouped(pledges: pd.DataFrame) -> pd.Series:
    """Each pledge's category, with loans and guarantees apart from funding."""
    return pledges["category"].where(~is_lending(pledges), LENDING)


def figures(row: pd.Series | dict) -> CategoryFigures:
    """One cell as the overview words it ("≥ 100 troops", "2 pledges, size not published"):
    a stage's pledges, which below "announced" are not offers."""
    return CategoryFigures(
        category="funding" if row["category"] == LENDING else row["category"],
        pledges=int(row["pledges"]),
        participants=int(row.get("participants", 0)),
        known_total=float(row["known_total"]),
        unknown_size=int(row["unknown_size"]),
        noun="pledge",
    )


def by_stage(view: View) -> pd.DataFrame:
    """One row per category (loans and guarantees apart) and stage, every stage the filters
    leave, in order: pledges, participants, the sum of published sizes and the number of
    pledges of unknown size. A stage with nothing in it is a row of zeros ("none recorded")."""
    counted = view.filters.ladder_statuses
    pledges = view.pledges[
        view.pledges["participant_code"].isin(view.participants["code"])
        & view.pledges["status"].isin(counted)
    ]
    status_stage = {s: stage for stage, statuses in STAGE_STATUSES.items() for s in statuses}
    size = measured_size(pledges)
    frame = pd.DataFrame(
        {
            "category": _grouped(pledges),
            "stage": pledges["status"].map(status_stage),
            "participant_code": pledges["participant_code"],
            "known_total": size.fillna(0.0),
            "unknown_size": size.isna().astype(int),
        }
    )
    summed = frame.groupby(["category", "stage"]).agg(
        pledges=("participant_code", "size"),
        participants=("participant_code", "nunique"),
        known_total=("known_total", "sum"),
        unknown_size=("unknown_size", "sum"),
    )
    index = pd.MultiIndex.from_product(
        [groups_for(view.filters), stages_for(view.filters)], names=["category", "stage"]
    )
    result = summed.reindex(index, fill_value=0).reset_index()
    result = result.astype(
        {"pledges": int, "participants": int, "unknown_size": int, "known_total": float}
    )
    return result[COLUMNS]


def stages_over_time(session: Session, filters: PledgeFilter) -> pd.DataFrame:
    """Per category (loans and guarantees apart) and stage, a step series from every pledge's
    states (coalition.read.states): from each day, the published sizes summed, the pledges
    counted and those of unknown size. A pledge that becomes a loan leaves the funding line
    that day and joins the loans' line, as a pledge that changes category does on the
    timeline. Cached per data version and filters by the page."""
    stages = stages_for(filters)
    revisions = revision_arrays(session, filters)
    if not stages or not len(revisions):
        return pd.DataFrame(columns=SERIES_COLUMNS)
    states = StateRows.of(revisions)
    group = np.where(
        states.lending(), len(CATEGORIES), states.column("category").astype(np.int64)
    )  # the position in GROUPS
    status = states.column("status")
    size = states.column("size")
    counted = states.announced.copy()
    if filters.scopes:
        counted &= np.isin(states.column("scope"), [SCOPES.index(s) for s in filters.scopes])
    known, unknown = np.nan_to_num(size, nan=0.0), np.isnan(size)
    chosen = set(filters.ladder_statuses)
    in_stage = {
        stage: counted
        & np.isin(status, [STATUSES.index(s) for s in STAGE_STATUSES[stage] if s in chosen])
        for stage in stages
    }
    present = [GROUPS[g] for g in np.unique(group)]
    measures = ("known_total", "pledges", "unknown_size")

    def value_of(column: tuple[str, str, str]) -> np.ndarray:
        name, stage, measure = column
        own = in_stage[stage] & (group == GROUPS.index(name))
        if measure == "known_total":
            return np.where(own, known, 0.0)
        return (own & unknown if measure == "unknown_size" else own).astype(float)

    columns = [(g, s, m) for g in present for s in stages for m in measures]
    daily = states.sums_by_day(columns, value_of).sort_index(axis=1)  # sorted: fast to slice
    shown = set(groups_for(filters))
    parts = [
        daily[(name, stage)].rename_axis("date").reset_index().assign(category=name, stage=stage)
        for name in present
        if name in shown
        for stage in stages
    ]
    if not parts:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    return pd.concat(parts, ignore_index=True)[SERIES_COLUMNS]


def has_published_size(totals: pd.DataFrame, group: str) -> bool:
    return bool((totals.loc[totals["category"] == group, "known_total"] > 0).any())


def _known_sizes(frame: pd.DataFrame, exact: bool) -> pd.Series:
    """The sum of published sizes: in words ("€230.49m", "1,250 troops") to read, or the
    number at full precision for a file; blank where no size was published."""
    known = frame["known_total"].where(frame["pledges"] > frame["unknown_size"])
    if exact:
        return known
    return pd.Series(
        [
            "" if pd.isna(value) else amount_text("funding" if group == LENDING else group, value)
            for group, value in zip(frame["category"], known, strict=True)
        ],
        index=frame.index,
        dtype=object,
    )


def stage_table(totals: pd.DataFrame, exact: bool = False) -> pd.DataFrame:
    """The numbers behind the chart for the date shown, as analysts read them (``exact``: the
    known sizes as full-precision numbers, for the download)."""
    return pd.DataFrame(
        {
            "Category": totals["category"].map(group_label),
            "Stage": totals["stage"].map(STAGE_LABELS),
            "Figure": [figures(row).figure() for _, row in totals.iterrows()],
            "Known size": _known_sizes(totals, exact),
            "Unit": totals["category"].map(lambda g: "EUR" if g == LENDING else UNITS.get(g, "")),
            "Pledges": totals["pledges"],
            "Of unknown size": totals["unknown_size"],
            "Participants": totals["participants"],
        }
    ).reset_index(drop=True)


def series_table(series: pd.DataFrame, exact: bool = False) -> pd.DataFrame:
    """The numbers behind the lines, one row per category, stage and change (``exact``: see
    stage_table)."""
    changed = series[
        series.groupby(["category", "stage"])[["known_total", "pledges", "unknown_size"]]
        .diff()
        .fillna(series[["known_total", "pledges", "unknown_size"]])
        .ne(0)
        .any(axis=1)
    ]
    return pd.DataFrame(
        {
            "Category": changed["category"].map(group_label),
            "Stage": changed["stage"].map(STAGE_LABELS),
            "From": changed["date"],
            "Figure": [figures(row).figure() for _, row in changed.iterrows()],
            "Known size": _known_sizes(changed, exact),
            "Pledges": changed["pledges"].astype(int),
            "Of unknown size": changed["unknown_size"].astype(int),
        }
    ).reset_index(drop=True)


def _axis(group: str, largest: float) -> dict:
    if group in ("funding", LENDING):
        return money_ticks(largest)
    return count_ticks(largest if largest > 0 else 1)


def _unit(group: str) -> str:
    if group in ("funding", LENDING):
        return "Known EUR"
    return f"Known {UNITS[group]}" if group in UNITS else "Known size"


def _titles_and_legend(figure: go.Figure, title: str, height: int) -> None:
    """The title at the top, the stages' legend under it, the panels below (the first one's
    title in two lines above it): none overlaps."""
    top, bottom = 150, 10
    figure.update_layout(
        title=chart_title(title),
        template="plotly_white",
        height=height,
        margin={"l": 10, "r": 10, "t": top, "b": bottom},
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1 + 56 / (height - top - bottom),
            "x": 0,
        },
    )


# In pixels: a category's bar; between the panels, the first one's axis and the second one's
# title; above the first, the chart's title and the panel's; under the second, its axis, and
# the legend's rows.
BAR_ROW, BETWEEN, TOP, AXIS, LEGEND = 40, 130, 110, 60, 60


def stage_figure(totals: pd.DataFrame) -> go.Figure:
    """Two panels, one bar per category in each, split by stage: above, each stage's share of
    the category's published sizes (the sums written in the bars); below, its share of the
    category's pledges, those of unknown size hatched. Units differ between categories, so a
    bar is the category's own whole: one axis per panel, however many categories (a panel per
    category drew 12 axes and 66 traces, the page's slowest chart to draw). A category whose
    sizes were never published says so above instead of drawing a bar at zero."""
    groups = [g for g in GROUPS if (totals.loc[totals["category"] == g, "pledges"] > 0).any()]
    names = [group_label(g) for g in groups]
    panel = BAR_ROW * max(len(groups), 1)
    height = TOP + 2 * panel + BETWEEN + AXIS + LEGEND
    figure = make_subplots(
        rows=2,
        cols=1,
        vertical_spacing=BETWEEN / (height - TOP - LEGEND),
        subplot_titles=[
            "Published sizes: each stage's share (the sums in the bars)",
            "Pledges: each stage's share (hatched: size not published)",
        ],
    )
    panel_titles(figure)
    cells = totals[totals["category"].isin(groups)].set_index(["category", "stage"])
    sized = [g for g in groups if has_published_size(totals, g)]
    drawn = set(totals.loc[totals["pledges"] > 0, "stage"])
    for rank, stage in enumerate(s for s in STAGES if s in drawn):
        own = cells.xs(stage, level="stage").reindex(groups, fill_value=0)
        colour = STAGE_COLOURS[stage]
        text_colour = STAGE_TEXT.get(stage, "#FFFFFF")
        hover = [
            f"{group_label(g)}, {STAGE_LABELS[stage].lower()}: "
            + figures(own.loc[g].to_dict() | {"category": g}).summary()
            for g in groups
        ]
        bar = {
            "y": names,
            "orientation": "h",
            "name": STAGE_LABELS[stage],
            "legendgroup": stage,
            "customdata": hover,
            "hovertemplate": "%{customdata}<extra></extra>",
            "textposition": "inside",
            "insidetextanchor": "middle",
            "textfont": {"color": text_colour},
            "textangle": 0,  # hidden where it does not fit, never turned on its side
        }
        known = own["known_total"].where(own.index.isin(sized), 0.0)
        whole = cells.loc[sized, "known_total"].groupby(level="category").sum()
        figure.add_trace(
            go.Bar(
                x=(known / whole.reindex(groups).fillna(1.0)).to_numpy(),
                text=[
                    figures(own.loc[g].to_dict() | {"category": g}).known_text() if k else ""
                    for g, k in zip(groups, known, strict=True)
                ],
                showlegend=False,
                marker={"color": colour},
                **bar,
            ),
            row=1,
            col=1,
        )
        counted = cells["pledges"].groupby(level="category").sum().reindex(groups)
        for part, count in (
            ("published", own["pledges"] - own["unknown_size"]),
            ("unknown", own["unknown_size"]),
        ):
            figure.add_trace(
                go.Bar(
                    x=(count / counted).to_numpy(),
                    text=[
                        f"{int(n)}" + (" unknown" if part == "unknown" else "") if n else ""
                        for n in count
                    ],
                    # The plain bars name the stages in the legend, in the stages' order.
                    showlegend=part == "published",
                    legendrank=rank,
                    marker={"color": colour}
                    | (
                        {"pattern": {"shape": "/", "fgcolor": text_colour}}
                        if part == "unknown"
                        else {}
                    ),
                    **bar,
                ),
                row=2,
                col=1,
            )
    unsized = [group_label(g) for g in groups if g not in sized]
    if unsized:
        figure.add_trace(
            go.Scatter(
                x=[0] * len(unsized),
                y=unsized,
                mode="text",
                text=[NO_SIZE] * len(unsized),
                textposition="middle right",
                textfont={"size": 12, "color": "#444444"},
                showlegend=False,
                hoverinfo="skip",
            ),
            row=1,
            col=1,
        )
    share = {"range": [0, 1], "tickformat": ".0%", "dtick": 0.25, "fixedrange": True}
    figure.update_xaxes(title_text="Share of the category's published total", row=1, col=1)
    figure.update_xaxes(title_text="Share of the category's pledges", row=2, col=1)
    figure.update_xaxes(**share)
    # The categories top to bottom in the overview's order, in both panels.
    figure.update_yaxes(
        categoryorder="array", categoryarray=names[::-1], showgrid=False, fixedrange=True
    )
    styled(
        figure,
        "Where the pledges stand, by category",
        height=height,
        barmode="stack",
        uniformtext={"minsize": 10, "mode": "hide"},
    )
    # Room on the right for the last tick's label ("100%"), which plotly hides past the edge.
    figure.update_layout(margin={"t": TOP, "r": 30})
    return figure


def _until(values: np.ndarray, last=None) -> np.ndarray:
    return np.append(values, values[-1] if last is None else last)


def over_time_figure(series: pd.DataFrame, until: date) -> go.Figure:
    """One panel per category: the published sizes in each stage, stacked, as they stood on
    every date (step lines, carried to ``until``). A category whose sizes were never published
    stacks its pledge counts instead, and says so."""
    groups = [g for g in GROUPS if (series.loc[series["category"] == g, "pledges"] > 0).any()]
    rows = max(len(groups), 1)
    sized = {
        g: bool((series.loc[series["category"] == g, "known_total"] > 0).any()) for g in groups
    }
    figure = make_subplots(
        rows=rows,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.35 / rows,
        subplot_titles=[
            f"{group_label(g)}: "
            + (f"k{_unit(g)[1:]} by stage" if sized[g] else "pledges by stage (no size published)")
            for g in groups
        ],
    )
    panel_titles(figure)
    end = np.datetime64(until, "D")
    shown_in_legend: set[str] = set()
    for row, group in enumerate(groups, start=1):
        for stage in STAGES:
            own = series[(series["category"] == group) & (series["stage"] == stage)]
            if own.empty or not own["pledges"].any():
                continue
            dates = _until(own["date"].to_numpy(dtype="datetime64[D]"), end)
            values = _until(
                own["known_total" if sized[group] else "pledges"].to_numpy(dtype="float64")
            )
            hover = np.array(
                [
                    f"{d.item():%d %b %Y}, {STAGE_LABELS[stage].lower()}: "
                    + figures(
                        {
                            "category": group,
                            "pledges": p,
                            "known_total": k,
                            "unknown_size": u,
                        }
                    ).summary()
                    for d, p, k, u in zip(
                        dates,
                        _until(own["pledges"].to_numpy()),
                        _until(own["known_total"].to_numpy()),
                        _until(own["unknown_size"].to_numpy()),
                        strict=True,
                    )
                ],
                dtype=object,
            )
            figure.add_trace(
                go.Scatter(
                    x=dates,
                    y=values,
                    mode="lines",
                    stackgroup=group,
                    name=STAGE_LABELS[stage],
                    legendgroup=stage,
                    # The legend in the ladder's order, not in the order the stages first
                    # appear in the panels.
                    legendrank=STAGES.index(stage),
                    showlegend=stage not in shown_in_legend,
                    line={"shape": "hv", "color": STAGE_COLOURS[stage], "width": 1},
                    fillcolor=STAGE_COLOURS[stage],
                    hovertext=hover,
                    hoverinfo="text",
                ),
                row=row,
                col=1,
            )
            shown_in_legend.add(stage)
        # Every stage steps on the same dates (those of the whole history), so the top of the
        # stack on a date is the sum of the stages.
        own = series[series["category"] == group]
        total = float(own.groupby("date")["known_total" if sized[group] else "pledges"].sum().max())
        if sized[group]:
            axis = _axis(group, total)
            title = _unit(group)
        else:
            axis = count_ticks(total if total > 0 else 1)
            title = "Pledges (count)"
        figure.update_yaxes(title_text=title, row=row, col=1, **axis)
    figure.update_xaxes(title_text="Date", row=rows, col=1)
    _titles_and_legend(figure, "Each stage over time", 200 * rows + 160)
    return figure
