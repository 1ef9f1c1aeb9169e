"""Email digests of What changed: ``python -m coalition digest send`` (from cron) mails each
account whose day or week has passed the changes recorded since its last digest, for the
participants and categories it follows, with one link to What changed for that period and a
link that unsubscribes without signing in.

Nothing is sent when nothing changed. A digest moves its subscription's ``sent_until`` on
only once the mail server has taken it, so one that fails (a server down, an address that
bounces) is covered again, whole, by the next run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from html import escape
from urllib.parse import urlencode, urlsplit

import pandas as pd
from sqlalchemy import Engine, update
from sqlmodel import Session, col

from coalition.errors import Problem, ValidationFailed
from coalition.notify.mail import AddressRefused, Mailer, MailFault, SmtpServer, smtp_server
from coalition.notify.subscriptions import Subscription, all_subscriptions, unsubscribe_token
from coalition.output.feed import changes_link, entry_html, entry_title
from coalition.read import changes
from core import clock
from core.settings import Settings
from db.engine import read_session, write_session
from db.models import DigestSubscription

# How many whole days after the last digest the next is due.
DUE_AFTER_DAYS = {"daily": 1, "weekly": 7}
UNSUBSCRIBE_PATH = "/digest/unsubscribe"


@dataclass(frozen=True)
class MailSettings:
    server: SmtpServer
    base_url: str
    sender: str


def mail_settings(settings: Settings) -> MailSettings:
    """What sending needs, or ValidationFailed naming each setting that is missing or wrong."""
    problems: list[Problem] = []
    server = None
    try:
        server = smtp_server(settings.smtp_url)
    except ValidationFailed as failure:
        problems += failure.problems
    if settings.base_url is None:
        problems.append(
            Problem(
                "COALITION_BASE_URL",
                "is not set: digests link to the app, e.g. https://tracker.example.org",
            )
        )
    if problems:
        raise ValidationFailed(problems)
    assert server is not None and settings.base_url is not None  # named above
    host = urlsplit(settings.base_url).hostname or "localhost"
    sender = settings.mail_from or f"Coalition Tracker <coalition-tracker@{host}>"
    return MailSettings(server, settings.base_url, sender)


def is_due(subscription: Subscription, now: datetime) -> bool:
    days = (now.date() - subscription.sent_until.date()).days
    return days >= DUE_AFTER_DAYS[subscription.frequency]


def period_of(subscription: Subscription, until: datetime) -> changes.Period:
    """The days What changed shows for a digest (recorded from its start to its end)."""
    return changes.Period(subscription.sent_until.date(), until.date(), changes.BY_RECORDED)


def digest_changes(session: Session, subscription: Subscription, until: datetime) -> pd.DataFrame:
    """The changes a digest tells: those recorded from ``sent_until`` up to ``until``, and
    the meetings held on the days from its first to the day before its last (the next digest
    takes that day's), for the participants and categories followed."""
    period = period_of(subscription, until)
    found = changes.changes_between(
        session,
        subscription.filters,
        period.start,
        period.end,
        changes.BY_RECORDED,
        participants=subscription.participants,
    )
    meeting = found["kind"] == changes.MEETING
    recorded = pd.to_datetime(found["recorded_at"], utc=True)
    in_time = (recorded >= subscription.sent_until) & (recorded < until)
    held = found["effective_on"].map(lambda day: period.start <= day < until.date())
    keep = (meeting & held.astype(bool)) | (~meeting & in_time.fillna(False))
    return found[keep & (found["kind"] != changes.INITIAL)].reset_index(drop=True)


def _text_entry(change: dict) -> str:
    lines = [entry_title(change), f"  {change['what_changed']}"]
    if change["kind"] != changes.MEETING:
        recorded = pd.Timestamp(change["recorded_at"]).tz_convert("UTC")
        lines.append(
            f"  In effect from {change['effective_on']:%d %b %Y}; recorded "
            f"{recorded:%d %b %Y %H:%M} UTC by {change['actor']} ({change['role']})"
        )
        if change["reason"]:
            lines.append(f"  Why: {change['reason']}")
    if change["source_url"]:
        lines.append(f"  Source: {change['source_title']} <{change['source_url']}>")
    return "\n".join(lines)


def compose(
    subscription: Subscription,
    found: pd.DataFrame,
    until: datetime,
    mail: MailSettings,
    unsubscribe_url: str,
) -> EmailMessage:
    """The digest as a message: plain text and HTML, one link to What changed for its period,
    and the unsubscribe link (also as List-Unsubscribe, for one-click unsubscribing)."""
    period = period_of(subscription, until)
    link = changes_link(mail.base_url, period, subscription.filters, subscription.participants)
    account = f"{mail.base_url}/account"
    rows = found.to_dict("records")
    count = f"{len(rows)} change{'' if len(rows) == 1 else 's'}"
    message = EmailMessage()
    message["Subject"] = f"What changed: {count} for {subscription.describe()}"
    message["From"] = mail.sender
    message["To"] = subscription.email
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = make_msgid(domain=urlsplit(mail.base_url).hostname or "localhost")
    message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    heading = f"{count} for {subscription.describe()}, recorded between {period.describe()} (UTC)."
    footer = (
        f"You get this {subscription.frequency} digest as you follow "
        f"{subscription.describe()}. Change it on Your account: {account}"
    )
    text = "\n\n".join(
        [
            heading,
            *(_text_entry(row) for row in rows),
            f"See them in the app: {link}",
            footer,
            f"Unsubscribe (no sign-in needed): {unsubscribe_url}",
        ]
    )
    message.set_content(text + "\n")
    html = "".join(
        [
            f"<p>{escape(heading)}</p>",
            *(f"<h3>{escape(entry_title(row))}</h3>{entry_html(row)}" for row in rows),
            f'<p><a href="{escape(link)}">See them in the app</a></p>',
            f"<p><small>{escape(footer)}<br>",
            f'<a href="{escape(unsubscribe_url)}">Unsubscribe</a> (no sign-in needed)',
            "</small></p>",
        ]
    )
    message.add_alternative(f"<html><body>{html}</body></html>", subtype="html")
    return message


def unsubscribe_url(base_url: str, subscription_id: int, token: str) -> str:
    return f"{base_url}{UNSUBSCRIBE_PATH}?{urlencode({'s': subscription_id, 't': token})}"


@dataclass
class Report:
    """What a run did, one line per account it concerned."""

    sent: list[str] = field(default_factory=list)
    quiet: list[str] = field(default_factory=list)  # nothing changed: nothing sent
    failed: list[str] = field(default_factory=list)
    not_due: int = 0


def _covered(engine: Engine, subscription: Subscription, until: datetime) -> None:
    """The period is told: the next digest starts where this one ended. Only while the
    subscription is the one this run read (a resubscription meanwhile starts afresh)."""
    with write_session(engine) as session:
        session.execute(
            update(DigestSubscription)
            .where(
                col(DigestSubscription.id) == subscription.id,
                col(DigestSubscription.sent_until) == subscription.sent_until,
            )
            .values(sent_until=until, failed_at=None, failure=None)
        )


def _failed(engine: Engine, subscription: Subscription, reason: str) -> None:
    with write_session(engine) as session:
        session.execute(
            update(DigestSubscription)
            .where(col(DigestSubscription.id) == subscription.id)
            .values(failed_at=clock.now(), failure=reason[:500])
        )


def send_digests(
    engine: Engine,
    settings: Settings,
    *,
    every: bool = False,
    progress: Callable[[str], object] = lambda _: None,
) -> Report:
    """Send every digest that is due (``every``: all of them, due or not, e.g. to try the
    setup). A server that cannot be used stops the run: the digests not sent stay due."""
    mail = mail_settings(settings)
    report = Report()
    with read_session(engine) as session:
        subscriptions = all_subscriptions(session)
    with Mailer(mail.server) as mailer:
        for subscription in subscriptions:
            until = clock.now()
            if not every and not is_due(subscription, until):
                report.not_due += 1
                continue
            with read_session(engine) as session:
                found = digest_changes(session, subscription, until)
                token = unsubscribe_token(session, subscription.id, subscription.email)
            if found.empty:
                _covered(engine, subscription, until)
                report.quiet.append(subscription.email)
                continue
            url = unsubscribe_url(mail.base_url, subscription.id, token)
            try:
                mailer.send(compose(subscription, found, until, mail, url))
            except AddressRefused as refused:
                _failed(engine, subscription, str(refused))
                report.failed.append(f"{subscription.email}: {refused}")
                continue
            except MailFault as fault:
                _failed(engine, subscription, str(fault))
                report.failed.append(f"{subscription.email}: {fault}")
                break
            _covered(engine, subscription, until)
            report.sent.append(subscription.email)
            progress(f"sent {len(found)} change(s) to {subscription.email}")
    return report
