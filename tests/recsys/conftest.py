"""Models trained once per session on the synthetic data, shared by the recsys tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from recsys.train import TrainConfig, fit
from recsys.trained import TrainedRecommender
from tests.support.synthetic import FAST, Synthetic, low_rank

KINDS = ("mf_bias", "mf", "ncf")


@pytest.fixture(scope="session")
def synthetic() -> Synthetic:
    return low_rank()


@pytest.fixture(scope="session")
def fitted(synthetic: Synthetic) -> Callable[[str], TrainedRecommender]:
    """fitted(kind): a model of `kind` trained with FAST on all of `synthetic` (cached)."""
    cache: dict[str, TrainedRecommender] = {}

    def get(kind: str) -> TrainedRecommender:
        if kind not in cache:
            config = TrainConfig(model=kind, **FAST)
            cache[kind] = fit(synthetic.ratings, config, synthetic.movies).recommender
        return cache[kind]

    return get


@pytest.fixture(params=KINDS)
def trained(request: pytest.FixtureRequest, fitted) -> TrainedRecommender:
    return fitted(request.param)


@pytest.fixture
def mf_bias(fitted) -> TrainedRecommender:
    return fitted("mf_bias")
