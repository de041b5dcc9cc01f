"""`moviebot` / `python -m bot`: read the settings, set up logging, poll Telegram.

`moviebot backup PATH` writes a consistent copy of the database while the bot may run;
`moviebot restore PATH` puts one back while the bot is stopped (see bot.storage.backup).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import load_dotenv

from bot.config import ConfigError, Settings, database_location
from bot.logs import setup_logging

log = logging.getLogger("bot")

EXIT_CONFIG = 2
EXIT_FAILED = 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run the bot until interrupted; 2 on a configuration error, 1 when start-up fails.
    With a command (backup, restore): run it instead, 0 when done, 1 when refused or failed."""
    command = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    # An optional .env in the working directory; real environment variables win.
    load_dotenv(Path.cwd() / ".env")
    if command.command is not None:
        return database_command(command.command, command.path)
    # Fold-in solves a small matrix per /recommend: BLAS threads only add contention there
    # (measured 20-35 ms threaded vs 0.9 ms single-threaded on 2 busy cores). Set before
    # numpy loads, which checking TRAIN_CONFIG does.
    for name in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    try:
        settings = Settings.from_env()
    except ConfigError as err:
        print(f"moviebot: {err}", file=sys.stderr)
        return EXIT_CONFIG
    # The token also keys the person hash of JSON lines: stable across restarts, and no
    # use to anyone reading the log without it. The webhook's secret is redacted too: PTB's
    # DEBUG lines show setWebhook's parameters.
    setup_logging(
        settings.log_level,
        secrets=[
            settings.token,
            settings.webhook_secret or "",
            urlsplit(settings.database.dsn).password or "",
        ],
        log_format=settings.log_format,
        person_key=settings.token,
    )
    # Imported after logging is set up, so nothing logs before the redaction filter exists.
    from bot.app import EXPECTED_FAILURES, build_application, serve

    application = build_application(settings)
    try:
        asyncio.run(serve(application))
    except EXPECTED_FAILURES as err:
        # A cause the operator can act on (network, token, data, database): one line is enough.
        log.error("cannot run the bot: %s: %s", type(err).__name__, err)
        return EXIT_FAILED
    except Exception:
        log.exception("the bot stopped because of an error")
        return EXIT_FAILED
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="moviebot",
        description="Run the Telegram bot (no command), or back up or restore its database"
        " (DATABASE_PATH).",
    )
    commands = parser.add_subparsers(dest="command", metavar="{backup,restore}")
    backup = commands.add_parser(
        "backup", help="write a consistent copy of the database; the bot may go on running"
    )
    backup.add_argument(
        "path",
        metavar="PATH",
        help="the file to write, or a folder (existing, or ending in /) to write"
        " <name>-<UTC time>.db into",
    )
    restore = commands.add_parser(
        "restore", help="put a backup in place of the database; the bot must be stopped"
    )
    restore.add_argument("path", metavar="PATH", help="a file `moviebot backup` wrote")
    return parser


def database_command(command: str, path: str) -> int:
    """`moviebot backup PATH` or `moviebot restore PATH`: one line on stdout when done (0),
    one on stderr when refused or failed (1), or when DATABASE_URL is malformed or names a
    PostgreSQL database, which pg_dump backs up (2). Reads only DATABASE_URL, DATABASE_PATH (or
    DATA_DIR) and MIGRATIONS_DIR, so it needs no bot token."""
    # Imported here: the bot itself imports storage only after its logging is set up.
    from bot.storage import StorageError
    from bot.storage import backup as backups

    try:
        database, migrations = database_location()
    except ConfigError as err:
        print(f"moviebot {command}: {err}", file=sys.stderr)
        return EXIT_CONFIG
    try:
        latest = backups.known_version(migrations)
        if command == "backup":
            target = Path(path)
            if path.endswith(os.sep) or target.is_dir():
                target /= backups.backup_name(database, time.time())
            report = backups.backup(database, target, latest=latest)
            print(f"backed up {database} to {report.path}: {report.summary()}")
        else:
            restored = backups.restore(Path(path), database, latest=latest, now=time.time())
            before = (
                f"the previous one is now {restored.previous}"
                if restored.previous
                else "there was none before"
            )
            print(f"restored {path} to {database}: {restored.summary()}; {before}")
    except (StorageError, OSError) as err:
        print(f"moviebot {command}: {err}", file=sys.stderr)
        return EXIT_FAILED
    return 0


if __name__ == "__main__":
    sys.exit(main())
