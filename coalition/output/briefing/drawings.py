"""The briefing pack's drawings: the force gap as a bullet chart with its table, and the map of
participants from the shipped outlines."""

from __future__ import annotations

import math

import pandas as pd
from fpdf import FPDF

from coalition.figures import charts, force_gap, maps
from coalition.figures.metrics import CategoryFigures
from coalition.output.briefing.content import GAP_ROWS_SHOWN, Briefing, map_classes
from coalition.output.briefing.page import (
    MARGIN,
    MUTED,
    RULE,
    WIDTH,
    ensure_room,
    paragraph,
    rgb,
    section,
    set_text,
    table_heading,
    wrapped_lines,
)


def _axis_ticks(end: float) -> list[float]:
    step = force_gap.nice_step(end)
    return [step * i for i in range(int(end // step) + 1)]


def draw_force_gap(pdf: FPDF, briefing: Briefing) -> None:
    """The known troop offers against each planning figure: drawn only when troops are a
    chosen category and a planning figure had been stated (an empty section is left out)."""
    troops: CategoryFigures = briefing.view.headline.category("troops")
    gaps = briefing.gaps
    shown = gaps.head(GAP_ROWS_SHOWN)
    row_height = 7.2
    chart_height = row_height * len(shown) + 12
    section(pdf, "The force gap", chart_height + 20)
    if troops.pledges and not troops.known_pledges:
        lead = (
            f"No troop offer has a published size ({force_gap.offers(troops.unknown_size)} of "
            "unknown size), so no gap can be measured against any planning figure."
        )
    else:
        lead = f"Known troop offers: {troops.summary()}"
        lead += ", not counted," if troops.unknown_size and troops.known_pledges else ""
        lead += " against each planning figure stated by this date."
    paragraph(pdf, lead, size=9, bold=True)
    pdf.ln(1)

    # A bullet chart on one linear axis of troops: the range as a grey band with a tick at
    # each stated end, the known offers as a thin bar ending in a diamond.
    label_width = 58
    left = MARGIN + label_width
    plot_width = WIDTH - label_width - 30
    ends = [v for v in (*shown["low"], *shown["high"]) if force_gap.is_given(v)]
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
    band = rgb(charts.REFERENCE_COLOUR)
    band_fill = tuple(round(255 - (255 - c) * 0.35) for c in band)
    colour = rgb(charts.CATEGORY_COLOURS["troops"])
    for index, (row, number) in enumerate(
        zip(shown.itertuples(), briefing.gap_sources, strict=True)
    ):
        y = top + index * row_height
        middle = y + row_height / 2
        pdf.set_xy(MARGIN, y + 0.6)
        set_text(pdf, 7.2)
        pdf.multi_cell(
            label_width - 3, 3.1, f"{row.name} [{number}]", max_line_height=3.1, align="L"
        )
        has_low, has_high = force_gap.is_given(row.low), force_gap.is_given(row.high)
        if not (has_low or has_high):
            pdf.set_xy(left + 1, middle - 2)
            set_text(pdf, 7, colour=MUTED)
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
        for stated in sorted({v for v in (row.low, row.high) if force_gap.is_given(v)}):
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
            set_text(pdf, 6.5, bold=True)
            marker_width = pdf.get_string_width(label) + 1
            # Beside the marker, on its left where the right would run past the axis; on white
            # where it crosses the bar.
            fits = cx + 2.2 + marker_width <= x_of(axis_end)
            pdf.set_xy(cx + 2.2 if fits else cx - 2.2 - marker_width, middle - 1.6)
            pdf.set_fill_color(255, 255, 255)
            pdf.cell(marker_width, 3.2, label, align="C", fill=not fits)
        pdf.set_xy(x_of(axis_end) + 1.5, middle - 2)
        set_text(pdf, 7, colour=MUTED)
        pdf.cell(28, 4, row.range_text)
    axis_y = top + row_height * len(shown)
    pdf.set_draw_color(*MUTED)
    pdf.set_line_width(0.25)
    pdf.line(left, axis_y, x_of(axis_end), axis_y)
    set_text(pdf, 6.5, colour=MUTED)
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

    # The gap in numbers, one row per planning figure: only when there is a gap to measure
    # (otherwise every cell would read "not measurable", which the lead already says).
    if not measurable:
        return
    columns = (
        ("Planning figure", 66),
        ("Range (troops)", 28),
        ("Stated", 20),
        ("Short of the low end", 34),
        ("Short of the high end", 34),
    )
    table_heading(pdf, columns, 4)
    for row, number in zip(shown.itertuples(), briefing.gap_sources, strict=True):
        cells = (
            f"{row.name} [{number}]",
            row.range_text,
            str(row.stated_on),
            shortfall(row.known, row.low),
            shortfall(row.known, row.high),
        )
        lines = 1
        for index, ((_, cell_width), text) in enumerate(zip(columns, cells, strict=True)):
            set_text(pdf, 7.4, bold=index >= 3)
            lines = max(lines, len(wrapped_lines(pdf, cell_width - 2, 3.2, text)))
        height = lines * 3.2 + 1.6
        ensure_room(pdf, height)
        y = pdf.get_y()
        x = MARGIN
        for index, ((_, cell_width), text) in enumerate(zip(columns, cells, strict=True)):
            pdf.set_xy(x, y + 0.8)
            set_text(pdf, 7.4, bold=index >= 3)
            pdf.multi_cell(cell_width - 2, 3.2, text, align="L")
            x += cell_width
        pdf.set_draw_color(*RULE)
        pdf.set_line_width(0.15)
        pdf.line(MARGIN, y + height, MARGIN + WIDTH, y + height)
        pdf.set_y(y + height)
    if len(gaps) > len(shown):
        paragraph(
            pdf,
            f"{len(gaps) - len(shown)} earlier planning figures are on the overview.",
            size=7,
            colour=MUTED,
        )


def shortfall(known: float, end: float) -> str:
    """The gap to one end of a planning figure: "6,500 (57% met)", "reached, 2,000 over",
    "no end stated", "not measurable" (no offer has a published size)."""
    if not force_gap.is_given(end):
        return "no end stated"
    if pd.isna(known):
        return "not measurable"
    if known < end:
        return f"{force_gap.troops_text(end - known)} ({force_gap.percent(known / end)} met)"
    if known == end:
        return "reached exactly"
    return f"reached, {force_gap.troops_text(known - end)} over"


# The map's colours: the app's map palette (coalition.figures.maps) and the troops colour.
MAP_KEY = (
    ("troops", "offers troops (any size)"),
    ("considering", "considering troops, no offer"),
    ("ruled_out", "ruled troops out"),
    ("offers", "offers something else, not troops"),
    ("nothing", "participant, no offer"),
    ("beneficiary", "Ukraine (beneficiary)"),
    ("other", "not a participant"),
)


MAP_COLOURS = {
    "troops": rgb(charts.CATEGORY_COLOURS["troops"]),
    "considering": maps.CONSIDERING,
    "ruled_out": maps.RULED_OUT,
    "offers": (0, 158, 115),  # Okabe-Ito bluish green: not a badge's blue, not a troop hue
    "nothing": maps.NO_PLEDGE,
    "beneficiary": maps.BENEFICIARY,
    "other": maps.NOT_MEMBER,
}


Extent = tuple[float, float, float, float]  # west, east, south, north (degrees)


EUROPE: Extent = (-11.0, 36.0, 35.0, 70.0)


MAP_HEIGHT = 56


# The map's section from its heading to the line under its key (two rows).
MAP_BLOCK = 10 + MAP_HEIGHT + 15


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
            set_text(pdf, 5.5, bold=True, colour=(255, 255, 255))
            w = pdf.get_string_width(label) + 1.6
            pdf.set_fill_color(*maps.BADGE)
            pdf.rect(x - w / 2, y - 1.2, w, 2.4, style="F")
            pdf.set_xy(x - w / 2, y - 1.2)
            pdf.cell(w, 2.4, label, align="C")


def draw_map(pdf: FPDF, briefing: Briefing) -> None:
    section(pdf, "Participants on the map", MAP_BLOCK - 10)
    figures = briefing.view.by_participant
    if figures.empty:
        paragraph(pdf, "No participant matches the filters.")
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
        set_text(pdf, 6.5, bold=True, colour=MUTED)
        pdf.cell(20, 3, "Europe")
    # The key, in rows under the map.
    present = set(classes.values()) | {"other"}
    x, y = MARGIN, top + MAP_HEIGHT + 2
    set_text(pdf, 6.5)
    for key, text in MAP_KEY:
        if key not in present:
            continue
        if x + 5 + pdf.get_string_width(text) > MARGIN + WIDTH:
            x, y = MARGIN, y + 4
        pdf.set_fill_color(*MAP_COLOURS[key])
        pdf.set_draw_color(*maps.OUTLINE)
        pdf.set_line_width(0.1)
        pdf.rect(x, y + 0.3, 4, 2.8, style="DF")
        pdf.set_xy(x + 5, y)
        pdf.cell(pdf.get_string_width(text) + 1, 3.4, text)
        x += 5 + pdf.get_string_width(text) + 3.5
    institutions = int((figures["kind"] == "institution").sum())
    troops = briefing.view.headline.ladders["troops"]
    set_text(pdf, 6.5, colour=MUTED)
    pdf.set_xy(MARGIN, y + 4)
    pdf.cell(
        WIDTH,
        3.2,
        f"{len(figures)} participants; troops: {troops.text()}"
        + (
            f"; {institutions} without territory (EU, NATO) labelled at their seat"
            if institutions
            else ""
        )
        + ". Outlines: Natural Earth 1:110m.",
    )
    pdf.set_y(y + 8)
