"""How numbers and dates read on screen: one place, so every page says the same thing."""

from __future__ import annotations

from datetime import date

import pandas as pd

from coalition.text.labels import INSTRUMENT_LABELS, RATE_KIND_LABELS, SCOPE_LABELS

QUALIFIER_WORDS = {"exact": "", "approx": "about ", "up_to": "up to ", "at_least": "at least "}
UNITS = {"funding": "EUR", "troops": "troops", "aircraft": "aircraft", "ships": "ships"}
UNKNOWN_SIZE = "size not published"


def money(amount: float | None, currency: str = "EUR") -> str:
    if amount is None or pd.isna(amount):
        return UNKNOWN_SIZE
    symbol = {"EUR": "€", "GBP": "£", "USD": "US$", "CAD": "C$", "NZD": "NZ$"}.get(currency)
    prefix, suffix = (symbol, "") if symbol else ("", f" {currency}")
    units = ((1e6, "m"), (1e9, "bn"), (1e12, "tn"))
    size, sign = abs(amount), "-" if amount < 0 else ""
    chosen = max((i for i, (threshold, _) in enumerate(units) if size >= threshold), default=None)
    if chosen is not None:
        scaled = round(size / units[chosen][0], 2)
        # A figure that rounds up to 1,000 of its unit reads in the next: "€1bn", not "€1,000m".
        if scaled >= 1000 and chosen + 1 < len(units):
            chosen += 1
            scaled = round(size / units[chosen][0], 2)
        return f"{sign}{prefix}{scaled:,.2f}".rstrip("0").rstrip(".") + units[chosen][1] + suffix
    return f"{sign}{prefix}{size:,.0f}{suffix}"


def money_words(amounts: pd.Series, currencies: pd.Series | None = None) -> pd.Series:
    """A column of amounts as a reader reads them ("€1.94bn", "£200m"; blank where none):
    for the screen and paper, where a long number is cut to fit its column. Files keep the
    numbers at full precision."""
    currencies = pd.Series("EUR", index=amounts.index) if currencies is None else currencies
    return pd.Series(
        [
            "" if amount is None or pd.isna(amount) else money(float(amount), currency or "EUR")
            for amount, currency in zip(amounts, currencies.fillna("EUR"), strict=True)
        ],
        index=amounts.index,
        dtype=object,
    )


def pledge_size(
    category: str, quantity: float | None, qualifier: str | None, currency: str | None
) -> str:
    if quantity is None or pd.isna(quantity):
        return UNKNOWN_SIZE
    words = QUALIFIER_WORDS.get(qualifier or "exact", "")
    if category == "funding":
        return words + money(quantity, currency or "EUR")
    unit = UNITS.get(category, "") if category != "funding" else ""
    return f"{words}{quantity:,.0f} {unit}".strip()


def partial_date(value: date | None, precision: str | None = "day") -> str:
    """A date shown only as precisely as the source gave it: 2025-03-01 with precision "month"
    reads "Mar 2025"."""
    if value is None or pd.isna(value):
        return ""
    if precision == "year":
        return f"{value.year}"
    if precision == "month":
        return value.strftime("%b %Y")
    return value.isoformat()


def rate_description(rate_date: date, kind: str | None) -> str:
    """'ECB rate of 2025-03-03', 'ECB average of Mar 2025', 'ECB average of 2025'."""
    if kind == "monthly_average":
        return f"ECB average of {rate_date:%b %Y}"
    if kind == "annual_average":
        return f"ECB average of {rate_date:%Y}"
    return f"ECB rate of {rate_date:%Y-%m-%d}"


def conversion(currency: str | None, rate: float | None, rate_date, kind: str | None) -> str:
    """How a funding figure became euros: '0.8276 GBP per EUR, ECB rate of 2025-03-03'."""
    if rate is None or pd.isna(rate) or currency in (None, "EUR") or rate_date is None:
        return ""
    return f"{rate:g} {currency} per EUR, {rate_description(rate_date, kind)}"


