"""Display names: the public name an account may give itself ("Baltic desk"), which histories
show instead of its staff id (coalition.access.privacy)."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from coalition.access import audit
from coalition.access.auth import SYSTEM_NAMES, Actor, existing_account, require_role
from coalition.errors import Problem, ValidationFailed
from coalition.text.checks import check_text
from db.models import UserAccount

MAX_DISPLAY_NAME = 60


def set_display_name(session: Session, *, actor: Actor, name: str) -> str | None:
    """Name one's own account for colleagues ("Baltic desk"); blank clears it. A name is
    never an email, never a staff id's form or a system actor's name, and one account's.
    Returns the name now set."""
    require_role(session, actor, audit.DisplayNameSet)
    account = existing_account(session, actor.email)
    wanted = " ".join(name.split()) or None
    if wanted is not None:
        _check_display_name(session, wanted, account)
    previous, account.display_name = account.display_name, wanted
    try:
        session.flush()
    except IntegrityError:  # taken by another account since it was checked
        raise ValidationFailed(
            [Problem("display_name", f"'{wanted}' is another account's display name")]
        ) from None
    if previous != wanted:
        audit.record(
            session,
            actor=actor.email,
            event=audit.DisplayNameSet(email=account.email, previous=previous, display_name=wanted),
        )
    session.flush()
    return wanted


def _check_display_name(session: Session, name: str, account: UserAccount) -> None:
    def refuse(message: str) -> None:
        raise ValidationFailed([Problem("display_name", message)])

    if problem := check_text("display_name", name):
        raise ValidationFailed([problem])
    if len(name) > MAX_DISPLAY_NAME:
        refuse(f"is {len(name)} characters; at most {MAX_DISPLAY_NAME}")
    if "@" in name:
        refuse("may not hold '@': a display name is never an email address")
    if name.casefold().startswith("staff-") or name.casefold() in SYSTEM_NAMES:
        refuse(f"'{name}' is how the application names others; choose another")
    taken = session.exec(
        select(UserAccount.display_name).where(
            col(UserAccount.display_name).is_not(None), UserAccount.id != account.id
        )
    ).all()
    if any(other and other.casefold() == name.casefold() for other in taken):
        refuse(f"'{name}' is another account's display name; choose another")
