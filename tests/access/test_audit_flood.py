"""Requests nobody signed can make audit entries (a refused sign-in, a cross-site post, an API
call without a token); none may grow the log without bound or bury the real entries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import col, select

from coalition.access import audit, flood
from core.clock import fixed_at
from db.engine import read_session, write_session
from db.models import AuditEvent

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def refuse_cross_site(engine, origin: str = "https://elsewhere.example") -> None:
    with write_session(engine) as session:
        audit.record(
            session,
            actor="anonymous",
            event=audit.CrossSiteRefused(path="/auth/sign-in", origin=origin),
        )


def entries(engine, action: str) -> list[AuditEvent]:
    with read_session(engine) as session:
        return list(
            session.exec(
                select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))
            ).all()
        )


def test_text_from_an_unsigned_request_is_clipped(engine):
    refuse_cross_site(engine, origin="https://" + "x" * 60_000)
    (entry,) = entries(engine, "auth.cross_site_refused")
    origin = entry.details["origin"]
    assert origin.startswith("https://xxxx") and origin.endswith("(60,008 characters in all)")
    assert len(origin) < flood.MAX_UNAUTHENTICATED_TEXT + 40


def test_a_flood_is_counted_not_written_and_the_count_is_written_after(engine):
    limit = flood.FLOOD_GATE.limit
    with fixed_at(START):
        for _ in range(limit + 70):
            refuse_cross_site(engine)
    assert len(entries(engine, "auth.cross_site_refused")) == limit
    assert entries(engine, "flood.not_recorded") == []
    # A minute on, the next refusal is written, after one entry saying how many were not.
    with fixed_at(START + flood.FLOOD_GATE.window + timedelta(seconds=1)):
        refuse_cross_site(engine)
    assert len(entries(engine, "auth.cross_site_refused")) == limit + 1
    (summary,) = entries(engine, "flood.not_recorded")
    assert summary.details == {
        "kind": "auth.cross_site_refused",
        "count": 70,
        "since": "2026-12-01T09:00:00+00:00",
        "until": "2026-12-01T09:01:01+00:00",
    }
    assert audit.group_of(summary.action) == "Refusals counted, not listed (floods)"


def test_the_bound_is_per_kind_and_leaves_signed_in_work_alone(engine):
    with fixed_at(START):
        for _ in range(flood.FLOOD_GATE.limit + 5):
            refuse_cross_site(engine)
        with write_session(engine) as session:
            audit.record(session, actor="anonymous", event=audit.ApiRefused(reason="no token"))
            for n in range(flood.FLOOD_GATE.limit + 5):
                audit.record(
                    session,
                    actor="editor@example.org",
                    event=audit.WriteRefused(
                        attempted=f"reference.{n}", role="viewer", required="admin"
                    ),
                )
    assert len(entries(engine, "api.refused")) == 1
    assert len(entries(engine, "write.refused")) == flood.FLOOD_GATE.limit + 5
