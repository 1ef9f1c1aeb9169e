"""A long history as compact arrays: every revision's figures, one numpy array per column
(what the timeline and the delivery lines rebuild states from), kept by each process across
writes and brought up to date with only the revisions committed since."""

from __future__ import annotations

import hashlib
import json
import os
import threading
import zipfile
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import DTypeLike
from sqlalchemy import BigInteger, Integer, case, cast, func, literal_column, type_coerce
from sqlmodel import Session, col, select

from coalition.money.exchange import amounts_in_eur
from coalition.money.sizes import counted_size
from coalition.read.filters import PledgeFilter
from coalition.read.queries import (
    collection_paused,
    exchange_rates_frame,
    participant_conditions,
    rates_fingerprint,
)
from core.vocabulary import CATEGORIES, DATE_PRECISIONS, INSTRUMENTS, SCOPES, STATUSES
from db.models import DataVersion, Participant, PledgeRevision

# Text columns of a revision that hold one of a few values (check constraints keep them so):
# read as their position in these lists, which costs far less per row than a string.
REVISION_CODES = {
    "category": CATEGORIES,
    "status": STATUSES,
    "announced_precision": DATE_PRECISIONS,
    "instrument": INSTRUMENTS,
    "scope": SCOPES,
}


@dataclass(frozen=True)
class RevisionArrays:
    """Revisions as one numpy array per column, in no particular order. Dates are
    ``datetime64[D]``; the columns of REVISION_CODES are positions in those lists (int8);
    ``currency`` is None except for funding in a currency other than the euro, and
    ``size`` is what the revision adds to its category's total (see sizes.counted_size):
    EUR for funding, the count for the rest, NaN where never published."""

    pledge_id: np.ndarray
    version: np.ndarray
    effective_on: np.ndarray
    announced_on: np.ndarray
    category: np.ndarray
    status: np.ndarray
    announced_precision: np.ndarray
    instrument: np.ndarray
    scope: np.ndarray
    quantity: np.ndarray
    currency: np.ndarray
    size: np.ndarray

    def __len__(self) -> int:
        return len(self.pledge_id)

    def select(self, keep: np.ndarray) -> RevisionArrays:
        """The rows where ``keep`` is true (a boolean array)."""
        return RevisionArrays(*(getattr(self, f.name)[keep] for f in fields(self)))

    def joined(self, more: RevisionArrays) -> RevisionArrays:
        """These rows, then ``more``'s."""
        return RevisionArrays(
            *(np.concatenate([getattr(self, f.name), getattr(more, f.name)]) for f in fields(self))
        )


def _epoch_days(session: Session, column):
    """A date column as days since 1 January 1970: one small number per row, where a date
    object (or its text) per row cost more than the query."""
    if session.get_bind().dialect.name == "postgresql":
        return type_coerce(column - literal_column("DATE '1970-01-01'"), Integer)
    # SQLite keeps dates as ISO text; a Julian day number is a whole day plus a half.
    return cast(func.julianday(column) - 2440587.5, Integer)


# The coded columns travel packed into one number, three bits each (every list has at most 8
# values): one value per row instead of five.
CODE_BITS = 3
assert all(len(values) <= 1 << CODE_BITS for values in REVISION_CODES.values())


def revision_arrays(
    session: Session, filters: PledgeFilter | None = None, histories: Histories | None = None
) -> RevisionArrays:
    """The revisions ``revisions_frame`` reads, as compact arrays: this process's copy of the
    history (``histories``, by default HISTORIES), brought up to the session's data version by
    reading only what was committed since, then narrowed to the filters' participants,
    categories and day."""
    filters = filters or PledgeFilter(statuses=(), scopes=())
    history = (histories or HISTORIES).at(session)
    keep = np.ones(len(history), dtype=bool)
    if conditions := participant_conditions(filters):
        chosen = session.exec(select(Participant.code).where(*conditions)).all()
        keep &= np.isin(
            history.participant, [history.codes.index(c) for c in chosen if c in history.codes]
        )
    if filters.categories:
        # Every revision of a pledge that was ever in a chosen category: one that moved to
        # another category must leave the old line from that day, not stay in it for good.
        wanted = [CATEGORIES.index(c) for c in filters.categories]
        ever = np.unique(history.arrays.pledge_id[np.isin(history.arrays.category, wanted)])
        keep &= np.isin(history.arrays.pledge_id, ever)
    keep &= filters.when.revision_mask(history.arrays.effective_on)
    return history.arrays if keep.all() else history.arrays.select(keep)


