"""Message texts: content people need, HTML escaping, Telegram's length limits."""

from __future__ import annotations

from bot.chat import group_texts, language, texts
from bot.storage import Movie
from recsys.results import Recommendation as Rec

MATRIX = Movie(2571, "Matrix, The (1999)", 1999, ("Action", "Sci-Fi"), 278, 4.192)


def test_stars_are_written_as_people_write_them() -> None:
    assert [texts.stars(x) for x in (0.5, 1.0, 4.5, 5.0)] == ["0.5", "1", "4.5", "5"]


def test_movie_button_starts_with_the_number_and_ends_with_the_rating() -> None:
    assert texts.movie_button(12, "Matrix, The (1999)", 4.5) == "12. Matrix, The (1999) ★4.5"
    long = texts.movie_button(3, "A" * 200, None)
    assert long.startswith("3. ") and len(long) <= texts.MAX_BUTTON_TITLE + 3


def test_card_shows_title_genres_average_count_and_your_rating() -> None:
    text = texts.card(MATRIX, 4.5)
    for part in ("Matrix, The (1999)", "Action, Sci-Fi", "★4.2", "278 ratings", "★4.5"):
        assert part in text


def test_card_escapes_html_in_titles() -> None:
    text = texts.card(Movie(1, "Tom & Jerry <3 (1992)", 1992, (), 0, None), None)
    assert "Tom &amp; Jerry &lt;3" in text and "no ratings yet" in text


def test_recommendations_show_prediction_genres_and_reason() -> None:
    fight_club = Movie(2959, "Fight Club (1999)", 1999, ("Drama",), 218, 4.27)
    items = [(MATRIX, Rec(2571, 4.5, 1.0, (2959, 5.0)), fight_club)]  # recsys gives half stars
    text = texts.recommendations(items, personal=True, rated=6, genre=None, ignored=0)
    assert "1. <b>Matrix, The (1999)</b> — predicted ★4.5\n" in text
    assert "Action, Sci-Fi" in text and "because you rated Fight Club (1999) 5" in text
    assert "less personal" not in text


def test_a_genre_list_below_three_stars_says_so() -> None:
    # recsys fills a genre list from below its 3-star floor only when asked for a genre, and
    # quotes only liked movies as reasons (tests/recsys/test_lists.py): the text says which.
    items = [(MATRIX, Rec(2571, 2.6, 1.0, None), None)]
    text = texts.recommendations(
        items, personal=True, rated=6, genre="Horror", ignored=0, weak=True
    )
    assert "below 3 stars" in text and "in Horror" in text
    strong = texts.recommendations(items, personal=True, rated=6, genre="Horror", ignored=0)
    assert "below 3 stars" not in strong


def test_few_ratings_or_no_model_say_the_list_is_less_personal() -> None:
    items = [(MATRIX, Rec(2571, 4.0, 1.0, None), None)]
    for personal, rated in ((True, 2), (False, 0), (False, 7)):
        text = texts.recommendations(items, personal=personal, rated=rated, genre=None, ignored=0)
        assert "less personal" in text


def test_ten_longest_recommendations_fit_one_message() -> None:
    huge = Movie(1, "Ü" * 300 + " (2001)", 2001, tuple(f"Genre{i}" for i in 20 * [0]), 9, 3.0)
    items = [(huge, Rec(1, 3.0, 1.0, (1, 5.0)), huge)] * 10
    text = texts.recommendations(items, personal=True, rated=9, genre="Drama", ignored=3)
    assert len(text) <= texts.MAX_MESSAGE


def test_clip_cuts_at_a_line_and_marks_the_cut() -> None:
    text = texts.clip("line\n" * 2000)
    assert len(text) <= texts.MAX_MESSAGE and text.endswith("\n…")


def test_every_fixed_text_fits_its_limit() -> None:
    for answer in (
        texts.current().bad_button,
        texts.current().unknown_movie,
        texts.current().not_yours,
        texts.current().error,
    ):
        assert len(answer) <= 200  # answerCallbackQuery text
    assert len(texts.saved("X" * 500, 4.5)) <= 200
    assert all(len(t) <= texts.MAX_MESSAGE for t in (texts.welcome(), texts.help_text()))
    assert all(1 <= len(name) <= 32 and len(about) <= 256 for name, about in texts.commands())


def test_predictions_are_shown_in_half_stars_as_people_rate() -> None:
    assert "I think you'd rate it <b>★4</b>" in texts.card(MATRIX, None, predicted=4.24)
    assert "I think you'd rate it <b>★4.5</b>" in texts.card(MATRIX, None, predicted=4.26)
    assert texts.movie_button(3, "Heat (1995)", None, predicted=3.74) == "3. Heat (1995) ≈3.5"


def test_the_card_is_assembled_the_same_in_russian_with_russian_counts() -> None:
    with language.using("ru"):
        text = texts.card(MATRIX, None, "later")
    assert "Жанры: Action, Sci-Fi" in text and "★4.2, 278 оценок" in text
    assert "Он в твоём списке «на потом»." in text


def test_russian_counts_agree_with_their_nouns_inside_sentences() -> None:
    with language.using("ru"):
        confirm = texts.forget_confirm(21, 3)
        found = texts.search_results("matrix", 21)
    assert "твою 21 оценку, 3 скрытых или отложенных фильма" in confirm
    assert found.startswith("<b>21 фильм по запросу «matrix»</b>")


def test_names_are_joined_with_the_languages_own_and() -> None:
    with language.using("es"):
        assert group_texts.joined_names(["Ana", "Bea", "Carla"]) == "Ana, Bea y Carla"
    assert group_texts.joined_names(["Ann", "Bob"]) == "Ann and Bob"
