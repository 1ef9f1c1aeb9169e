"""The force gap: troops offered with a published size against each planning figure for the
force, as numbers, sentences, a table and a bullet chart built from the same frame.

Offers whose size was never published are counted beside every figure, never as zero: with
none of known size there is no gap to measure, and the text says so instead of "0 troops".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import TypeGuard

import pandas as pd
import plotly.graph_objects as go

from coalition.figures.charts import BAR_OUTLINE, CATEGORY_COLOURS, REFERENCE_COLOUR, plain, styled
from coalition.figures.metrics import CategoryFigures

TITLE = "Known troop offers against planning figures"
KNOWN_TRACE = "Known offers (published sizes)"
RANGE_TRACE = "Planning range"
ENDS_TRACE = "Stated end of a range"
MARKER_TRACE = "Known offers (marker)"

GAP_COLUMNS = [
    "name",
    "low",
    "high",
    "range_text",
    "known",
    "unknown_offers",
    "gap_low",
    "met_low",
    "gap_high",
    "met_high",
    "text",
    "stated_on",
    "source_title",
    "source_url",
]
# The table's whole-troop columns, for the page to format with thousands separators.
TROOP_COLUMNS = (
    "Low end",
    "High end",
    "Known troops offered",
    "Short of the low end",
    "Short of the high end",
)


def troops_text(value: float) -> str:
    return f"{value:,.0f}"


def offers(count: int) -> str:
    return f"{count:,} offer" + ("" if count == 1 else "s")


def percent(fraction: float) -> str:
    """A share that never rounds a small offer down to "0%" nor a shortfall up to "100%"."""
    share = fraction * 100
    if share <= 0:
        return "0%"
    if share < 0.1:
        return "under 0.1%"
    if share < 1:
        return f"{share:.1f}%"
    if share < 100:
        return f"{min(round(share), 99)}%"
    return f"{round(share)}%"


def range_text(low: float | None, high: float | None) -> str:
    """ "15,000–30,000", "10,000", "at least 15,000", "up to 30,000", "no number stated"."""
    if is_given(low) and is_given(high):
        if low == high:
            return troops_text(low)
        return f"{troops_text(low)}–{troops_text(high)}"
    if is_given(low):
        return f"at least {troops_text(low)}"
    if is_given(high):
        return f"up to {troops_text(high)}"
    return "no number stated"


def is_given(value: float | None) -> TypeGuard[float]:
    return value is not None and not pd.isna(value)


def _against(known: float, end: float, part: str | None) -> str:
    """Known troops against one end: "6,500 short of 15,000 (57% of the low end met)",
    "low end of 15,000 reached, 2,000 over", "10,000 reached exactly"."""
    if known < end:
        share = percent(known / end) + (f" of the {part}" if part else "")
        return f"{troops_text(end - known)} short of {troops_text(end)} ({share} met)"
    reached = (f"{part} of " if part else "") + f"{troops_text(end)} reached"
    return reached + (f", {troops_text(known - end)} over" if known > end else " exactly")


def gap_text(troops: CategoryFigures, low: float | None, high: float | None) -> str:
    """What the known offers leave to find against one planning figure, in words."""
    has_low, has_high = is_given(low), is_given(high)
    stated = range_text(low, high)
    unknown = troops.unknown_size
    if not (has_low or has_high):
        text = "No number stated, so no gap can be measured"
        return text + (f"; + {offers(unknown)} of unknown size" if unknown else "")
    if troops.pledges == 0:
        return f"No troop offer recorded: {stated} still to find"
    if troops.known_pledges == 0:
        return (
            f"No troop offer has a published size ({offers(unknown)} of unknown size), "
            f"so no gap can be measured against {stated}"
        )
    known = troops.known_total
    if is_given(low) and is_given(high):
        if low == high:
            text = _against(known, low, None)
        else:
            text = f"{_against(known, low, 'low end')}; {_against(known, high, 'high end')}"
    elif is_given(low):
        text = f"{stated}: {_against(known, low, 'low end')}; no high end stated"
    else:
        assert is_given(high)  # one end is given: checked above
        text = f"{stated}: {_against(known, high, 'high end')}; no low end stated"
    if unknown:
        text += f"; + {offers(unknown)} of unknown size, not counted"
    return text


def planning_figures(targets: pd.DataFrame, as_of: date | None = None) -> pd.DataFrame:
    """The troop planning figures stated by ``as_of`` (all of them for today), newest first."""
    rows = targets[targets["category"] == "troops"]
    if as_of is not None:
        rows = rows[pd.to_datetime(rows["stated_on"]).dt.date <= as_of]
    return rows.sort_values(["stated_on", "name"], ascending=[False, True]).reset_index(drop=True)


def force_gap(
    troops: CategoryFigures, targets: pd.DataFrame, as_of: date | None = None
) -> pd.DataFrame:
    """One row per troop planning figure stated by ``as_of``: its range, the known troops
    offered, the gap to each stated end (positive: short; negative: over) and the share of it
    met, the offers of unknown size, and the whole as a sentence (``text``).

    ``known`` and the gaps are blank when no offer has a published size: a gap measured from
    nothing would read as zero troops offered."""
    rows = []
    measurable = troops.pledges == 0 or troops.known_pledges > 0
    known = troops.known_total if measurable else math.nan
    for row in planning_figures(targets, as_of).itertuples():
        low = float(row.low) if is_given(row.low) else math.nan
        high = float(row.high) if is_given(row.high) else math.nan
        rows.append(
            {
                "name": row.name,
                "low": low,
                "high": high,
                "range_text": range_text(low, high),
                "known": known,
                "unknown_offers": troops.unknown_size,
                "gap_low": low - known,
                "met_low": known / low if low else math.nan,
                "gap_high": high - known,
                "met_high": known / high if high else math.nan,
                "text": gap_text(troops, low, high),
                "stated_on": row.stated_on,
                "source_title": row.source_title,
                "source_url": row.source_url,
            }
        )
    return pd.DataFrame(rows, columns=GAP_COLUMNS)


def table(gaps: pd.DataFrame) -> pd.DataFrame:
    """The gap figures as the page shows and downloads them: shortfalls (0 once an end is
    reached; the sentence says by how much), shares met in %, and the sentence itself."""
    return pd.DataFrame(
        {
            "Planning figure": gaps["name"],
            "Range (troops)": gaps["range_text"],
            "Low end": gaps["low"],
            "High end": gaps["high"],
            "Known troops offered": gaps["known"],
            "Offers of unknown size": gaps["unknown_offers"],
            "Short of the low end": gaps["gap_low"].clip(lower=0),
            "Low end met (%)": (gaps["met_low"] * 100).round(1),
            "Short of the high end": gaps["gap_high"].clip(lower=0),
            "High end met (%)": (gaps["met_high"] * 100).round(1),
            "Gap": gaps["text"],
            "Stated on": gaps["stated_on"],
            "Source": gaps["source_title"],
            "Link": gaps["source_url"],
        }
    ).reset_index(drop=True)


def known_label(troops: CategoryFigures) -> str:
    """The label beside the known bar: "≥ 300 troops", "13 offers, size not published"."""
    if troops.pledges == 0:
        return "no troop offer recorded"
    if troops.known_pledges == 0:
        return f"{offers(troops.pledges)}, size not published"
    return troops.figure()


def tint(colour: str, alpha: float) -> str:
    """A hex colour as rgba at this opacity, for a fill that text can sit on."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def nice_step(largest: float, steps: int = 5) -> int:
    """A whole-number tick step: 1, 2, 2.5 or 5 times a power of ten (2.5 rounds up to 3)."""
    raw = max(largest / steps, 1.0)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return max(1, math.ceil(step))


