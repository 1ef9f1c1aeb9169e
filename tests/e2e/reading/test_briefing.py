"""The briefing pack in a real browser: a viewer downloads it from the overview, and the PDF
says the date and the headline figure that the page shows."""

from __future__ import annotations

import re

import pypdf

from tests.support.accounts import VIEWER
from tests.support.browser import assert_clean, settle, sign_in, tile_text


def test_a_viewer_downloads_the_briefing_pack_of_the_view_shown(
    private_server, browser_page, tmp_path
):
    page = browser_page
    sign_in(
        page,
        private_server,
        VIEWER,
        path="/?as_of=2025-09-30",
        marker="Showing the record as it stood on 30 September 2025",
    )
    settle(page)
    troops = tile_text(page, "Troops")
    assert troops.startswith("Troops 2 participants")
    button = page.get_by_role("button", name="Briefing pack (PDF)")
    with page.expect_download(timeout=60_000) as download:
        button.click()
    # Named for what it holds: the view's day and the record's pin.
    assert download.value.suggested_filename.startswith(
        "coalition-briefing_as-of-2025-09-30_known-"
    )
    saved = tmp_path / "pack.pdf"
    download.value.save_as(saved)
    reader = pypdf.PdfReader(saved)
    assert len(reader.pages) == 3
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))
    assert "As of 30 September 2025" in text
    assert "TROOPS 2 participants" in text
    assert "Ladder: 1 committed · 1 announced · 1 ruled out." in troops
    assert "Ladder: 1 committed · 1 announced · 1 ruled out." in text
    assert_clean(page)
