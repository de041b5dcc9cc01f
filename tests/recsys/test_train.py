"""Training on generated low-rank data with a known noise level."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from recsys import fitting, metrics
from recsys.fitting import RatingTensors, auto_batch_size, auto_threads
from recsys.mf import MFBias
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
    first = fit(train, config).recommender.model.arrays()
    second = fit(train, config).recommender.model.arrays()
    assert all(np.array_equal(first[k], second[k]) for k in first)


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
    scores = [h.val_rmse for h in result.history]
    assert None not in scores  # every epoch is validated
    best = min(s for s in scores if s is not None)
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


def test_old_json_with_a_fixed_batch_and_threads_still_loads():
    old = {**dataclasses.asdict(TrainConfig()), "batch_size": 1024, "threads": 1}
    config = TrainConfig(**old)
    assert (config.batch_size, config.threads) == (1024, 1)
    assert TrainConfig().batch_size is None and TrainConfig().threads is None


def test_auto_batch_and_threads_grow_with_the_data():
    assert auto_batch_size(80_000) == 1024  # ml-latest-small: the tuned batch
    assert auto_batch_size(1_000_000) == 4096
    assert auto_batch_size(25_000_000) == 8192
    sizes = [auto_batch_size(n) for n in (10**k for k in range(2, 9))]
    assert sizes == sorted(sizes)
    assert auto_threads(80_000) == 1
    assert 1 <= auto_threads(25_000_000) <= 2


def test_training_loss_falls_epoch_after_epoch(data):
    _, train, _ = data
    result = fit(train, TrainConfig(**{**FAST, "epochs": 5, "patience": 10}, watch=None))
    losses = [h.train_loss for h in result.history]
    assert losses == sorted(losses, reverse=True)
    assert losses[-1] < 0.5 * losses[0]


def test_without_a_validation_slice_every_epoch_runs(data):
    _, train, _ = data
    config = TrainConfig(**{**FAST, "epochs": 3, "val_fraction": 0.0}, watch=None)
    history = fit(train, config).history
    assert [h.val_rmse for h in history] == [None, None, None]


def test_validation_rmse_in_chunks_equals_the_whole_at_once(monkeypatch):
    torch.manual_seed(0)
    model = MFBias(20, 15, 4, global_mean=3.0)
    users, items = torch.randint(0, 20, (1000,)), torch.randint(0, 15, (1000,))
    ratings = torch.rand(1000) * 4.5 + 0.5
    rows = torch.randperm(1000)[:700]
    with torch.no_grad():
        whole = torch.sqrt(((model(users[rows], items[rows]) - ratings[rows]) ** 2).mean())
    monkeypatch.setattr(fitting, "EVAL_CHUNK", 64)
    chunked = fitting.rmse(model, RatingTensors(users, items, ratings), rows)
    assert chunked == pytest.approx(float(whole), rel=1e-5)
