"""The briefing pack's text sections: the header, the tiles, the movers, the snapshot and
method, and the sources."""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import WrapMode

from coalition.figures import charts
from coalition.figures.tiles import tiles
from coalition.output.briefing.content import MEASURED, Briefing, long_date
from coalition.output.briefing.page import (
    BOTTOM,
    INK,
    MARGIN,
    MUTED,
    PANEL,
    RULE,
    WARNING_EDGE,
    WARNING_FILL,
    WIDTH,
    ensure_room,
    fitted,
    paragraph,
    rgb,
    section,
    set_text,
    table_heading,
    wrapped_lines,
)
from coalition.read import queries
from coalition.text import labels


def draw_header(pdf: FPDF, briefing: Briefing) -> None:
    set_text(pdf, 7.5, bold=True, colour=MUTED)
    pdf.cell(WIDTH, 4, "BRIEFING PACK · COALITION OF THE WILLING FOR UKRAINE")
    pdf.ln(5)
    title = "Who offers what, and the force gap"
    fitted(pdf, title, WIDTH, 19, True, 12)
    pdf.set_text_color(*INK)
    pdf.cell(WIDTH, 9, title)
    pdf.ln(10)
    fresh = briefing.freshness
    set_text(pdf, 10.5, bold=True)
    pdf.cell(WIDTH, 5.5, f"As of {long_date(briefing.as_of)}")
    pdf.ln(5.5)
    newest = (
        f"Newest announcement in the record: {long_date(fresh.newest_announcement)}"
        if fresh.newest_announcement
        else "The record holds no announcement by this date"
    )
    checked = (
        f"sources last checked {long_date(fresh.last_checked)}"
        if fresh.last_checked
        else "sources not yet checked"
    )
    paragraph(pdf, f"{newest}; {checked}.", size=8.5, bold=True)
    paragraph(
        pdf,
        f"The record as known at {briefing.known_at:%d %b %Y %H:%M:%S} UTC (later corrections "
        f"do not change this pack). Showing {briefing.filters.describe()}.",
        size=8,
        colour=MUTED,
    )
    if warning := fresh.warning():
        _boxed(pdf, warning)
    if briefing.synthetic:
        _boxed(
            pdf,
            "Synthetic data: this database holds generated benchmark pledges "
            f"(source “{queries.SYNTHETIC_SOURCE}”). The figures are not real; do not cite them.",
        )


def _boxed(pdf: FPDF, text: str) -> None:
    """A warning the reader cannot miss, in a box of its own."""
    pdf.ln(1.5)
    set_text(pdf, 8.5, bold=True, colour=(110, 50, 0))
    lines = len(wrapped_lines(pdf, WIDTH - 6, 3.6, text))
    height = lines * 3.6 + 2.6
    top = pdf.get_y()
    pdf.set_fill_color(*WARNING_FILL)
    pdf.set_draw_color(*WARNING_EDGE)
    pdf.set_line_width(0.6)
    pdf.rect(MARGIN, top, WIDTH, height, style="DF")
    pdf.set_xy(MARGIN + 3, top + 1.3)
    pdf.multi_cell(WIDTH - 6, 3.6, text, align="L")
    pdf.set_y(top + height)


def draw_tiles(pdf: FPDF, briefing: Briefing) -> None:
    shown = tiles(briefing.view)
    gap = 3
    width = (WIDTH - gap * (len(shown) - 1)) / len(shown)
    inner = width - 5
    top = pdf.get_y() + 3
    set_text(pdf, 6.8)
    notes = max(len(wrapped_lines(pdf, inner, 3.0, "\n".join(t.notes))) for t in shown)
    height = 18 + 3.0 * notes
    for index, tile in enumerate(shown):
        x = MARGIN + index * (width + gap)
        pdf.set_fill_color(*PANEL)
        pdf.rect(x, top, width, height, style="F")
        accent = charts.CATEGORY_COLOURS.get(tile.category or "", "#3B3B3B")
        pdf.set_fill_color(*rgb(accent))
        pdf.rect(x, top, width, 1.4, style="F")
        pdf.set_xy(x + 2.5, top + 3)
        set_text(pdf, 7.2, bold=True, colour=MUTED)
        pdf.cell(inner, 4, tile.label.upper())
        pdf.set_xy(x + 2.5, top + 8)
        fitted(pdf, tile.value, inner, 15, True, 9)
        pdf.set_text_color(*INK)
        pdf.cell(inner, 6, tile.value)
        pdf.set_xy(x + 2.5, top + 16)
        set_text(pdf, 6.8, colour=MUTED)
        pdf.multi_cell(inner, 3.0, "\n".join(tile.notes), align="L")
    pdf.set_y(top + height + 2)
    paragraph(
        pdf,
        "An offer is a pledge announced, committed, deployed or delivered; “considering” is "
        "on the ladder, never counted as an offer, and a refusal stands apart. Each "
        "participant counts once per category, on its highest rung. “≥” is the sum of "
        "published sizes with offers of unknown size beside it: a size never published is "
        "counted apart, never as zero. Every offer is listed, with its numbered source, under "
        "“Who pledged what”.",
        size=7,
        colour=MUTED,
    )


