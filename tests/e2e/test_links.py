"""The rating card links the movie on IMDb and TMDb, also for a database imported before the
links were: the bot fills them in at start-up from the dataset folder's links.csv."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from bot.chat import callbacks
from tests.e2e.retraining.helpers import start_bot
from tests.support import keyboard
from tests.support.botapi import FakeBotApi, buttons
from tests.support.harness import BotProcess, Person

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def with_links(
    movielens_sample: Path, real_movielens_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The sample the template was imported from (without links.csv), now with it."""
    folder = Path(shutil.copytree(movielens_sample, tmp_path_factory.mktemp("links") / "ml"))
    shutil.copyfile(real_movielens_dir / "links.csv", folder / "links.csv")
    return folder


@pytest.fixture(scope="module")
def bot(
    api: FakeBotApi, template: Path, with_links: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BotProcess]:
    workdir = tmp_path_factory.mktemp("links-e2e") / "bot"
    process = start_bot(api, template, workdir, with_links, 700_800, {})
    yield process
    process.stop()


def test_a_card_links_the_movie_on_imdb_and_tmdb(
    api: FakeBotApi, bot: BotProcess, with_links: Path
) -> None:
    person = Person(api, 700_801, "Ann")
    mark = api.mark()

    card = person.tap(person.say("/popular"), "1. ")

    movie_id = keyboard.movie_id(callbacks.parse(buttons(card)[0]["callback_data"]))
    links = pd.read_csv(with_links / "links.csv", dtype=str).set_index("movieId")
    imdb, tmdb = links.loc[str(movie_id), "imdbId"], links.loc[str(movie_id), "tmdbId"]
    assert isinstance(imdb, str) and isinstance(tmdb, str)
    sent = api.calls("editMessageText", since=mark)[-1].params
    assert f'<a href="https://www.imdb.com/title/tt{imdb}/">IMDb</a>' in sent["text"]
    assert f'<a href="https://www.themoviedb.org/movie/{tmdb}">TMDb</a>' in sent["text"]
    assert "IMDb · TMDb" in card["text"]
    assert "links: IMDb and TMDb ids for" in bot.log()
    # No preview of either site under the card: it would push the rating buttons down.
    assert sent["link_preview_options"] == {"is_disabled": True}
