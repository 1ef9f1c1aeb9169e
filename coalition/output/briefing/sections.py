"""The briefing pack's text sections: the header, the tiles, the movers, the snapshot and
method, and the sources."""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos

from coalition.figures import charts
from coalition.output.briefing.content import MEASURED, Briefing, long_date, tiles
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
    set_text(pdf, 19, bold=True)
    pdf.cell(WIDTH, 9, "Pledges, the force gap and what changed")
    pdf.ln(10)
    today = "" if briefing.filters.as_of else " (today's record)"
    set_text(pdf, 10.5, bold=True)
    pdf.cell(WIDTH, 5.5, f"As of {long_date(briefing.as_of)}{today}")
    pdf.ln(5.5)
    paragraph(
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
        set_text(pdf, 8.5, bold=True, colour=(110, 50, 0))
        pdf.multi_cell(
            WIDTH - 6,
            3.4,
            "Synthetic data: this database holds generated benchmark pledges "
            f"(source “{queries.SYNTHETIC_SOURCE}”). The figures are not real; do not cite them.",
        )
        pdf.set_y(top + 9)


def draw_tiles(pdf: FPDF, briefing: Briefing) -> None:
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
    headline = briefing.view.headline
    counts = " · ".join(
        f"{labels.label(c.category)} {c.participants}" for c in headline.by_category.values()
    )
    paragraph(pdf, f"Participants with at least one pledge: {counts}.", size=7.5, colour=MUTED)
    paragraph(
        pdf,
        "“≥” is the sum of published sizes with pledges of unknown size beside it; a size "
        "never published is counted apart, never as zero. Withdrawals and refusals are not "
        "counted.",
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


def draw_about(pdf: FPDF, briefing: Briefing) -> None:
    section(pdf, "Snapshot and method", 22)
    set_text(pdf, 7.6)
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
    set_text(pdf, 8.2, bold=True)
    pdf.set_x(MARGIN)
    pdf.cell(WIDTH, 4.5, briefing.snapshot_sha256, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    paragraph(
        pdf,
        "Funding is grants, in-kind and unspecified money in euros at the ECB reference rate "
        "of each announcement; loans and guarantees are never added to it. Troops, aircraft "
        "and ships are the sums of published sizes.",
        size=7.2,
        colour=MUTED,
    )


def draw_sources(pdf: FPDF, briefing: Briefing) -> None:
    """Two columns of sources filling what is left of the pack's last page (the second at
    most); what does not fit is counted, and the snapshot lists every pledge's source."""
    frame = briefing.sources
    section(pdf, "Sources of the figures shown", 12)
    if frame.empty:
        paragraph(pdf, "No pledge or planning figure in this view.")
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
        set_text(pdf, 7)
        title_lines = len(wrapped_lines(pdf, column_width, 3, title))
        set_text(pdf, 6.2)
        url_lines = len(wrapped_lines(pdf, column_width, 2.7, url)) if url else 0
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
            set_text(pdf, 7.2, bold=True, colour=MUTED)
            pdf.cell(column_width, 4, heading.upper())
            y += 4.5
            last_kind = entry.kind
        pdf.set_xy(x, y)
        set_text(pdf, 7)
        pdf.multi_cell(column_width, 3, title, link=url or None, align="L")
        if url:
            pdf.set_x(x)
            set_text(pdf, 6.2, colour=(0, 80, 150))
            pdf.multi_cell(column_width, 2.7, url, link=url, wrapmode=WrapMode.CHAR, align="L")
        y = pdf.get_y() + 1.4
        shown += 1
    if shown < len(entries):
        x = MARGIN + column * (column_width + gap)
        pdf.set_xy(x, min(y, BOTTOM - 4))
        set_text(pdf, 6.8, bold=True, colour=MUTED)
        pdf.multi_cell(
            column_width,
            3,
            f"+ {len(entries) - shown} more sources: the snapshot CSV gives every pledge's.",
        )
