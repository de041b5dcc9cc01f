"""Logging set-up that can never leak the bot token, as readable lines or as JSON lines.

PTB's HTTP client logs request URLs, which contain the token, and PTB's own
exceptions (InvalidToken, network errors) may quote it. A filter on the handler
rewrites every record that reaches it, message, arguments and traceback alike, before
either format renders it.

`LOG_FORMAT=json` writes one JSON object per line (for a log collector): time (ISO 8601,
UTC), level, logger, message, exception (the redacted traceback) when there is one, and
for lines logged while an update is handled (`about_update`, set by the update processor)
update_id and person: a short keyed hash of the Telegram id, so that one person's lines
can be followed without the log holding who they are. duration_ms comes with the line
that says an update was handled.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets as random_secrets
import sys
import traceback
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

REDACTED = "[REDACTED]"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_FORMATS = ("text", "json")
DURATION = "duration_ms"
"""The `extra` key of a record's duration in milliseconds: `log.info(..., extra={DURATION: ms})`."""
PERSON_HASH_CHARS = 12
"""48 bits of HMAC-SHA256: distinct for any realistic number of people, and no use for
finding the id without the key (Telegram ids are few enough to try them all unkeyed)."""

_UPDATE: ContextVar[tuple[int, int | None] | None] = ContextVar("bot_log_update", default=None)


@contextmanager
def about_update(update_id: int, telegram_id: int | None) -> Iterator[None]:
    """Lines logged inside (and in tasks started inside) carry this update and its person."""
    token = _UPDATE.set((update_id, telegram_id))
    try:
        yield
    finally:
        _UPDATE.reset(token)


def person_hash(telegram_id: int, key: bytes) -> str:
    """The short keyed hash that stands for a Telegram id in JSON logs."""
    digest = hmac.new(key, str(telegram_id).encode("ascii"), hashlib.sha256).hexdigest()
    return digest[:PERSON_HASH_CHARS]


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


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (ASCII, so no reader splits it)."""

    def __init__(self, person_key: bytes) -> None:
        super().__init__()
        self._person_key = person_key

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        update = _UPDATE.get()
        if update is not None:
            update_id, telegram_id = update
            entry["update_id"] = update_id
            if telegram_id is not None:
                entry["person"] = person_hash(telegram_id, self._person_key)
        duration = getattr(record, DURATION, None)
        if isinstance(duration, int | float):
            entry[DURATION] = round(float(duration), 1)
        if record.exc_info and not record.exc_text:  # a handler without the RedactFilter
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry)


def setup_logging(
    level: str | int,
    secrets: Iterable[str] = (),
    *,
    log_format: str = "text",
    person_key: str = "",
) -> RedactFilter:
    """Log to stderr at `level` in `log_format` ("text" or "json"), redacting `secrets`;
    silences httpx below WARNING.

    `person_key` keys the person hash of JSON lines (the bot passes its token, so a person's
    hash stays the same across restarts and changes with the token); empty: a random key,
    so hashes agree within one process only.
    """
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log_format must be one of {LOG_FORMATS}, got {log_format!r}")
    redactor = RedactFilter(secrets)
    handler = logging.StreamHandler(sys.stderr)
    key = person_key.encode() if person_key else random_secrets.token_bytes(32)
    formatter = JsonFormatter(key) if log_format == "json" else logging.Formatter(FORMAT)
    handler.setFormatter(formatter)
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
