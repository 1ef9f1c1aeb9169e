"""The benchmark data generator: labelled synthetic data, and the app says so."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select

from bench.generate import generate
from coalition.queries import SYNTHETIC_SOURCE
from db.engine import create_db_engine, read_session
from db.models import Pledge, PledgeRevision
from tests.test_app import start_app


def test_generated_pledges_are_labelled_and_the_app_warns(monkeypatch, sqlite_url):
    generate(sqlite_url, 1_000)
    engine = create_db_engine(sqlite_url)
    with read_session(engine) as session:
        synthetic = session.exec(
            select(func.count()).select_from(Pledge).where(Pledge.source_title == SYNTHETIC_SOURCE)
        ).one()
        revisions = session.exec(
            select(func.count())
            .select_from(PledgeRevision)
            .where(PledgeRevision.source_title == SYNTHETIC_SOURCE)
        ).one()
    engine.dispose()
    assert (synthetic, revisions) == (100, 1_000)
    at = start_app(monkeypatch, sqlite_url).run()
    assert any("synthetic benchmark data" in w.value for w in at.warning)


def test_the_seeded_app_shows_no_synthetic_warning(monkeypatch, sqlite_url):
    at = start_app(monkeypatch, sqlite_url).run()
    assert not any("synthetic" in w.value for w in at.warning)
