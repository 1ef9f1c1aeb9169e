"""Command line: ``python -m coalition --help``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from coalition.bootstrap import initialise_database
from coalition.errors import ValidationFailed
from coalition.seed import load_seed
from coalition.settings import Settings
from db.engine import create_db_engine


def _print_problems(error: ValidationFailed) -> None:
    print(f"{len(error.problems)} problem(s) found; nothing was written:", file=sys.stderr)
    for problem in error.problems:
        print(f"  - {problem}", file=sys.stderr)


def cmd_init(args: argparse.Namespace, settings: Settings) -> int:
    engine = create_db_engine(settings.database_url)
    try:
        outcome = initialise_database(engine, args.data_dir or settings.data_dir)
    finally:
        engine.dispose()
    print(f"Database ready ({outcome}): {engine.url.render_as_string(hide_password=True)}")
    return 0


def cmd_check_seed(args: argparse.Namespace, settings: Settings) -> int:
    bundle = load_seed(args.data_dir or settings.data_dir)
    print(
        f"Seed files are valid: {len(bundle.participants)} participants, "
        f"{len(bundle.pledges)} pledges, {len(bundle.events)} meetings, "
        f"{len(bundle.targets)} targets, {len(bundle.exchange_rates)} exchange rates."
    )
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings.from_env()
    try:
        return args.handler(args, settings)
    except ValidationFailed as error:
        _print_problems(error)
        return 2
