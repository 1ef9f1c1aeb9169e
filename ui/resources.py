"""Cached resources and cached reads. Reads take the database's data version as an argument so a
write made through any process shows at the next rerun."""

from __future__ import annotations

import dataclasses
import functools
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date
from typing import Any, TypeVar

import streamlit as st
from sqlalchemy import Engine

from coalition.bootstrap import app_engine, forget_app_engine
from coalition.read import queries
from coalition.read.revisions import HISTORIES
from db.engine import DatabaseFault, read_session
from ui.run_context import this_run

T = TypeVar("T")


def get_engine() -> Engine:
    """The process's engine (coalition.bootstrap.app_engine), which the HTTP routes share."""
    return app_engine()


def current_data_version() -> int:
    with read_session(get_engine()) as session:
        return queries.data_version(session)


def forget_engine() -> None:
    """Drop the engine: the next run connects, migrates and seeds afresh (after the
    database was removed or replaced, it comes back by itself)."""
    forget_app_engine()


def show_write_fault(fault: DatabaseFault) -> None:
    """One plain banner for a write the database could not take; nothing was saved."""
    st.error(
        f"The database cannot be written: {fault}; your change was not saved. "
        "Try again in a moment; if this goes on, tell whoever runs this service.",
        icon=":material/database_off:",
    )
    if fault.tables_missing:
        forget_engine()


class SharedResults:
    """Results shared by every session of the process, by a hashable key: each session gets
    the same object, not a copy (nothing changes a result in place: pages and builders derive
    new frames). The least recently used go past ``size``; a result several sessions ask for
    at once is built once. The reads and figures (``_cached``) are keyed by the function's
    qualified name, the data version, the day (today's record and the day a month-dated
    pledge counts from move with the clock) and their arguments' key.

    Not Streamlit's resource cache: it hashed every key through its own hasher on every call,
    a tenth of a warm rerun for the eighteen reads and figures of the Overview; a dictionary
    looks a key up in microseconds."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._results: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[Hashable, threading.Lock] = {}

    def __call__(
        self, name: str, version: int, today: date, key: Hashable, make: Callable[[], T]
    ) -> T:
        return self.get((name, version, today, key), make)

    def get(self, entry: Hashable, make: Callable[[], T]) -> T:
        """The result kept for ``entry``, else ``make()``, kept."""
        with self._lock:
            if entry in self._results:
                self._results.move_to_end(entry)
                return self._results[entry]
            building = self._building.setdefault(entry, threading.Lock())
        with building:
            try:
                with self._lock:
                    if entry in self._results:  # built by another session meanwhile
                        return self._results[entry]
                result = make()
                with self._lock:
                    self._results[entry] = result
                    while len(self._results) > self._size:
                        self._results.popitem(last=False)
                return result
            finally:
                with self._lock:
                    if self._building.get(entry) is building:
                        del self._building[entry]

    def clear(self) -> None:
        with self._lock:
            self._results.clear()


_cached = SharedResults(size=384)


def _name(function: Callable) -> str:
    return f"{function.__module__}.{function.__qualname__}"


# Where each shared result came from: (its builder's name, the key of its arguments), by the
# result's id, checked against a weak reference so a reused id never finds another's origin.
_ORIGINS: dict[int, tuple[weakref.ref, tuple[Any, ...]]] = {}


def _remember(value: Any, origin: tuple[Any, ...]) -> None:
    """Note where ``value`` came from, and where its parts came from (a View's frames)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for part in dataclasses.fields(value):
            _remember(getattr(value, part.name), (*origin, part.name))
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            _remember(item, (*origin, index))
    try:
        hash(value)
        return  # a hashable value is its own key
    except TypeError:
        pass
    try:
        reference = weakref.ref(value, functools.partial(_forget, id(value)))
    except TypeError:
        return
    _ORIGINS[id(value)] = (reference, origin)


def _forget(at: int, gone: weakref.ref) -> None:
    if (entry := _ORIGINS.get(at)) is not None and entry[0] is gone:
        del _ORIGINS[at]


def cache_key(value: Any) -> Any:
    """The key a value adds to a shared result's: itself when hashable (filters, dates,
    codes, choices), else where it came from (a read or a shared build)."""
    entry = _ORIGINS.get(id(value))
    if entry is not None and entry[0]() is value:
        return entry[1]
    try:
        hash(value)
    except TypeError:
        raise TypeError(
            f"a {type(value).__name__} passed to shared() comes from no read() or shared(): "
            "build it through them, so the cache can name it"
        ) from None
    return value


def read(query: Callable[..., T], *args: Any) -> T:
    """Run ``query(session, *args)``, cached until the data change and shared by every
    session: treat the result as read-only. The arguments are the cache key (small values:
    filters, dates, codes)."""
    return read_later(query, *args)()


def read_later(query: Callable[..., T], *args: Any) -> Callable[[], T]:
    """``read(query, *args)`` as a call to make later, at this run's data version: for a
    download made only when clicked, which runs outside the page script."""
    context = this_run()
    name = _name(query)

    def run() -> T:
        with read_session(get_engine()) as session:
            return query(session, *args)

    def cached() -> T:
        result = _cached(name, context.data_version, context.today, args, run)
        _remember(result, (name, args))
        return result

    return cached


def shared(build: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``build(*args, **kwargs)`` once per data version, day and arguments, the same object
    for every session: for figures and maps, which take long to build and which Streamlit
    only reads. The arguments are not hashed (hashing large frames on every rerun would cost
    what the cache saves): each is keyed by where it came from (cache_key)."""
    context = this_run()
    name = _name(build)
    key = (
        tuple(cache_key(a) for a in args),
        tuple(sorted((k, cache_key(v)) for k, v in kwargs.items())),
    )
    result = _cached(name, context.data_version, context.today, key, lambda: build(*args, **kwargs))
    _remember(result, (name, key))
    return result


def clear_cached_data() -> None:
    """Forget every cached read and shared figure, and the history and rates kept across
    writes (the engine stays): a cold start of the pages without restarting the process."""
    _cached.clear()
    HISTORIES.forget()
    queries.CURRENT_PLEDGES.forget()
    queries.forget_rates()
