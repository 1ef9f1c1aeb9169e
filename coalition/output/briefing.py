"""The briefing pack: the current view on one or two A4 pages, to hand to someone who will not
open the app. Headline figures worded as the overview's tiles word them, the force gap, the
participants whose known figures moved most since a chosen day, a small map, the sources
behind the figures and the SHA-256 of the snapshot CSV of the same view.

Drawn with fpdf2's own primitives and the DejaVu fonts shipped in data/fonts: nothing is
fetched and no browser runs. The same inputs give the same bytes: the document's creation date
is the "known at" pin (never the clock), fpdf2 derives the file's /ID from the content and that
date, and every list is put in a fixed order before it is drawn.

``gather`` does every read; ``render`` only draws what it is given; ``briefing_pdf`` is both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import pandas as pd
from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos
from sqlmodel import Session

from coalition.errors import Problem, ValidationFailed
from coalition.figures import charts, force_gap, geometry, maps
from coalition.figures.metrics import CategoryFigures, Headline
from coalition.figures.view import View, build_view
from coalition.output.snapshots import build_snapshot
from coalition.read import queries
from coalition.read.filters import AS_OF_EARLIEST, PledgeFilter
from coalition.text import labels
from coalition.text.formatting import money
from core.settings import DATA_DIR
from core.vocabulary import INACTIVE_STATUSES

FONT_DIR = DATA_DIR / "fonts"
FONT = "DejaVu"
MEASURED = ("funding", "troops", "aircraft", "ships")
MOVERS_SHOWN = 8
# Planning figures drawn in the force gap (newest first); more are named in a note.
GAP_ROWS_SHOWN = 8
DEFAULT_LOOKBACK = timedelta(days=7)

# Page geometry (mm) and the type scale (pt).
MARGIN: float = 14
PAGE_WIDTH, PAGE_HEIGHT = 210, 297
WIDTH = PAGE_WIDTH - 2 * MARGIN
FOOTER_TOP = PAGE_HEIGHT - 12
BOTTOM = FOOTER_TOP - 3
INK = (31, 31, 31)
MUTED = (77, 77, 77)
RULE = (190, 190, 190)
PANEL = (244, 244, 244)
WARNING_FILL = (255, 243, 205)
WARNING_EDGE = (230, 159, 0)
MINUS = "\u2212"

# The map's colours: the app's map palette (coalition.figures.maps) and the troops colour.
MAP_KEY = (
    ("troops", "offers troops (any size)"),
    ("pledges", "pledges, but no troop offer"),
    ("nothing", "participant, nothing counted"),
    ("beneficiary", "Ukraine (beneficiary)"),
    ("other", "not a participant"),
)


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


MAP_COLOURS = {
    "troops": _rgb(charts.CATEGORY_COLOURS["troops"]),
    "pledges": maps.BADGE,
    "nothing": maps.NO_PLEDGE,
    "beneficiary": maps.BENEFICIARY,
    "other": maps.NOT_MEMBER,
}


# --- What the pack says -------------------------------------------------------------------


def long_date(day: date) -> str:
    """The banner's format: "30 September 2025"."""
    return f"{day:%d %B %Y}"


def check_since(since: date, as_of: date) -> None:
    """The "changes since" day must be on the record's axis and not after the as-of day."""
    if since < AS_OF_EARLIEST:
        message = (
            f"“Changes since” cannot be before {long_date(AS_OF_EARLIEST)}, the earliest day "
            "the record can show; choose a later day."
        )
    elif since > as_of:
        message = (
            f"“Changes since” ({long_date(since)}) is after the as-of date "
            f"({long_date(as_of)}); choose a day on or before it."
        )
    else:
        return
    raise ValidationFailed([Problem("since", message)])


def default_since(as_of: date) -> date:
    return max(as_of - DEFAULT_LOOKBACK, AS_OF_EARLIEST)


@dataclass(frozen=True)
class Tile:
    label: str
    value: str
    notes: tuple[str, ...]
    category: str | None = None


def _excluded(filters: PledgeFilter, category: str) -> bool:
    return bool(filters.categories) and category not in filters.categories


def tiles(headline: Headline, filters: PledgeFilter) -> list[Tile]:
    """The overview's five headline tiles, worded as the overview words them."""
    shown = [Tile("Participants", f"{headline.participants}", ("on the record by this date",))]
    for category, label in (
        ("funding", "Funding (EUR)"),
        ("troops", "Troops"),
        ("aircraft", "Aircraft"),
        ("ships", "Ships"),
    ):
        item = headline.category(category)
        if _excluded(filters, category):
            shown.append(Tile(label, "not shown", ("not a chosen category",), category))
            continue
        notes = [item.caption()]
        if category == "funding" and headline.lending.pledges:
            notes.append(f"Not included: loans and guarantees, {headline.lending.summary()}.")
        shown.append(Tile(label, item.short(), tuple(notes), category))
    return shown


