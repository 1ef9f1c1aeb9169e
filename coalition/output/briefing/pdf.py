"""The briefing pack as PDF bytes: two A4 pages and an annex, drawn with fpdf2's own primitives
and the DejaVu fonts shipped in data/fonts. Nothing is fetched and no browser runs. The same inputs
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
    draw_header,
    draw_method,
    draw_movers,
    draw_pledges,
    draw_sources,
    draw_tiles,
)
from coalition.read.filters import PledgeFilter


def render(briefing: Briefing) -> bytes:
    """The pack as PDF bytes: the headline, the force gap and the map on the first page; the
    movers (if any), who pledged what (each pledge with its source and the day it was last
    verified) and the method on the second; the sources in full on an annex. A section with
    nothing to say is left out."""
    pdf = new_document(briefing)
    pdf.add_page()
    draw_header(pdf, briefing)
    draw_tiles(pdf, briefing)
    if briefing.filters.shows("troops") and not briefing.gaps.empty:
        draw_force_gap(pdf, briefing)
    map_first = BOTTOM - pdf.get_y() >= MAP_BLOCK
    if map_first:
        draw_map(pdf, briefing)
    pdf.add_page()
    if briefing.movers:
        draw_movers(pdf, briefing)
    draw_pledges(pdf, briefing)
    if not map_first:
        draw_map(pdf, briefing)
    draw_method(pdf, briefing)
    pdf.add_page()
    draw_sources(pdf, briefing)
    pdf.last_page = True  # the snapshot's hash goes in this page's footer, and only there
    return bytes(pdf.output())


def briefing_pdf(
    session: Session,
    filters: PledgeFilter,
    since: date,
    known_at: datetime,
) -> bytes:
    """The briefing pack as PDF bytes (see ``gather`` for the arguments)."""
    return render(gather(session, filters, since, known_at))
