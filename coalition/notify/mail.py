"""The mail server digests go through, named by one setting (COALITION_SMTP_URL):

- ``smtp://host:port``: plain SMTP (port 25 by default), as to a relay on the same network;
- ``smtp+starttls://user:password@host:port``: SMTP upgraded to TLS (port 587 by default);
- ``smtps://user:password@host:port``: TLS from the start (port 465 by default).

A user name and password, when given, are URL-encoded as in any URL. What goes wrong says
which server and why, never the password."""

from __future__ import annotations

import smtplib
import ssl
from contextlib import suppress
from dataclasses import dataclass
from email.message import EmailMessage
from types import TracebackType
from urllib.parse import unquote, urlsplit

from coalition.errors import Problem, ValidationFailed

SETTING = "COALITION_SMTP_URL"
DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class SmtpServer:
    scheme: str
    host: str
    port: int
    username: str | None = None
    password: str | None = None

    def describe(self) -> str:
        """'smtp://mail.example.org:25' (never the password)."""
        return f"{self.scheme}://{self.host}:{self.port}"


def smtp_server(url: str | None) -> SmtpServer:
    """The server the setting names, or ValidationFailed saying what is wrong with it."""
    text = (url or "").strip()
    example = "e.g. smtp://mail.example.org:25 or smtps://user:password@mail.example.org"
    if not text:
        raise ValidationFailed([Problem(SETTING, f"is not set: name the mail server ({example})")])
    # Whatever comes before an @ may hold a password: never shown.
    shown = ("…" + text.rsplit("@", 1)[1] if "@" in text else text)[:80]
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as error:
        raise ValidationFailed([Problem(SETTING, f"'{shown}' is not a URL: {error}")]) from None
    problems = []
    if parts.scheme not in DEFAULT_PORTS:
        problems.append(
            f"'{parts.scheme or shown[:20]}' is not one of: {', '.join(DEFAULT_PORTS)} ({example})"
        )
    if not parts.hostname:
        problems.append(f"'{shown}' names no host ({example})")
    if parts.path not in ("", "/") or parts.query:
        problems.append(f"'{shown}' has a path or query; only the server is named ({example})")
    if problems:
        raise ValidationFailed([Problem(SETTING, message) for message in problems])
    assert parts.hostname is not None  # named above
    return SmtpServer(
        scheme=parts.scheme,
        host=parts.hostname,
        port=port or DEFAULT_PORTS[parts.scheme],
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


class MailFault(Exception):
    """The server could not be used: nothing more can be sent in this run."""


class AddressRefused(Exception):
    """The server refused one message's recipient (the address bounces): the others may go."""


class Mailer:
    """One connection to the server for a run, opened at the first message."""

    def __init__(self, server: SmtpServer):
        self.server = server
        self._connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        server = self.server
        try:
            if server.scheme == "smtps":
                context = ssl.create_default_context()
                connection: smtplib.SMTP = smtplib.SMTP_SSL(
                    server.host, server.port, timeout=TIMEOUT_SECONDS, context=context
                )
            else:
                connection = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT_SECONDS)
                if server.scheme == "smtp+starttls":
                    connection.starttls(context=ssl.create_default_context())
            if server.username:
                connection.login(server.username, server.password or "")
        except (OSError, smtplib.SMTPException) as error:
            raise MailFault(
                f"the mail server {server.describe()} could not be used: {_reason(error)}"
            ) from error
        return connection

    def send(self, message: EmailMessage) -> None:
        """Hand the message to the server: AddressRefused when it refuses the recipient,
        MailFault when it cannot take mail at all."""
        if self._connection is None:
            self._connection = self._connect()
        try:
            self._connection.send_message(message)
        except smtplib.SMTPRecipientsRefused as refused:
            (code, reply), *_ = refused.recipients.values()
            raise AddressRefused(
                f"the mail server refused the address {message['To']}: {code} "
                f"{reply.decode('utf-8', 'replace')}"
            ) from refused
        except (OSError, smtplib.SMTPException) as error:
            self._connection = None
            raise MailFault(
                f"the mail server {self.server.describe()} did not take the message: "
                f"{_reason(error)}"
            ) from error

    def __enter__(self) -> Mailer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._connection is not None:
            # The messages it took are sent: a failed goodbye changes nothing.
            with suppress(OSError, smtplib.SMTPException):
                self._connection.quit()


def _reason(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
        return f"{error.smtp_code} {text}"
    return str(error) or type(error).__name__
