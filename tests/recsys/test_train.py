"""Training on generated low-rank data with a known noise level."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from recsys import metrics
from recsys.train import EpochStats, TrainConfig, fit
from recsys.trained import ServeSettings
from recsys.watch import WatchConfig
from tests.support.synthetic import FAST as FAST_FIT
from tests.support.synthetic import holdout, low_rank

FAST = {**FAST_FIT, "epochs": 60}
"""Longer than the shared FAST: these tests measure how close training gets to the noise."""


@pytest.fixture(scope="module")
def data():
    synthetic = low_rank()
    train, test = holdout(synthetic.ratings)
    return synthetic, train, test


def test_mf_bias_gets_close_to_the_noise_level(data):
    synthetic, train, test = data
    result = fit(train, TrainConfig(**FAST, watch=None))
    predicted = result.recommender.predict(test["userId"], test["movieId"])
    error = metrics.rmse(predicted, test["rating"])
    baseline = metrics.rmse(np.full(len(test), train["rating"].mean()), test["rating"])
    assert error < 1.35 * synthetic.noise < baseline


@pytest.mark.parametrize("kind", ["mf", "ncf"])
def test_other_models_beat_the_global_mean(data, kind):
    _, train, test = data
    result = fit(train, TrainConfig(model=kind, **FAST, watch=None))
    predicted = result.recommender.predict(test["userId"], test["movieId"])
    baseline = metrics.rmse(np.full(len(test), train["rating"].mean()), test["rating"])
    assert metrics.rmse(predicted, test["rating"]) < 0.95 * baseline


def test_same_seed_gives_identical_weights(data):
    _, train, _ = data
    config = TrainConfig(**{**FAST, "epochs": 3}, watch=None, seed=7)
    first = fit(train, config).recommender.model.state_dict()
    second = fit(train, config).recommender.model.state_dict()
    assert all(torch.equal(first[k], second[k]) for k in first)


def test_history_has_one_entry_per_epoch_and_progress_sees_each(data):
    _, train, _ = data
    seen: list[EpochStats] = []
    result = fit(train, TrainConfig(**{**FAST, "epochs": 4, "patience": 10}), progress=seen.append)
    assert [h.epoch for h in result.history] == [1, 2, 3, 4]
    assert seen == result.history
    assert all(h.val_rmse is not None and h.train_loss > 0 for h in result.history)


def test_early_stopping_keeps_the_best_validation_epoch(data):
    _, train, _ = data
    result = fit(train, TrainConfig(**{**FAST, "lr": 0.2, "patience": 2}, watch=None))
    best = min(h.val_rmse for h in result.history)
    assert len(result.history) < FAST["epochs"]
    assert result.recommender.info.metrics["val_rmse"] == pytest.approx(best)


def test_info_counts_the_training_data(data):
    _, train, _ = data
    info = fit(train, TrainConfig(**{**FAST, "epochs": 1}, watch=None)).recommender.info
    assert (info.n_ratings, info.n_users, info.n_movies, info.version) == (
        len(train),
        train["userId"].nunique(),
        train["movieId"].nunique(),
        "",
    )


@pytest.mark.parametrize(
    "bad",
    [
        {"model": "svd"},
        {"dim": 0},
        {"epochs": -1},
        {"val_fraction": 1.5},
        {"seed": -1},
        {"seed": 2**70},
        {"lr": 0.0},
        {"lr": float("nan")},
        {"l2": float("nan")},
        {"bias_l2": -0.1},
        {"l2": float("inf")},
        {"serve": {"fold_in_l2": 0.0}},
        {"serve": {"fold_in_l2": float("nan")}},
        {"serve": {"min_support": -1}},
        {"watch": {"l2": 0.0}},
        {"watch": {"like_slope": float("nan")}},
        {"watch": {"max_items": 0}},
    ],
    ids=repr,
)
def test_bad_config_is_refused(bad):
    with pytest.raises(ValueError):
        TrainConfig(**bad)


def test_empty_ratings_are_refused(data):
    _, train, _ = data
    with pytest.raises(ValueError, match="empty"):
        fit(train.iloc[:0])


def test_unknown_device_is_refused():
    with pytest.raises(ValueError, match="device must be"):
        TrainConfig(device="tpu")


def test_config_round_trips_through_its_json_form(data):
    _, train, _ = data
    info = fit(train, TrainConfig(**{**FAST, "epochs": 1})).recommender.info
    assert TrainConfig(**info.config) == TrainConfig(**{**FAST, "epochs": 1})


def test_from_dict_builds_nested_settings():
    config = TrainConfig.from_dict(
        {"epochs": 3, "watch": {"l2": 50.0}, "serve": {"min_support": 2}}
    )
    assert config == TrainConfig(
        epochs=3, watch=WatchConfig(l2=50.0), serve=ServeSettings(min_support=2)
    )
    assert TrainConfig.from_dict({"watch": None}).watch is None
    assert TrainConfig.from_dict({}) == TrainConfig()


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ([1, 2], TypeError),
        ("epochs=3", TypeError),
        ({"epoch": 3}, TypeError),
        ({"serve": {"fold_in": 0.1}}, TypeError),
        ({"epochs": 0}, ValueError),
        ({"watch": {"l2": -1.0}}, ValueError),
    ],
    ids=repr,
)
def test_from_dict_refuses_bad_overrides(overrides, error):
    with pytest.raises(error):
        TrainConfig.from_dict(overrides)
