"""The ranking models: EASE built from a sparse Gram equals the dense formula it replaced,
iALS is chosen above the EASE limit, its fold-in is the closed-form solve, evidence moves
scores the right way, and both survive a round trip through plain arrays."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pytest

from recsys.implicit_mf import FACTORS_KEY, ImplicitModel
from recsys.watch import (
    DISLIKES_KEY,
    ITEMS_KEY,
    WEIGHTS_KEY,
    WatchConfig,
    WatchModel,
    rating_weight,
    train_watch,
    uses_ials,
    watch_from_arrays,
)
from recsys.watch_config import disliked
from tests.support.synthetic import FAST, Synthetic, ratings_of

TOPICS, PER_TOPIC = 3, 20
N_ITEMS = TOPICS * PER_TOPIC
SMALL = WatchConfig(min_support=3, l2=5.0, dislike_l2=5.0, factors=8, als_l2=1.0, alpha=4.0)
IALS = dataclasses.replace(SMALL, ranker="ials", dislike_alpha=4.0, popularity_weight=0.0)


def topical(n_users: int = 300, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each user watches ~12 movies of one topic (rated 4-5) and 3 of the others (1-2)."""
    rng = np.random.default_rng(seed)
    users, items, ratings = [], [], []
    for u in range(n_users):
        home = u % TOPICS
        liked = home * PER_TOPIC + rng.choice(PER_TOPIC, 12, replace=False)
        others = np.setdiff1d(np.arange(N_ITEMS), home * PER_TOPIC + np.arange(PER_TOPIC))
        rest = rng.choice(others, 3, replace=False)
        users += [u] * 15
        items += [*liked.tolist(), *rest.tolist()]
        ratings += [*rng.choice([4.0, 4.5, 5.0], 12).tolist(), *rng.choice([1.0, 2.0], 3).tolist()]
    return np.array(users), np.array(items), np.array(ratings)


def topic_mean(scores: np.ndarray, topic: int, skip: np.ndarray) -> float:
    members = np.setdiff1d(topic * PER_TOPIC + np.arange(PER_TOPIC), skip)
    return float(scores[members].mean())


def dense_ease(x: np.ndarray, l2: float) -> np.ndarray:
    """The formula train_watch used before issue 13, on a dense users x items matrix."""
    p = np.linalg.inv(x.T @ x + l2 * np.eye(x.shape[1]))
    b = -p / np.diag(p)[None, :]
    np.fill_diagonal(b, 0.0)
    return b


def test_sparse_ease_equals_the_dense_formula() -> None:
    rng = np.random.default_rng(3)
    n_users, n_items = 80, 25
    pairs = rng.choice(n_users * n_items, 700, replace=False)
    users, items = pairs // n_items, pairs % n_items
    ratings = rng.choice(np.arange(1, 11) / 2, pairs.size)
    config = WatchConfig(min_support=0, l2=7.0, dislike_l2=3.0)
    model = train_watch(users, items, ratings, n_users, n_items, config)
    assert isinstance(model, WatchModel) and model.dislikes is not None
    w = np.zeros((n_users, n_items))
    w[users, items] = rating_weight(ratings, config)
    d = np.zeros((n_users, n_items))
    bad = disliked(users, ratings, n_users, config)
    d[users[bad], items[bad]] = 1.0
    chosen = model.items
    np.testing.assert_allclose(model.weights, dense_ease(w[:, chosen], 7.0), atol=1e-6)
    np.testing.assert_allclose(model.dislikes, dense_ease(d[:, chosen], 3.0), atol=1e-6)


