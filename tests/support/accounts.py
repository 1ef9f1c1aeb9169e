"""The accounts every seeded test database has, and how they are added."""

from __future__ import annotations

from sqlalchemy import Engine

from coalition.access.auth import Actor, add_account, find_account
from db.engine import write_session

# Accounts every seeded test database has: editors, and one admin.
EDITORS = (
    "a@example.org",
    "b@example.org",
    "c@example.org",
    "e@example.org",
    *(f"editor{n}@example.org" for n in range(8)),
)
ADMIN = "admin@example.org"
VIEWER = "viewer@example.org"


# Accounts with a local password, for the sign-in tests.
PASSWORD = "correct horse battery staple"
LOCAL_EDITOR = "editor@example.org"


def add_accounts(engine: Engine) -> None:
    """The test accounts, those the database does not hold yet."""
    bootstrap = Actor.for_system("tests")
    wanted = [
        *((email, "editor", None) for email in EDITORS),
        (ADMIN, "admin", PASSWORD),
        (VIEWER, "viewer", PASSWORD),
        (LOCAL_EDITOR, "editor", PASSWORD),
    ]
    with write_session(engine) as session:
        for email, role, password in wanted:
            if find_account(session, email) is None:
                add_account(session, actor=bootstrap, email=email, role=role, password=password)
