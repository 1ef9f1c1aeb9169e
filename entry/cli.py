"""Command line: ``python -m coalition --help``."""

from __future__ import annotations

import argparse
import getpass
import sys
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from sqlmodel import Session

from coalition.access import auth, tokens
from coalition.access.auth import Actor
from coalition.bootstrap import open_database
from coalition.errors import Problem, ValidationFailed
from coalition.output.snapshots import build_snapshot, log_snapshot, pin_known_at
from coalition.read.filters import MEMBERSHIPS, PledgeFilter
from coalition.read.review import REVIEW_DAYS, review_due
from coalition.seed.load import load_seed
from coalition.write.import_file import MAX_FILE_BYTES, too_large
from coalition.write.importer import APPLY, DROP, commit_import, preview_import
from core import clock
from core.settings import Settings
from core.vocabulary import CATEGORIES, ROLES, SCOPES, STATUSES
from db.backup import backup_sqlite
from db.engine import DatabaseFault, create_db_engine, read_session, write_session

# Control, format and separator characters: a terminal would run them (an escape sequence
# retitles it or rewrites what it shows) or break a line of a listing there.
UNPRINTED = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def shown(text: object) -> str:
    """Stored or uploaded text as it is printed: every character a terminal would act on
    escaped (\\x1b, \\n, \\u200b), since rows stored before such text was refused may hold
    it."""
    return "".join(
        c.encode("unicode_escape").decode("ascii") if unicodedata.category(c) in UNPRINTED else c
        for c in str(text)
    )


def _print_problems(error: ValidationFailed) -> None:
    print(f"{len(error.problems)} problem(s) found; nothing was written:", file=sys.stderr)
    for problem in error.problems:
        print(f"  - {shown(problem)}", file=sys.stderr)


def cmd_init(args: argparse.Namespace, settings: Settings) -> int:
    engine, result = open_database(settings, args.data_dir)
    engine.dispose()
    print(f"Database ready ({result.outcome}): {engine.url.render_as_string(hide_password=True)}")
    return 0


def cmd_check_seed(args: argparse.Namespace, settings: Settings) -> int:
    bundle = load_seed(args.data_dir or settings.data_dir)
    print(
        f"Seed files are valid: {len(bundle.participants)} participants, "
        f"{len(bundle.pledges)} pledges, {len(bundle.events)} meetings, "
        f"{len(bundle.targets)} targets, {len(bundle.exchange_rates)} exchange rates."
    )
    return 0


def _read_password() -> str:
    """From a prompt when typing at a terminal, else one line of standard input; never from
    the command line, where it would land in shell history and process lists."""
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ", stream=sys.stderr)
        if first != getpass.getpass("Repeat it: ", stream=sys.stderr):
            raise ValidationFailed([Problem("password", "the two entries differ")])
        return first
    return sys.stdin.readline().rstrip("\r\n")


def _cli_actor() -> Actor:
    # Its name is stored as who recorded a row, which viewers read: the server's login stays
    # out of it.
    return Actor.for_system("command line")


def cmd_users(args: argparse.Namespace, settings: Settings) -> int:
    engine = create_db_engine(settings.database_url)
    actor = _cli_actor()
    try:
        with write_session(engine) as session:
            if args.users_command == "list":
                for account in auth.list_accounts(session):
                    state = "disabled" if account["disabled"] else "active"
                    kind = "password" if account["local_password"] else "identity provider only"
                    print(f"{shown(account['email'])}\t{account['role']}\t{state}\t{kind}")
                return 0
            if args.users_command == "add":
                password = None if args.no_password else _read_password()
                auth.add_account(
                    session, actor=actor, email=args.email, role=args.role, password=password
                )
            elif args.users_command == "set-role":
                auth.set_role(session, actor=actor, email=args.email, role=args.role)
            elif args.users_command in ("disable", "enable"):
                auth.set_disabled(
                    session, actor=actor, email=args.email, disabled=args.users_command == "disable"
                )
            elif args.users_command == "set-password":
                auth.set_password(session, actor=actor, email=args.email, password=_read_password())
            elif args.users_command == "sign-out-everywhere":
                ended = auth.sign_out_everywhere(session, actor=actor, email=args.email)
                print(f"Ended {ended} session(s).")
            elif args.users_command == "unlock":
                cleared = auth.unlock(session, actor=actor, email=args.email)
                print(f"Cleared {cleared} failed sign-in(s).")
            elif args.users_command == "unlock-address":
                cleared = auth.unlock_address(session, actor=actor, address=args.address)
                print(f"Cleared {cleared} failed sign-in(s) from {args.address}.")
                return 0
    finally:
        engine.dispose()
    print(f"Done: {args.users_command} {args.email}")
    return 0


