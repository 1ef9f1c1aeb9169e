"""The sidebar filters as one value object, shared by every page and every query."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from coalition.errors import Problem, ValidationFailed
from coalition.read.as_of import AS_OF_EARLIEST, AsOf
from coalition.text.checks import check_text, parse_date
from coalition.text.labels import SCOPE_LABELS, label
from core import clock
from core.vocabulary import (
    CATEGORIES,
    COALITION_SCOPES,
    INACTIVE_STATUSES,
    LADDER,
    SCOPES,
    STATUSES,
    is_offer,
)

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
        """The filters in words: "Troops, Ships; status: Announced, Committed; Europe;
        coalition pledges only (bilateral aid not counted)"."""
        words = [
            ", ".join(label(c) for c in self.categories),
            ""
            if self.statuses == DEFAULT_STATUSES
            else "status: " + ", ".join(label(s) for s in self.statuses),
            ", ".join(self.regions),
            "members of " + " or ".join(self.memberships) if self.memberships else "",
        ]
        parts = [word for word in words if word]
        if not parts:
            parts.append("every category and participant")
        if self.scopes == COALITION_SCOPES:
            parts.append("coalition pledges only (bilateral aid not counted)")
        elif not self.scopes or set(self.scopes) == set(SCOPES):
            parts.append("bilateral aid included")
        else:
            parts.append("part of: " + ", ".join(SCOPE_LABELS[s] for s in self.scopes))
        if self.as_of is not None:
            parts.append(f"as of {self.as_of:%d %b %Y}")
        return "; ".join(parts)

    def shows(self, category: str) -> bool:
        """Whether the category filter leaves ``category`` in (no choice leaves all in)."""
        return not self.categories or category in self.categories

    @property
    def when(self) -> AsOf:
        """The as-of rules for this view's day."""
        return AsOf(self.as_of)

    @property
    def ladder_statuses(self) -> tuple[str, ...]:
        """The rungs of the ladder of commitment the status filter leaves (all when none is
        chosen): withdrawals and refusals are shown, never climbed."""
        return tuple(s for s in (self.statuses or STATUSES) if s in LADDER)

    @property
    def offered_statuses(self) -> tuple[str, ...]:
        """Statuses whose pledges count in totals: the chosen offers (announced or further
        up the ladder, core.vocabulary.is_offer)."""
        return tuple(s for s in self.ladder_statuses if is_offer(s))


# The query-string names of the filters: a copied address shares the view.
QUERY_KEYS = ("as_of", "category", "status", "region", "membership", "scope")


def _values(params: Mapping[str, str | Sequence[str]], key: str) -> list[str]:
    raw = params.get(key, [])
    items = [raw] if isinstance(raw, str) else list(raw)
    return [part.strip() for item in items for part in item.split(",") if part.strip()]


MAX_REGION_CHARS = 100


def filters_from_query(
    params: Mapping[str, str | Sequence[str]], *, defaults: PledgeFilter | None = None
) -> PledgeFilter:
    """The filters a query string names (absent ones keep ``defaults``); every value that is
    not one of the known ones is a problem naming its parameter."""
    defaults = defaults or PledgeFilter()
    problems: list[Problem] = []

    def choose(key: str, allowed: Sequence[str], default: tuple[str, ...]) -> tuple[str, ...]:
        if key not in params:
            return default
        values = _values(params, key)
        if values == ["all"]:
            return ()
        for value in values:
            if value not in allowed:
                problems.append(Problem(key, f"'{value[:40]}' is not one of: {', '.join(allowed)}"))
        return tuple(dict.fromkeys(values))

    as_of = defaults.as_of
    if "as_of" in params:
        (text, *_) = _values(params, "as_of") or [""]
        try:
            as_of = (
                parse_date("as_of", text, within=(AS_OF_EARLIEST, clock.today())) if text else None
            )
        except ValidationFailed as failure:
            problems.extend(failure.problems)
    # Regions are the database's own names, so any text may be one, but only text that can
    # be compared with them (PostgreSQL cannot even compare a NUL byte).
    for region in _values(params, "region") if "region" in params else ():
        problem = check_text("region", region)
        if problem is None and len(region) > MAX_REGION_CHARS:
            problem = Problem("region", f"'{region[:40]}…' is longer than any region's name")
        if problem is not None:
            problems.append(problem)
    filters = PledgeFilter(
        categories=choose("category", CATEGORIES, defaults.categories),
        statuses=choose("status", STATUSES, defaults.statuses),
        regions=tuple(_values(params, "region")) if "region" in params else defaults.regions,
        memberships=choose("membership", MEMBERSHIPS, defaults.memberships),
        as_of=as_of,
        scopes=choose("scope", SCOPES, defaults.scopes),
    )
    if problems:
        raise ValidationFailed(problems)
    return filters


def filters_to_query(filters: PledgeFilter) -> dict[str, str]:
    """The query string that names these filters: only what differs from the defaults."""
    default = PledgeFilter()
    query: dict[str, str] = {}
    for key, value, usual in (
        ("category", filters.categories, default.categories),
        ("status", filters.statuses, default.statuses),
        ("region", filters.regions, default.regions),
        ("membership", filters.memberships, default.memberships),
        ("scope", filters.scopes, default.scopes),
    ):
        if value != usual:
            query[key] = ",".join(value) if value else "all"
    if filters.as_of is not None:
        query["as_of"] = filters.as_of.isoformat()
    return query
