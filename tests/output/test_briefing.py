"""The briefing pack: the current view on one or two A4 pages, read back from the PDF itself
and held to the view, the force gap and the snapshot of the same filters."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pypdf
import pytest
from sqlalchemy import Engine
from sqlmodel import select

from coalition.access.auth import Actor
from coalition.errors import ValidationFailed
from coalition.figures import force_gap
from coalition.figures.tiles import tiles
from coalition.figures.view import build_view
from coalition.output.briefing import content, pdf
from coalition.output.snapshots import build_snapshot, pin_known_at
from coalition.read import queries
from coalition.read.filters import PledgeFilter
from coalition.write.checks import record_checks
from coalition.write.pledges import create_pledge
from core.settings import PROJECT_ROOT
from db.engine import create_db_engine, read_session, write_session
from db.models import SeedPledge
from tests.factories import pledge
from tests.support.app import start_app
from tests.support.data import FIXTURE_DATA, generate_synthetic

AS_OF = date(2025, 9, 30)
SINCE = date(2025, 3, 1)
FILTERS = PledgeFilter(as_of=AS_OF)
A4_POINTS = (595.28, 841.89)


def pack(engine: Engine, filters: PledgeFilter = FILTERS, since: date = SINCE) -> bytes:
    with read_session(engine) as session:
        known_at = pin_known_at(session, "")
        return pdf.briefing_pdf(session, filters, since, known_at)


def read_back(data: bytes) -> tuple[pypdf.PdfReader, str]:
    """The PDF and its text, with every run of white space made one space (lines wrap)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() for page in reader.pages)
    return reader, re.sub(r"\s+", " ", text)


def test_the_pack_is_the_same_bytes_every_time_on_a_4_pages(engine):
    first, second = pack(engine), pack(engine)
    assert first == second
    assert first.startswith(b"%PDF-")
    reader, _ = read_back(first)
    assert len(reader.pages) == 3  # two pages, and the sources' annex
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(
            A4_POINTS, abs=0.01
        )
    # The creation date is the "known at" pin, never the clock.
    with read_session(engine) as session:
        known_at = pin_known_at(session, "")
    assert reader.metadata["/CreationDate"].startswith(f"D:{known_at:%Y%m%d%H%M%S}")


def test_another_process_makes_the_same_bytes(engine, database_url):
    """Nothing depends on the process: not the clock, not the hash seed of sets and dicts."""
    script = (
        "import sys; from datetime import date; "
        "from coalition.output.briefing import pdf; "
        "from coalition.read.filters import PledgeFilter; "
        "from coalition.output.snapshots import pin_known_at; "
        "from db.engine import create_db_engine, read_session; "
        "e = create_db_engine(sys.argv[1]); s = read_session(e).__enter__(); "
        "sys.stdout.buffer.write(pdf.briefing_pdf(s, PledgeFilter(as_of=date(2025, 9, 30)), "
        "date(2025, 3, 1), pin_known_at(s, '')))"
    )
    made = subprocess.run(
        [sys.executable, "-c", script, database_url],
        capture_output=True,
        check=True,
        cwd=PROJECT_ROOT,
        # The same seed folder (its change log dates the last check of the sources).
        env={
            "PYTHONHASHSEED": "12345",
            "PATH": "/usr/bin:/bin",
            "COALITION_DATA_DIR": str(FIXTURE_DATA),
        },
        timeout=120,
    ).stdout
    assert made == pack(engine)


def test_the_pack_says_what_the_view_says(engine):
    reader, text = read_back(pack(engine))
    assert "As of 30 September 2025" in text
    with read_session(engine) as session:
        known_at = pin_known_at(session, "")
        view = build_view(session, FILTERS)
        targets = queries.targets_frame(session)
        snapshot = build_snapshot(session, FILTERS, known_at)
    headline = view.headline
    # The headline tiles, worded as on the overview (one list of tiles for both).
    for shown in tiles(view):
        assert f"{shown.label.upper()} {shown.value}" in text
        for note in shown.notes:
            assert note in text
    troops = headline.category("troops")
    assert f"PARTICIPANTS {headline.participants}" in text
    # The force gap: known offers against each planning figure stated by then, in troops and
    # %, each figure footnoted to its numbered source.
    gaps = force_gap.force_gap(troops, targets, AS_OF)
    assert list(gaps["name"]) == ["Fixture brigade option"]
    assert "Fixture brigade option [1] 10,000 2025-04-01 9,900 (1% met) 9,900 (1% met)" in text
    assert gaps.iloc[0]["gap_low"] == 9_900
    assert "Known troop offers: ≥ 100 troops, + 1 offer of unknown size, not counted" in text
    # The range stated only later is not in a pack as of before it.
    assert "Fixture planning range" not in text
    # The snapshot CSV of the same view: its pin, and its hash once, on the last page.
    assert snapshot.manifest["known_at"] in text
    assert text.count(snapshot.manifest["sha256"]) == 1
    last = " ".join(reader.pages[-1].extract_text().split())
    assert snapshot.manifest["sha256"] in last
    assert reader.metadata["/Keywords"] == f"snapshot-sha256:{snapshot.manifest['sha256']}"
    # Sources, numbered and in full.
    assert "[1] Fixture planners" in text
    assert "https://example.org/fixture/options" in text
    assert "more sources" not in text


