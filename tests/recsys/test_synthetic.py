"""benchmarks/synthetic.py: MovieLens-shaped data with a known truth (loaded from its path:
benchmarks/ is scripts, not a package)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

from recsys.data import load_movielens
from recsys.train import TrainConfig, fit

PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "synthetic.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("benchmarks_synthetic", PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


synthetic = _load()
SMALL = 0.004  # 100k ratings, 650 users, 236 movies


@pytest.fixture(scope="module")
def small():
    return synthetic.generate(SMALL, seed=1)


def test_shape_types_and_no_duplicates(small):
    users, movies, n = synthetic.shape(SMALL)
    r = small.ratings
    assert (len(r), r["userId"].nunique(), r["movieId"].nunique()) == (n, users, movies)
    assert n == round(25_000_095 * SMALL)
    assert r.dtypes.to_dict() == {
        "userId": np.dtype("int64"),
        "movieId": np.dtype("int64"),
        "rating": np.dtype("float32"),
        "timestamp": np.dtype("int64"),
    }
    assert not r.duplicated(["userId", "movieId"]).any()
    assert r.equals(r.sort_values(["userId", "movieId"], kind="stable"))  # MovieLens order
    assert r.groupby("userId").size().min() >= 20
    assert set(r["movieId"]) <= set(small.movies["movieId"])
    assert len(small.movies) > movies  # some listed movies nobody rated, as in ml-25m
    assert small.movies["movieId"].is_unique


def test_ratings_are_half_stars_with_a_realistic_spread(small):
    stars = small.ratings["rating"].to_numpy()
    assert stars.min() >= 0.5 and stars.max() <= 5.0
    assert np.array_equal(stars * 2, np.round(stars * 2))
    assert set(np.unique(stars).tolist()) == {x / 2 for x in range(1, 11)}
    assert 3.2 < stars.mean() < 3.8 and 0.85 < stars.std() < 1.2
    t = small.ratings["timestamp"]
    assert t.min() >= synthetic.START and t.max() <= synthetic.END


def test_deterministic_given_the_seed(small):
    again = synthetic.generate(SMALL, seed=1)
    pd.testing.assert_frame_equal(again.ratings, small.ratings)
    pd.testing.assert_frame_equal(again.movies, small.movies)
    other = synthetic.generate(SMALL, seed=2).ratings
    assert not other["rating"].equals(small.ratings["rating"])


def test_long_tail_of_movies_and_users():
    data = synthetic.generate(0.1, seed=0)  # 2.5M ratings
    per_movie = np.sort(data.ratings["movieId"].value_counts().to_numpy())[::-1]
    share = per_movie.cumsum() / per_movie.sum()
    assert share[per_movie.size // 100 - 1] > 0.1  # the top 1% hold over 10x their share
    assert share[per_movie.size // 10 - 1] > 0.6
    assert np.median(per_movie) < per_movie.mean() / 5
    per_user = data.ratings["userId"].value_counts()
    assert per_user.max() > 10 * per_user.median()
    assert 140 < per_user.mean() < 170  # ml-25m: 153.8


def test_fraction_one_has_the_ml25m_counts():
    assert synthetic.shape(1.0) == (162_541, 59_047, 25_000_095)
    assert synthetic.shape(0.4)[2] == 10_000_038
    with pytest.raises(ValueError, match="fraction"):
        synthetic.shape(0.0)


def test_truth_explains_the_ratings(small):
    r = small.ratings
    expected = small.truth.expected(r["userId"].to_numpy(), r["movieId"].to_numpy())
    residual = r["rating"].to_numpy() - np.clip(expected, 0.5, 5.0)
    assert abs(residual.mean()) < 0.05
    assert 0.6 < residual.std() < 0.8  # the noise (0.7), rounding and clipping


def test_a_fit_on_a_small_fraction_recovers_the_truth(small):
    r = small.ratings
    rec = fit(r, TrainConfig(dim=8, epochs=8, watch=None), small.movies).recommender
    rng = np.random.default_rng(0)
    users = rng.choice(r["userId"].unique(), 2000)
    movies = rng.choice(r["movieId"].unique(), 2000)
    predicted = rec.predict(users, movies)
    truth = small.truth.expected(users, movies)
    assert np.corrcoef(predicted, truth)[0, 1] > 0.6


def test_cli_writes_movielens_csvs_that_load_back(tmp_path, small, capsys):
    synthetic.main([str(tmp_path), "--fraction", str(SMALL), "--seed", "1"])
    assert "100,000 ratings" in capsys.readouterr().out
    loaded = load_movielens(tmp_path)
    pd.testing.assert_frame_equal(loaded.ratings, small.ratings)
    titles = dict(zip(loaded.movies["movieId"], loaded.movies["title"], strict=True))
    assert titles == dict(zip(small.movies["movieId"], small.movies["title"], strict=True))
    genres = dict(zip(loaded.movies["movieId"], loaded.movies["genres"], strict=True))
    for movie_id, text in zip(small.movies["movieId"], small.movies["genres"], strict=True):
        assert genres[movie_id] == ([] if text == "(no genres listed)" else text.split("|"))
