"""A long history as compact arrays: every revision's figures, one numpy array per column,
read a chunk at a time (what the timeline and the delivery lines rebuild states from)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import DTypeLike
from sqlalchemy import Integer, case, cast, func, literal_column, type_coerce
from sqlmodel import Session, col

from coalition.money.exchange import amounts_in_eur
from coalition.money.sizes import counted_size
from coalition.read.filters import PledgeFilter
from coalition.read.queries import collection_paused, exchange_rates_frame, revisions_statement
from core.vocabulary import CATEGORIES, DATE_PRECISIONS, INSTRUMENTS, SCOPES, STATUSES
from db.models import PledgeRevision

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
    session: Session, filters: PledgeFilter | None = None, chunk: int = 100_000
) -> RevisionArrays:
    """The revisions ``revisions_frame`` reads, as compact arrays read a chunk at a time: on a
    long history the rows as Python objects took gigabytes and most of the time."""
    filters = filters or PledgeFilter(statuses=(), scopes=())
    packed = sum(
        case({value: n for n, value in enumerate(values)}, value=getattr(PledgeRevision, name))
        * (1 << (CODE_BITS * position))
        for position, (name, values) in enumerate(REVISION_CODES.items())
    )
    columns = [
        PledgeRevision.pledge_id,
        PledgeRevision.version,
        _epoch_days(session, PledgeRevision.effective_on),
        _epoch_days(session, PledgeRevision.announced_on),
        packed,
        PledgeRevision.quantity,
        # The euro needs no rate: only other currencies come back, as few strings.
        case((col(PledgeRevision.currency) != "EUR", PledgeRevision.currency), else_=None),
    ]
    result = session.connection().execute(revisions_statement(filters, columns))
    types: list[DTypeLike] = ["int64", "int64", "int64", "int64", "int64", "float64", object]
    parts: list[list[np.ndarray]] = [[] for _ in range(len(columns))]
    # Straight from the driver's cursor: none of these columns needs converting on the way,
    # and a result row object per revision cost more than the query.
    with collection_paused():
        while rows := result.cursor.fetchmany(chunk):
            for n, values in enumerate(zip(*rows, strict=True)):
                parts[n].append(np.array(values, dtype=types[n]))  # None: NaN for a float
    result.close()
    empty = [np.empty(0, dtype=kind) for kind in types]
    arrays = [np.concatenate(p) if p else e for p, e in zip(parts, empty, strict=True)]
    (pledge_id, version, effective_days, announced_days, code_bits, quantity, currency) = arrays
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
