"""The shipped seed files: the facts they must hold, checked without a database."""

from __future__ import annotations

import csv

from coalition.seed import load_seed
from coalition.settings import DATA_DIR

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


def test_unpublished_sizes_stay_unknown():
    # The reference facts publish no size for these; the seed must not invent one.
    unpublished = {("GBR", "troops"), ("GBR", "aircraft"), ("FRA", "troops"), ("SWE", "aircraft")}
    for pledge in rows("pledges.csv"):
        if (pledge["participant_code"], pledge["category"]) in unpublished:
            assert pledge["quantity"] == "", pledge
    sizes = [p["quantity"] for p in rows("pledges.csv")]
    assert sizes.count("") > len(sizes) / 2, "most reported contributions have no published size"


def test_every_funding_currency_has_a_rate():
    currencies = {r["currency"] for r in rows("exchange_rates.csv")} | {"EUR"}
    for pledge in rows("pledges.csv"):
        if pledge["category"] == "funding":
            assert pledge["currency"] in currencies, pledge