@dataclass(frozen=True)
class Change:
    """One category of one participant between two days: known sizes and unknown counts."""

    category: str
    before: float
    after: float
    unknown_before: int
    unknown_after: int

    @property
    def delta(self) -> float:
        return self.after - self.before

    @property
    def unknown_delta(self) -> int:
        return self.unknown_after - self.unknown_before

    @property
    def changed(self) -> bool:
        return self.delta != 0 or self.unknown_delta != 0

    def _amount(self, value: float) -> str:
        return money(value) if self.category == "funding" else f"{value:,.0f}"

    def text(self) -> str:
        """ "+€500m", "−1,200", "+1 of unknown size", "" (no change)."""
        parts = []
        if self.delta:
            parts.append(("+" if self.delta > 0 else MINUS) + self._amount(abs(self.delta)))
        if self.unknown_delta:
            sign = "+" if self.unknown_delta > 0 else MINUS
            parts.append(f"{sign}{abs(self.unknown_delta)} of unknown size")
        return ", ".join(parts)

    def now_text(self) -> str:
        """What stands now: "now €1.5bn", "now ≥ 2,400", "now 2 of unknown size"."""
        if not self.changed:
            return ""
        if self.after:
            return f"now {'≥ ' if self.unknown_after else ''}{self._amount(self.after)}"
        if self.unknown_after:
            return f"now {self.unknown_after} of unknown size"
        return "now none"


@dataclass(frozen=True)
class Mover:
    code: str
    name: str
    changes: dict[str, Change]
    pledges_before: int
    pledges_after: int
    # The sum over categories of each known change's share of the coalition's total.
    score: float

    def pledges_text(self) -> str:
        delta = self.pledges_after - self.pledges_before
        if not delta:
            return ""
        return ("+" if delta > 0 else MINUS) + f"{abs(delta)}"


def movers(before: View, after: View, limit: int = MOVERS_SHOWN) -> list[Mover]:
    """The participants whose known figures changed most between two views of the same
    filters: each change counts as its share of the coalition's known total in its category
    (the larger of the two days'), so euros and troops can be ranked together. Changes only in
    pledges of unknown size, or in the number of pledges, come after, by how many."""
    old, new = before.by_participant, after.by_participant
    codes = sorted(set(old.index) | set(new.index))
    totals = {
        c: max(before.headline.category(c).known_total, after.headline.category(c).known_total, 1.0)
        for c in MEASURED
    }

    def value(frame: pd.DataFrame, code: str, column: str) -> float:
        if code not in frame.index:
            return 0.0
        figure = frame.at[code, column]
        return 0.0 if pd.isna(figure) else float(figure)

    found = []
    for code in codes:
        changes = {}
        for category in MEASURED:
            key = "funding_eur" if category == "funding" else category
            changes[category] = Change(
                category,
                value(old, code, key),
                value(new, code, key),
                int(value(old, code, f"{category}_unknown")),
                int(value(new, code, f"{category}_unknown")),
            )
        counted_before = int(value(old, code, "pledges"))
        counted_after = int(value(new, code, "pledges"))
        if not any(c.changed for c in changes.values()) and counted_before == counted_after:
            continue
        name = (new if code in new.index else old).at[code, "name"]
        score = sum(abs(c.delta) / totals[c.category] for c in changes.values())
        found.append(Mover(code, name, changes, counted_before, counted_after, score))
    found.sort(
        key=lambda m: (
            -round(m.score, 12),
            -sum(abs(c.unknown_delta) for c in m.changes.values()),
            -abs(m.pledges_after - m.pledges_before),
            m.name,
        )
    )
    return found[:limit]


def counted_pledges(view: View) -> pd.DataFrame:
    """The pledges behind the headline figures: live ones of the participants shown."""
    pledges = view.pledges
    return pledges[
        pledges["participant_code"].isin(view.participants["code"])
        & ~pledges["status"].isin(INACTIVE_STATUSES)
    ]


def sources(view: View, gaps: pd.DataFrame) -> pd.DataFrame:
    """Where the figures come from: the planning figures' sources, then the sources of the
    pledges counted in the headline, most used first. Columns: kind, title, url, pledges."""
    planning = gaps.drop_duplicates(["source_title", "source_url"]).assign(
        kind="planning", pledges=0
    )
    pledges = counted_pledges(view)
    used = (
        pledges.assign(source_url=pledges["source_url"].fillna(""))
        .groupby(["source_title", "source_url"], dropna=False)
        .size()
        .reset_index(name="pledges")
        .assign(kind="pledges")
        .sort_values(["pledges", "source_title", "source_url"], ascending=[False, True, True])
    )
    columns = ["kind", "source_title", "source_url", "pledges"]
    frame = pd.concat([planning[columns], used[columns]], ignore_index=True)
    return frame.rename(columns={"source_title": "title", "source_url": "url"})


@dataclass(frozen=True)
class Briefing:
    filters: PledgeFilter
    as_of: date
    since: date
    known_at: datetime  # UTC
    view: View
    movers: list[Mover]
    gaps: pd.DataFrame
    sources: pd.DataFrame
    snapshot_sha256: str
    snapshot_rows: int
    snapshot_known_at: str  # as the snapshot's manifest writes it
    synthetic: bool
    features: tuple[dict, ...]