def chart(gaps: pd.DataFrame, troops: CategoryFigures) -> go.Figure:
    """A bullet chart: one row per planning figure, on one shared linear axis of troops. The
    range is a grey band with a tick at each stated end (so a single figure shows too; "at
    least" runs on to the axis's end, "up to" starts at zero); the known troops offered are a
    thin bar in the troops colour across it, and the ticks are drawn over the bar.

    Readable when the known figure is a sliver of the range (2% of 15,000–30,000 is a few
    pixels): each known bar ends in a diamond marker labelled with the figure ("≥ 300 troops"),
    the label outside the bar, and the gap sentences beside the chart give the numbers and
    shares. There is deliberately no zoomed second view: an axis scaled to the offers would
    make the gap look small, which is the one thing this chart must not do.

    With no offer of a published size there is no bar and no marker (either would read as zero
    troops): a note above the plot says how many offers there are and that none has a size."""
    names = [plain(name) for name in gaps["name"]]
    ends = [v for v in (*gaps["low"], *gaps["high"]) if is_given(v)]
    measurable = troops.pledges > 0 and troops.known_pledges > 0
    known = troops.known_total if measurable else 0.0
    axis_end = max([*ends, known, 1.0]) * 1.2
    rows = _chart_rows(gaps, names, axis_end)
    figure = go.Figure()
    _draw_ranges(figure, rows)
    if measurable:
        _draw_known_bar(figure, rows, troops, known)
    _draw_ends(figure, rows)  # over the bar: each stated end stays visible
    if measurable:
        _draw_known_marker(figure, rows, troops, known)
    _draw_unstated(figure, rows)
    return _framed(figure, names, axis_end, troops, measurable)


