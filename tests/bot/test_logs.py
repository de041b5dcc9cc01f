"""The token never reaches a log line: messages, arguments, tracebacks, URLs."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.logs import REDACTED, RedactFilter, setup_logging

TOKEN = "123456:AAHsecret-Token_value42"


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
