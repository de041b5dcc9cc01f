"""The real bot on PostgreSQL (DATABASE_URL): MovieLens copied in at first start, the first
model trained by a worker process that streams its data from the server, people answered
and their ratings committed there, and the URL's password in no line of the log."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.bot.storage.peek import peek
from tests.support.botapi import FakeBotApi
from tests.support.harness import BotProcess, Person, listed_movies
from tests.support.postgres import fresh_database

pytestmark = pytest.mark.e2e

PASSWORD = "e2e-pw-never-logged"
"""The test server trusts local connections and ignores it; the bot must never show it."""


def with_password(url: str) -> str:
    parts = urlsplit(url)
    user = parts.username or "postgres"
    return urlunsplit(parts._replace(netloc=f"{user}:{PASSWORD}@{parts.netloc.split('@')[-1]}"))


async def test_a_bot_on_postgresql_imports_trains_and_keeps_ratings_there(
    api: FakeBotApi, movielens_sample: Path, tmp_path: Path
) -> None:
    async with fresh_database() as plain_url:
        url = with_password(plain_url)
        bot = BotProcess(api, tmp_path / "bot", movielens_sample, env={"DATABASE_URL": url})
        bot.start()
        try:
            bot.wait_polling()
            bot.wait_model()
            person = Person(api, 4_200_001, "Ann")
            popular = person.say("/popular")
            person.rate(person.tap(popular, "1. "), "4.5")
            recommended = person.say("/recommend")
        finally:
            assert bot.stop() == 0
        log = bot.log()
        mine = await peek(
            plain_url,
            "SELECT r.rating FROM ratings r JOIN people p USING (person_id)"
            " WHERE p.telegram_id = ?",
            (4_200_001,),
        )
        runs = await peek(plain_url, "SELECT status FROM model_runs")

    assert len(listed_movies(popular)) == 10 and len(listed_movies(recommended)) == 10
    assert mine == [(4.5,)] and runs == [("succeeded",)]
    assert not (tmp_path / "bot" / "moviebot.db").exists()  # nothing went to a SQLite file
    assert PASSWORD not in log
    assert [line for line in log.splitlines() if " ERROR " in line] == []
