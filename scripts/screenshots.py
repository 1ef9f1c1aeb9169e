"""Screenshots of every page at 1440x900, and of the most used ones on a phone (390x844), for
the README and docs/, taken from the real app on the seed data in Debian's Chromium, offline.
Run: `.venv/bin/python scripts/screenshots.py`."""

from __future__ import annotations

import secrets
import shutil
import subprocess
import tempfile
from html import escape
from pathlib import Path

from playwright.sync_api import sync_playwright
from sqlmodel import select

from bench.server import app_server
from coalition.access.auth import Actor, add_account
from coalition.bootstrap import initialise_database
from coalition.notify import digest, subscriptions
from coalition.notify.mail import smtp_server
from coalition.write.pledges import update_pledge
from core import clock
from core.settings import DATA_DIR, PROJECT_ROOT
from db.engine import create_db_engine, write_session
from db.models import Pledge

OUT = PROJECT_ROOT / "docs" / "screens"
EMAIL = "screenshots@example.org"
# (file name, address, text that shows the page has drawn)
PAGES = (
    ("overview", "/", "Pledges by region"),
    ("what-changed", "/changes?from=2025-03-01&to=2025-03-31&by=effective", "What changed between"),
    ("map", "/map", "Colour countries by"),
    ("timeline", "/timeline", "Pledged over time"),
    ("timeline-by-status", "/timeline?timeline_chart=By+status", "Pledges by status over time"),
    (
        "timeline-commitments",
        "/timeline?timeline_chart=Commitments+and+deployments",
        "deployments (bars",
    ),
    ("delivery", "/delivery", "Where the pledges stand"),
    ("delivery-over-time", "/delivery?delivery_chart=Each+stage+over+time", "by stage"),
    ("participant", "/participant?code=GBR", "Meetings attended"),
    ("ranking", "/ranking", "Coverage: who has offered what"),
    ("search", "/search?q=air", "Search the record"),
    ("snapshots", "/snapshots", "Other tables"),
    ("about", "/about", "Planning figures for the force"),
    ("edit-pledges", "/edit_pledges", "What was pledged"),
    ("import-pledges", "/import_pledges", "Download the template"),
    ("reference-data", "/reference_data", "Save changes"),
    ("audit", "/audit", "Backup"),
    ("account", "/account", "Your account"),
)


# On a phone: (file name, address, text that shows the page has drawn).
PHONE_PAGES = (
    ("phone-overview", "/", "Pledges by region"),
    ("phone-map", "/map", "Colour countries by"),
    ("phone-what-changed", "/changes?from=2025-03-01&to=2025-03-31&by=effective", "between"),
    ("phone-ranking", "/ranking", "Coverage: who has offered what"),
    ("phone-edit-pledges", "/edit_pledges", "What was pledged"),
)
PHONE = {"width": 390, "height": 844}


# (file name, address, heading of the section)
SECTIONS = (
    ("coverage", "/ranking", "Coverage: who has offered what"),
    ("force-gap", "/", "The force gap"),
)


def briefing_pack(page, base: str) -> None:
    """The overview's briefing pack as users download it, and its two pages as images
    (pdftoppm, from Debian's poppler-utils, when it is installed)."""
    page.goto(base)
    button = page.get_by_role("button", name="Briefing pack (PDF)")
    button.wait_for(timeout=60_000)
    with page.expect_download(timeout=60_000) as download:
        button.click()
    download.value.save_as(OUT / "briefing.pdf")
    print("docs/screens/briefing.pdf")
    if shutil.which("pdftoppm") is None:
        print("pdftoppm not found (apt-get install poppler-utils): briefing.png not updated")
        return
    pages = (("briefing", 1), ("briefing-page-1", 1), ("briefing-page-2", 2))
    for name, number in pages:
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "90",
                "-f",
                str(number),
                "-l",
                str(number),
                "-singlefile",
                str(OUT / "briefing.pdf"),
                str(OUT / name),
            ],
            check=True,
        )
        print(f"docs/screens/{name}.png")


def offline(page):
    """The page asks nothing of any server but the app's."""
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if "127.0.0.1" in route.request.url or route.request.url.startswith("data:")
            else route.abort()
        ),
    )
    return page


# The tests' made-up data: a fresh database of the real record has no change to tell yet.
EXAMPLE_DATA = PROJECT_ROOT / "tests" / "fixtures" / "seed"
EXAMPLE_BANNER = (
    '<p style="background:#fff3cd;border:1px solid #b58900;padding:6px 10px;'
    'font:14px sans-serif">Example digest from made-up test data (tests/fixtures/seed): '
    "not a fact about any participant.</p>"
)


