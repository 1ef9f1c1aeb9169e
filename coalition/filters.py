"""The sidebar filters as one value object, shared by every page and every query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from db.models import COALITION_SCOPES, INACTIVE_STATUSES, STATUSES

MEMBERSHIPS = ("EU", "NATO", "Commonwealth")
MEMBERSHIP_COLUMNS = {
    "EU": "eu_member",
    "NATO": "nato_member",
    "Commonwealth": "commonwealth_member",
}
DEFAULT_STATUSES = tuple(s for s in STATUSES if s not in INACTIVE_STATUSES)


@dataclass(frozen=True)
class PledgeFilter:
    """Empty tuples mean "no restriction". Memberships match a participant in any of them.
    ``as_of`` winds the record back to how it stood at the end of that day; None is today."""

    categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = DEFAULT_STATUSES
    regions: tuple[str, ...] = ()
    memberships: tuple[str, ...] = ()
    as_of: date | None = None
    # What counts: the coalition's own pledges unless bilateral aid is asked for too.
    scopes: tuple[str, ...] = COALITION_SCOPES

    def describe(self) -> str:
        parts = [
            f"{label}: {', '.join(values)}"
            for label, values in (
                ("categories", self.categories),
                ("statuses", self.statuses),
                ("regions", self.regions),
                ("memberships", self.memberships),
            )
            if values
        ]
        if self.scopes == COALITION_SCOPES:
            parts.append("coalition pledges only (bilateral aid not counted)")
        elif self.scopes:
            parts.append(f"scopes: {', '.join(self.scopes)}")
        if self.as_of is not None:
            parts.append(f"as of {self.as_of:%d %b %Y}")
        return "; ".join(parts) if parts else "no filters"

    @property
    def counted_statuses(self) -> tuple[str, ...]:
        """Statuses whose pledges count in totals: the chosen ones (all when none is chosen),
        never withdrawals or refusals, which are shown but not added up."""
        return tuple(s for s in (self.statuses or STATUSES) if s not in INACTIVE_STATUSES)
