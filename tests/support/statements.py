"""What SQL a piece of code sends: to check that a kept read asks the database for what
changed alone, or for nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event


@contextmanager
def statements_sent(
    engine: Engine, wanted: Callable[[str], bool]
) -> Iterator[list[tuple[str, object]]]:
    """The statements ``wanted`` picks (with their parameters) sent on ``engine`` meanwhile."""
    sent: list[tuple[str, object]] = []

    def seen(_conn, _cursor, statement, parameters, _context, _many):
        if wanted(statement):
            sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", seen)
