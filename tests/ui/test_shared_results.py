"""The cache every session's reads and figures share (ui/resources.SharedResults)."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest

from ui.resources import SharedResults

DAY = date(2026, 12, 7)


def test_a_result_is_built_once_and_the_same_object_is_shared():
    cache = SharedResults(size=4)
    built = []
    first = cache("read", 1, DAY, ("GBR",), lambda: built.append(1) or ["rows"])
    again = cache("read", 1, DAY, ("GBR",), lambda: built.append(1) or ["rows"])
    assert again is first and built == [1]
    # Another data version, day or key is another entry.
    for entry in (("read", 2, DAY, ("GBR",)), ("read", 1, date(2026, 12, 8), ("GBR",))):
        assert cache(*entry, lambda: ["other"]) == ["other"]
    assert cache("read", 1, DAY, ("FRA",), lambda: ["France"]) == ["France"]


def test_sessions_asking_at_once_wait_for_one_build():
    cache = SharedResults(size=4)
    builds = []

    def slow() -> list[str]:
        builds.append(threading.get_ident())
        time.sleep(0.2)
        return ["rows"]

    results = []
    threads = [
        threading.Thread(target=lambda: results.append(cache("view", 1, DAY, (), slow)))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(builds) == 1
    assert len(results) == 4 and all(r is results[0] for r in results)


def test_the_least_recently_used_go_first_and_a_failed_build_keeps_nothing():
    cache = SharedResults(size=2)
    cache("a", 1, DAY, (), lambda: "a")
    cache("b", 1, DAY, (), lambda: "b")
    cache("a", 1, DAY, (), lambda: "rebuilt a")  # used: now the newest
    cache("c", 1, DAY, (), lambda: "c")  # over the size: "b" goes
    assert cache("a", 1, DAY, (), lambda: "rebuilt a") == "a"
    assert cache("b", 1, DAY, (), lambda: "rebuilt b") == "rebuilt b"

    def fails() -> str:
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        cache("d", 1, DAY, (), fails)
    assert cache("d", 1, DAY, (), lambda: "d") == "d"
    cache.clear()
    assert cache("d", 1, DAY, (), lambda: "after clear") == "after clear"
