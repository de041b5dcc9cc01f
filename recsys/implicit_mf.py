"""The ranking model for catalogues too large for EASE: implicit-feedback matrix
factorisation (iALS; Hu, Koren and Volinsky 2008) over every movie with at least
`min_support` ratings, trained with the `implicit` library's conjugate-gradient ALS.

Evidence is the one EASE uses: a watched movie is preference 1 with confidence 1 +
alpha * rating_weight(r) (liked ones weigh more); a dislike (`dislike_gap` below the
person's level) is preference 0 with confidence 1 + dislike_alpha; an unwatched movie is
preference 0 with confidence 1. EASE stays the model wherever it fits (WatchConfig.max_items
= 4000): on ml-latest-small's temporal split, through the served path, EASE's NDCG@10 is
0.128 and this model's 0.117 at its tuned defaults; the point of this one is coverage (on
a synthetic 60,000-movie long tail it can rank every eligible movie, EASE a fixed 4,000).
implicit rather than an own torch conjugate-gradient iALS: it trains ml-latest-small in
0.3-0.6 s on one thread, is deterministic given the seed, and supports negative
confidence; only its training needs it.

Serving is numpy only: a new person's vector is the closed-form user solve of the training
objective, x = (Y^T Y + Y_u^T (C_u - I) Y_u + l2 I)^-1 Y_u^T C_u p_u, with Y^T Y computed
once at load (a d x d solve per person); a movie's score is its factor . x. At 60,000 movies
and 64 factors, fold-in plus a top-10 took well under 5 ms (median, 2 busy cores).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import asdict
from typing import Any

import numpy as np
import scipy.sparse as sp

from recsys.watch_config import (
    FACTORS_KEY,
    ITEMS_KEY,
    WEIGHTS_KEY,
    WatchConfig,
    check_shape,
    covered_indices,
    disliked,
    level,
    population_row,
    rating_weight,
)

FOLD_IN_FIELDS = (
    "dislike_gap",
    "dislike_weight",
    "dislike_slope",
    "level_prior",
    "popularity_weight",
    "dismissed_weight",
)
"""The WatchConfig fields `configured` takes from a new config."""
NORM_EPSILON = 1e-9
"""Added to factor norms in cosine similarity so a zero vector does not divide by zero."""


class ImplicitModel:
    """iALS item factors (`factors`, float32, one row per covered item) over the covered
    `items` (their global indices, increasing), and the config it was trained with."""

    def __init__(
        self, items: np.ndarray, factors: np.ndarray, n_items: int, config: WatchConfig
    ) -> None:
        self.items = np.asarray(items, dtype=np.int64)
        self.factors = np.ascontiguousarray(factors, dtype=np.float32)
        self.n_items = n_items
        self.config = config
        self._local = np.full(n_items, -1, dtype=np.int64)
        self._local[self.items] = np.arange(self.items.size)
        wide = self.factors.astype(np.float64)
        self._base = wide.T @ wide + config.als_l2 * np.eye(self.factors.shape[1])
        """Y^T Y + l2 I: the part of every user solve that is the same for everyone."""
        self._norms = np.linalg.norm(self.factors, axis=1) + NORM_EPSILON

    def confidence(self, ratings: np.ndarray, centre: float) -> tuple[np.ndarray, np.ndarray]:
        """Each rating's confidence and preference (1 watched, 0 disliked) for a person
        with these `ratings` (`centre`: the training mean rating, for their level)."""
        r = np.asarray(ratings, dtype=np.float64)
        bad = r <= level(r, centre, self.config) - self.config.dislike_gap
        against = 1.0 + self.config.dislike_alpha * self.config.dislike_weight
        c = np.where(bad, against, 1.0 + self.config.alpha * rating_weight(r, self.config))
        return c, (~bad).astype(np.float64)

    def solve(
        self, local: np.ndarray, c: np.ndarray, p: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The user vector for covered items `local` (local indices) with confidences `c`
        and preferences `p`, and the system matrix it solved."""
        y = self.factors[local].astype(np.float64)
        a = self._base + (y.T * (c - 1.0)) @ y
        return np.linalg.solve(a, y.T @ (c * p)), a

    def fold_in(
        self, idx: np.ndarray, ratings: np.ndarray, centre: float
    ) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]] | None:
        """Scores (-inf outside the model) and contributions(top) -> (m, len(idx)) for a
        person who rated items `idx`, as WatchModel.fold_in. A share is the linear part of
        the user vector owed to one rating, y_top . A^-1 (c_i p_i y_i), so the shares of a
        movie sum to its score; a dislike (preference 0) has none, it acts through A. None
        when none of the rated items is in the model."""
        local = self._local[idx]
        inside = np.flatnonzero(local >= 0)
        if inside.size == 0:
            return None
        c, p = self.confidence(np.asarray(ratings, dtype=np.float64), centre)
        c, p = c[inside], p[inside]
        x, a = self.solve(local[inside], c, p)
        scores = np.full(self.n_items, -np.inf)
        scores[self.items] = self.factors @ x.astype(np.float32)

        def contributions(top: np.ndarray) -> np.ndarray:
            y = self.factors[local[inside]].astype(np.float64)
            shares = np.linalg.solve(a, y.T * (c * p)[None, :])
            out = np.zeros((top.size, idx.size))
            out[:, inside] = self.factors[self._local[top]].astype(np.float64) @ shares
            return out

        return scores, contributions

    def population(
        self, n: int, item_count: np.ndarray, item_mean: np.ndarray, n_users: int
    ) -> np.ndarray:
        """The average person's part of the score, as WatchModel.population."""
        return population_row(
            self.items, self.n_items, n, item_count, item_mean, n_users, self.config
        )

    def dismissal(self, dismissed: np.ndarray) -> np.ndarray:
        """What marking items `dismissed` "not interested" takes off every item's score:
        dismissed_weight times the scores one unit of evidence for them would add against
        the population's Y^T Y + l2 I (0 outside the model)."""
        away = self._local[dismissed]
        away = away[away >= 0]
        out = np.zeros(self.n_items)
        if away.size:
            pull = np.linalg.solve(self._base, self.factors[away].astype(np.float64).sum(0))
            out[self.items] = self.config.dismissed_weight * (self.factors @ pull)
        return out

    def configured(self, config: WatchConfig) -> ImplicitModel:
        """The same factors folding in with `config`'s FOLD_IN_FIELDS; the others stay as
        trained (the fold-in solve must be the training objective's: alpha, als_l2...)."""
        fold_in = {name: getattr(config, name) for name in FOLD_IN_FIELDS}
        changed = ImplicitModel.__new__(ImplicitModel)
        changed.__dict__.update(self.__dict__)
        changed.config = dataclasses.replace(self.config, **fold_in)
        return changed

    def similar_scores(self, item: int) -> np.ndarray | None:
        """Cosine similarity of `item`'s factors with every covered item's (-inf outside)."""
        local = self._local[item]
        if local < 0:
            return None
        scores = np.full(self.n_items, -np.inf)
        scores[self.items] = (self.factors @ self.factors[local]) / (
            self._norms * self._norms[local]
        )
        return scores

    def to_arrays(self) -> dict[str, np.ndarray]:
        """The arrays `implicit_from_arrays` rebuilds it from (not copies: do not modify)."""
        return {ITEMS_KEY: self.items, FACTORS_KEY: self.factors}

    def settings(self) -> dict[str, Any]:
        return asdict(self.config)