def gather(
    session: Session,
    filters: PledgeFilter,
    since: date,
    known_at: datetime,
    today: date | None = None,
) -> Briefing:
    """Every read the pack needs, all pinned to ``known_at``: the view, the view on ``since``
    (same filters), the planning figures and the snapshot of the same view. ``today`` names
    the day shown when the filters have no "as of" (the current record)."""
    as_of = filters.as_of or today or date.today()
    check_since(since, as_of)
    snapshot = build_snapshot(session, filters, known_at)
    pinned = datetime.strptime(snapshot.manifest["known_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
    view = build_view(session, filters, known_at)
    before = build_view(session, replace(filters, as_of=since), known_at)
    troops = view.headline.category("troops")
    if _excluded(filters, "troops"):
        gaps = force_gap.force_gap(troops, queries.targets_frame(session).iloc[0:0])
    else:
        gaps = force_gap.force_gap(troops, queries.targets_frame(session), filters.as_of)
    return Briefing(
        filters=filters,
        as_of=as_of,
        since=since,
        known_at=pinned.replace(tzinfo=UTC),
        view=view,
        movers=movers(before, view),
        gaps=gaps,
        sources=sources(view, gaps),
        snapshot_sha256=snapshot.manifest["sha256"],
        snapshot_rows=snapshot.manifest["rows"],
        snapshot_known_at=snapshot.manifest["known_at"],
        synthetic=queries.has_synthetic_data(session),
        features=geometry.world_features(),
    )


def briefing_pdf(
    session: Session,
    filters: PledgeFilter,
    since: date,
    known_at: datetime,
    today: date | None = None,
) -> bytes:
    """The briefing pack as PDF bytes (see ``gather`` for the arguments)."""
    return render(gather(session, filters, since, known_at, today))


def file_name(as_of: date) -> str:
    return f"briefing-pack-{as_of.isoformat()}.pdf"


# --- Drawing --------------------------------------------------------------------------------


class _Document(FPDF):
    """A4 portrait in mm with the shipped fonts and a footer naming the pins."""

    footer_text = ""
    warning_text = ""

    def footer(self) -> None:
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        self.line(MARGIN, FOOTER_TOP, PAGE_WIDTH - MARGIN, FOOTER_TOP)
        self.set_xy(MARGIN, FOOTER_TOP + 1)
        self.set_font(FONT, "", 6.5)
        self.set_text_color(*MUTED)
        self.cell(WIDTH - 22, 3.5, self.footer_text)
        self.cell(22, 3.5, f"Page {self.page_no()} of {{nb}}", align="R")
        if self.warning_text:
            self.set_xy(MARGIN, FOOTER_TOP + 4.5)
            self.set_font(FONT, "B", 6.5)
            self.set_text_color(140, 60, 0)
            self.cell(WIDTH, 3.5, self.warning_text)


def _document(briefing: Briefing) -> _Document:
    pdf = _Document(orientation="P", unit="mm", format="A4")
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(False)
    pdf.c_margin = 0
    # Fixed from the inputs, never the clock: fpdf2 writes it into /Info and hashes it with
    # the content into the file's /ID.
    pdf.set_creation_date(briefing.known_at)
    pdf.set_title(f"Briefing pack: coalition of the willing, as of {long_date(briefing.as_of)}")
    pdf.set_subject("Pledges to Ukraine's coalition of the willing and the force gap")
    pdf.set_creator("Coalition Tracker")
    pdf.set_lang("en-GB")
    pdf.footer_text = (
        f"Snapshot SHA-256 {briefing.snapshot_sha256} · known at {briefing.snapshot_known_at}"
    )
    if briefing.synthetic:
        pdf.warning_text = "SYNTHETIC BENCHMARK DATA: not real pledges; do not cite."
    return pdf


def _text(pdf: FPDF, size: float, bold: bool = False, colour=INK) -> None:
    pdf.set_font(FONT, "B" if bold else "", size)
    pdf.set_text_color(*colour)


def _wrapped_lines(pdf: FPDF, width: float, height: float, text: str) -> list[str]:
    """The lines ``text`` wraps to in a cell ``width`` wide, in the current font; nothing is
    drawn."""
    lines = pdf.multi_cell(width, height, text, dry_run=True, output="LINES")
    assert isinstance(lines, list)  # fpdf2 types the result of every output kind as one union
    return lines


def _table_heading(pdf: FPDF, columns, height: float) -> None:
    """A table's column headings, ruled off below."""
    _text(pdf, 7, bold=True, colour=MUTED)
    pdf.set_x(MARGIN)
    for heading, cell_width in columns:
        pdf.cell(cell_width, height, heading)
    pdf.ln(height)
    pdf.set_draw_color(*MUTED)
    pdf.set_line_width(0.25)
    pdf.line(MARGIN, pdf.get_y(), MARGIN + WIDTH, pdf.get_y())


def _paragraph(pdf: FPDF, text: str, size: float = 8, colour=INK, bold=False, height=None):
    _text(pdf, size, bold, colour)
    pdf.set_x(MARGIN)
    pdf.multi_cell(
        WIDTH, height or size * 0.48, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )


def _ensure(pdf: FPDF, height: float) -> None:
    """Start a new page unless ``height`` fits below the current position."""
    if pdf.get_y() + height > BOTTOM:
        pdf.add_page()


def _section(pdf: FPDF, title: str, room: float) -> None:
    """A section heading, on a new page if it and ``room`` below it do not fit."""
    _ensure(pdf, 10 + room)
    pdf.ln(3)
    _text(pdf, 11.5, bold=True)
    pdf.set_x(MARGIN)
    pdf.cell(WIDTH, 6, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.4)
    pdf.line(MARGIN, pdf.get_y(), MARGIN + WIDTH, pdf.get_y())
    pdf.ln(1.8)


def _header(pdf: FPDF, briefing: Briefing) -> None:
    _text(pdf, 7.5, bold=True, colour=MUTED)
    pdf.cell(WIDTH, 4, "BRIEFING PACK · COALITION OF THE WILLING FOR UKRAINE")
    pdf.ln(5)
    _text(pdf, 19, bold=True)
    pdf.cell(WIDTH, 9, "Pledges, the force gap and what changed")
    pdf.ln(10)
    today = "" if briefing.filters.as_of else " (today's record)"
    _text(pdf, 10.5, bold=True)
    pdf.cell(WIDTH, 5.5, f"As of {long_date(briefing.as_of)}{today}")
    pdf.ln(5.5)
    _paragraph(
        pdf,
        f"The record as known at {briefing.known_at:%d %b %Y %H:%M:%S} UTC (later corrections "
        f"do not change this pack). Showing {briefing.filters.describe()}.",
        size=8,
        colour=MUTED,
    )
    if briefing.synthetic:
        pdf.ln(1.5)
        top = pdf.get_y()
        pdf.set_fill_color(*WARNING_FILL)
        pdf.set_draw_color(*WARNING_EDGE)
        pdf.set_line_width(0.6)
        pdf.rect(MARGIN, top, WIDTH, 9, style="DF")
        pdf.set_xy(MARGIN + 3, top + 1.2)
        _text(pdf, 8.5, bold=True, colour=(110, 50, 0))
        pdf.multi_cell(
            WIDTH - 6,
            3.4,
            "Synthetic data: this database holds generated benchmark pledges "
            f"(source “{queries.SYNTHETIC_SOURCE}”). The figures are not real; do not cite them.",
        )
        pdf.set_y(top + 9)


def _fitted(pdf: FPDF, text: str, width: float, size: float, bold: bool, least: float) -> float:
    """The largest type size up to ``size`` at which ``text`` fits ``width`` (``least`` at
    most down to), with the font set to it."""
    while True:
        pdf.set_font(FONT, "B" if bold else "", size)
        if size <= least or pdf.get_string_width(text) <= width:
            return size
        size = max(least, size - 0.5)


def _tiles(pdf: FPDF, briefing: Briefing) -> None:
    shown = tiles(briefing.view.headline, briefing.filters)
    gap = 3
    width = (WIDTH - gap * (len(shown) - 1)) / len(shown)
    inner = width - 5
    top = pdf.get_y() + 3
    height = 33
    for index, tile in enumerate(shown):
        x = MARGIN + index * (width + gap)
        pdf.set_fill_color(*PANEL)
        pdf.rect(x, top, width, height, style="F")
        accent = charts.CATEGORY_COLOURS.get(tile.category or "", "#3B3B3B")
        pdf.set_fill_color(*_rgb(accent))
        pdf.rect(x, top, width, 1.4, style="F")
        pdf.set_xy(x + 2.5, top + 3)
        _text(pdf, 7.2, bold=True, colour=MUTED)
        pdf.cell(inner, 4, tile.label.upper())
        pdf.set_xy(x + 2.5, top + 8)
        _fitted(pdf, tile.value, inner, 15, True, 9)
        pdf.set_text_color(*INK)
        pdf.cell(inner, 6, tile.value)
        pdf.set_xy(x + 2.5, top + 16)
        _text(pdf, 6.8, colour=MUTED)
        pdf.multi_cell(inner, 3.0, "\n".join(tile.notes), align="L")
    pdf.set_y(top + height + 2)
    headline = briefing.view.headline
    counts = " · ".join(
        f"{labels.label(c.category)} {c.participants}" for c in headline.by_category.values()
    )
    _paragraph(pdf, f"Participants with at least one pledge: {counts}.", size=7.5, colour=MUTED)
    _paragraph(
        pdf,
        "“≥” is the sum of published sizes with pledges of unknown size beside it; a size "
        "never published is counted apart, never as zero. Withdrawals and refusals are not "
        "counted.",
        size=7,
        colour=MUTED,
    )


def _axis_ticks(end: float) -> list[float]:
    step = force_gap.nice_step(end)
    return [step * i for i in range(int(end // step) + 1)]


def _force_gap(pdf: FPDF, briefing: Briefing) -> None:
    troops: CategoryFigures = briefing.view.headline.category("troops")
    gaps = briefing.gaps
    if _excluded(briefing.filters, "troops"):
        _section(pdf, "The force gap", 8)
        _paragraph(pdf, "Troops are not a chosen category, so the force gap is not shown.")
        return
    if gaps.empty:
        _section(pdf, "The force gap", 8)
        _paragraph(pdf, "No planning figure for the force had been stated by this date.")
        return
    shown = gaps.head(GAP_ROWS_SHOWN)
    row_height = 7.5
    chart_height = row_height * len(shown) + 12
    _section(pdf, "The force gap", chart_height + 20)
    if troops.pledges and not troops.known_pledges:
        lead = (
            f"No troop offer has a published size ({force_gap.offers(troops.unknown_size)} of "
            "unknown size), so no gap can be measured against any planning figure."
        )
    else:
        lead = f"Known troop offers: {troops.summary()}"
        lead += ", not counted," if troops.unknown_size and troops.known_pledges else ""
        lead += " against each planning figure stated by this date."
    _paragraph(pdf, lead, size=9, bold=True)
    pdf.ln(1)

    # A bullet chart on one linear axis of troops: the range as a grey band with a tick at
    # each stated end, the known offers as a thin bar ending in a diamond.
    label_width = 58
    left = MARGIN + label_width
    plot_width = WIDTH - label_width - 30
    ends = [v for v in (*shown["low"], *shown["high"]) if force_gap._given(v)]
    measurable = troops.pledges > 0 and troops.known_pledges > 0
    known = troops.known_total if measurable else 0.0
    axis_end = max([*ends, known, 1.0]) * 1.1
    ticks = _axis_ticks(axis_end)
    axis_end = max(axis_end, ticks[-1])

    def x_of(value: float) -> float:
        return left + plot_width * value / axis_end

    top = pdf.get_y() + 1
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.15)
    for tick in ticks:
        pdf.line(x_of(tick), top, x_of(tick), top + row_height * len(shown))
    band = _rgb(charts.REFERENCE_COLOUR)
    band_fill = tuple(round(255 - (255 - c) * 0.35) for c in band)
    colour = _rgb(charts.CATEGORY_COLOURS["troops"])
    for index, row in enumerate(shown.itertuples()):
        y = top + index * row_height
        middle = y + row_height / 2
        pdf.set_xy(MARGIN, y + 0.6)
        _text(pdf, 7.2)
        pdf.multi_cell(label_width - 3, 3.1, str(row.name), max_line_height=3.1, align="L")
        has_low, has_high = force_gap._given(row.low), force_gap._given(row.high)
        if not (has_low or has_high):
            pdf.set_xy(left + 1, middle - 2)
            _text(pdf, 7, colour=MUTED)
            pdf.cell(40, 4, "no number stated")
            continue
        base = row.low if has_low else 0.0
        end = row.high if has_high else axis_end
        pdf.set_fill_color(*band_fill)
        if end > base:
            pdf.rect(x_of(base), middle - 2.6, x_of(end) - x_of(base), 5.2, style="F")
        if measurable:
            pdf.set_fill_color(*colour)
            pdf.rect(left, middle - 0.8, x_of(known) - left, 1.6, style="F")
        pdf.set_draw_color(*band)
        pdf.set_line_width(0.7)
        for stated in sorted({v for v in (row.low, row.high) if force_gap._given(v)}):
            pdf.line(x_of(stated), middle - 3.2, x_of(stated), middle + 3.2)
        if measurable:
            cx = x_of(known)
            pdf.set_fill_color(*colour)
            pdf.set_draw_color(47, 45, 43)
            pdf.set_line_width(0.2)
            pdf.polygon(
                [(cx, middle - 1.6), (cx + 1.6, middle), (cx, middle + 1.6), (cx - 1.6, middle)],
                style="DF",
            )
            label = force_gap.known_label(troops)
            _text(pdf, 6.5, bold=True)
            marker_width = pdf.get_string_width(label) + 1
            # Beside the marker, on its left where the right would run past the axis; on white
            # where it crosses the bar.
            fits = cx + 2.2 + marker_width <= x_of(axis_end)
            pdf.set_xy(cx + 2.2 if fits else cx - 2.2 - marker_width, middle - 1.6)
            pdf.set_fill_color(255, 255, 255)
            pdf.cell(marker_width, 3.2, label, align="C", fill=not fits)
        pdf.set_xy(x_of(axis_end) + 1.5, middle - 2)
        _text(pdf, 7, colour=MUTED)
        pdf.cell(28, 4, row.range_text)
    axis_y = top + row_height * len(shown)
    pdf.set_draw_color(*MUTED)
    pdf.set_line_width(0.25)
    pdf.line(left, axis_y, x_of(axis_end), axis_y)
    _text(pdf, 6.5, colour=MUTED)
    for tick in ticks:
        label = f"{tick:,.0f}"
        pdf.set_xy(x_of(tick) - 10, axis_y + 0.8)
        pdf.cell(20, 3, label, align="C")
    pdf.set_xy(left, axis_y + 4)
    pdf.cell(plot_width, 3.5, "Troops", align="C")
    # The key.
    key_y = axis_y + 8.5
    x = left
    pdf.set_fill_color(*band_fill)
    pdf.rect(x, key_y, 6, 3, style="F")
    pdf.set_xy(x + 7, key_y - 0.3)
    pdf.cell(24, 3.5, "planning range")
    x += 33
    if measurable:
        pdf.set_fill_color(*colour)
        pdf.rect(x, key_y + 0.9, 6, 1.2, style="F")
        pdf.set_xy(x + 7, key_y - 0.3)
        pdf.cell(40, 3.5, f"known offers: {force_gap.known_label(troops)}")
    else:
        pdf.set_xy(x, key_y - 0.3)
        pdf.cell(90, 3.5, "No bar: " + force_gap.known_label(troops))
    pdf.set_y(key_y + 5)

    # The gap in numbers, one row per planning figure.
    columns = (
        ("Planning figure", 66),
        ("Range (troops)", 28),
        ("Stated", 20),
        ("Short of the low end", 34),
        ("Short of the high end", 34),
    )
    _table_heading(pdf, columns, 4)
    for row in shown.itertuples():
        cells = (
            str(row.name),
            row.range_text,
            str(row.stated_on),
            shortfall(row.known, row.low),
            shortfall(row.known, row.high),
        )
        lines = 1
        for index, ((_, cell_width), text) in enumerate(zip(columns, cells, strict=True)):
            _text(pdf, 7.4, bold=index >= 3)
            lines = max(lines, len(_wrapped_lines(pdf, cell_width - 2, 3.2, text)))
        height = lines * 3.2 + 1.6
        _ensure(pdf, height)
        y = pdf.get_y()
        x = MARGIN
        for index, ((_, cell_width), text) in enumerate(zip(columns, cells, strict=True)):
            pdf.set_xy(x, y + 0.8)
            _text(pdf, 7.4, bold=index >= 3)
            pdf.multi_cell(cell_width - 2, 3.2, text, align="L")
            x += cell_width
        pdf.set_draw_color(*RULE)
        pdf.set_line_width(0.15)
        pdf.line(MARGIN, y + height, MARGIN + WIDTH, y + height)
        pdf.set_y(y + height)
    if len(gaps) > len(shown):
        _paragraph(
            pdf,
            f"{len(gaps) - len(shown)} earlier planning figures are on the overview.",
            size=7,
            colour=MUTED,
        )


def shortfall(known: float, end: float) -> str:
    """The gap to one end of a planning figure: "6,500 (57% met)", "reached, 2,000 over",
    "no end stated", "not measurable" (no offer has a published size)."""
    if not force_gap._given(end):
        return "no end stated"
    if pd.isna(known):
        return "not measurable"
    if known < end:
        return f"{force_gap.troops_text(end - known)} ({force_gap.percent(known / end)} met)"
    if known == end:
        return "reached exactly"
    return f"reached, {force_gap.troops_text(known - end)} over"


MOVER_ROW = 7.8


def _movers_height(briefing: Briefing) -> float:
    """The movers' section from its heading to its last row."""
    return 10 + 9 + (6 + MOVER_ROW * len(briefing.movers) if briefing.movers else 6)


def _movers(pdf: FPDF, briefing: Briefing) -> None:
    categories = [c for c in MEASURED if not _excluded(briefing.filters, c)]
    rows = briefing.movers
    _section(pdf, f"Top movers since {long_date(briefing.since)}", _movers_height(briefing) - 10)
    _paragraph(
        pdf,
        f"Participants whose known figures changed most between {briefing.since:%d %b %Y} and "
        f"{briefing.as_of:%d %b %Y}, largest first: each change weighs as its share of the "
        "coalition's known total in its category. Blank: no change. Sizes never published are "
        "counted apart.",
        size=7.2,
        colour=MUTED,
    )
    if not rows:
        pdf.ln(1)
        _paragraph(
            pdf,
            f"No participant's figures changed between {briefing.since:%d %b %Y} and "
            f"{briefing.as_of:%d %b %Y}.",
            size=8.5,
        )
        return
    pdf.ln(1)
    name_width, count_width = 36, 16
    width = (WIDTH - name_width - count_width) / len(categories)
    headings = [
        ("Participant", name_width),
        *((("Funding (EUR)" if c == "funding" else labels.label(c)), width) for c in categories),
        ("Pledges", count_width),
    ]
    _table_heading(pdf, headings, 4.5)
    row_height = MOVER_ROW
    for mover in rows:
        _ensure(pdf, row_height)
        y = pdf.get_y()
        pdf.set_xy(MARGIN, y + 1)
        _fitted(pdf, mover.name, name_width - 2, 8, True, 6)
        pdf.set_text_color(*INK)
        pdf.cell(name_width - 2, 3.6, mover.name)
        x = MARGIN + name_width
        for category in categories:
            change = mover.changes[category]
            pdf.set_xy(x, y + 1)
            _fitted(pdf, change.text(), width - 2, 8, True, 6)
            pdf.set_text_color(*INK)
            pdf.cell(width - 2, 3.6, change.text())
            pdf.set_xy(x, y + 4.3)
            _text(pdf, 6.5, colour=MUTED)
            pdf.cell(width - 1, 3, change.now_text())
            x += width
        pdf.set_xy(x, y + 1)
        _text(pdf, 8, bold=True)
        pdf.cell(count_width, 3.6, mover.pledges_text())
        if mover.pledges_text():
            pdf.set_xy(x, y + 4.3)
            _text(pdf, 6.5, colour=MUTED)
            pdf.cell(count_width, 3, f"now {mover.pledges_after}")
        pdf.set_draw_color(*RULE)
        pdf.set_line_width(0.15)
        pdf.line(MARGIN, y + row_height, MARGIN + WIDTH, y + row_height)
        pdf.set_y(y + row_height)


def map_classes(view: View) -> dict[str, str]:
    """Each participant's class on the map (a key of MAP_COLOURS), by participant code."""
    figures = view.by_participant
    classes = {}
    for code, row in figures.iterrows():
        if row["kind"] == "beneficiary":
            classes[code] = "beneficiary"
        elif row["troops_pledges"] > 0:
            classes[code] = "troops"
        elif row["pledges"] > 0:
            classes[code] = "pledges"
        else:
            classes[code] = "nothing"
    return classes


Extent = tuple[float, float, float, float]  # west, east, south, north (degrees)
EUROPE: Extent = (-11.0, 36.0, 35.0, 70.0)
MAP_HEIGHT = 56
# The map's section from its heading to the line under its key.
MAP_BLOCK = 10 + MAP_HEIGHT + 11


def _widened(extent: Extent, aspect: float) -> Extent:
    """The extent grown in one direction to ``aspect`` (width over height on the page, with
    longitudes shortened by the cosine of the middle latitude)."""
    west, east, south, north = extent
    scale = math.cos(math.radians((south + north) / 2))
    width, height = (east - west) * scale, north - south
    if width / height < aspect:
        grow = (height * aspect / scale - (east - west)) / 2
        return west - grow, east + grow, south, north
    grow = (width / aspect - height) / 2
    return west, east, south - grow, north + grow


def participants_extent(figures: pd.DataFrame) -> Extent:
    """Around the centroids of the participants with territory (all of the world if none)."""
    placed = figures[figures["kind"] != "institution"]
    if placed.empty:
        return -170.0, 180.0, -50.0, 75.0
    return (
        float(placed["centroid_lon"].min()) - 14,
        float(placed["centroid_lon"].max()) + 14,
        max(float(placed["centroid_lat"].min()) - 10, -60.0),
        min(float(placed["centroid_lat"].max()) + 10, 80.0),
    )


def _panel(
    pdf: FPDF,
    briefing: Briefing,
    classes: dict[str, str],
    frame: tuple[float, float, float, float],
    extent: Extent,
    badges: bool,
) -> None:
    """Country outlines in ``extent`` drawn into the box ``frame`` (x, y, width, height)."""
    left, top, width, height = frame
    west, east, south, north = _widened(extent, width / height)
    scale = math.cos(math.radians((south + north) / 2))
    x_scale = width / ((east - west) * scale)
    y_scale = height / (north - south)

    def point(lon: float, lat: float) -> tuple[float, float]:
        return (
            round(left + (lon - west) * scale * x_scale, 2),
            round(top + (north - lat) * y_scale, 2),
        )

    pdf.set_fill_color(250, 250, 250)
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.2)
    pdf.rect(left, top, width, height, style="DF")
    pdf.set_line_width(0.08)
    pdf.set_draw_color(*maps.OUTLINE)
    with pdf.rect_clip(left, top, width, height):
        for feature in briefing.features:
            pdf.set_fill_color(*MAP_COLOURS[classes.get(feature["properties"]["iso_a3"], "other")])
            for polygon in feature["geometry"]["coordinates"]:
                ring = polygon[0]
                lons = [p[0] for p in ring]
                lats = [p[1] for p in ring]
                if max(lons) < west or min(lons) > east or max(lats) < south or min(lats) > north:
                    continue
                pdf.polygon([point(lon, lat) for lon, lat in ring], style="DF")
        if not badges:
            return
        # The institutions have no territory: a labelled badge at their seat, as on the app's
        # map, set apart (both sit in Brussels).
        figures = briefing.view.by_participant
        for code, row in figures[figures["kind"] == "institution"].iterrows():
            label = "EU" if code == "EUU" else str(code)
            x, y = point(float(row["centroid_lon"]), float(row["centroid_lat"]))
            y += {"NATO": -1.8, "EUU": 1.8}.get(str(code), 0)
            _text(pdf, 5.5, bold=True, colour=(255, 255, 255))
            w = pdf.get_string_width(label) + 1.6
            pdf.set_fill_color(*maps.BADGE)
            pdf.rect(x - w / 2, y - 1.2, w, 2.4, style="F")
            pdf.set_xy(x - w / 2, y - 1.2)
            pdf.cell(w, 2.4, label, align="C")


def _map(pdf: FPDF, briefing: Briefing) -> None:
    _section(pdf, "Participants on the map", MAP_BLOCK - 10)
    figures = briefing.view.by_participant
    if figures.empty:
        _paragraph(pdf, "No participant matches the filters.")
        return
    classes = map_classes(briefing.view)
    top = pdf.get_y() + 1
    extent = participants_extent(figures)
    # Participants from Canada to New Zealand leave Europe a few millimetres wide: it gets a
    # panel of its own beside the world.
    inset = extent[1] - extent[0] > 90
    world_width = WIDTH - 70 if inset else WIDTH
    _panel(pdf, briefing, classes, (MARGIN, top, world_width, MAP_HEIGHT), extent, not inset)
    if inset:
        frame = (MARGIN + world_width + 4, top, WIDTH - world_width - 4, MAP_HEIGHT)
        _panel(pdf, briefing, classes, frame, EUROPE, True)
        pdf.set_xy(frame[0] + 1, top + 1)
        _text(pdf, 6.5, bold=True, colour=MUTED)
        pdf.cell(20, 3, "Europe")
    # The key, in a row under the map.
    present = set(classes.values()) | {"other"}
    x, y = MARGIN, top + MAP_HEIGHT + 2
    _text(pdf, 6.5)
    for key, text in MAP_KEY:
        if key not in present:
            continue
        pdf.set_fill_color(*MAP_COLOURS[key])
        pdf.set_draw_color(*maps.OUTLINE)
        pdf.set_line_width(0.1)
        pdf.rect(x, y + 0.3, 4, 2.8, style="DF")
        pdf.set_xy(x + 5, y)
        pdf.cell(pdf.get_string_width(text) + 1, 3.4, text)
        x += 5 + pdf.get_string_width(text) + 3.5
    counts = pd.Series(list(classes.values()), dtype=str).value_counts()
    institutions = int((figures["kind"] == "institution").sum())
    _text(pdf, 6.5, colour=MUTED)
    pdf.set_xy(MARGIN, y + 4)
    pdf.cell(
        WIDTH,
        3.2,
        f"{len(figures)} participants, {int(counts.get('troops', 0))} offering troops"
        + (
            f"; {institutions} without territory (EU, NATO) labelled at their seat"
            if institutions
            else ""
        )
        + ". Outlines: Natural Earth 1:110m.",
    )
    pdf.set_y(y + 8)


def _about(pdf: FPDF, briefing: Briefing) -> None:
    _section(pdf, "Snapshot and method", 22)
    _text(pdf, 7.6)
    pdf.set_x(MARGIN)
    pdf.multi_cell(
        WIDTH,
        3.5,
        f"The figures come from one read of the record, the same as the snapshot CSV of this "
        f"view ({briefing.snapshot_rows:,} pledges; Snapshots page, same filters, known at "
        f"{briefing.snapshot_known_at}), whose SHA-256 is:",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    _text(pdf, 8.2, bold=True)
    pdf.set_x(MARGIN)
    pdf.cell(WIDTH, 4.5, briefing.snapshot_sha256, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _paragraph(
        pdf,
        "Funding is grants, in-kind and unspecified money in euros at the ECB reference rate "
        "of each announcement; loans and guarantees are never added to it. Troops, aircraft "
        "and ships are the sums of published sizes.",
        size=7.2,
        colour=MUTED,
    )


def _sources(pdf: FPDF, briefing: Briefing) -> None:
    """Two columns of sources filling what is left of the pack's last page (the second at
    most); what does not fit is counted, and the snapshot lists every pledge's source."""
    frame = briefing.sources
    _section(pdf, "Sources of the figures shown", 12)
    if frame.empty:
        _paragraph(pdf, "No pledge or planning figure in this view.")
        return
    gap = 6
    column_width = (WIDTH - gap) / 2
    column, top = 0, pdf.get_y()
    y = top
    last_kind = None
    shown = 0
    entries = list(frame.itertuples())
    for index, entry in enumerate(entries):
        heading = None
        if entry.kind != last_kind:
            heading = "Planning figures" if entry.kind == "planning" else "Pledges counted"
        title = str(entry.title) + (
            f" ({entry.pledges} pledge{'s' if entry.pledges != 1 else ''})"
            if entry.kind == "pledges"
            else ""
        )
        url = str(entry.url or "")
        _text(pdf, 7)
        title_lines = len(_wrapped_lines(pdf, column_width, 3, title))
        _text(pdf, 6.2)
        url_lines = len(_wrapped_lines(pdf, column_width, 2.7, url)) if url else 0
        needed = title_lines * 3 + url_lines * 2.7 + 1.4 + (4.5 if heading else 0)
        remaining = len(entries) - index
        reserve = 4.5 if remaining > 1 else 0
        if y + needed + reserve > BOTTOM:
            if column == 0:
                column, y = 1, top
            elif pdf.page_no() < 2:
                pdf.add_page()
                column, top = 0, pdf.get_y()
                y = top
            else:
                break
        x = MARGIN + column * (column_width + gap)
        if heading:
            pdf.set_xy(x, y)
            _text(pdf, 7.2, bold=True, colour=MUTED)
            pdf.cell(column_width, 4, heading.upper())
            y += 4.5
            last_kind = entry.kind
        pdf.set_xy(x, y)
        _text(pdf, 7)
        pdf.multi_cell(column_width, 3, title, link=url or None, align="L")
        if url:
            pdf.set_x(x)
            _text(pdf, 6.2, colour=(0, 80, 150))
            pdf.multi_cell(column_width, 2.7, url, link=url, wrapmode=WrapMode.CHAR, align="L")
        y = pdf.get_y() + 1.4
        shown += 1
    if shown < len(entries):
        x = MARGIN + column * (column_width + gap)
        pdf.set_xy(x, min(y, BOTTOM - 4))
        _text(pdf, 6.8, bold=True, colour=MUTED)
        pdf.multi_cell(
            column_width,
            3,
            f"+ {len(entries) - shown} more sources: the snapshot CSV gives every pledge's.",
        )


def render(briefing: Briefing) -> bytes:
    """The pack as PDF bytes: one or two A4 pages."""
    pdf = _document(briefing)
    pdf.add_page()
    _header(pdf, briefing)
    _tiles(pdf, briefing)
    _force_gap(pdf, briefing)
    # The movers' table is kept whole; where it would leave the first page's foot empty and
    # the map fits there, the map comes first.
    room = BOTTOM - pdf.get_y()
    if pdf.page_no() == 1 and _movers_height(briefing) > room >= MAP_BLOCK:
        _map(pdf, briefing)
        _movers(pdf, briefing)
    else:
        _movers(pdf, briefing)
        _map(pdf, briefing)
    _about(pdf, briefing)
    _sources(pdf, briefing)
    return bytes(pdf.output())
