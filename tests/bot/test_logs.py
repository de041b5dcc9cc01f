"""The token never reaches a log line: messages, arguments, tracebacks, URLs, in text and in
JSON; JSON lines name the update and, by a keyed hash only, the person."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.logs import (
    DURATION,
    REDACTED,
    JsonFormatter,
    RedactFilter,
    about_update,
    person_hash,
    setup_logging,
)

TOKEN = "123456:AAHsecret-Token_value42"
PERSON_KEY = TOKEN.encode()


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    handler.addFilter(RedactFilter([TOKEN]))
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


def test_token_in_message_and_arguments_is_redacted(captured) -> None:
    logger, stream = captured
    logger.info("POST https://api.telegram.org/bot%s/getMe", TOKEN)
    logger.info(f"token {TOKEN} and its secret half {TOKEN.split(':')[1]}")
    text = stream.getvalue()
    assert "AAHsecret" not in text and text.count(REDACTED) == 3


def test_url_encoded_token_is_redacted(captured) -> None:
    logger, stream = captured
    logger.warning("GET /bot123456%3AAAHsecret-Token_value42/getUpdates")
    assert "AAHsecret" not in stream.getvalue()


def test_token_in_a_traceback_is_redacted(captured) -> None:
    logger, stream = captured
    try:
        try:
            raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")
        except RuntimeError as inner:
            raise ValueError("while starting") from inner
    except ValueError:
        logger.exception("start-up failed")
    text = stream.getvalue()
    assert "Traceback" in text and "rejected by the server" in text
    assert "AAHsecret" not in text


def test_setup_logging_silences_httpx_and_filters_the_root_handler() -> None:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, logging.getLogger("httpx").level)
    try:
        setup_logging("DEBUG", secrets=[TOKEN])
        assert logging.getLogger("httpx").getEffectiveLevel() == logging.WARNING
        assert any(isinstance(f, RedactFilter) for h in root.handlers for f in h.filters)
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        logging.getLogger("httpx").setLevel(saved[2])


@pytest.fixture
def json_lines() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger writing through the JSON formatter and the token filter, as LOG_FORMAT=json."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(PERSON_KEY))
    handler.addFilter(RedactFilter([TOKEN]))
    logger = logging.getLogger("test.json")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


def entries(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_json_line_holds_time_level_logger_and_message(json_lines) -> None:
    logger, stream = json_lines
    logger.warning("%d updates cut short", 3)
    (entry,) = entries(stream)
    assert entry == {
        "time": entry["time"],
        "level": "WARNING",
        "logger": "test.json",
        "message": "3 updates cut short",
    }
    assert datetime.fromisoformat(entry["time"]).utcoffset() == timedelta(0)
    assert entry["time"].endswith("Z")


def test_inside_an_update_json_lines_name_it_and_its_person_by_hash_only(json_lines) -> None:
    logger, stream = json_lines
    with about_update(1017, 424242):
        logger.info("saved")
    with about_update(1018, 424242):
        logger.info("saved again")
    with about_update(1019, 515151):
        logger.info("someone else")
    logger.info("no update")
    first, second, other, outside = entries(stream)
    assert (first["update_id"], second["update_id"], other["update_id"]) == (1017, 1018, 1019)
    assert first["person"] == second["person"] == person_hash(424242, PERSON_KEY)
    assert other["person"] != first["person"]
    assert "424242" not in stream.getvalue()
    assert "update_id" not in outside and "person" not in outside


def test_the_person_hash_depends_on_the_key() -> None:
    assert person_hash(424242, b"one key") != person_hash(424242, b"another key")


def test_a_json_line_carries_the_duration_it_was_given(json_lines) -> None:
    logger, stream = json_lines
    logger.info("update 5 handled in 12 ms", extra={DURATION: 12.345})
    assert entries(stream)[0][DURATION] == 12.3


def test_a_json_traceback_stays_on_one_line_without_the_token(json_lines) -> None:
    logger, stream = json_lines
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected by https://x/bot{TOKEN}/getMe")
    except RuntimeError:
        logger.exception("start-up failed for %s", TOKEN)
    (entry,) = entries(stream)
    assert entry["message"] == f"start-up failed for {REDACTED}"
    assert entry["exception"].startswith("Traceback") and "was rejected" in entry["exception"]
    assert "AAHsecret" not in stream.getvalue()


def test_setup_logging_in_json_writes_json_lines_to_stderr(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stderr = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, logging.getLogger("httpx").level)
    try:
        setup_logging("INFO", secrets=[TOKEN], log_format="json", person_key=TOKEN)
        logging.getLogger("bot.test").info("GET /bot%s/getMe", TOKEN)
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        logging.getLogger("httpx").setLevel(saved[2])
    (line,) = stderr.getvalue().splitlines()
    assert json.loads(line)["message"] == f"GET /bot{REDACTED}/getMe"


def test_an_unknown_log_format_is_refused() -> None:
    with pytest.raises(ValueError, match="log_format"):
        setup_logging("INFO", log_format="xml")
