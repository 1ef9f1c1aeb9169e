"""What the briefing pack says: every read it needs, pinned to one known-at time (``gather``), and
what is worked out from them: the freshness of the record, the movers since a chosen day, who
pledged what, the sources numbered in order of citation, each participant's class on the
map. ``pdf.render`` draws it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import pandas as pd
from sqlmodel import Session

from coalition.errors import Problem, ValidationFailed
from coalition.figures import force_gap, geometry
from coalition.figures.ladder import RULED_OUT, RUNG_WORDS, RUNGS
from coalition.figures.view import View, build_view
from coalition.money.sizes import is_lending
from coalition.output.snapshots import build_snapshot
from coalition.read import queries
from coalition.read.as_of import AS_OF_EARLIEST
from coalition.read.filters import PledgeFilter
from coalition.read.freshness import Freshness, freshness
from coalition.text import file_names
from coalition.text.formatting import UNKNOWN_SIZE, money, partial_date, pledge_size
from coalition.text.labels import INSTRUMENT_LABELS, label
from core.vocabulary import CATEGORIES, LADDER, is_offer

MEASURED = ("funding", "troops", "aircraft", "ships")


MOVERS_SHOWN = 8


# Planning figures drawn in the force gap (newest first); more are named in a note.
GAP_ROWS_SHOWN = 8


DEFAULT_LOOKBACK = timedelta(days=7)


MINUS = "\u2212"


def long_date(day: date) -> str:
    """The banner's format: "30 September 2025"."""
    return f"{day:%d %B %Y}"


def verified(day: date | None) -> str:
    """When a pledge was last read against its source, in the text's format: "verified
    28 Nov 2026", or "never verified"."""
    return "never verified" if day is None or pd.isna(day) else f"verified {day:%d %b %Y}"


def check_since(since: date, as_of: date) -> None:
    """The "changes since" day must be on the record's axis and not after the as-of day."""
    if since < AS_OF_EARLIEST:
        message = (
            f"“Changes since” cannot be before {long_date(AS_OF_EARLIEST)}, the earliest day "
            "the record can show; choose a later day."
        )
    elif since > as_of:
        message = (
            f"“Changes since” ({long_date(since)}) is after the as-of date "
            f"({long_date(as_of)}); choose a day on or before it."
        )
    else:
        return
    raise ValidationFailed([Problem("since", message)])


def default_since(as_of: date) -> date:
    return max(as_of - DEFAULT_LOOKBACK, AS_OF_EARLIEST)


@dataclass(frozen=True)
class Change:
    """One category of one participant between two days: known sizes and unknown counts."""

    category: str
    before: float
    after: float
    unknown_before: int
    unknown_after: int

    @property
    def delta(self) -> float:
        return self.after - self.before

    @property
    def unknown_delta(self) -> int:
        return self.unknown_after - self.unknown_before

    @property
    def changed(self) -> bool:
        return self.delta != 0 or self.unknown_delta != 0

    def _amount(self, value: float) -> str:
        return money(value) if self.category == "funding" else f"{value:,.0f}"

    def text(self) -> str:
        """ "+€500m", "−1,200", "+1 of unknown size", "" (no change)."""
        parts = []
        if self.delta:
            parts.append(("+" if self.delta > 0 else MINUS) + self._amount(abs(self.delta)))
        if self.unknown_delta:
            sign = "+" if self.unknown_delta > 0 else MINUS
            parts.append(f"{sign}{abs(self.unknown_delta)} of unknown size")
        return ", ".join(parts)

    def now_text(self) -> str:
        """What stands now: "now €1.5bn", "now ≥ 2,400", "now 2 of unknown size"."""
        if not self.changed:
            return ""
        if self.after:
            return f"now {'≥ ' if self.unknown_after else ''}{self._amount(self.after)}"
        if self.unknown_after:
            return f"now {self.unknown_after} of unknown size"
        return "now none"


@dataclass(frozen=True)
class Mover:
    code: str
    name: str
    changes: dict[str, Change]
    pledges_before: int
    pledges_after: int
    # The sum over categories of each known change's share of the coalition's total.
    score: float

    def pledges_text(self) -> str:
        delta = self.pledges_after - self.pledges_before
        if not delta:
            return ""
        return ("+" if delta > 0 else MINUS) + f"{abs(delta)}"