def cmd_tokens(args: argparse.Namespace, settings: Settings) -> int:
    engine = create_db_engine(settings.database_url)
    try:
        with write_session(engine) as session:
            if args.tokens_command == "create":
                kind = "feed" if args.feed else "api"
                token = tokens.create_token(
                    session, actor=_cli_actor(), email=args.email, name=args.name, kind=kind
                )
                print(token)  # the only time it is shown
                print("Shown once: keep it like a password.", file=sys.stderr)
                if args.feed:
                    print(
                        "It reads the changes feed only: add it to the feed's address as "
                        "&key=... (/api/v1/changes.atom?category=troops&key=...).",
                        file=sys.stderr,
                    )
            elif args.tokens_command == "list":
                for t in tokens.tokens_of(session, args.email):
                    state = "revoked" if t["revoked"] else "active"
                    used = t["last_used_at"] or "-"
                    print(f"{t['id']}\t{t['kind']}\t{shown(t['name'])}\t{state}\tlast used {used}")
            else:
                tokens.revoke_token(session, actor=_cli_actor(), token_id=args.id)
                print(f"Revoked token {args.id}.")
    finally:
        engine.dispose()
    return 0


@contextmanager
def _database(settings: Settings, *, write: bool = False) -> Iterator[Session]:
    """One session on the configured database, its engine closed afterwards: a command runs
    once and leaves no connection behind."""
    engine = create_db_engine(settings.database_url)
    try:
        with (write_session if write else read_session)(engine) as session:
            yield session
    finally:
        engine.dispose()


def cmd_review_due(args: argparse.Namespace, settings: Settings) -> int:
    with _database(settings) as session:
        due = review_due(session, args.days)
    today = clock.today()
    for row in due:
        age = row.age(today)
        when = "never checked" if row.checked_on is None else f"{row.checked_on} ({age} days)"
        print(f"{row.table}\t{shown(row.key)}\t{when}\t{shown(row.label)[:80]}")
    print(
        f"{len(due)} row(s) not read against their sources in the last {args.days} days.",
        file=sys.stderr,
    )
    return 0


def cmd_mark_checked(args: argparse.Namespace, settings: Settings) -> int:
    from coalition.write.checks import pledge_ids_named, record_checks

    with _database(settings, write=True) as session:
        ids = pledge_ids_named(session, args.pledges)
        count = record_checks(session, actor=_cli_actor(), pledge_ids=ids, checked_on=args.on)
    print(f"Recorded {count} check(s) on {args.on or clock.today()}.")
    return 0


def cmd_digest(args: argparse.Namespace, settings: Settings) -> int:
    from coalition.notify.digest import send_digests  # the mail modules, only when mailing

    engine = create_db_engine(settings.database_url)
    try:
        report = send_digests(engine, settings, every=args.every, progress=print)
    finally:
        engine.dispose()
    print(
        f"Sent {len(report.sent)} digest(s); {len(report.quiet)} had nothing new (nothing "
        f"sent); {report.not_due} not yet due; {len(report.failed)} failed."
    )
    for failure in report.failed:
        print(f"  - not sent, and left to the next run: {shown(failure)}", file=sys.stderr)
    return 1 if report.failed else 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    filters = PledgeFilter(
        categories=tuple(args.category or ()),
        statuses=tuple(args.status or ()),
        regions=tuple(args.region or ()),
        memberships=tuple(args.membership or ()),
        as_of=args.as_of,
        # Like the other filters, none given means all: the record in full.
        scopes=tuple(args.scope or ()),
    )
    engine = create_db_engine(settings.database_url)
    try:
        with write_session(engine) as session:
            # Checked as the API and the page check it (a bad or future time is a problem).
            known_at = pin_known_at(session, args.known_at) if args.known_at else clock.now()
            snapshot = build_snapshot(
                session, filters=filters, known_at=known_at, excel_bom=args.excel_bom
            )
            log_snapshot(session, actor=_cli_actor().email, snapshot=snapshot)
    finally:
        engine.dispose()
    args.out.write_bytes(snapshot.csv)
    manifest_path = args.manifest or args.out.with_name(args.out.name + ".manifest.json")
    manifest_path.write_bytes(snapshot.manifest_json)
    print(
        f"Wrote {snapshot.manifest['rows']} pledges to {args.out} "
        f"(sha256 {snapshot.manifest['sha256']}); manifest: {manifest_path}"
    )
    return 0


