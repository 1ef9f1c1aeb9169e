"""Funding in euros: each amount converted at the ECB reference rate that fits its date.

A pledge announced on a known day is converted at the ECB rate of that day, or of the last
business day before it (the ECB publishes none on weekends and TARGET holidays). A pledge known
only to the month or the year is converted at that month's or year's average of the daily
rates, when we hold one: there is no single day to take. Every converted figure carries the
rate used, its date and its kind, so a reader can redo the sum.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd

# The average that stands in for a day the source did not give, by date precision.
AVERAGE_FOR_PRECISION = {"month": "monthly_average", "year": "annual_average"}
RATE_COLUMNS = ["amount_eur", "eur_rate", "rate_date", "rate_kind"]


def period_start(day: date, precision: str) -> date:
    """The first day of the month or year a date stands for (the day itself for "day")."""
    if precision == "month":
        return day.replace(day=1)
    if precision == "year":
        return day.replace(month=1, day=1)
    return day


def _currency_rates(rates: pd.DataFrame, currency: str) -> pd.DataFrame:
    own = rates[rates["currency"] == currency]
    if own.empty:
        raise LookupError(f"no exchange rate for {currency}")
    return own


def _daily(own: pd.DataFrame, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per day, the newest daily rate on or before it, else the earliest after it (a date older
    than every rate held): (units per euro, rate dates)."""
    daily = own[own["kind"] == "daily"].sort_values("rate_date")
    if daily.empty:  # only averages held: the nearest of those, by the same rule
        daily = own.sort_values("rate_date")
    rate_days = daily["rate_date"].to_numpy(dtype="datetime64[D]")
    index = np.clip(np.searchsorted(rate_days, days, side="right") - 1, 0, None)
    return daily["units_per_eur"].to_numpy(dtype="float64")[index], daily["rate_date"].to_numpy()[
        index
    ]


def _rates_for(
    own: pd.DataFrame, days: pd.Series, precisions: pd.Series
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Units per euro, rate dates and rate kinds for one currency's rows."""
    units, rate_dates = _daily(own, days.to_numpy(dtype="datetime64[D]"))
    kinds = np.full(len(days), "daily", dtype=object)
    for precision, kind in AVERAGE_FOR_PRECISION.items():
        wanted = (precisions == precision).to_numpy()
        if not wanted.any():
            continue
        averages = own[own["kind"] == kind].set_index("rate_date")["units_per_eur"]
        starts = [period_start(d, precision) for d in days[wanted]]
        found = np.array([start in averages.index for start in starts])
        if not found.any():
            continue
        rows = np.flatnonzero(wanted)[found]
        chosen = [start for start, hit in zip(starts, found, strict=True) if hit]
        units[rows] = averages.loc[chosen].to_numpy(dtype="float64")
        rate_dates[rows] = np.array(chosen, dtype=object)
        kinds[rows] = kind
    return units, rate_dates, kinds


def rate_for(
    rates: pd.DataFrame, currency: str | None, on: date, precision: str = "day"
) -> tuple[float, date | None, str | None]:
    """Units of ``currency`` per euro for a date of the given precision: (rate, its date, its
    kind). EUR is 1 by definition, with no date. LookupError for a currency with no rate."""
    if currency in (None, "EUR"):
        return 1.0, None, None
    units, rate_dates, kinds = _rates_for(
        _currency_rates(rates, currency), pd.Series([on]), pd.Series([precision])
    )
    return float(units[0]), rate_dates[0], str(kinds[0])


def add_eur(frame: pd.DataFrame, rates: pd.DataFrame) -> pd.DataFrame:
    """Add the EUR conversion of funding rows (see the module's rule), one currency at a time
    rather than row by row. Other rows get blanks."""
    frame["quantity"] = frame["quantity"].astype("float64")
    frame["amount_eur"] = np.nan
    frame["eur_rate"] = np.nan
    frame["rate_date"] = None
    frame["rate_kind"] = None
    funding = frame["category"].eq("funding") & frame["quantity"].notna()
    precision = (
        frame["announced_precision"]
        if "announced_precision" in frame
        else pd.Series("day", index=frame.index)
    )
    for currency, rows in frame[funding].groupby(frame["currency"].fillna("EUR")):
        if currency == "EUR":
            frame.loc[rows.index, "amount_eur"] = rows["quantity"]
            frame.loc[rows.index, "eur_rate"] = 1.0
            continue
        units, rate_dates, kinds = _rates_for(
            _currency_rates(rates, currency), rows["announced_on"], precision[rows.index]
        )
        frame.loc[rows.index, "amount_eur"] = rows["quantity"].to_numpy() / units
        frame.loc[rows.index, "eur_rate"] = units
        frame.loc[rows.index, "rate_date"] = pd.Series(rate_dates, index=rows.index)
        frame.loc[rows.index, "rate_kind"] = pd.Series(kinds, index=rows.index)
    return frame


def amounts_in_eur(
    quantity: np.ndarray,
    currency: np.ndarray,
    announced_on: np.ndarray,
    precision: np.ndarray,
    rates: Callable[[], pd.DataFrame],
) -> np.ndarray:
    """``add_eur`` on arrays of funding rows: each amount in EUR (the amount itself in euros or
    with no currency named). ``rates`` is called only when some row needs converting."""
    amount = quantity.astype("float64", copy=True)
    other = np.flatnonzero(~np.isnan(quantity) & pd.notna(currency) & (currency != "EUR"))
    if len(other):
        converting = pd.DataFrame(
            {
                "category": "funding",
                "quantity": quantity[other],
                "currency": currency[other],
                "announced_on": announced_on[other].astype(object),
                "announced_precision": precision[other],
            }
        )
        amount[other] = add_eur(converting, rates())["amount_eur"].to_numpy()
    return amount


def newest_daily_rate(rates: pd.DataFrame, currency: str) -> float | None:
    """Units of ``currency`` per euro at the newest daily rate held; None with no daily rate."""
    own = rates[(rates["currency"] == currency) & (rates["kind"] == "daily")]
    own = own.sort_values("rate_date")
    return float(own["units_per_eur"].iloc[-1]) if not own.empty else None
