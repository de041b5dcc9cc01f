"""The bot as a user installs it: `pip install .` (a wheel, not editable) into a fresh virtual
environment, started as `moviebot` from a folder outside the checkout, without
MIGRATIONS_DIR, logging JSON (LOG_FORMAT=json) as a deployment behind a log collector would.

The environment gets this project only; its dependencies come from the test run's own
environment (a .pth line), so the test needs no network and no second copy of torch.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.logs import person_hash
from tests.support.botapi import FakeBotApi
from tests.support.data import REPO
from tests.support.harness import BotProcess, Person, make_token

pytestmark = pytest.mark.e2e

SOURCES = ("pyproject.toml", "README.md", "bot", "recsys", "migrations")
"""What building the wheel needs (as the Dockerfile copies it)."""
CACHES = "__pycache__"
_HARNESS_LINE = re.compile(r"^$|^===== bot start ")
"""Lines the harness itself writes between runs into the bot's log file."""
PERSON_ID = 980_001
POINTING_BACK = ("MIGRATIONS_DIR", "PYTHONPATH", "PYTHONHOME")
"""Environment variables that could lead an installed bot back to the checkout's files."""


@dataclass(frozen=True)
class Installed:
    python: Path
    moviebot: Path
    outside: Path
    """A folder outside the checkout to run from."""


@dataclass(frozen=True)
class Run:
    """What the installed bot did in one short conversation, then stopped."""

    bot: BotProcess
    token: str
    reply: str
    exit_code: int | None


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("install")
    source = root / "source"
    source.mkdir()
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns(CACHES))
        else:
            shutil.copy2(REPO / name, source / name)
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    pip = [sys.executable, "-m", "pip", "--python", str(python)]
    subprocess.run(
        [*pip, "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index", source],
        check=True,
    )
    outside = root / "elsewhere"
    outside.mkdir()
    return Installed(python, venv / "bin" / "moviebot", outside)


def clean_environment() -> dict[str, str]:
    """This process's environment without what would point the bot back at the checkout."""
    return {name: value for name, value in os.environ.items() if name not in POINTING_BACK}


@pytest.fixture(scope="module")
def run(installed: Installed, movielens_sample: Path) -> Iterator[Run]:
    token = make_token()
    with FakeBotApi(token) as api:
        bot = BotProcess(
            api,
            installed.outside / "bot",
            movielens_sample,
            env={"LOG_FORMAT": "json"},
            command=[str(installed.moviebot)],
        )
        for name in POINTING_BACK:
            bot.env.pop(name, None)
        bot.start()
        try:
            bot.wait_polling()
            person = Person(api, PERSON_ID, "Installer")
            reply = person.say("/start")["text"]
            person.rate(person.tap(person.say("/popular"), "1. "), "4")
            person.say("/retrain")  # not an admin: refused, and the log says who asked
        finally:
            exit_code = bot.stop()
        yield Run(bot, token, reply, exit_code)


def installed_python(installed: Installed, code: str) -> str:
    result = subprocess.run(
        [installed.python, "-c", code],
        cwd=installed.outside,
        env=clean_environment(),
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


def test_the_installed_package_carries_the_migrations_of_the_checkout(
    installed: Installed,
) -> None:
    folder = Path(
        installed_python(
            installed,
            "from bot.storage.migrations import default_migrations_dir; "
            "print(default_migrations_dir())",
        )
    )
    assert REPO not in folder.parents and folder.parent.name == "storage"
    shipped = {path.name: path.read_bytes() for path in folder.glob("*.sql")}
    source = {path.name: path.read_bytes() for path in (REPO / "migrations").glob("*.sql")}
    assert shipped == source


def test_the_installed_bot_runs_from_outside_the_checkout_without_migrations_dir(
    installed: Installed, run: Run
) -> None:
    assert "MIGRATIONS_DIR" not in run.bot.env and REPO not in run.bot.workdir.parents
    assert run.reply.startswith("Hi! I recommend movies")  # the welcome, from a migrated database
    assert run.exit_code == 0


def log_entries(run: Run) -> list[dict[str, Any]]:
    lines = [line for line in run.bot.log().splitlines() if not _HARNESS_LINE.match(line)]
    return [json.loads(line) for line in lines]


def test_every_log_line_is_one_json_object(run: Run) -> None:
    entries = log_entries(run)
    assert len(entries) > 20
    assert all({"time", "level", "logger", "message"} <= entry.keys() for entry in entries)


def test_json_lines_name_the_update_and_only_a_hash_of_the_person(run: Run) -> None:
    handled = [e for e in log_entries(run) if e["message"].startswith("update ")]
    handled = [e for e in handled if " handled in " in e["message"]]
    ours = [e for e in handled if e.get("person") == person_hash(PERSON_ID, run.token.encode())]
    assert len(ours) >= 4  # /start, /popular, the card, the rating, /retrain
    assert all(isinstance(e["update_id"], int) and e["duration_ms"] >= 0 for e in ours)
    assert all(str(PERSON_ID) not in e["person"] for e in ours)


def test_the_log_of_a_refused_admin_command_names_the_telegram_id(run: Run) -> None:
    """README: how to find one's id for ADMIN_IDS."""
    messages = [entry["message"] for entry in log_entries(run)]
    assert f"refused admin command from user {PERSON_ID}" in messages


def test_the_token_is_in_no_log_line(run: Run) -> None:
    secret = run.token.split(":", 1)[1]
    assert secret not in run.bot.log()
