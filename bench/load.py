"""Load: many concurrent reading sessions while one editor writes, against the real server.

    python bench/load.py --revisions 100000 --sessions 50
    python bench/load.py --database postgresql+psycopg://root@127.0.0.1:5432/scratch --replicas 2
    python bench/load.py --sessions 5,10,20,35,50    # one row per number: where is the knee?

Each session is a websocket client speaking Streamlit's own protocol, as a browser tab does:
it asks for a page, waits until the script run has finished, reads for a moment and asks
again, going round the reading pages. Meanwhile a writer changes a pledge through the write
path, so every replica's cached reads keep going stale, as they would in use. The baseline, measured
in the same run, is one session alone. Printed: reruns, errors, p50/p95/max rerun time and
p95 against the baseline. Given several numbers of sessions, it runs each in turn (same
servers, same baseline) and names the knee: the fewest sessions whose p95 passed 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import threading
import time
from contextlib import ExitStack

import websockets
from sqlmodel import select
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.report import (
    database_arguments,
    machine,
    prepared_database,
    revisions_in,
    write_section,
)
from bench.server import app_server
from coalition.access.auth import Actor, add_account, find_account
from coalition.errors import VersionConflict
from coalition.read.queries import SYNTHETIC_SOURCE
from coalition.write.pledges import update_pledge
from db.engine import create_db_engine, write_session
from db.models import Pledge

READING_PAGES = ("overview", "map", "timeline", "participant", "snapshots", "about")
WRITER = "load-writer@example.org"


class RerunFailed(RuntimeError):
    pass


async def rerun(socket, page: str) -> float:
    """Ask for ``page`` and wait for the end of its script run; seconds taken. An exception
    drawn on the page or a run that did not finish cleanly is an error."""
    message = BackMsg()
    message.rerun_script.page_name = page
    message.rerun_script.query_string = "code=GBR" if page == "participant" else ""
    started = time.perf_counter()
    await socket.send(message.SerializeToString())
    while True:
        reply = ForwardMsg()
        reply.ParseFromString(await socket.recv())
        kind = reply.WhichOneof("type")
        if kind == "delta" and reply.delta.new_element.WhichOneof("type") == "exception":
            raise RerunFailed(f"{page}: {reply.delta.new_element.exception.message}")
        if kind == "script_finished":
            if reply.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                raise RerunFailed(f"{page}: run ended with status {reply.script_finished}")
            return time.perf_counter() - started


async def session(
    base: str, reruns: int, think: float, times: list[float], errors: list[str]
) -> None:
    url = base.replace("http://", "ws://") + "/_stcore/stream"
    async with websockets.connect(
        url,
        subprotocols=["streamlit"],
        origin=base,
        max_size=None,
        open_timeout=120,
        ping_interval=None,  # as a browser tab: no protocol pings that a busy server must answer
    ) as socket:
        pages = random.sample(READING_PAGES, len(READING_PAGES))
        # The first click too comes some way into a reading pause: started together, every
        # session's first click landed in the same instant, a queue that readers arriving
        # over time never make (it alone was a twelfth of the reruns, the slowest ones).
        await asyncio.sleep(random.uniform(0.0, 1.0) * think)
        for n in range(reruns):
            if n:  # reading the page before the next click
                await asyncio.sleep(random.uniform(0.5, 1.5) * think)
            try:
                times.append(await rerun(socket, pages[n % len(pages)]))
            except RerunFailed as failure:
                errors.append(str(failure))


async def run_sessions(
    bases: list[str], count: int, reruns: int, think: float = 0.0
) -> tuple[list, list, float]:
    times: list[float] = []
    errors: list[str] = []
    started = time.perf_counter()
    await asyncio.gather(
        *(session(bases[n % len(bases)], reruns, think, times, errors) for n in range(count))
    )
    return times, errors, time.perf_counter() - started


def write_continuously(url: str, stop: threading.Event, every: float, done: list[int]) -> None:
    """One editor: change a synthetic pledge every ``every`` seconds through the write path."""
    engine = create_db_engine(url)
    with write_session(engine) as s:
        ids = list(s.exec(select(Pledge.id).where(Pledge.source_title == SYNTHETIC_SOURCE)))
    while not stop.wait(every):
        with write_session(engine) as s:
            pledge = s.get(Pledge, random.choice(ids))
            try:
                update_pledge(
                    s,
                    actor=Actor(WRITER),
                    pledge_id=pledge.id,
                    expected_version=pledge.version,
                    changes={"notes": f"Load test write {done[0] + 1} (synthetic)."},
                    reason="load test",
                )
            except VersionConflict:
                continue
        done[0] += 1
    engine.dispose()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    database_arguments(parser)
    parser.add_argument(
        "--sessions",
        default="50",
        help="concurrent reading sessions; several, comma-separated, to find the knee",
    )
    # 36 reruns at 2 s each: about 80 s per number of sessions, 8 writes. With 12 (2 or 3
    # writes), whether a write fell where the sessions clicked most moved p95 by half a second.
    parser.add_argument("--reruns", type=int, default=36, help="per session")
    parser.add_argument("--replicas", type=int, default=1, help="app processes sharing the DB")
    parser.add_argument("--write-every", type=float, default=10.0, help="seconds between writes")
    parser.add_argument(
        "--think", type=float, default=2.0, help="mean seconds a session reads before clicking"
    )
    args = parser.parse_args()
    levels = [int(n) for n in args.sessions.split(",")]
    url, scratch = prepared_database(args, "load")
    engine = create_db_engine(url)
    with write_session(engine) as s:
        if find_account(s, WRITER) is None:
            add_account(
                s, actor=Actor.for_system("bench"), email=WRITER, role="editor", password=None
            )
    engine.dispose()

    settings = {"COALITION_ANONYMOUS_READ": "true"}
    with ExitStack() as servers:
        bases = [
            servers.enter_context(app_server(url, scratch / f"server-{n}.log", **settings))
            for n in range(args.replicas)
        ]
        # Warm every replica's caches once, then the baseline: one session alone.
        asyncio.run(run_sessions(bases, len(bases), len(READING_PAGES)))
        alone, alone_errors, _ = asyncio.run(run_sessions(bases[:1], 1, args.reruns, args.think))
        runs = []  # (sessions, rerun times, errors, seconds, writes)
        for sessions in levels:
            stop, writes = threading.Event(), [0]
            writer = threading.Thread(
                target=write_continuously, args=(url, stop, args.write_every, writes)
            )
            writer.start()
            try:
                times, errors, elapsed = asyncio.run(
                    run_sessions(bases, sessions, args.reruns, args.think)
                )
            finally:
                stop.set()
                writer.join()
            runs.append((sessions, times, errors, elapsed, writes[0]))

    p95_alone = percentile(alone, 0.95)
    knee = next((n for n, times, *_ in runs if percentile(times, 0.95) > 1.0), None)
    all_errors = alone_errors + [e for *_, errors, _, _ in runs for e in errors]
    report = "\n".join(
        [
            f"## Load: {args.sessions} sessions reading while one writes every "
            f"{args.write_every:g} s ({engine.dialect.name}, {args.replicas} app process"
            f"{'es' if args.replicas > 1 else ''}, {args.think:g} s between clicks)",
            "",
            f"Run {machine()}; {revisions_in(url):,} revisions in the database. Command: "
            f"`python bench/load.py --revisions {args.revisions} --sessions {args.sessions} "
            f"--reruns {args.reruns} --replicas {args.replicas} --write-every {args.write_every:g} "
            f"--think {args.think:g}`.",
            "",
            "| | reruns | errors | p50 | p95 | max | p95 / alone | reruns/s served "
            "| writes committed |",
            "|---|---|---|---|---|---|---|---|---|",
            f"| one session alone (baseline) | {len(alone)} | {len(alone_errors)} | "
            f"{statistics.median(alone) * 1000:.0f} ms | {p95_alone * 1000:.0f} ms | "
            f"{max(alone) * 1000:.0f} ms | 1.0× | | |",
            *(
                f"| {n} sessions + 1 writer | {len(times)} | {len(errors)} | "
                f"{statistics.median(times) * 1000:.0f} ms | "
                f"{percentile(times, 0.95) * 1000:.0f} ms | {max(times) * 1000:.0f} ms | "
                f"{percentile(times, 0.95) / p95_alone:.1f}× | {len(times) / elapsed:.1f} | "
                f"{writes} in {elapsed:.0f} s |"
                for n, times, errors, elapsed, writes in runs
            ),
            "",
            (
                f"- the knee (the fewest sessions measured whose p95 passed 1 s): {knee}"
                if knee
                else "- the knee: p95 stayed within 1 s at every number of sessions measured"
            ),
            *(f"- error: {e}" for e in all_errors[:10]),
        ]
    )
    print(report)
    name = args.sessions.replace(",", "_")
    write_section(
        f"load-{engine.dialect.name}-{args.replicas}-{args.write_every:g}-{args.think:g}"
        + ("" if len(levels) == 1 else f"-sweep-{name}"),
        report,
    )
    if all_errors:
        raise SystemExit(f"{len(all_errors)} reruns failed")


if __name__ == "__main__":
    main()
