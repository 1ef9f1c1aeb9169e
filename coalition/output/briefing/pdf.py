"""The briefing pack as PDF bytes: one or two A4 pages drawn with fpdf2's own primitives and the
DejaVu fonts shipped in data/fonts. Nothing is fetched and no browser runs. The same inputs
give the same bytes: the document's creation date is the "known at" pin (never the clock),
fpdf2 derives the file's /ID from the content and that date, and every list is put in a fixed
order before it is drawn."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from coalition.output.briefing.content import Briefing, gather
from coalition.output.briefing.drawings import MAP_BLOCK, draw_force_gap, draw_map
from coalition.output.briefing.page import BOTTOM, new_document
from coalition.output.briefing.sections import (
    draw_about,
    draw_header,
    draw_movers,
    draw_sources,
    draw_tiles,
    movers_height,
)
from coalition.read.filters import PledgeFilter


def render(briefing: Briefing) -> bytes:
    """The pack as PDF bytes: one or two A4 pages."""
    pdf = new_document(briefing)
    pdf.add_page()
    draw_header(pdf, briefing)
    draw_tiles(pdf, briefing)
    draw_force_gap(pdf, briefing)
    # The movers' table is kept whole; where it would leave the first page's foot empty and
    # the map fits there, the map comes first.
    room = BOTTOM - pdf.get_y()
    if pdf.page_no() == 1 and movers_height(briefing) > room >= MAP_BLOCK:
        draw_map(pdf, briefing)
        draw_movers(pdf, briefing)
    else:
        draw_movers(pdf, briefing)
        draw_map(pdf, briefing)
    draw_about(pdf, briefing)
    draw_sources(pdf, briefing)
    return bytes(pdf.output())


def briefing_pdf(
    session: Session,
    filters: PledgeFilter,
    since: date,
    known_at: datetime,
) -> bytes:
    """The briefing pack as PDF bytes (see ``gather`` for the arguments)."""
    return render(gather(session, filters, since, known_at))