def test_iALS_is_chosen_when_the_eligible_catalogue_exceeds_the_EASE_limit() -> None:
    users, items, ratings = topical()
    fits = train_watch(users, items, ratings, 300, N_ITEMS, dataclasses.replace(SMALL))
    assert isinstance(fits, WatchModel) and fits.items.size == N_ITEMS
    large = dataclasses.replace(SMALL, max_items=N_ITEMS - 1)
    model = train_watch(users, items, ratings, 300, N_ITEMS, large, threads=1)
    assert isinstance(model, ImplicitModel) and model.items.size == N_ITEMS
    capped = train_watch(
        users, items, ratings, 300, N_ITEMS, dataclasses.replace(large, ranker="ease")
    )
    assert isinstance(capped, WatchModel) and capped.items.size == N_ITEMS - 1
    assert uses_ials(4001, WatchConfig()) and not uses_ials(4000, WatchConfig())


def test_old_artifact_watch_settings_still_build_a_config() -> None:
    old = {
        "l2": 300.0, "like_slope": 0.5, "min_support": 10, "max_items": 4000,
        "dislike_gap": 1.0, "dislike_l2": 50.0, "dislike_weight": 1.0, "dislike_slope": 0.0,
        "level_prior": 5.0, "popularity_weight": 0.3, "dismissed_weight": 0.5,
    }  # fmt: skip
    items = np.array([0, 2])
    arrays = {ITEMS_KEY: items, WEIGHTS_KEY: np.zeros((2, 2), dtype=np.float32)}
    model = watch_from_arrays(arrays, old, 3)
    assert isinstance(model, WatchModel) and model.config.ranker == "auto"


@pytest.fixture(scope="module")
def ials() -> ImplicitModel:
    users, items, ratings = topical()
    model = train_watch(users, items, ratings, 300, N_ITEMS, IALS, threads=1)
    assert isinstance(model, ImplicitModel)
    return model


def test_iALS_fold_in_is_the_closed_form_user_solve(ials: ImplicitModel) -> None:
    idx, values = np.array([1, 4, 7, 30]), np.array([5.0, 4.0, 4.5, 1.0])
    folded = ials.fold_in(idx, values, 3.5)
    assert folded is not None
    scores, contributions = folded
    # The weighted least squares over every covered movie, written out densely.
    c, p = np.ones(N_ITEMS), np.zeros(N_ITEMS)
    level = (values.sum() + IALS.level_prior * 3.5) / (values.size + IALS.level_prior)
    bad = values <= level - IALS.dislike_gap
    assert bad.tolist() == [False, False, False, True]
    c[idx] = np.where(bad, 1 + IALS.dislike_alpha, 1 + IALS.alpha * rating_weight(values, IALS))
    p[idx] = (~bad).astype(float)
    y = ials.factors.astype(np.float64)
    x = np.linalg.solve((y.T * c) @ y + IALS.als_l2 * np.eye(IALS.factors), y.T @ (c * p))
    np.testing.assert_allclose(scores, y @ x, rtol=1e-4, atol=1e-5)
    top = np.array([0, 10, 25, 59])
    shares = contributions(top)
    assert shares.shape == (4, 4) and np.all(shares[:, 3] == 0.0)  # a dislike explains nothing
    np.testing.assert_allclose(shares.sum(axis=1), scores[top], rtol=1e-4, atol=1e-5)


