"""Start-up failures an operator meets first: no token, and a token Telegram refuses.
Both end the process with a clear message and never print the token."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.botapi import FakeBotApi
from tests.support.harness import BotProcess, make_token

pytestmark = pytest.mark.e2e


def test_a_missing_token_is_one_clear_line(tmp_path: Path, fake_api: FakeBotApi):
    env = BotProcess(fake_api, tmp_path, tmp_path).env
    env.pop("TELEGRAM_BOT_TOKEN")
    done = subprocess.run(
        [sys.executable, "-m", "bot"], cwd=tmp_path, env=env, capture_output=True, timeout=60
    )
    assert done.returncode != 0
    lines = done.stderr.decode().strip().splitlines()
    assert len(lines) == 1
    assert "TELEGRAM_BOT_TOKEN" in lines[0]


def test_a_refused_token_stops_the_bot_without_printing_it(
    tmp_path: Path, fake_api: FakeBotApi, movielens_subset: Path
):
    wrong = make_token()  # the fake server answers 401 Unauthorized, as Telegram would
    process = BotProcess(fake_api, tmp_path, movielens_subset)
    process.env["TELEGRAM_BOT_TOKEN"] = wrong
    process.start()
    try:
        assert process.process is not None
        assert process.process.wait(60) != 0
    finally:
        process.stop()
    log = process.log()
    assert "Unauthorized" in log or "token" in log.lower()
    assert wrong not in log
    assert wrong.split(":", 1)[1] not in log
