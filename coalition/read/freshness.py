"""How fresh the record is, said wherever a figure is: the day shown, the newest announcement
the record holds by then, and when the record was last checked against its sources (the
newest dated entry of the data change log, data/CHANGELOG.md, where each review of the seed
is dated). A newest announcement older than the configured age is said plainly: the figures
may be out of date, not merely unchanged."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
from sqlalchemy import func
from sqlmodel import Session, col, select

from coalition.read import queries
from coalition.read.revisions import HISTORIES
from coalition.read.states import lexsort
from core.settings import get_settings
from db.models import PledgeRevision

# A dated entry of the change log: "## 2026-11-28: every row re-checked and sourced".
REVIEW_HEADING = re.compile(r"^## (\d{4}-\d{2}-\d{2})\b", re.M)


def last_checked(data_dir: Path) -> date | None:
    """The day the record was last checked against its sources: the newest dated entry of
    the data change log, or None without one."""
    path = data_dir / "CHANGELOG.md"
    if not path.exists():
        return None
    days = [date.fromisoformat(d) for d in REVIEW_HEADING.findall(path.read_text("utf-8"))]
    return max(days, default=None)


def newest_announcement(
    session: Session, as_of: date, known_at: datetime | None = None
) -> date | None:
    """The newest announcement day the record holds by ``as_of`` (as recorded by
    ``known_at``), whatever the filters: how recent the record is, not the view. From this
    process's copy of the history when that is the record known at ``known_at``
    (queries.as_known_at): every page and snapshot asks, and a read of the revisions after
    each write cost more than the rest of a page's reads."""
    return queries.as_known_at(
        session,
        known_at,
        current=lambda: _newest_in_history(session, as_of),
        recorded=lambda: _newest_recorded(session, as_of, known_at),
    )


def _newest_in_history(session: Session, as_of: date) -> date | None:
    """newest_announcement from the kept history's arrays: of each pledge's newest version
    in effect by ``as_of``, the latest announcement day up to ``as_of``."""
    revisions = HISTORIES.at(session).arrays
    day = np.datetime64(as_of, "D")
    in_effect = np.flatnonzero(revisions.effective_on <= day)
    order = in_effect[lexsort((revisions.version[in_effect], revisions.pledge_id[in_effect]))]
    pledge = revisions.pledge_id[order]
    newest = np.ones(len(order), dtype=bool)
    newest[:-1] = pledge[1:] != pledge[:-1]  # the last of each pledge's versions
    announced = revisions.announced_on[order[newest]]
    announced = announced[announced <= day]
    return announced.max().astype(date) if len(announced) else None


def _newest_recorded(session: Session, as_of: date, known_at: datetime | None) -> date | None:
    """newest_announcement from the revisions recorded by ``known_at``, in the database."""
    latest = queries.latest_revisions(as_of, known_at)
    statement = (
        select(func.max(PledgeRevision.announced_on))
        .join(
            latest,
            (PledgeRevision.pledge_id == latest.c.pledge_id)
            & (PledgeRevision.version == latest.c.version),
        )
        .where(col(PledgeRevision.announced_on) <= as_of)
    )
    found = session.exec(statement).one()
    return found if found is None or isinstance(found, date) else date.fromisoformat(str(found))


@dataclass(frozen=True)
class Freshness:
    as_of: date
    newest_announcement: date | None
    last_checked: date | None
    stale_after_days: float

    @property
    def age_days(self) -> int | None:
        if self.newest_announcement is None:
            return None
        return (self.as_of - self.newest_announcement).days

    @property
    def stale(self) -> bool:
        return self.age_days is None or self.age_days > self.stale_after_days

    def facts(self) -> str:
        """ "As of 6 Dec 2026 · newest announcement 9 Jan 2026 · sources last checked
        28 Nov 2026"."""
        newest = (
            f"newest announcement {self.newest_announcement:%d %b %Y}"
            if self.newest_announcement
            else "no announcement on the record"
        )
        checked = (
            f"sources last checked {self.last_checked:%d %b %Y}"
            if self.last_checked
            else "sources not yet checked"
        )
        return f"As of {self.as_of:%d %b %Y} · {newest} · {checked}"

    def warning(self) -> str | None:
        """Said plainly when the newest announcement is older than the configured age."""
        if not self.stale:
            return None
        if self.newest_announcement is None:
            return "The record holds no announcement by this date."
        return (
            f"The newest announcement in the record is {self.age_days:,} days older than the "
            f"date shown ({self.newest_announcement:%d %b %Y}): these figures may be out of "
            "date. Check for later announcements before citing them."
        )

    def as_dict(self) -> dict[str, str | None]:
        """For a manifest or the API: ISO dates, and whether the record may be out of date."""
        return {
            "as_of": self.as_of.isoformat(),
            "newest_announcement": (
                self.newest_announcement.isoformat() if self.newest_announcement else None
            ),
            "sources_last_checked": self.last_checked.isoformat() if self.last_checked else None,
            "may_be_out_of_date": "yes" if self.stale else "no",
        }


def freshness(session: Session, as_of: date, known_at: datetime | None = None) -> Freshness:
    """The record's freshness on ``as_of`` (see the module's note)."""
    settings = get_settings()
    return Freshness(
        as_of=as_of,
        newest_announcement=newest_announcement(session, as_of, known_at),
        last_checked=last_checked(settings.data_dir),
        stale_after_days=settings.stale_after_days,
    )