@dataclass
class _ChartRows:
    """The planning figures as the chart draws them: the bands, the stated ends, and which
    rows have a number stated."""

    band_y: list[str] = field(default_factory=list)
    bases: list[float] = field(default_factory=list)
    spans: list[float] = field(default_factory=list)
    band_hover: list[str] = field(default_factory=list)
    tick_x: list[float] = field(default_factory=list)
    tick_y: list[str] = field(default_factory=list)
    tick_hover: list[str] = field(default_factory=list)
    stated: list[str] = field(default_factory=list)
    unstated: list[str] = field(default_factory=list)


def _chart_rows(gaps: pd.DataFrame, names: list[str], axis_end: float) -> _ChartRows:
    rows = _ChartRows()
    for name, row in zip(names, gaps.itertuples(), strict=True):
        has_low, has_high = is_given(row.low), is_given(row.high)
        if not (has_low or has_high):
            rows.unstated.append(name)
            continue
        rows.stated.append(name)
        hover = (
            f"{name}: {row.range_text} troops<br>{plain(row.source_title)}, {row.stated_on}"
            f"<br>{plain(row.text)}"
        )
        base = row.low if has_low else 0.0
        top = row.high if has_high else axis_end
        if top > base:
            rows.band_y.append(name)
            rows.bases.append(base)
            rows.spans.append(top - base)
            rows.band_hover.append(hover)
        for end in sorted({end for end in (row.low, row.high) if is_given(end)}):
            rows.tick_x.append(end)
            rows.tick_y.append(name)
            rows.tick_hover.append(hover)
    return rows


def _draw_ranges(figure: go.Figure, rows: _ChartRows) -> None:
    """The planning ranges as grey bands."""
    figure.add_bar(
        name=RANGE_TRACE,
        y=rows.band_y,
        x=rows.spans,
        base=rows.bases,
        orientation="h",
        width=0.6,
        marker_color=tint(REFERENCE_COLOUR, 0.35),
        hovertext=rows.band_hover,
        hoverinfo="text",
    )


def _draw_ends(figure: go.Figure, rows: _ChartRows) -> None:
    """Each stated end of a range as a tick."""
    figure.add_scatter(
        name=ENDS_TRACE,
        x=rows.tick_x,
        y=rows.tick_y,
        mode="markers",
        marker={"symbol": "line-ns", "size": 26, "line": {"width": 3, "color": REFERENCE_COLOUR}},
        hovertext=rows.tick_hover,
        hoverinfo="text",
    )


def _known_hover(rows: _ChartRows, troops: CategoryFigures) -> list[str]:
    return [f"Known offers: {plain(troops.summary())}"] * len(rows.stated)


