"""Logging set-up that can never leak the bot token.

PTB's HTTP client logs request URLs, which contain the token, and PTB's own
exceptions (InvalidToken, network errors) may quote it. A filter on the handler
rewrites every record that reaches it, message, arguments and traceback alike.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Iterable
from urllib.parse import quote

REDACTED = "[REDACTED]"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactFilter(logging.Filter):
    """Replaces secrets (and their URL-encoded forms) in the rendered record."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        variants: set[str] = set()
        for secret in secrets:
            if not secret:
                continue
            variants.update({secret, quote(secret, safe=""), quote(secret)})
            # The part after the colon is the actual secret; hide it even when the
            # id in front is printed separately.
            _, _, tail = secret.partition(":")
            if len(tail) >= 8:
                variants.add(tail)
        # Longest first so a full token is replaced before its tail.
        self._secrets = sorted(variants, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info and record.exc_info[0] is not None:
            text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            record.exc_text = self.redact(text)
            # The formatter would render the live exception again; keep only the text.
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def setup_logging(level: str | int, secrets: Iterable[str] = ()) -> RedactFilter:
    """Log to stderr at `level`, redacting `secrets`; silences httpx below WARNING."""
    redactor = RedactFilter(secrets)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(redactor)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.captureWarnings(True)
    return redactor