@dataclass(frozen=True)
class History:
    """Every revision of one database up to a data version, as arrays, with what each row's
    participant is (a position in ``codes``), and what tells this database and its rates
    apart from another at the same address (its id, a rates fingerprint, and the newest
    revision read with the version it was committed as)."""

    database_id: str
    version: int
    rates: tuple[Any, ...]
    arrays: RevisionArrays
    participant: np.ndarray
    codes: list[str]
    last_id: int | None
    last_committed: int | None

    def __len__(self) -> int:
        return len(self.arrays)


class Histories:
    """Each database's history, kept across data versions by the process: a write costs the
    revisions it committed, not a read of the whole history. A read takes what was committed
    after the kept version up to the session's (versions follow the commits, see
    db.data_version), so a write shows at the next read in every process. The copy is
    read afresh when the database is another one (its id), its rates changed (amounts in EUR
    depend on them), or its newest kept revision is gone (a restore)."""

    def __init__(self, folder: Path | None = None) -> None:
        self._kept: dict[str, History] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self._disk = DiskCopies(folder) if folder is not None else None
        self._saved_rows: dict[str, int] = {}

    def keep_on_disk(self, folder: Path | None) -> None:
        """Keep a copy of each history in ``folder`` (None: in memory only), so that a process
        that starts reads the copy and the revisions committed since, not the whole history."""
        with self._guard:
            self._disk = DiskCopies(folder) if folder is not None else None

    def forget(self) -> None:
        with self._guard:
            self._kept.clear()

    def at(self, session: Session, chunk: int = 100_000) -> History:
        version, database_id = session.exec(
            select(DataVersion.version, DataVersion.database_id)
        ).one()
        key = str(session.get_bind().engine.url)
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            kept = self._kept.get(key)
            disk = self._disk
            if kept is None and disk is not None:
                kept = disk.load(key, database_id)
                if kept is not None and not _same_rows(session, kept):
                    kept = None  # e.g. a restored backup that has since had other writes
                self._saved_rows[key] = 0 if kept is None else len(kept)
            rates = rates_fingerprint(session)
            if kept is not None and not _still_valid(session, kept, database_id, rates):
                kept = None
            if kept is not None and kept.version == version:
                return kept
            if kept is not None and kept.version > version:
                # A session that began before another's newer read: its own version, once.
                return _read(session, None, version, database_id, rates, chunk)
            history = _read(session, kept, version, database_id, rates, chunk)
            self._kept.pop(key, None)
            self._kept[key] = history
            # The copy on disk is renewed when it misses a tenth of the history or more: a
            # start reads what it misses from the database, and a write does not pay a save.
            saved = self._saved_rows.get(key, 0)
            if disk is not None and len(history) - saved >= max(1, len(history) // 10):
                disk.save(key, history)  # a folder it cannot write to costs no retry per read
                self._saved_rows[key] = len(history)
            while len(self._kept) > KEPT_DATABASES:  # the least recently read goes first
                gone = next(iter(self._kept))
                self._kept.pop(gone)
                self._locks.pop(gone, None)
            return history


# An app process reads one database; tests and benchmarks open many in one process.
KEPT_DATABASES = 4
HISTORIES = Histories()


class DiskCopies:
    """Histories kept in a folder as one .npz file per database (by its address and its id),
    so that a starting process reads the copy and only the revisions committed since: the
    copy says which data version it holds, and is checked like a copy kept in memory (the
    database's id, its rates, its newest revision). Plain arrays, never pickles: the file is
    read with ``allow_pickle=False``. A damaged or unreadable copy is read afresh."""

    FORMAT = 1

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, key: str, database_id: str) -> Path:
        name = hashlib.sha256(f"{key}\n{database_id}".encode()).hexdigest()[:32]
        return self.folder / f"history-{name}.npz"

    def load(self, key: str, database_id: str) -> History | None:
        try:
            with np.load(self.path(key, database_id), allow_pickle=False) as saved:
                meta = json.loads(str(saved["meta"]))
                if meta["format"] != self.FORMAT or meta["database_id"] != database_id:
                    return None
                columns = {f.name: saved[f.name] for f in fields(RevisionArrays)}
                currency = columns["currency"].astype(object)
                currency[columns["currency"] == ""] = None
                columns["currency"] = currency
                return History(
                    database_id=database_id,
                    version=int(meta["version"]),
                    rates=tuple(meta["rates"]),
                    arrays=RevisionArrays(**columns),
                    participant=saved["participant"],
                    codes=list(meta["codes"]),
                    last_id=meta["last_id"],
                    last_committed=meta["last_committed"],
                )
        except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile):
            return None

    def save(self, key: str, history: History) -> None:
        """Write the copy beside the old one and put it in its place in one step, so that a
        process starting meanwhile reads the old copy or the new, never half of one."""
        meta = {
            "format": self.FORMAT,
            "database_id": history.database_id,
            "version": history.version,
            "rates": list(history.rates),
            "codes": history.codes,
            "last_id": history.last_id,
            "last_committed": history.last_committed,
        }
        arrays = {f.name: getattr(history.arrays, f.name) for f in fields(RevisionArrays)}
        arrays["currency"] = np.array(
            ["" if c is None else str(c) for c in arrays["currency"]], dtype=str
        )
        path = self.path(key, history.database_id)
        partial = path.with_name(f"{path.stem}.{os.getpid()}.{threading.get_ident()}.partial")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with open(partial, "wb") as file:
                np.savez(
                    file, meta=np.array(json.dumps(meta)), participant=history.participant, **arrays
                )
            os.replace(partial, path)
        except (OSError, TypeError, ValueError):  # no copy this time: the next start reads all
            partial.unlink(missing_ok=True)


