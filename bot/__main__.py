"""`moviebot` / `python -m bot`: read the settings, set up logging, poll Telegram."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path

from dotenv import load_dotenv

from bot.config import ConfigError, Settings
from bot.logs import setup_logging

log = logging.getLogger("bot")

EXIT_CONFIG = 2
EXIT_FAILED = 1


def main() -> int:
    """Run the bot until interrupted; 2 on a configuration error, 1 when start-up fails."""
    # An optional .env in the working directory; real environment variables win.
    load_dotenv(Path.cwd() / ".env")
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
    setup_logging(settings.log_level, secrets=[settings.token])
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


if __name__ == "__main__":
    sys.exit(main())
