"""Tests stand on the made-up fixture data (tests/fixtures/seed), never on the real data/ folder:
correcting a fact there must break no test. Only tests/seed/test_seed_files.py checks data/."""

from __future__ import annotations

import re
from pathlib import Path

from coalition.seed.load import load_seed
from tests.support.data import FIXTURE_DATA

TESTS = Path(__file__).parents[1]
ALLOWED = {TESTS / "seed" / "test_seed_files.py", Path(__file__)}
# The settings constant for data/, or a path into it written as a string.
REAL_DATA = re.compile(r"\bDATA_DIR\b|[\"']data/|/\s*[\"']data[\"']")


def test_no_test_but_the_seed_file_tests_reads_the_real_data():
    offenders = [
        f"{path.relative_to(TESTS)}:{number}: {line.strip()}"
        for path in sorted(TESTS.rglob("*.py"))
        if path not in ALLOWED
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if REAL_DATA.search(line)
    ]
    assert offenders == []


def test_the_guard_catches_each_way_of_naming_the_real_data():
    for line in (
        "from core.settings import DATA_DIR",
        "initialise_database(engine, settings.DATA_DIR)",
        'shutil.copytree(PROJECT_ROOT / "data", target)',
        "path = 'data/pledges.csv'",
    ):
        assert REAL_DATA.search(line), line
    assert not REAL_DATA.search('monkeypatch.setenv("COALITION_DATA_DIR", str(FIXTURE_DATA))')


def test_the_fixture_is_valid_and_has_the_shape_its_readme_states():
    bundle = load_seed(FIXTURE_DATA)
    codes = [p.code for p in bundle.participants]
    assert codes == ["GBR", "FRA", "POL", "NZL", "UKR", "EUU", "NATO"]
    assert (len(bundle.pledges), len(bundle.events), len(bundle.targets)) == (9, 3, 2)
    assert {r.currency for r in bundle.exchange_rates} == {"GBP", "NZD", "USD"}
    # Nothing here is a fact: every source is made up.
    urls = [p.source_url for p in bundle.participants]
    urls += [values["source_url"] for _, values in bundle.pledges]
    assert all(url.startswith("https://example.org/") for url in urls)