def _still_valid(session: Session, kept: History, database_id: str, rates: tuple) -> bool:
    if kept.database_id != database_id or kept.rates != rates:
        return False
    if kept.last_id is None:
        return True
    found = session.exec(
        select(PledgeRevision.committed_version).where(PledgeRevision.id == kept.last_id)
    ).first()
    return found == kept.last_committed


def _same_rows(session: Session, kept: History) -> bool:
    """Whether the database holds the copy's revisions up to its version: as many, of the
    same pledges and versions, with the same quantities in all. Checked once, when a process
    takes a copy from disk, which may have been kept across a restore (in memory, the checks
    of _still_valid suffice)."""
    committed = col(PledgeRevision.committed_version)
    count, pledges, versions, quantities = session.exec(
        select(
            func.count(),
            func.coalesce(func.sum(PledgeRevision.pledge_id), 0),
            func.coalesce(func.sum(PledgeRevision.version), 0),
            func.coalesce(func.sum(PledgeRevision.quantity), 0),
        ).where(committed + 0 <= kept.version)
    ).one()
    arrays = kept.arrays
    return (
        (int(count), int(pledges), int(versions))
        == (len(arrays), int(arrays.pledge_id.sum()), int(arrays.version.sum()))
    ) and bool(np.isclose(float(quantities or 0), np.nansum(arrays.quantity), rtol=1e-12, atol=0))


# A revision's participant, version, two days and coded columns travel in two numbers, not
# five: a value per row and column made by the driver cost more than the query (a million
# revisions read in 2.0 s against 2.7 s). The first number holds the coded columns
# (CODE_BITS each), the participant's position in the codes list and the effective day; the
# second the announcement day and the version. A day is counted from 1 January 1970, shifted
# so that any date from the year 1 is positive: 9999-12-31 is 3,652,058 after the shift,
# under 2**DAY_BITS. A version needs 41 bits or fewer (two trillion revisions of a pledge).
DAY_SHIFT = 719_163
DAY_BITS = 22
CODES_BITS = CODE_BITS * len(REVISION_CODES)