def confidence_matrix(
    users: np.ndarray,
    items: np.ndarray,
    ratings: np.ndarray,
    n_users: int,
    covered: np.ndarray,
    n_items: int,
    config: WatchConfig,
) -> sp.csr_matrix:
    """The users x covered items float32 matrix `implicit` trains on: +confidence where
    watched, -confidence (preference 0) where disliked, nothing elsewhere."""
    local = np.full(n_items, -1, dtype=np.int64)
    local[covered] = np.arange(covered.size)
    keep = local[items] >= 0
    r = np.asarray(ratings, dtype=np.float64)
    bad = disliked(users, r, n_users, config)
    data = np.where(
        bad, -(1.0 + config.dislike_alpha), 1.0 + config.alpha * rating_weight(r, config)
    )
    matrix = sp.csr_matrix(
        (data[keep].astype(np.float32), (users[keep], local[items[keep]])),
        shape=(n_users, covered.size),
    )
    matrix.sum_duplicates()
    return matrix


def train_implicit(
    users: np.ndarray,
    items: np.ndarray,
    ratings: np.ndarray,
    n_users: int,
    covered: np.ndarray,
    n_items: int,
    config: WatchConfig,
    *,
    threads: int = 0,
) -> ImplicitModel:
    """iALS item factors for the `covered` items (global indices, increasing) from the
    (user, item, rating) index arrays; `threads` for implicit (0: every core). implicit is
    imported here only: serving never needs it."""
    from implicit.cpu.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits

    matrix = confidence_matrix(users, items, ratings, n_users, covered, n_items, config)
    # implicit runs its own threads; a multi-threaded BLAS under them makes it many times
    # slower (implicit warns about it), so BLAS gets one thread while it trains.
    with threadpool_limits(1, "blas"):
        model = AlternatingLeastSquares(
            factors=config.factors,
            regularization=config.als_l2,
            alpha=1.0,
            iterations=config.iterations,
            random_state=config.seed,
            num_threads=threads,
        )
        model.fit(matrix, show_progress=False)
    return ImplicitModel(covered, np.asarray(model.item_factors), n_items, config)


def implicit_from_arrays(
    arrays: Mapping[str, np.ndarray], config: WatchConfig, n_items: int
) -> ImplicitModel:
    """The model `to_arrays` described; ValueError naming the key when an array is missing,
    has the wrong shape (item_factors: covered items x config.factors) or is not finite."""
    if ITEMS_KEY not in arrays:
        raise ValueError(f"meta has 'watch' settings but tensor {ITEMS_KEY!r} is missing")
    if WEIGHTS_KEY in arrays:
        raise ValueError(f"tensors hold both {WEIGHTS_KEY!r} (EASE) and {FACTORS_KEY!r} (iALS)")
    covered = covered_indices(arrays[ITEMS_KEY], n_items, ITEMS_KEY)
    factors = check_shape(arrays, FACTORS_KEY, (covered.size, config.factors))
    return ImplicitModel(covered, factors, n_items, config)
