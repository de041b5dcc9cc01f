"""What a trained rating model is at serving time: numpy arrays, no torch.

A model is trained as a torch `nn.Module` (recsys/rating_model.py) and then handed to the
recommender as a `ServedModel`: its parameters as arrays, its predictions for training
users, and once its `ItemSide`: the item parameters, the model's own fallbacks for people
and movies it lacks, and how a new person is fitted against the fixed item side (fold-in).
Serving mf and mf_bias this way needs no torch at all, so `recsys recommend` and a bot
loading a model skip its import (3-5 s here); only the neural model keeps its layers.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from recsys.popularity import mean_rating, shrunk_means


@dataclass(frozen=True)
class FoldIn:
    """How hard a new person's parameters are pulled back when they are fitted (fold-in).

    With n ratings, the person's bias and vector are fitted with a ridge penalty of
    `l2 * n` (what training implies, towards zero) plus a prior of `bias_prior` and
    `vector_prior` pseudo-ratings towards the population's mean user: the fewer ratings,
    the closer the person stays to an average person.
    """

    l2: float
    bias_prior: float = 0.0
    vector_prior: float = 0.0


@dataclass(frozen=True)
class FoldedUser:
    """A new person's rating model, from their ratings (fold-in)."""

    predict: Callable[[np.ndarray | None], np.ndarray]
    """Predicted ratings (unclipped, float64) for item indices; None means every item."""
    contributions: Callable[[np.ndarray], np.ndarray]
    """For m item indices, (m, n): how much each of the n rated items raised (> 0) or
    lowered (< 0) each one's prediction; the reason shown is the largest positive one."""


@dataclass(frozen=True)
class Baseline:
    """What the model predicts where it has no user vector or no item (all unclipped)."""

    mean: float
    """Both the person and the movie unknown; also the centre of a predicted rating."""
    items: np.ndarray
    """(n_items,) a known movie for an unknown person (or one with no known rating)."""
    users: np.ndarray
    """(n_users,) an unknown movie for a training user."""
    shown: np.ndarray
    """(n_items,) the predicted rating shown beside the popularity ranking."""


class ItemSide(ABC):
    """A trained model's item side, fixed for serving."""

    vectors: np.ndarray
    """(n_items, dim) float64 item embeddings: similar movies, reasons."""
    baseline: Baseline

    @abstractmethod
    def fold_in(self, idx: np.ndarray, values: np.ndarray, penalty: FoldIn) -> FoldedUser:
        """The person who gave `values` (float64 stars) to item indices `idx`.

        `penalty` says how the closed-form fold-in is regularised (ServeSettings); a model
        with another kind of fold-in documents how it uses it.
        """


class ServedModel(ABC):
    """A trained rating model as the recommender holds it."""

    @abstractmethod
    def arrays(self) -> dict[str, np.ndarray]:
        """Every parameter under its torch state_dict name (what an artifact stores)."""

    @abstractmethod
    def predict_pairs(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        """Unclipped float64 predictions for (user index, item index) pairs of training users."""

    @abstractmethod
    def item_side(self, item_mean: np.ndarray, item_count: np.ndarray) -> ItemSide:
        """The item side for serving; `item_mean`/`item_count` are the training ratings'
        per-movie mean and count (what a model without biases falls back on)."""


def mean_baseline(n_users: int, item_mean: np.ndarray, item_count: np.ndarray) -> Baseline:
    """The fallbacks of a model without biases: each movie's mean rating (shrunk towards the
    global mean on the popularity path), the global mean where the movie is unknown."""
    mean = mean_rating(item_count, item_mean)
    return Baseline(
        mean=mean,
        items=item_mean,
        users=np.full(n_users, mean),
        shown=shrunk_means(item_count, item_mean),
    )