def _print_conflicts(preview) -> None:
    for row in preview.conflicts:
        changed = ", ".join(
            f"{name}: file {row.changes[name]!r}, now {row.current[name]!r}" for name in row.changes
        )
        who = "; ".join(f"v{s['version']} by {s['by']} ({s['reason']})" for s in row.since)
        print(
            f"  row {row.line}: pledge {row.pledge_id} changed since version {row.version} "
            f"({shown(who)}). {shown(changed)}",
            file=sys.stderr,
        )


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    size = args.file.stat().st_size
    if size > MAX_FILE_BYTES:  # refused before a byte of it is read
        raise ValidationFailed([Problem("file", too_large(size), file=args.file.name)])
    data = args.file.read_bytes()
    resolutions = {}
    preview = None
    engine = create_db_engine(settings.database_url)
    try:
        if args.dry_run:
            with read_session(engine) as session:
                preview = preview_import(session, data)
            if preview.problems:
                raise ValidationFailed(preview.problems)
            print(
                f"Dry run: {preview.count('new')} new, {preview.count('changed')} changed, "
                f"{preview.count('unchanged')} unchanged, {preview.count('conflict')} in "
                "conflict; nothing was written."
            )
            _print_conflicts(preview)
            return 0
        if args.conflicts:
            with read_session(engine) as session:
                preview = preview_import(session, data)
            resolutions = {row.line: args.conflicts for row in preview.conflicts}

        def report(done: int, total: int) -> None:
            if done == 1 or done % 500 == 0 or done == total:
                print(f"importing {done}/{total}", flush=True)

        with write_session(engine) as session:
            summary = commit_import(
                session,
                actor=_cli_actor(),
                data=data,
                reason=args.reason,
                resolutions=resolutions,
                preview=preview,
                progress=report,
            )
    finally:
        engine.dispose()
    print(
        f"Imported batch {summary['batch_id']}: {summary['new']} new, {summary['changed']} "
        f"changed, {summary['unchanged']} unchanged."
    )
    return 0


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    engine = create_db_engine(settings.database_url)
    try:
        backup_sqlite(engine, args.out)
    except NotImplementedError as error:
        print(str(error), file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print(f"Backed up the database to {args.out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m coalition",
        description="Coalition Tracker administration. The database is chosen by DATABASE_URL "
        "(default: a SQLite file under instance/).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    init = commands.add_parser(
        "init", help="upgrade the schema to the newest version and seed an empty database"
    )
    init.add_argument("--data-dir", type=Path, help="seed files folder (default: data/)")
    init.set_defaults(handler=cmd_init)
    check = commands.add_parser(
        "check-seed", help="validate the seed files without touching any database"
    )
    check.add_argument("--data-dir", type=Path, help="seed files folder (default: data/)")
    check.set_defaults(handler=cmd_check_seed)

    export = commands.add_parser(
        "export", help="write a citable CSV snapshot of the pledges, with its manifest"
    )
    export.add_argument("--out", type=Path, required=True, help="CSV file to write")
    export.add_argument("--manifest", type=Path, help="default: OUT.manifest.json")
    export.add_argument(
        "--as-of", type=date.fromisoformat, help="the day whose record to show (YYYY-MM-DD)"
    )
    export.add_argument(
        "--known-at",
        help="only what was recorded by this time (ISO 8601; default now). Copy it from a "
        "manifest to issue the identical file again",
    )
    export.add_argument("--category", action="append", choices=CATEGORIES)
    export.add_argument("--status", action="append", choices=STATUSES)
    export.add_argument("--region", action="append")
    export.add_argument("--membership", action="append", choices=MEMBERSHIPS)
    export.add_argument(
        "--scope",
        action="append",
        choices=SCOPES,
        help="reassurance_force, coalition_support or bilateral (default: all)",
    )
    export.add_argument(
        "--excel-bom", action="store_true", help="start with a UTF-8 byte-order mark for Excel"
    )
    export.set_defaults(handler=cmd_export)

    review = commands.add_parser(
        "review-due",
        help="list the rows not read against their sources for N days (or never), oldest first",
    )
    review.add_argument("--days", type=_days, default=REVIEW_DAYS, help=f"default: {REVIEW_DAYS}")
    review.set_defaults(handler=cmd_review_due)
    mark = commands.add_parser(
        "mark-checked",
        help="record that pledges were read against their sources and found unchanged",
    )
    mark.add_argument("pledges", nargs="+", help="seed keys or pledge numbers")
    mark.add_argument("--on", help="the day they were read (YYYY-MM-DD; default today)")
    mark.set_defaults(handler=cmd_mark_checked)

    importer = commands.add_parser(
        "import", help="import pledges from a CSV file (the snapshot format), all or nothing"
    )
    importer.add_argument("file", type=Path)
    importer.add_argument("--reason", default="", help="why (e.g. where the file comes from)")
    importer.add_argument(
        "--conflicts",
        choices=(APPLY, DROP),
        help="for rows that start from a version someone has changed since: apply the row's "
        "own changes on top of the current version, or drop those rows (default: stop and "
        "list them; --dry-run lists them too)",
    )
    importer.add_argument(
        "--dry-run", action="store_true", help="check and count only; write nothing"
    )
    importer.set_defaults(handler=cmd_import)

    backup = commands.add_parser(
        "backup", help="write a consistent copy of the SQLite database (PostgreSQL: pg_dump)"
    )
    backup.add_argument("out", type=Path)
    backup.set_defaults(handler=cmd_backup)

    token_parser = commands.add_parser(
        "tokens", help="personal API tokens for the read-only HTTP endpoints"
    )
    token_parser.set_defaults(handler=cmd_tokens)
    token_commands = token_parser.add_subparsers(
        dest="tokens_command", required=True, metavar="ACTION"
    )
    create = token_commands.add_parser("create", help="make a token (printed once)")
    create.add_argument("email")
    create.add_argument("--name", required=True, help="what it is for")
    create.add_argument(
        "--feed",
        action="store_true",
        help="a feed's key: it reads the changes feed only, from the feed's address",
    )
    token_commands.add_parser("list", help="an account's tokens").add_argument("email")
    token_commands.add_parser("revoke", help="revoke a token").add_argument("id", type=int)

    digest = commands.add_parser("digest", help="email digests of what changed")
    digest.set_defaults(handler=cmd_digest)
    digest_commands = digest.add_subparsers(dest="digest_command", required=True, metavar="ACTION")
    send = digest_commands.add_parser(
        "send",
        help="mail the digests that are due through COALITION_SMTP_URL (run it from cron); "
        "exits 1 when any could not be sent (they stay due)",
    )
    send.add_argument(
        "--every",
        action="store_true",
        help="send every subscription's digest now, due or not (e.g. to try the setup)",
    )

    users = commands.add_parser("users", help="manage accounts and roles")
    users.set_defaults(handler=cmd_users)
    user_commands = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    add = user_commands.add_parser(
        "add", help="add an account; the password is read from a prompt or standard input"
    )
    add.add_argument("email")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument(
        "--no-password",
        action="store_true",
        help="no local password: the account signs in through the identity provider only",
    )
    set_role = user_commands.add_parser("set-role", help="change an account's role")
    set_role.add_argument("email")
    set_role.add_argument("role", choices=ROLES)
    for name, text in (
        ("disable", "stop an account from signing in and writing"),
        ("enable", "let a disabled account sign in again"),
        ("set-password", "set a new password, read from a prompt or standard input"),
        ("sign-out-everywhere", "end every signed-in session of an account"),
        ("unlock", "clear an account's recent failed sign-ins, so their delays end now"),
    ):
        user_commands.add_parser(name, help=text).add_argument("email")
    user_commands.add_parser(
        "unlock-address",
        help="clear the recent failed sign-ins from one client address (whatever accounts "
        "they named), so its delay ends now",
    ).add_argument("address")
    user_commands.add_parser("list", help="list accounts (never their password hashes)")
    return parser


def _days(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of days (1 or more)")
    return int(text)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings.from_env()
    try:
        return args.handler(args, settings)
    except ValidationFailed as error:
        _print_problems(error)
        return 2
    except auth.PermissionDenied as error:
        print(f"Refused: {error}", file=sys.stderr)
        return 3
    except DatabaseFault as fault:
        print(f"The database could not be used: {fault}. Nothing was written.", file=sys.stderr)
        return 2
    except OSError as error:  # a file that cannot be read or written
        print(f"{error.strerror or error}: {error.filename or ''}", file=sys.stderr)
        return 2
