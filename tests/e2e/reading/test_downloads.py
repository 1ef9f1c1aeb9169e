"""Downloads in a real browser: a click on a download button brings the file and nothing
else. A download that also reran the page raced the file against the rerun, and about one
click in ten brought nothing at all."""

from __future__ import annotations

import pytest

from tests.support.accounts import VIEWER
from tests.support.browser import assert_clean, settle, sign_in

# Records whether the page's script starts running again after this point.
WATCH_RERUNS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    window.rerunsSeen = 0;
    new MutationObserver(() => {
        if (app.getAttribute('data-test-script-state') === 'running') window.rerunsSeen += 1;
    }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""

# (page, button, file name)
# Each file is named for what it holds: what, the day shown and the record's pin.
DOWNLOADS = (
    ("/", ".st-key-overview_pledges_download button", "coalition-pledges_as-of-"),
    ("/", ".st-key-overview_briefing button", "coalition-briefing_as-of-"),
    ("/snapshots", ".st-key-snapshots_manifest button", "coalition-pledges_as-of-"),
    ("/snapshots", ".st-key-snapshots_xlsx button", "coalition-pledges_as-of-"),
    ("/changes", ".st-key-changes_table_download button", "coalition-changes"),
)


@pytest.mark.parametrize(("path", "button", "name"), DOWNLOADS, ids=[d[1] for d in DOWNLOADS])
def test_a_download_brings_its_file_every_time_without_rerunning_the_page(
    module_server, browser_page, path, button, name
):
    page = browser_page
    sign_in(page, module_server, VIEWER, path=path, marker=None)
    settle(page)
    page.evaluate(WATCH_RERUNS)
    for _ in range(3):
        with page.expect_download(timeout=60_000) as download:
            page.locator(button).click()
        assert download.value.suggested_filename.startswith(name)
        assert download.value.path().stat().st_size > 0
    page.wait_for_timeout(1_000)  # a rerun, had there been one, would have started by now
    assert page.evaluate("() => window.rerunsSeen") == 0
    assert_clean(page)
