"""The sidebar filters as one value object, shared by every page and every query."""

from __future__ import annotations

from dataclasses import dataclass

from db.models import CATEGORIES, INACTIVE_STATUSES, STATUSES

MEMBERSHIPS = ("EU", "NATO", "Commonwealth")
MEMBERSHIP_COLUMNS = {
    "EU": "eu_member",
    "NATO": "nato_member",
    "Commonwealth": "commonwealth_member",
}
DEFAULT_STATUSES = tuple(s for s in STATUSES if s not in INACTIVE_STATUSES)


@dataclass(frozen=True)
class PledgeFilter:
    """Empty tuples mean "no restriction". Memberships match a participant in any of them."""

    categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = DEFAULT_STATUSES
    regions: tuple[str, ...] = ()
    memberships: tuple[str, ...] = ()

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
        return "; ".join(parts) if parts else "no filters"

    @property
    def category_list(self) -> tuple[str, ...]:
        return self.categories or CATEGORIES