def movers(before: View, after: View, limit: int = MOVERS_SHOWN) -> list[Mover]:
    """The participants whose known figures changed most between two views of the same
    filters: each change counts as its share of the coalition's known total in its category
    (the larger of the two days'), so euros and troops can be ranked together. Changes only in
    pledges of unknown size, or in the number of pledges, come after, by how many."""
    old, new = before.by_participant, after.by_participant
    codes = sorted(set(old.index) | set(new.index))
    totals = {
        c: max(before.headline.category(c).known_total, after.headline.category(c).known_total, 1.0)
        for c in MEASURED
    }

    def value(frame: pd.DataFrame, code: str, column: str) -> float:
        if code not in frame.index:
            return 0.0
        figure = frame.at[code, column]
        return 0.0 if pd.isna(figure) else float(figure)

    found = []
    for code in codes:
        changes = {}
        for category in MEASURED:
            key = "funding_eur" if category == "funding" else category
            changes[category] = Change(
                category,
                value(old, code, key),
                value(new, code, key),
                int(value(old, code, f"{category}_unknown")),
                int(value(new, code, f"{category}_unknown")),
            )
        counted_before = int(value(old, code, "pledges"))
        counted_after = int(value(new, code, "pledges"))
        if not any(c.changed for c in changes.values()) and counted_before == counted_after:
            continue
        name = (new if code in new.index else old).at[code, "name"]
        score = sum(abs(c.delta) / totals[c.category] for c in changes.values())
        found.append(Mover(code, name, changes, counted_before, counted_after, score))
    found.sort(
        key=lambda m: (
            -round(m.score, 12),
            -sum(abs(c.unknown_delta) for c in m.changes.values()),
            -abs(m.pledges_after - m.pledges_before),
            m.name,
        )
    )
    return found[:limit]


def pledges_table(view: View) -> pd.DataFrame:
    """Who pledged what: every pledge on the ladder of commitment and every stated refusal of
    the participants shown, by category, then highest rung first, then participant. Columns:
    participant, category, level, size, date, source_title, source_url, and verified: the
    newest check of the pledge recorded by the view's known-at pin, as the snapshot's
    checked_on has it."""
    on_record = view.participants["code"]
    rows = pd.concat(
        [view.pledges[view.pledges["status"].isin(LADDER)], view.refusals], ignore_index=True
    )
    rows = rows[rows["participant_code"].isin(on_record)]
    rank = {rung: index for index, rung in enumerate(RUNGS)}
    lending = is_lending(rows)
    table = pd.DataFrame(
        {
            "participant": rows["participant"],
            "category": rows["category"].map(label),
            "level": rows["status"].map(lambda s: str(RUNG_WORDS.get(s, s)).capitalize()),
            "size": [
                "—"
                if status == RULED_OUT
                else pledge_size(c, q, qualifier, currency).replace(UNKNOWN_SIZE, "not published")
                + (f" ({INSTRUMENT_LABELS[i].lower()})" if lent else "")
                for status, c, q, qualifier, currency, i, lent in zip(
                    rows["status"],
                    rows["category"],
                    rows["quantity"],
                    rows["quantity_qualifier"],
                    rows["currency"],
                    rows["instrument"],
                    lending,
                    strict=True,
                )
            ],
            "date": list(map(partial_date, rows["announced_on"], rows["announced_precision"])),
            "source_title": rows["source_title"],
            "source_url": rows["source_url"].fillna(""),
            "verified": rows["checked_on"].map(verified),
            "_category": rows["category"].map(CATEGORIES.index),
            "_rank": rows["status"].map(rank),
        }
    )
    return (
        table.sort_values(["_category", "_rank", "participant", "date"], kind="stable")
        .drop(columns=["_category", "_rank"])
        .reset_index(drop=True)
    )


@dataclass(frozen=True)
class Source:
    number: int
    title: str
    url: str
    cites: str  # what it is cited for, in words


