"""Printing, in a real browser: the page alone (no sidebar, header or toolbar), charts shrunk
to the A4 width and never cut across a page break, tables with every row, and the fixture's
overview on at most three A4 pages (two for the figures and charts, the pledge table after)."""

from __future__ import annotations

import re

from tests.support.accounts import VIEWER
from tests.support.browser import assert_clean, settle, sign_in

# The printable width of A4 (210 mm) within the stylesheet's 10 mm margins, in CSS pixels.
PRINTABLE_WIDTH = (210 - 2 * 10) / 25.4 * 96
PDF_PAGE = re.compile(rb"/Type\s*/Page\b")  # a page object; /Type /Pages is the page tree
CHROME = (
    '[data-testid="stSidebar"]',
    '[data-testid="stHeader"]',
    '[data-testid="stToolbar"]',
    '[data-testid="stDownloadButton"]',
)


def test_the_overview_prints_on_two_a4_pages_with_whole_charts(module_server, browser_page):
    page = browser_page
    sign_in(page, module_server, VIEWER)
    settle(page)
    assert page.locator('[data-testid="stSidebar"]').is_visible()
    charts = page.locator('[data-testid="stPlotlyChart"]')
    assert charts.count() >= 3

    # As the browser's Print does: print media, laid out on A4, from the page as it is on screen.
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    # The tables for paper were built as the page was printed (before, each was its cells).
    assert page.locator("table.print-table").count() >= 1
    pages = len(PDF_PAGE.findall(pdf))
    assert 1 <= pages <= 3, f"the overview printed on {pages} A4 pages"
    # Each chart was shrunk, just before printing, to fit the printable width.
    widths = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].map(chart => {
            const box = chart.closest('[data-testid="stElementContainer"]');
            const fit = parseFloat(getComputedStyle(box).getPropertyValue('--print-fit'));
            return chart.querySelector('.main-svg').getBoundingClientRect().width * fit;
        })"""
    )
    assert all(width <= PRINTABLE_WIDTH for width in widths), widths

    page.emulate_media(media="print")
    for selector in CHROME:
        assert page.locator(selector).first.is_hidden(), f"{selector} is printed"
    main = page.locator('[data-testid="stMain"]').bounding_box()
    assert main is not None and main["x"] == 0, "the page does not start at the paper's edge"
    breaks = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
            .map(chart => getComputedStyle(chart).breakInside)"""
    )
    assert set(breaks) == {"avoid"}, breaks
    page.emulate_media(media="screen")
    assert page.locator('[data-testid="stSidebar"]').is_visible()
    assert_clean(page)


def test_printed_tables_hold_every_row_the_grid_would_scroll(module_server, browser_page):
    page = browser_page
    sign_in(page, module_server, VIEWER)
    settle(page)
    # On screen each table for paper is one empty element holding its cells, no rows.
    assert page.locator(".print-later").count() >= 1
    assert page.locator("table.print-table").count() == 0
    page.evaluate("() => dispatchEvent(new Event('beforeprint'))")  # as the browser's Print does
    pledges = page.locator("table.print-table").filter(
        has=page.locator("th", has_text=re.compile(r"^Size$"))
    )
    # On screen the grid shows the rows; the plain table is for paper only.
    assert pledges.count() == 1 and pledges.is_hidden()
    page.emulate_media(media="print")
    assert pledges.is_visible()
    # The fixture's 9 pledges less Poland's refusal and New Zealand's bilateral aid.
    assert pledges.locator("tbody tr").count() == 7
    grid = page.locator('[data-testid="stDataFrame"]').last
    assert grid.is_hidden(), "the scrolling grid is printed as well"
    # On a sheet's width, long links wrap inside their column instead of widening the table.
    page.set_viewport_size({"width": 718, "height": 1000})
    settle(page)
    assert pledges.bounding_box()["width"] <= 718
    page.emulate_media(media="screen")
    assert_clean(page)


def test_a_table_for_paper_sets_its_cells_as_text(module_server, browser_page):
    """Whatever a cell holds is shown as written, never read as markup."""
    page = browser_page
    sign_in(page, module_server, VIEWER)
    settle(page)
    cell = '<img src=x onerror="window.ran=1">'
    built = page.evaluate(
        """(cell) => {
            const holder = document.querySelector('.print-later').cloneNode(false);
            holder.dataset.table = JSON.stringify({columns: ['What'], rows: [[cell]]});
            document.querySelector('[data-testid="stMain"]').append(holder);
            dispatchEvent(new Event('beforeprint'));
            return {text: holder.querySelector('td').textContent,
                    images: holder.querySelectorAll('img').length};
        }""",
        cell,
    )
    assert built == {"text": cell, "images": 0}
    assert page.evaluate("() => window.ran") is None