def _draw_known_bar(
    figure: go.Figure, rows: _ChartRows, troops: CategoryFigures, known: float
) -> None:
    """The known offers as a thin bar across each range."""
    figure.add_bar(
        name=KNOWN_TRACE,
        y=rows.stated,
        x=[known] * len(rows.stated),
        orientation="h",
        width=0.22,
        marker_color=CATEGORY_COLOURS["troops"],
        legendgroup="known",
        hovertext=_known_hover(rows, troops),
        hoverinfo="text",
    )


def _draw_known_marker(
    figure: go.Figure, rows: _ChartRows, troops: CategoryFigures, known: float
) -> None:
    """The labelled diamond each known bar ends in."""
    figure.add_scatter(
        name=MARKER_TRACE,
        x=[known] * len(rows.stated),
        y=rows.stated,
        mode="markers+text",
        marker={
            "symbol": "diamond",
            "size": 12,
            "color": CATEGORY_COLOURS["troops"],
            "line": BAR_OUTLINE,
        },
        text=[known_label(troops)] * len(rows.stated),
        textposition="middle right",
        cliponaxis=False,
        legendgroup="known",
        showlegend=False,
        hovertext=_known_hover(rows, troops),
        hoverinfo="text",
    )


def _draw_unstated(figure: go.Figure, rows: _ChartRows) -> None:
    if rows.unstated:
        figure.add_scatter(
            name="No number stated",
            x=[0.0] * len(rows.unstated),
            y=rows.unstated,
            mode="text",
            text=["no number stated"] * len(rows.unstated),
            textposition="middle right",
            showlegend=False,
            hoverinfo="skip",
        )


def _framed(
    figure: go.Figure,
    names: list[str],
    axis_end: float,
    troops: CategoryFigures,
    measurable: bool,
) -> go.Figure:
    """The axis, the rows in the table's order, the legend under the axis title, and, with no
    offer of a published size, the note that says so."""
    height = 190 + 60 * max(len(names), 1)
    top, bottom = (85 if not measurable else 50), 10  # the legend pushes the foot down
    figure = styled(
        figure,
        TITLE,
        barmode="overlay",
        showlegend=True,
        height=height,
        xaxis={
            "title": "Troops",
            "type": "linear",
            "range": [0, axis_end],
            "tick0": 0,
            "dtick": nice_step(axis_end),
            "tickformat": ",d",
        },
        # Rows in the table's order, whichever trace draws them first.
        yaxis={
            "autorange": "reversed",
            "type": "category",
            "categoryorder": "array",
            "categoryarray": names,
            "ticklabelstandoff": 10,
        },
    )
    figure.update_layout(margin_t=top, margin_b=bottom)
    if not measurable:
        figure.add_annotation(
            text=(
                "No troop offer recorded"
                if troops.pledges == 0
                else f"No offer has a published size ({offers(troops.unknown_size)} of unknown "
                "size)"
            ),
            xref="paper",
            yref="paper",
            x=1,
            y=1,
            xanchor="right",
            yanchor="bottom",
            yshift=8,
            showarrow=False,
        )
    return figure


def _markdown(text: str) -> str:
    """Text from the database made literal in Markdown (a "$" would start a formula)."""
    return "".join(f"\\{c}" if c in "\\`*_{}[]<>()#+-.!|$~" else c for c in str(text))


def sentences(gaps: pd.DataFrame) -> str:
    """The gap against each planning figure as a Markdown list, one line per figure:
    "- **European officials** (15,000–20,000): 14,700 short of 15,000 (...)."; with no offer of
    a published size, that is said once above the list of planning figures."""
    unknown = int(gaps["unknown_offers"].max()) if len(gaps) else 0
    if unknown and gaps["known"].isna().all():
        lead = (
            f"No troop offer has a published size ({offers(unknown)} of unknown size), so no "
            "gap can be measured against any planning figure:\n"
        )
        return lead + "\n".join(
            f"- **{_markdown(row.name)}**: {row.range_text}" for row in gaps.itertuples()
        )
    return "\n".join(
        f"- **{_markdown(row.name)}** ({row.range_text}): {row.text}." for row in gaps.itertuples()
    )