def test_iALS_fold_in_matches_the_library_recalculation(ials: ImplicitModel) -> None:
    from implicit.cpu.als import AlternatingLeastSquares
    from scipy.sparse import csr_matrix

    idx, values = np.array([2, 3, 45]), np.array([4.0, 5.0, 1.5])
    c, p = ials.confidence(values, 3.5)
    row = csr_matrix((np.where(p > 0, c, -c), ([0, 0, 0], idx)), shape=(1, N_ITEMS))
    library = AlternatingLeastSquares(factors=IALS.factors, regularization=IALS.als_l2)
    library.item_factors = ials.factors
    expected = ials.factors @ library.recalculate_user(0, row)
    folded = ials.fold_in(idx, values, 3.5)
    assert folded is not None
    np.testing.assert_allclose(folded[0], expected, rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("ranker", ["ease", "ials"])
def test_a_liked_movie_lifts_its_topic_and_a_dislike_lowers_its_own(ranker: str) -> None:
    users, items, ratings = topical()
    config = dataclasses.replace(IALS, ranker=ranker)
    model = train_watch(users, items, ratings, 300, N_ITEMS, config, threads=1)
    liked = np.array([0, 1, 2])
    folded = model.fold_in(liked, np.array([5.0, 4.5, 5.0]), 3.5)
    assert folded is not None
    scores = folded[0]
    assert topic_mean(scores, 0, liked) > topic_mean(scores, 1, liked) + 0.05
    assert topic_mean(scores, 0, liked) > topic_mean(scores, 2, liked) + 0.05
    with_dislike = model.fold_in(np.append(liked, 40), np.array([5.0, 4.5, 5.0, 1.0]), 3.5)
    assert with_dislike is not None
    seen = np.append(liked, 40)
    assert topic_mean(with_dislike[0], 2, seen) < topic_mean(scores, 2, seen)
    assert model.fold_in(np.array([], dtype=np.int64), np.array([]), 3.5) is None


def test_iALS_similar_dismissal_and_population(ials: ImplicitModel) -> None:
    sims = ials.similar_scores(5)
    assert sims is not None and sims[5] == pytest.approx(1.0, abs=1e-5)
    others = np.delete(np.arange(N_ITEMS), 5)
    nearest = others[np.argsort(-sims[others])[:5]]
    assert (nearest // PER_TOPIC == 0).all()
    away = ials.dismissal(np.array([5]))
    assert topic_mean(away, 0, np.array([5])) > max(
        topic_mean(away, t, np.array([5])) for t in (1, 2)
    )
    count = np.bincount(topical()[1], minlength=N_ITEMS)
    row = ials.configured(dataclasses.replace(IALS, popularity_weight=0.3)).population(
        2, count, np.full(N_ITEMS, 4.0), 300
    )
    assert (
        row.shape == (N_ITEMS,)
        and (row > 0).all()
        and ials.population(2, count, count, 300).max() == 0
    )


def test_configured_keeps_what_the_iALS_solve_was_trained_with(ials: ImplicitModel) -> None:
    changed = ials.configured(WatchConfig(alpha=99.0, als_l2=50.0, dismissed_weight=2.0))
    assert changed.config.alpha == IALS.alpha and changed.config.als_l2 == IALS.als_l2
    assert changed.config.dismissed_weight == 2.0 and changed.factors is ials.factors


@pytest.mark.parametrize("ranker", ["ease", "ials"])
def test_round_trip_through_arrays(ranker: str) -> None:
    users, items, ratings = topical()
    config = dataclasses.replace(IALS, ranker=ranker)
    model = train_watch(users, items, ratings, 300, N_ITEMS, config, threads=1)
    arrays = {k: np.array(v) for k, v in model.to_arrays().items()}
    rebuilt = watch_from_arrays(arrays, model.settings(), N_ITEMS)
    assert type(rebuilt) is type(model) and rebuilt is not None
    assert rebuilt.config == model.config
    idx, values = np.array([3, 22, 50]), np.array([4.0, 2.0, 5.0])
    before, after = model.fold_in(idx, values, 3.5), rebuilt.fold_in(idx, values, 3.5)
    assert before is not None and after is not None
    np.testing.assert_array_equal(before[0], after[0])
    assert watch_from_arrays(arrays, None, N_ITEMS) is None


def _ease_arrays() -> dict[str, np.ndarray]:
    square = np.zeros((3, 3), dtype=np.float32)
    return {ITEMS_KEY: np.array([0, 1, 4]), WEIGHTS_KEY: square, DISLIKES_KEY: square}


def _ials_arrays() -> dict[str, np.ndarray]:
    return {ITEMS_KEY: np.array([0, 1, 4]), FACTORS_KEY: np.ones((3, 8), dtype=np.float32)}


@pytest.mark.parametrize(
    ("make", "change", "settings", "message"),
    [
        (_ease_arrays, lambda a: a.pop(WEIGHTS_KEY), {}, "'watch.weights' is missing"),
        (_ease_arrays, lambda a: a.pop(ITEMS_KEY), {}, "'watch.items' is missing"),
        (_ease_arrays, lambda a: a.update({WEIGHTS_KEY: np.zeros((2, 3))}), {}, "has shape"),
        (_ease_arrays, lambda a: a.update({DISLIKES_KEY: np.zeros(3)}), {}, "has shape"),
        (_ease_arrays, lambda a: a.update({ITEMS_KEY: np.array([0, 1, 9])}), {}, "outside"),
        (_ease_arrays, lambda a: a.update({ITEMS_KEY: np.array([1, 0, 4])}), {}, "increasing"),
        (_ease_arrays, lambda a: a.update({ITEMS_KEY: np.zeros((3, 1))}), {}, "one-dimensional"),
        (_ease_arrays, lambda a: None, {"nonsense": 1}, "meta 'watch' is malformed"),
        (_ease_arrays, lambda a: None, {"ranker": "knn"}, "ranker must be"),
        (_ease_arrays, lambda a: None, [1, 2], "must be an object"),
        (
            _ials_arrays,
            lambda a: a.update({FACTORS_KEY: np.ones((3, 4))}),
            {"factors": 8},
            "(3, 8)",
        ),
        (_ials_arrays, lambda a: a.pop(ITEMS_KEY), {"factors": 8}, "'watch.items' is missing"),
        (_ials_arrays, lambda a: a.update({WEIGHTS_KEY: np.zeros((3, 3))}), {"factors": 8}, "both"),
        (
            _ials_arrays,
            lambda a: a[FACTORS_KEY].__setitem__((0, 0), np.nan),
            {"factors": 8},
            "finite",
        ),
    ],
)
def test_malformed_arrays_raise_value_error(
    make: Callable[[], dict[str, np.ndarray]],
    change: Callable[[dict[str, np.ndarray]], object],
    settings: object,
    message: str,
) -> None:
    arrays = make()
    change(arrays)
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        watch_from_arrays(arrays, settings, 5)


def test_a_recommender_serving_iALS_recommends_and_survives_its_state(
    synthetic: Synthetic,
) -> None:
    from recsys.state import from_state, to_state
    from recsys.train import TrainConfig, fit

    config = TrainConfig(**FAST, watch=WatchConfig(min_support=3, max_items=20))
    rec = fit(synthetic.ratings, config, synthetic.movies).recommender
    assert isinstance(rec.watch, ImplicitModel) and rec.watch.items.size > 20
    mine = ratings_of(synthetic, 1060)
    shown = rec.recommend(mine, k=10)
    assert shown.path == "personal" and len(shown.items) == 10
    assert not {r.movie_id for r in shown.items} & set(mine)
    first = shown.items[0].movie_id
    assert first not in {r.movie_id for r in rec.recommend(mine, k=10, dismissed=[first]).items}
    movie = int(rec.items.ids[rec.watch.items[0]])
    assert len(rec.similar(movie, k=5)) == 5
    arrays, meta = to_state(rec)
    assert FACTORS_KEY in arrays and WEIGHTS_KEY not in arrays
    assert from_state(arrays, meta).recommend(mine, k=10) == shown
    assert rec.configured(watch=dataclasses.replace(rec.watch.config, dislike_weight=0.0))


def test_iALS_training_is_deterministic_given_the_seed(ials: ImplicitModel) -> None:
    users, items, ratings = topical()
    again = train_watch(users, items, ratings, 300, N_ITEMS, IALS, threads=2)
    assert isinstance(again, ImplicitModel)
    np.testing.assert_array_equal(again.factors, ials.factors)