def digest_example(browser, folder: Path) -> None:
    """docs/screens/digest.png: a weekly digest as a mail client shows it (its HTML part),
    composed by the app from one change an editor saved, on the tests' made-up data and
    labelled so on the image."""
    engine = create_db_engine(f"sqlite:///{folder / 'digest.db'}")
    initialise_database(engine, EXAMPLE_DATA)
    reader, editor = "analyst@example.org", "editor@example.org"
    with write_session(engine) as session:
        for email, role in ((reader, "viewer"), (editor, "editor")):
            add_account(
                session,
                actor=Actor.for_system("screenshots"),
                email=email,
                role=role,
                password=None,
            )
    with write_session(engine) as session:
        subscriptions.subscribe(
            session, actor=Actor(reader), frequency="weekly", categories=["troops"]
        )
    with write_session(engine) as session:
        troops = session.exec(
            select(Pledge).where(Pledge.participant_code == "NZL", Pledge.category == "troops")
        ).one()
        assert troops.id is not None
        update_pledge(
            session,
            actor=Actor(editor),
            pledge_id=troops.id,
            expected_version=troops.version,
            changes={"status": "committed", "quantity": 120},
            reason="Example: the cabinet approved the deployment",
        )
    until = clock.now()
    with write_session(engine) as session:
        followed = subscriptions.subscription_of(session, reader)
        assert followed is not None
        mail = digest.MailSettings(
            smtp_server("smtp://mail.example.org"),
            "https://tracker.example.org",
            "Coalition Tracker <coalition-tracker@tracker.example.org>",
        )
        link = digest.unsubscribe_url(mail.base_url, followed.id, "example")
        message = digest.compose(
            followed, digest.digest_changes(session, followed, until), until, mail, link
        )
    engine.dispose()
    html = message.get_body(("html",)).get_content()
    head = (
        f'<p style="font:14px sans-serif;color:#444"><b>{escape(message["Subject"])}</b><br>'
        f"From: {escape(message['From'])}<br>To: {escape(message['To'])}</p><hr>"
    )
    page = browser.new_page(viewport={"width": 900, "height": 600})
    page.set_content(EXAMPLE_BANNER + head + html)
    page.screenshot(path=OUT / "digest.png", full_page=True)
    page.close()
    print("docs/screens/digest.png")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="screens-"))
    url = f"sqlite:///{folder / 'app.db'}"
    engine = create_db_engine(url)
    initialise_database(engine, DATA_DIR)
    password = secrets.token_urlsafe(24)
    with write_session(engine) as session:
        add_account(
            session,
            actor=Actor.for_system("screenshots"),
            email=EMAIL,
            role="admin",
            password=password,
        )
    engine.dispose()
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with app_server(url, folder / "server.log") as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = offline(browser.new_page(viewport={"width": 1440, "height": 900}))
        page.goto(base)
        page.get_by_label("Email").fill(EMAIL)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_text("Pledges by region").wait_for(timeout=60_000)
        for name, address, marker in PAGES:
            page.goto(f"{base}{address}")
            page.get_by_text(marker).first.wait_for(timeout=60_000)
            page.wait_for_timeout(2_000)  # charts and the map draw after their elements
            page.screenshot(path=OUT / f"{name}.png")
            print(f"docs/screens/{name}.png")
        # Sections further down a page, scrolled to the top of the window.
        for name, address, heading in SECTIONS:
            page.goto(f"{base}{address}")
            section = page.get_by_role("heading", name=heading)
            section.wait_for(timeout=60_000)
            page.wait_for_timeout(2_000)
            section.evaluate("element => element.scrollIntoView({block: 'start'})")
            page.wait_for_timeout(500)
            page.screenshot(path=OUT / f"{name}.png")
            print(f"docs/screens/{name}.png")
        phone = offline(
            browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
        )
        phone.context.add_cookies(page.context.cookies())
        for name, address, marker in PHONE_PAGES:
            phone.goto(f"{base}{address}")
            phone.get_by_text(marker).first.wait_for(timeout=60_000)
            phone.wait_for_timeout(2_000)
            phone.screenshot(path=OUT / f"{name}.png")
            print(f"docs/screens/{name}.png")
        briefing_pack(page, base)
        digest_example(browser, folder)
        page.goto(base)
        page.get_by_text("Pledges by region").wait_for(timeout=60_000)
        page.wait_for_timeout(2_000)
        # As the browser's Print does: page.pdf prints with the print stylesheet.
        page.pdf(path=OUT / "overview-print.pdf", format="A4", print_background=True)
        print("docs/screens/overview-print.pdf")
        # The printed overview as an image: A4 width, print media, the page's margins.
        paper = browser.new_page(viewport={"width": 794, "height": 1123})
        paper.context.add_cookies(page.context.cookies())
        paper.emulate_media(media="print")
        paper.goto(base)
        paper.get_by_text("Pledges by region").wait_for(timeout=60_000)
        paper.add_style_tag(
            content="[data-testid=stMainBlockContainer]{padding:12mm 10mm !important}"
        )
        paper.wait_for_timeout(2_000)
        paper.screenshot(path=OUT / "overview-print.png", full_page=True)
        print("docs/screens/overview-print.png")
        browser.close()
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
