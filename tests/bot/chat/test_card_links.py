"""The rating card links the movie on IMDb and TMDb, from the ids in MovieLens's links.csv."""

from __future__ import annotations

from bot.chat import texts
from bot.storage import Movie

TOY_STORY = Movie(1, "Toy Story (1995)", 1995, ("Animation",), 215, 3.92, 114709, 862)


def test_the_card_links_imdb_with_the_id_padded_to_seven_digits_and_tmdb() -> None:
    card = texts.card(TOY_STORY, None)

    assert '<a href="https://www.imdb.com/title/tt0114709/">IMDb</a>' in card
    assert '<a href="https://www.themoviedb.org/movie/862">TMDb</a>' in card


def test_an_imdb_id_of_eight_digits_is_kept_whole() -> None:
    movie = Movie(1, "New (2024)", 2024, (), 0, None, 12345678, None)

    assert movie.imdb_url == "https://www.imdb.com/title/tt12345678/"


def test_a_movie_without_a_tmdb_id_links_imdb_only() -> None:
    movie = Movie(791, "Last Klezmer (1994)", 1994, (), 1, 4.0, 113610, None)

    assert texts.movie_links(movie) == '<a href="https://www.imdb.com/title/tt0113610/">IMDb</a>'
    assert "themoviedb" not in texts.card(movie, 4.0)


def test_a_movie_without_links_has_no_link_line() -> None:
    movie = Movie(5, "Movie 5 (1955)", 1955, (), 3, 3.0)

    assert "href" not in texts.card(movie, None)