def _read(
    session: Session,
    kept: History | None,
    version: int,
    database_id: str,
    rates: tuple[Any, ...],
    chunk: int,
) -> History:
    """The kept history with the revisions committed after its version up to ``version``
    (all of them, with none kept), read a chunk at a time straight from the driver: on a
    long history the rows as Python objects took gigabytes and most of the time."""
    codes = list(kept.codes) if kept is not None else []
    codes += sorted(set(session.exec(select(Participant.code)).all()) - set(codes))
    participant_bits = max(1, len(codes).bit_length())

    def shifted(value, bits: int):
        return cast(value, BigInteger) * (1 << bits)

    coded = sum(
        case({value: n for n, value in enumerate(values)}, value=getattr(PledgeRevision, name))
        * (1 << (CODE_BITS * position))
        for position, (name, values) in enumerate(REVISION_CODES.items())
    )
    participant = case(
        {code: n for n, code in enumerate(codes)}, value=PledgeRevision.participant_code
    )
    effective = _epoch_days(session, PledgeRevision.effective_on) + DAY_SHIFT
    announced = _epoch_days(session, PledgeRevision.announced_on) + DAY_SHIFT
    columns = [
        PledgeRevision.pledge_id,
        coded
        + shifted(participant, CODES_BITS)
        + shifted(effective, CODES_BITS + participant_bits),
        cast(announced, BigInteger) + shifted(PledgeRevision.version, DAY_BITS),
        PledgeRevision.quantity,
        # The euro needs no rate: only other currencies come back, as few strings.
        case((col(PledgeRevision.currency) != "EUR", PledgeRevision.currency), else_=None),
    ]
    committed = col(PledgeRevision.committed_version)
    if kept is None:
        # The whole history: "+ 0" keeps the planner on a plain scan, which reads a long
        # history several times faster than walking the index row by row.
        statement = select(*columns).where(committed + 0 <= version)
    else:
        statement = select(*columns).where(committed > kept.version, committed <= version)
    result = session.connection().execute(statement)
    types: list[DTypeLike] = ["int64", "int64", "int64", "float64", object]
    parts: list[list[np.ndarray]] = [[] for _ in range(len(columns))]
    # Straight from the driver's cursor: none of these columns needs converting on the way,
    # and a result row object per revision cost more than the query.
    with collection_paused():
        while rows := result.cursor.fetchmany(chunk):
            for n, values in enumerate(zip(*rows, strict=True)):
                parts[n].append(np.array(values, dtype=types[n]))  # None: NaN for a float
    result.close()
    empty = [np.empty(0, dtype=kind) for kind in types]
    pledge_id, first, second, quantity, currency = [
        np.concatenate(p) if p else e for p, e in zip(parts, empty, strict=True)
    ]
    if kept is not None and not len(pledge_id):
        return replace(kept, version=version, codes=codes)  # a write that added no revision
    participant_of = (first >> CODES_BITS) & ((1 << participant_bits) - 1)
    new = _arrays(
        session,
        pledge_id,
        second >> DAY_BITS,
        (first >> (CODES_BITS + participant_bits)) - DAY_SHIFT,
        (second & ((1 << DAY_BITS) - 1)) - DAY_SHIFT,
        first & ((1 << CODES_BITS) - 1),
        quantity,
        currency,
    )
    if kept is not None:
        new = kept.arrays.joined(new)
        participant_of = np.concatenate([kept.participant, participant_of])
    newest = session.exec(
        select(PledgeRevision.id, PledgeRevision.committed_version)
        .where(committed <= version)
        .order_by(col(PledgeRevision.id).desc())
        .limit(1)
    ).first()
    return History(
        database_id=database_id,
        version=version,
        rates=rates,
        arrays=new,
        participant=participant_of.astype("int16"),
        codes=codes,
        last_id=None if newest is None else newest[0],
        last_committed=None if newest is None else newest[1],
    )


def _arrays(
    session: Session,
    pledge_id: np.ndarray,
    version: np.ndarray,
    effective_days: np.ndarray,
    announced_days: np.ndarray,
    code_bits: np.ndarray,
    quantity: np.ndarray,
    currency: np.ndarray,
) -> RevisionArrays:
    effective_on = effective_days.astype("datetime64[D]")
    announced_on = announced_days.astype("datetime64[D]")
    mask = (1 << CODE_BITS) - 1
    codes = [
        ((code_bits >> (CODE_BITS * position)) & mask).astype("int8")
        for position in range(len(REVISION_CODES))
    ]
    category = codes[0]
    funding = category == CATEGORIES.index("funding")
    # Funding in EUR, converted at the rate of its announcement where in another currency.
    amount_eur = np.full(len(quantity), np.nan)
    amount_eur[funding] = amounts_in_eur(
        quantity[funding],
        currency[funding],
        announced_on[funding],
        np.array(DATE_PRECISIONS, dtype=object)[codes[2][funding]],
        rates=lambda: exchange_rates_frame(session),
    )
    return RevisionArrays(
        pledge_id,
        version,
        effective_on,
        announced_on,
        **dict(zip(REVISION_CODES, codes, strict=True)),
        quantity=quantity,
        currency=currency,
        size=counted_size(funding, amount_eur, quantity),
    )
