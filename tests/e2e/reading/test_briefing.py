"""The briefing pack in a real browser: a viewer downloads it from the overview, and the PDF
says the date and the headline figure that the page shows."""

from __future__ import annotations

import re

import pypdf

from tests.support.accounts import VIEWER
from tests.support.browser import assert_clean, metric_value, settle, sign_in


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
    troops = metric_value(page, "Troops")
    assert troops == "≥ 100 troops"
    button = page.get_by_role("button", name="Briefing pack (PDF)")
    with page.expect_download(timeout=60_000) as download:
        button.click()
    assert download.value.suggested_filename == "briefing-pack-2025-09-30.pdf"
    saved = tmp_path / "pack.pdf"
    download.value.save_as(saved)
    reader = pypdf.PdfReader(saved)
    assert 1 <= len(reader.pages) <= 2
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))
    assert "As of 30 September 2025" in text
    assert troops in text
    assert metric_value(page, "Funding (EUR)") in text
    assert_clean(page)
