"""WCAG 2.2 AA in a real browser: axe-core finds nothing on any page any role may use, nor on
the sign-in page, and signing in works by keyboard alone with the focus in sight.

axe-core comes from the npm registry at the version pinned in tests/e2e/package-lock.json;
scripts/test installs it into tests/e2e/node_modules (git-ignored).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.accounts import ADMIN, LOCAL_EDITOR, PASSWORD, VIEWER
from tests.support.browser import NAVIGATION, settle, sign_in

AXE = Path(__file__).parents[1] / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA, as axe-core tags its rules.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ACCOUNTS = {"viewer": VIEWER, "editor": LOCAL_EDITOR, "admin": ADMIN}


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(
            f"axe-core is missing: {AXE} does not exist. The README's test command installs "
            "it (scripts/test); by itself: npm ci --prefix tests/e2e"
        )
    return AXE.read_text(encoding="utf-8")


def audit(page, axe_source: str) -> list[dict]:
    """axe-core's violations of the WCAG A and AA rules on the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=axe_source)
    return page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {
                runOnly: {type: 'tag', values: tags},
                resultTypes: ['violations'],
            });
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({
                    target: n.target.map(t => Array.isArray(t) ? t.join(' >>> ') : t),
                    html: n.html.slice(0, 200),
                    summary: n.failureSummary,
                })),
            }));
        }""",
        TAGS,
    )


def audit_page(page, axe_source: str) -> list[dict]:
    """Audit the page with every expander open and, one after another, every tab shown: axe
    skips what is hidden."""
    closed = page.locator('[data-testid="stExpander"] details:not([open]) > summary')
    while closed.count():
        closed.first.click()
    settle(page)
    violations = audit(page, axe_source)
    tabs = page.get_by_role("tab")
    for index in range(1, tabs.count()):
        tabs.nth(index).click()
        settle(page)
        seen = {(v["id"], str(n["target"])) for v in violations for n in v["nodes"]}
        for violation in audit(page, axe_source):
            violation["nodes"] = [
                n for n in violation["nodes"] if (violation["id"], str(n["target"])) not in seen
            ]
            if violation["nodes"]:
                violations.append(violation)
    return violations


def report(found: dict[str, list[dict]]) -> str:
    """Violations by page: rule, impact and every node to fix, with axe's advice."""
    lines = []
    for where, violations in found.items():
        for violation in violations:
            lines.append(
                f"\n[{where}] {violation['id']} ({violation['impact']}): {violation['help']};"
                f" {len(violation['nodes'])} node(s); {violation['helpUrl']}"
            )
            for node in violation["nodes"]:
                summary = " ".join((node["summary"] or "").split())
                lines.append(f"  - {' '.join(node['target'])}\n    {node['html']}\n    {summary}")
    return "\n".join(lines)


def count(found: dict[str, list[dict]]) -> int:
    return sum(len(v["nodes"]) for violations in found.values() for v in violations)


# Each page is audited once, signed in with the least role that may use it: a page shows the
# same to every role that may use it, and only the sidebar's list of links grows with the role,
# which each role's own pages show.
@pytest.mark.parametrize("role", ["viewer", "editor", "admin"])
def test_every_page_a_role_may_use_meets_wcag_aa(module_server, browser_page, axe_source, role):
    page = browser_page
    # On a page without charts: the editor's and admin's own pages draw none either.
    sign_in(page, module_server, ACCOUNTS[role], path="/search", marker="Search the record")
    navigation = page.locator('[data-testid="stSidebarNav"]')
    found: dict[str, list[dict]] = {}
    audited = []
    for label, marker, least in NAVIGATION:
        if least != role:
            continue
        navigation.get_by_role("link", name=label, exact=True).click()
        page.get_by_text(marker).first.wait_for(timeout=30_000)
        if violations := audit_page(page, axe_source):
            found[label] = violations
        audited.append(label)
    assert len(audited) == sum(least == role for *_, least in NAVIGATION) > 0
    assert not found, f"{count(found)} WCAG A/AA failure(s) for {role}:{report(found)}"


def test_the_sign_in_page_meets_wcag_aa(module_server, browser_page, axe_source):
    page = browser_page
    page.goto(module_server)
    page.get_by_label("Email").wait_for(timeout=30_000)
    found = {"Sign in": violations} if (violations := audit_page(page, axe_source)) else {}
    assert not found, f"{count(found)} WCAG A/AA failure(s):{report(found)}"


def focused(page) -> dict:
    return page.evaluate(
        """() => {
            const e = document.activeElement;
            const style = getComputedStyle(e);
            return {
                tag: e.tagName, name: e.getAttribute('name'), text: e.innerText || '',
                outline: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth),
            };
        }"""
    )


def test_signing_in_and_moving_between_pages_works_by_keyboard(module_server, browser_page):
    page = browser_page
    page.goto(module_server)
    page.get_by_label("Email").wait_for(timeout=30_000)
    settle(page)
    for _ in range(15):  # past the skip link and the heading's anchor
        page.keyboard.press("Tab")
        if focused(page)["name"] == "email":
            break
    field = focused(page)
    assert field["name"] == "email", "the email field cannot be reached with Tab"
    assert field["outline"] != "none" and field["outlineWidth"] >= 2
    page.keyboard.type(VIEWER)
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_text("Pledges by region").wait_for(timeout=30_000)
    settle(page)
    # The skip link comes first, then the page links, each showing that it has the focus.
    page.keyboard.press("Tab")
    assert "Skip to main content" in focused(page)["text"]
    page.keyboard.press("Tab")
    link = focused(page)
    assert link["tag"] == "A" and "Overview" in link["text"]
    assert link["outline"] != "none" and link["outlineWidth"] >= 2, link
    page.keyboard.press("Tab")
    second, marker, _ = NAVIGATION[1]
    assert second in focused(page)["text"]
    page.keyboard.press("Enter")
    page.get_by_text(marker).first.wait_for(timeout=30_000)