def pledges_for_display(pledges: pd.DataFrame) -> pd.DataFrame:
    """The pledge table as analysts read it: sizes in words, dates at their real precision."""
    return pd.DataFrame(
        {
            "Participant": pledges["participant"],
            "Category": pledges["category"].str.capitalize(),
            "Status": pledges["status"].str.replace("_", " ").str.capitalize(),
            "What": pledges["description"],
            # zip over plain lists: iterating arrow-backed columns row by row is slow.
            "Size": list(
                map(
                    pledge_size,
                    pledges["category"].tolist(),
                    pledges["quantity"].tolist(),
                    pledges["quantity_qualifier"].tolist(),
                    pledges["currency"].tolist(),
                )
            ),
            "EUR": pledges["amount_eur"],
            "Converted at": list(
                map(
                    conversion,
                    pledges["currency"].tolist(),
                    pledges["eur_rate"].tolist(),
                    pledges["rate_date"].tolist(),
                    pledges["rate_kind"].tolist(),
                )
            ),
            "Instrument": pledges["instrument"].map(INSTRUMENT_LABELS),
            "Scope": pledges["scope"].map(SCOPE_LABELS),
            "Announced": list(
                map(
                    partial_date,
                    pledges["announced_on"].tolist(),
                    pledges["announced_precision"].tolist(),
                )
            ),
            "Conditions": pledges["conditions"].fillna(""),
            "Source": pledges["source_title"],
            "Link": pledges["source_url"],
            "Source published": pledges["source_published_on"],
            # The day a person last read the pledge against its source.
            "Last verified": pledges["checked_on"],
            "Confidence": pledges["confidence"],
            "Notes": pledges["notes"].fillna(""),
        }
    )


def conversions_for_display(pledges: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each funding pledge with a published amount: its own figure, the euro figure and the
    rate behind it; to read (the euro figure in words) and for the file (the number)."""
    funding = pledges[pledges["category"].eq("funding") & pledges["quantity"].notna()]
    columns = ["Participant", "What", "Size", "EUR", "Converted at", "Instrument", "Scope"]
    exact = pledges_for_display(funding)[columns].rename(columns={"Size": "Amount"})
    return exact.assign(EUR=money_words(exact["EUR"])), exact


def _titled(frame: pd.DataFrame, titles: dict[str, str]) -> pd.DataFrame:
    """The named columns, in this order, under their titles."""
    return frame[list(titles)].rename(columns=titles).reset_index(drop=True)


def exchange_rates_for_display(rates: pd.DataFrame) -> pd.DataFrame:
    rates = rates.sort_values(["currency", "kind", "rate_date"]).assign(
        kind=rates["kind"].map(RATE_KIND_LABELS).fillna(rates["kind"])
    )
    return _titled(
        rates,
        {
            "currency": "Currency",
            "rate_date": "Date (first day of an average's period)",
            "kind": "Rate",
            "units_per_eur": "Units of the currency per EUR",
            "source_title": "Source",
            "source_url": "Link",
        },
    )


def targets_for_display(targets: pd.DataFrame) -> pd.DataFrame:
    targets = targets.assign(category=targets["category"].str.capitalize())
    return _titled(
        targets,
        {
            "name": "Planning figure",
            "category": "Category",
            "low": "Low",
            "high": "High",
            "stated_on": "Stated on",
            "source_title": "Source",
            "source_url": "Link",
            "source_published_on": "Source published",
            "notes": "Notes",
            "checked_on": "Last verified",
        },
    )


def meetings_for_display(events: pd.DataFrame) -> pd.DataFrame:
    return _titled(
        events,
        {
            "held_on": "Date",
            "title": "Meeting",
            "location": "Where",
            "format": "Format",
            "named_attendees": "Participants named",
            "reported_count": "Participants reported",
            "attendance_note": "Attendance reported",
            "notes": "Notes",
            "summary": "Summary",
            "source_title": "Source",
            "source_url": "Link",
            "source_published_on": "Source published",
            "checked_on": "Last verified",
        },
    )


def participants_summary_for_display(figures: pd.DataFrame) -> pd.DataFrame:
    """Per participant figures (coalition.figures.measures.participant_figures) under plain
    titles."""
    frame = figures.reset_index(names="code")
    frame = frame.assign(kind=frame["kind"].str.capitalize())
    return _titled(
        frame,
        {
            "code": "Code",
            "name": "Participant",
            "kind": "Kind",
            "region": "Region",
            "population": "Population",
            "population_year": "Population year",
            "gdp_usd": "GDP (current US$)",
            "gdp_year": "GDP year",
            "funding_eur": "Funding, known (EUR)",
            "funding_pledges": "Funding pledges",
            "funding_unknown": "Funding pledges of unknown size",
            "funding_pct_gdp": "Known funding, % of GDP",
            "troops": "Troops, known",
            "troops_pledges": "Troop pledges",
            "troops_unknown": "Troop pledges of unknown size",
            "troops_per_million": "Known troops per million inhabitants",
            "aircraft": "Aircraft, known",
            "aircraft_pledges": "Aircraft pledges",
            "aircraft_unknown": "Aircraft pledges of unknown size",
            "ships": "Ships, known",
            "ships_pledges": "Ship pledges",
            "ships_unknown": "Ship pledges of unknown size",
            "pledges": "Pledges counted",
            "status_breakdown": "Pledges by status",
        },
    )