def test_the_pack_names_the_movers_since_the_chosen_day(engine):
    with read_session(engine) as session:
        known_at = pin_known_at(session, "")
        before = build_view(session, replace(FILTERS, as_of=SINCE), known_at)
        after = build_view(session, FILTERS, known_at)
    movers = content.movers(before, after)
    # France's €2bn is the whole funding total; New Zealand's 100 troops the whole troop
    # total; the United Kingdom's new pledges have no published size, so it comes last.
    assert [m.code for m in movers] == ["FRA", "NZL", "GBR"]
    assert movers[0].changes["funding"].text() == "+€2bn"
    assert movers[1].changes["troops"].text() == "+100"
    assert movers[2].changes["troops"].text() == "+1 of unknown size"
    assert movers[2].changes["funding"].text() == ""
    _, text = read_back(pack(engine))
    assert "Top movers since 01 March 2025" in text
    assert "France +€2bn" in text
    assert "+1 of unknown size" in text
    # Nothing changed between two days after the last announcement before the as-of date:
    # an empty section is left out, not printed empty.
    _, text = read_back(pack(engine, since=AS_OF))
    assert "Top movers" not in text


def test_unknown_sizes_are_never_shown_as_zero(engine):
    """The fixture's one aircraft pledge has no published size; with only aircraft chosen
    every figure must say so, never "0 aircraft" or "€0"."""
    filters = replace(FILTERS, categories=("aircraft",))
    _, text = read_back(pack(engine, filters))
    assert "AIRCRAFT 1 participant offers aircraft; no size published." in text
    assert "Announced not published" in text  # the aircraft's row in "Who pledged what"
    assert not re.search(r"(?<![\d,.])0 (aircraft|troops|ships|pledges|offers)", text)
    assert "€0" not in text
    # Troops are not a chosen category: the force gap's section is left out.
    assert "The force gap" not in text
    # Nor a gap measured from nothing: in Europe no troop offer has a published size (New
    # Zealand's 100 is the only one), and the pack says so, with no table of gaps.
    _, text = read_back(pack(engine, replace(FILTERS, regions=("Europe",))))
    assert "No troop offer has a published size (1 offer of unknown size)" in text
    assert "Short of the low end" not in text
    assert "(0% met)" not in text


def test_a_movers_day_outside_the_record_gets_a_clear_message(engine):
    with pytest.raises(ValidationFailed) as later:
        pack(engine, since=AS_OF + timedelta(days=1))
    assert later.value.problems[0].message == (
        "“Changes since” (01 October 2025) is after the as-of date (30 September 2025); "
        "choose a day on or before it."
    )
    with pytest.raises(ValidationFailed) as early:
        pack(engine, since=date(2023, 12, 31))
    assert early.value.problems[0].message == (
        "“Changes since” cannot be before 01 January 2024, the earliest day the record can "
        "show; choose a later day."
    )
    content.check_since(date(2024, 1, 1), AS_OF)  # the earliest day itself is fine


def test_synthetic_data_is_labelled_as_such(database_url):
    generate_synthetic(database_url, 200)
    engine = create_db_engine(database_url)
    try:
        _, text = read_back(pack(engine))
    finally:
        engine.dispose()
    assert "Synthetic data: this database holds generated benchmark pledges" in text
    assert "SYNTHETIC BENCHMARK DATA: not real pledges; do not cite." in text


def test_the_overview_offers_the_briefing_pack(monkeypatch, database_url):
    at = start_app(monkeypatch, database_url).run()
    assert not at.exception
    since = at.text_input(key="briefing_since")
    assert since.label == "Briefing pack: changes since"  # it changes only the PDF
    # Empty: a week before the date shown, which the empty field shows.
    assert since.value == ""
    assert since.placeholder == (date.today() - timedelta(days=7)).isoformat()
    buttons = [b for b in at.get("download_button") if b.proto.label == "Briefing pack (PDF)"]
    assert len(buttons) == 1
    # A day after the date shown gets the message instead of the button.
    since.input((date.today() + timedelta(days=1)).isoformat()).run()
    assert not at.exception
    assert any("is after the as-of date" in e.value for e in at.error)
    assert not [b for b in at.get("download_button") if b.proto.label == "Briefing pack (PDF)"]
    # Emptied, it follows the date shown.
    since.input("").run()
    at.sidebar.text_input(key="filter_as_of").input("2025-09-30").run()
    assert at.text_input(key="briefing_since").placeholder == "2025-09-23"
    assert [b for b in at.get("download_button") if b.proto.label == "Briefing pack (PDF)"]


