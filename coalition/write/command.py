"""Use cases as commands: each finds every problem with what it was given without writing
(``validate``), and ``run`` checks the actor's role, validates, and writes, or raises once
with every problem. The kind of audit entry a command makes names the role it needs."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, ClassVar, Concatenate, Generic, ParamSpec, TypeVar

from sqlmodel import Session

from coalition.access import audit
from coalition.access.auth import Actor, require_role
from coalition.errors import Problem, ValidationFailed

T = TypeVar("T")
P = ParamSpec("P")


@dataclass(kw_only=True)
class Command(ABC, Generic[T]):
    """A use case: what it was given are its fields; the kind of audit entry it makes is
    ``event``."""

    event: ClassVar[type[audit.Event]]
    actor: Actor

    def action_names(self) -> dict[str, Any]:
        """What names this command's action ("reference.{table}.update"), if anything."""
        return {}

    @abstractmethod
    def validate(self, session: Session) -> list[Problem]:
        """Every problem with what was given, against the record as it stands; writes
        nothing."""

    @abstractmethod
    def write(self, session: Session) -> T:
        """Write what was validated, in the caller's transaction."""

    def run(self, session: Session) -> T:
        require_role(session, self.actor, self.event, **self.action_names())
        if problems := self.validate(session):
            raise ValidationFailed(problems)
        return self.write(session)


def runner(command: Callable[P, Command[T]]) -> Callable[Concatenate[Session, P], T]:
    """The command as one call: ``runner(CreatePledges)(session, actor=..., ...)`` makes the
    command from the keywords and runs it in ``session``, type-checked against its fields."""

    @wraps(command)
    def run(session: Session, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return command(*args, **kwargs).run(session)

    return run