def numbered_sources(
    table: pd.DataFrame, gaps: pd.DataFrame
) -> tuple[list[Source], list[int], list[int]]:
    """Every source the pack cites, numbered in order of first citation (the planning
    figures, on the first page, then the pledges' table), each listed once; and the number
    each planning figure and each pledge row cites."""
    numbers: dict[tuple[str, str], int] = {}
    cited: dict[tuple[str, str], list[str]] = {}

    def number(title: str, url: str, what: str) -> int:
        key = (str(title), str(url or ""))
        if key not in numbers:
            numbers[key] = len(numbers) + 1
        cited.setdefault(key, []).append(what)
        return numbers[key]

    gap_numbers = [
        number(row.source_title, row.source_url, "planning figure") for row in gaps.itertuples()
    ]
    row_numbers = [number(row.source_title, row.source_url, "pledge") for row in table.itertuples()]
    sources = []
    for (title, url), n in numbers.items():
        kinds = cited[(title, url)]
        pledges = kinds.count("pledge")
        what = [
            "a planning figure" if "planning figure" in kinds else "",
            f"{pledges} pledge{'s' if pledges != 1 else ''}" if pledges else "",
        ]
        sources.append(Source(n, title, url, " and ".join(w for w in what if w)))
    return sources, gap_numbers, row_numbers


@dataclass(frozen=True)
class Briefing:
    filters: PledgeFilter
    as_of: date
    since: date
    known_at: datetime  # UTC
    view: View
    movers: list[Mover]
    gaps: pd.DataFrame
    gap_sources: list[int]  # the source number of each planning figure
    table: pd.DataFrame  # who pledged what (pledges_table)
    row_sources: list[int]  # the source number of each of its rows
    sources: list[Source]
    freshness: Freshness
    snapshot_sha256: str
    snapshot_rows: int
    snapshot_known_at: str  # as the snapshot's manifest writes it
    synthetic: bool
    features: tuple[dict, ...]


def gather(
    session: Session,
    filters: PledgeFilter,
    since: date,
    known_at: datetime,
) -> Briefing:
    """Every read the pack needs, all pinned to ``known_at``: the view, the view on ``since``
    (same filters), the planning figures and the snapshot of the same view."""
    as_of = filters.when.shown
    check_since(since, as_of)
    snapshot = build_snapshot(session, filters, known_at)
    pinned = datetime.strptime(snapshot.manifest["known_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
    view = build_view(session, filters, known_at)
    before = build_view(session, replace(filters, as_of=since), known_at)
    troops = view.headline.category("troops")
    if not filters.shows("troops"):
        gaps = force_gap.force_gap(troops, queries.targets_frame(session).iloc[0:0])
    else:
        gaps = force_gap.force_gap(troops, queries.targets_frame(session), filters.as_of)
    table = pledges_table(view)
    sources, gap_sources, row_sources = numbered_sources(table, gaps.head(GAP_ROWS_SHOWN))
    return Briefing(
        filters=filters,
        as_of=as_of,
        since=since,
        known_at=pinned.replace(tzinfo=UTC),
        view=view,
        movers=movers(before, view),
        gaps=gaps,
        gap_sources=gap_sources,
        table=table,
        row_sources=row_sources,
        sources=sources,
        freshness=freshness(session, as_of, known_at),
        snapshot_sha256=snapshot.manifest["sha256"],
        snapshot_rows=snapshot.manifest["rows"],
        snapshot_known_at=snapshot.manifest["known_at"],
        synthetic=queries.has_synthetic_data(session),
        features=geometry.world_features(),
    )


def file_name(filters: PledgeFilter, known_at: datetime) -> str:
    """The pack's file name: what, which categories, as of which day, known at when."""
    return file_names.file_name(
        "briefing",
        as_of=filters.when.shown,
        known_at=known_at,
        categories=filters.categories,
        extension="pdf",
    )


def map_classes(view: View) -> dict[str, str]:
    """Each participant's class on the map (a key of drawings.MAP_COLOURS), by participant
    code: by its rung on the ladder for troops, then whether it offers anything else."""
    figures = view.by_participant
    classes = {}
    for code, row in figures.iterrows():
        rung = row["troops_rung"]
        if row["kind"] == "beneficiary":
            classes[code] = "beneficiary"
        elif is_offer(rung):
            classes[code] = "troops"
        elif rung == "considering":
            classes[code] = "considering"
        elif rung == RULED_OUT:
            classes[code] = "ruled_out"
        elif row["pledges"] > 0:
            classes[code] = "offers"
        else:
            classes[code] = "nothing"
    return classes