def test_the_packs_changes_since_comes_from_the_address(monkeypatch, database_url):
    """A shared link to the overview makes the same briefing pack."""
    at = start_app(monkeypatch, database_url)
    at.query_params["briefing_since"] = "2026-01-02"
    at.run()
    assert not at.exception
    assert at.text_input(key="briefing_since").value == "2026-01-02"


def test_the_pack_lists_who_pledged_what_each_row_with_its_source(engine):
    _, text = read_back(pack(engine))
    with read_session(engine) as session:
        briefing = content.gather(session, FILTERS, SINCE, pin_known_at(session, ""))
    table = briefing.table
    # Every pledge of the participants shown on the ladder, and the refusal, by category and
    # highest rung first; a size never published says so, a refusal has none.
    assert table[["participant", "category", "level", "size"]].values.tolist()[:3] == [
        ["United Kingdom", "Funding", "Committed", "up to £1.6bn (guarantee or export credit)"],
        ["France", "Funding", "Announced", "€2bn"],
        ["New Zealand", "Troops", "Committed", "up to 100 troops"],
    ]
    refusal = table[table["level"] == "Ruled out"].iloc[0]
    assert (refusal["participant"], refusal["size"]) == ("Poland", "—")
    assert "Who pledged what" in text
    for row, number in zip(table.itertuples(), briefing.row_sources, strict=True):
        assert f"{row.participant} {row.category} {row.level}" in text
        assert f"[{number}]" in text
    # Every source cited is listed once, numbered in order, in full: none is cut off.
    numbers = [source.number for source in briefing.sources]
    assert numbers == list(range(1, len(numbers) + 1))
    assert sorted(set(briefing.row_sources) | set(briefing.gap_sources)) == numbers
    for source in briefing.sources:
        assert f"[{source.number}] {source.title}" in text
        assert source.url.replace("https://", "") in text.replace(" ", "")


def test_the_pack_says_how_fresh_the_record_is(engine):
    _, text = read_back(pack(engine))
    # As of 30 Sep 2025 the fixture's newest announcement is the French minehunters of
    # 4 Sep 2025: fresh enough, no warning; the fixture has no change log of its checks.
    assert "Newest announcement in the record: 04 September 2025; sources not yet checked." in text
    assert "may be out of date" not in text
    # A year on, with nothing newer, the pack says so plainly.
    _, text = read_back(pack(engine, PledgeFilter(as_of=date(2026, 9, 30)), SINCE))
    assert "Newest announcement in the record: 06 January 2026" in text
    assert "267 days older than the date shown" in text
    assert "these figures may be out of date" in text


def test_each_pledge_row_shows_the_day_it_was_last_verified_as_known_at_the_pin(engine):
    """Each row of "Who pledged what" says when a person last read the pledge against its
    source, as the snapshot of the same pin does: a pack pinned before a check does not show
    it, and a pledge never read says so."""
    with read_session(engine) as session:
        ships = session.exec(select(SeedPledge.pledge_id).where(SeedPledge.seed_key == "fra-ships"))
        ships_id = ships.one()
    with write_session(engine) as session:
        # Recorded by the application alone: nobody read it against its source.
        create_pledge(
            session,
            actor=Actor.for_system("tests"),
            values=pledge(quantity=300, description="A company never read again"),
            reason="bulk load",
        )
    before = datetime.now(UTC)
    with write_session(engine) as session:
        record_checks(
            session, actor=Actor("a@example.org"), pledge_ids=[ships_id], checked_on="2026-05-30"
        )
    after = datetime.now(UTC)

    def pinned(known_at: datetime) -> tuple[str, str]:
        """The pack's text and the snapshot's row of the ships, both pinned to ``known_at``."""
        with read_session(engine) as session:
            _, text = read_back(pdf.briefing_pdf(session, FILTERS, SINCE, known_at))
            csv = build_snapshot(session, FILTERS, known_at).csv.decode()
        return text, next(line for line in csv.split("\r\n") if line.startswith(f"{ships_id},"))

    ships_row = r"France Ships Announced .*? 2025-09-04 \[\d+\] "
    new_row = r"United Kingdom Troops Announced 300 troops 2025-09-04 \[\d+\] "
    text, snapshot_row = pinned(after)
    assert re.search(ships_row + "verified 30 May 2026", text)
    assert snapshot_row.endswith(",2026-05-30")
    assert re.search(new_row + "never verified", text)
    assert "verified 01 Dec 2025" in text  # the seed's check of the other rows
    # Pinned before the re-read: the check the record held then, as its snapshot shows.
    text, snapshot_row = pinned(before)
    assert "30 May 2026" not in text
    assert re.search(ships_row + "verified 01 Dec 2025", text)
    assert snapshot_row.endswith(",2025-12-01")
    assert re.search(new_row + "never verified", text)