MOVER_ROW = 7.8


def movers_height(briefing: Briefing) -> float:
    """The movers' section from its heading to its last row."""
    return 10 + 9 + (6 + MOVER_ROW * len(briefing.movers) if briefing.movers else 6)


def draw_movers(pdf: FPDF, briefing: Briefing) -> None:
    categories = [c for c in MEASURED if briefing.filters.shows(c)]
    rows = briefing.movers
    section(pdf, f"Top movers since {long_date(briefing.since)}", movers_height(briefing) - 10)
    paragraph(
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
        paragraph(
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
    table_heading(pdf, headings, 4.5)
    row_height = MOVER_ROW
    for mover in rows:
        ensure_room(pdf, row_height)
        y = pdf.get_y()
        pdf.set_xy(MARGIN, y + 1)
        fitted(pdf, mover.name, name_width - 2, 8, True, 6)
        pdf.set_text_color(*INK)
        pdf.cell(name_width - 2, 3.6, mover.name)
        x = MARGIN + name_width
        for category in categories:
            change = mover.changes[category]
            pdf.set_xy(x, y + 1)
            fitted(pdf, change.text(), width - 2, 8, True, 6)
            pdf.set_text_color(*INK)
            pdf.cell(width - 2, 3.6, change.text())
            pdf.set_xy(x, y + 4.3)
            set_text(pdf, 6.5, colour=MUTED)
            pdf.cell(width - 1, 3, change.now_text())
            x += width
        pdf.set_xy(x, y + 1)
        set_text(pdf, 8, bold=True)
        pdf.cell(count_width, 3.6, mover.pledges_text())
        if mover.pledges_text():
            pdf.set_xy(x, y + 4.3)
            set_text(pdf, 6.5, colour=MUTED)
            pdf.cell(count_width, 3, f"now {mover.pledges_after}")
        pdf.set_draw_color(*RULE)
        pdf.set_line_width(0.15)
        pdf.line(MARGIN, y + row_height, MARGIN + WIDTH, y + row_height)
        pdf.set_y(y + row_height)


# Dense enough that the record's 50-odd pledges and the method fit the second page.
ROW_LINE = 2.7
ROW_PADDING = 0.8
TABLE_SIZE = 6.6
TABLE_COLUMNS = (
    ("Participant", 34),
    ("Category", 18),
    ("Level", 22),
    ("Size", 52),
    ("Announced", 22),
    ("Source", 34),
)


def draw_pledges(pdf: FPDF, briefing: Briefing) -> None:
    """Who pledged what: every pledge on the ladder and every refusal, with its numbered
    source; a table that runs on over pages repeats its headings."""
    table = briefing.table
    section(pdf, "Who pledged what", 16)
    if table.empty:
        paragraph(pdf, "No pledge of the participants shown is on the record by this date.")
        return
    paragraph(
        pdf,
        "Every pledge of the participants shown, by category and highest rung first. "
        "The numbers in brackets are the sources listed at the end; “verified” is the day a "
        "person last read the pledge against its source, in the record as known at the time above.",
        size=7.2,
        colour=MUTED,
    )
    pdf.ln(0.8)
    table_heading(pdf, TABLE_COLUMNS, 4.2)
    for row, number in zip(table.itertuples(), briefing.row_sources, strict=True):
        cells = (
            str(row.participant),
            str(row.category),
            str(row.level),
            str(row.size),
            str(row.date),
            f"[{number}] {row.verified}",
        )
        set_text(pdf, TABLE_SIZE)
        lines = max(
            len(wrapped_lines(pdf, width - 2, ROW_LINE, text))
            for (_, width), text in zip(TABLE_COLUMNS, cells, strict=True)
        )
        height = lines * ROW_LINE + ROW_PADDING
        if pdf.get_y() + height > BOTTOM:
            pdf.add_page()
            table_heading(pdf, TABLE_COLUMNS, 4.2)
        y, x = pdf.get_y(), MARGIN
        for index, ((_, width), text) in enumerate(zip(TABLE_COLUMNS, cells, strict=True)):
            pdf.set_xy(x, y + ROW_PADDING / 2)
            set_text(pdf, TABLE_SIZE, bold=index == 0)
            pdf.multi_cell(width - 2, ROW_LINE, text, align="L")
            x += width
        pdf.set_draw_color(*RULE)
        pdf.set_line_width(0.15)
        pdf.line(MARGIN, y + height, MARGIN + WIDTH, y + height)
        pdf.set_y(y + height)


# Small, as an annex's notes are, so that the record's sources fit one page in two columns.
SOURCE_SIZE, SOURCE_LINE = 6.2, 2.55
ADDRESS_SIZE, ADDRESS_LINE = 5.4, 2.25
SOURCE_GAP = 0.9


def draw_sources(pdf: FPDF, briefing: Briefing) -> None:
    """Every source cited in the pack, numbered, its title and address in full, in two
    columns that run on over pages as needed: nothing is cut."""
    section(pdf, "Sources", 12)
    if not briefing.sources:
        paragraph(pdf, "Nothing in this pack cites a source: no pledge or planning figure.")
        return
    gap, number_width = 6, 7
    column_width = (WIDTH - gap) / 2
    text_width = column_width - number_width
    column, top = 0, pdf.get_y()
    y = bottom = top
    for source in briefing.sources:
        title = f"{source.title} ({source.cites})"
        set_text(pdf, SOURCE_SIZE)
        title_lines = len(wrapped_lines(pdf, text_width, SOURCE_LINE, title))
        set_text(pdf, ADDRESS_SIZE)
        url_lines = len(wrapped_lines(pdf, text_width, ADDRESS_LINE, source.url or "-"))
        needed = title_lines * SOURCE_LINE + url_lines * ADDRESS_LINE + SOURCE_GAP
        if y + needed > BOTTOM:
            if column == 0:
                column, y = 1, top
            else:
                pdf.add_page()
                column, top = 0, pdf.get_y()
                y = bottom = top
        x = MARGIN + column * (column_width + gap)
        pdf.set_xy(x, y)
        set_text(pdf, SOURCE_SIZE, bold=True)
        pdf.cell(number_width, SOURCE_LINE, f"[{source.number}]")
        pdf.set_xy(x + number_width, y)
        set_text(pdf, SOURCE_SIZE)
        pdf.multi_cell(text_width, SOURCE_LINE, title, align="L")
        pdf.set_x(x + number_width)
        if source.url:
            set_text(pdf, ADDRESS_SIZE, colour=(0, 80, 150))
            pdf.multi_cell(
                text_width,
                ADDRESS_LINE,
                source.url,
                link=source.url,
                wrapmode=WrapMode.CHAR,
                align="L",
            )
        else:
            set_text(pdf, ADDRESS_SIZE, colour=MUTED)
            pdf.multi_cell(text_width, ADDRESS_LINE, "no address recorded", align="L")
        y = pdf.get_y() + SOURCE_GAP
        bottom = max(bottom, y)
    pdf.set_y(bottom)


def draw_method(pdf: FPDF, briefing: Briefing) -> None:
    section(pdf, "Method", 14)
    paragraph(
        pdf,
        f"The figures come from one read of the record, the same as the snapshot CSV of this "
        f"view (Snapshots page, same filters, known at {briefing.snapshot_known_at}; its "
        "SHA-256 is at the foot of the last page). Funding is grants, in-kind and unspecified "
        "money in euros at the ECB reference rate of each announcement; loans and guarantees "
        "are never added to it. Troops, aircraft and ships are the sums of published sizes.",
        size=7.2,
        colour=MUTED,
    )
