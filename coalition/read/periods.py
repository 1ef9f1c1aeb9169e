"""Dates known only to the month or the year. Such a pledge is counted from the last day of
its period (or today, if that is sooner): before then nobody can say it had been announced,
and pinning it to the 1st would put pledges before the coalition existed."""

from __future__ import annotations

from datetime import date

import pandas as pd

from core import clock


def counted_from(
    announced_on: pd.Series, precision: pd.Series, today: date | None = None
) -> pd.Series:
    """Per pledge, the first day it counts in "as of" views and on the timeline."""
    if precision.eq("day").all():
        return announced_on  # the usual case, and free on a long history
    days = pd.to_datetime(announced_on)
    month_end = days + pd.offsets.MonthEnd(0)
    year_end = days + pd.offsets.YearEnd(0)
    end = days.where(precision.eq("day") | precision.isna(), month_end)
    end = end.where(~precision.eq("year"), year_end)
    limit = pd.Timestamp(today or clock.today())
    # Once the period is under way it has been announced by today at the latest.
    end = end.where((end <= limit) | (days > limit), limit)
    return end.dt.date
