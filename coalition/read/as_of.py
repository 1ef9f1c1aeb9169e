"""The as-of rules, each written once. A view shows the record as it stood at the end of its
"as of" day, or today's record when no day is chosen; by that day it holds the revisions in
effect, the meetings held, and the participants on the record. Dates known only to the month
or the year count from the last day of their period (counted_from)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement
from sqlmodel import col

from core import clock
from db.models import Event, PledgeRevision

# "As of" may go back before the first pledge (the record is then empty), never ahead.
AS_OF_EARLIEST = date(2024, 1, 1)


@dataclass(frozen=True)
class AsOf:
    """An "as of" choice: a day, or None for today's record."""

    day: date | None = None

    @property
    def shown(self) -> date:
        """The day a view shows: the chosen day, or today when none is chosen."""
        return self.shown_on(clock.today())

    def shown_on(self, today: date) -> date:
        """The day shown if today were ``today``: the chosen day, or ``today``."""
        return self.day if self.day is not None else today

    @property
    def is_today(self) -> bool:
        return self.day is None

    def revisions(self, revision: Any = PledgeRevision) -> list[ColumnElement[bool]]:
        """The revisions in effect by the end of the day (``revision``: the table or an
        alias of it); none when the record is today's."""
        return [] if self.day is None else [col(revision.effective_on) <= self.day]

    def revision_mask(self, effective_on: np.ndarray) -> np.ndarray:
        """``revisions`` on an array of days: which are in effect by the end of the day."""
        if self.day is None:
            return np.ones(len(effective_on), dtype=bool)
        return effective_on <= np.datetime64(self.day, "D")

    def meetings(self) -> list[ColumnElement[bool]]:
        """The meetings held by the end of the day shown (today's, when none is chosen): one
        planned for a later day is not yet on the record."""
        return [col(Event.held_on) <= self.shown]

    def on_the_record(self, participants: pd.DataFrame, pledges: pd.DataFrame) -> pd.DataFrame:
        """The participants on the record by the day: reported as participants by then, or
        with a pledge on the record (some spoke before the coalition existed)."""
        if self.day is None:
            return participants
        reported = participants["first_reported_on"] <= self.day
        return participants[reported | participants["code"].isin(pledges["participant_code"])]


# A pledge dated only to a month or a year is counted from the last day of its period (or
# today, if that is sooner): before then nobody can say it had been announced, and pinning it
# to the 1st would put pledges before the coalition existed.
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
