"""The briefing pack's page: A4 geometry, type scale and colours, the document with its footer,
and the drawing primitives every section uses (text, paragraphs, headings, tables)."""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from coalition.output.briefing.content import Briefing, long_date
from core.settings import DATA_DIR

FONT_DIR = DATA_DIR / "fonts"
FONT = "DejaVu"


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


def rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


class Document(FPDF):
    """A4 portrait in mm with the shipped fonts, and a footer naming the pins on every page;
    the snapshot's SHA-256 once, in the last page's footer (``last_page`` set before the
    document is written out)."""

    footer_text = ""
    warning_text = ""
    hash_text = ""
    last_page = False

    def footer(self) -> None:
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        self.line(MARGIN, FOOTER_TOP, PAGE_WIDTH - MARGIN, FOOTER_TOP)
        self.set_xy(MARGIN, FOOTER_TOP + 1)
        self.set_font(FONT, "", 6.5)
        self.set_text_color(*MUTED)
        self.cell(WIDTH - 22, 3.5, self.footer_text)
        self.cell(22, 3.5, f"Page {self.page_no()} of {{nb}}", align="R")
        below = [text for text in (self.warning_text,) if text]
        if self.last_page and self.hash_text:
            below.append(self.hash_text)
        for number, text in enumerate(below):
            self.set_xy(MARGIN, FOOTER_TOP + 4.5 + 3.5 * number)
            bold = text == self.warning_text
            self.set_font(FONT, "B" if bold else "", 6.5)
            self.set_text_color(*((140, 60, 0) if bold else MUTED))
            self.cell(WIDTH, 3.5, text)


def new_document(briefing: Briefing) -> Document:
    pdf = Document(orientation="P", unit="mm", format="A4")
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
    pdf.set_keywords(f"snapshot-sha256:{briefing.snapshot_sha256}")
    pdf.set_creator("Coalition Tracker")
    pdf.set_lang("en-GB")
    pdf.footer_text = (
        f"Coalition Tracker briefing · as of {long_date(briefing.as_of)} · record as known at "
        f"{briefing.snapshot_known_at}"
    )
    pdf.hash_text = (
        f"Snapshot CSV of this view ({briefing.snapshot_rows:,} pledges), SHA-256 "
        f"{briefing.snapshot_sha256}"
    )
    if briefing.synthetic:
        pdf.warning_text = "SYNTHETIC BENCHMARK DATA: not real pledges; do not cite."
    return pdf


def set_text(pdf: FPDF, size: float, bold: bool = False, colour=INK) -> None:
    pdf.set_font(FONT, "B" if bold else "", size)
    pdf.set_text_color(*colour)


def wrapped_lines(pdf: FPDF, width: float, height: float, text: str) -> list[str]:
    """The lines ``text`` wraps to in a cell ``width`` wide, in the current font; nothing is
    drawn."""
    lines = pdf.multi_cell(width, height, text, dry_run=True, output="LINES")
    assert isinstance(lines, list)  # fpdf2 types the result of every output kind as one union
    return lines


def table_heading(pdf: FPDF, columns, height: float) -> None:
    """A table's column headings, ruled off below."""
    set_text(pdf, 7, bold=True, colour=MUTED)
    pdf.set_x(MARGIN)
    for heading, cell_width in columns:
        pdf.cell(cell_width, height, heading)
    pdf.ln(height)
    pdf.set_draw_color(*MUTED)
    pdf.set_line_width(0.25)
    pdf.line(MARGIN, pdf.get_y(), MARGIN + WIDTH, pdf.get_y())


def paragraph(pdf: FPDF, text: str, size: float = 8, colour=INK, bold=False, height=None):
    set_text(pdf, size, bold, colour)
    pdf.set_x(MARGIN)
    pdf.multi_cell(
        WIDTH, height or size * 0.48, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )


def ensure_room(pdf: FPDF, height: float) -> None:
    """Start a new page unless ``height`` fits below the current position."""
    if pdf.get_y() + height > BOTTOM:
        pdf.add_page()


def section(pdf: FPDF, title: str, room: float) -> None:
    """A section heading, on a new page if it and ``room`` below it do not fit."""
    ensure_room(pdf, 10 + room)
    pdf.ln(3)
    set_text(pdf, 11.5, bold=True)
    pdf.set_x(MARGIN)
    pdf.cell(WIDTH, 6, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.4)
    pdf.line(MARGIN, pdf.get_y(), MARGIN + WIDTH, pdf.get_y())
    pdf.ln(1.8)


def fitted(pdf: FPDF, text: str, width: float, size: float, bold: bool, least: float) -> float:
    """The largest type size up to ``size`` at which ``text`` fits ``width`` (``least`` at
    most down to), with the font set to it."""
    while True:
        pdf.set_font(FONT, "B" if bold else "", size)
        if size <= least or pdf.get_string_width(text) <= width:
            return size
        size = max(least, size - 0.5)
