"""The "will this person watch and like it" ranking models, and the EASE one: item-to-item
weights learned in closed form over the rated/not-rated matrix (EASE, Steck 2019), with
ratings as weights.

Ranking by predicted rating alone floats movies that a handful of people loved (NDCG@10
0.04-0.07 on ml-latest-small, worse than most-popular's 0.16). This model learns, for the
`max_items` most-rated movies with at least `min_support` ratings, how much having rated
each one predicts having rated each other one; a person's score for a movie is the
evidence-weighted sum over what they rated. Fold-in is a sum of rows, and the biggest term
is the reason shown. Measured on the notebook split it beats implicit ALS (benchmarks/).

Dislikes count against: a second item-to-item model, over who disliked what (a rating
`dislike_gap` below the person's own level), learns which movies are disliked together,
and each of a person's dislikes subtracts its row. Having watched a disliked movie still
counts a little in favour of what is watched with it: on held-out data people do watch and
like the neighbours of what they disliked (benchmarks/variants.py), so the sign comes from
what the data says is disliked together, not from flipping the co-watching evidence.

Scale: the Gram matrix X^T X comes from a scipy.sparse users x items matrix, never a dense
one (at 25M ratings: the same Gram, max difference 2e-13, in 23 s from 0.19 GB instead of
156 s from 5.1 GB). What stays is items^2: the Gram and its inverse in float64, 256 MB at
max_items = 4000, so EASE is capped there; `train_watch` trains recsys.implicit_mf's iALS
over every eligible movie when there are more (WatchConfig.ranker = "auto").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp
from scipy.linalg import lapack

from recsys.watch_config import (
    DISLIKES_KEY,
    FACTORS_KEY,
    ITEMS_KEY,
    WEIGHTS_KEY,
    WatchConfig,
    check_shape,
    covered_indices,
    disliked,
    evidence,
    level,
    population_row,
    rating_weight,
)

__all__ = [
    "DISLIKES_KEY",
    "FACTORS_KEY",
    "ITEMS_KEY",
    "WEIGHTS_KEY",
    "RankingModel",
    "WatchConfig",
    "WatchModel",
    "evidence",
    "level",
    "rating_weight",
    "train_watch",
    "watch_from_arrays",
]

REASON_NEIGHBOURS = 50
"""A rated movie explains a recommendation only if the recommendation is among the movies
most watched with it (its this-many largest co-watching weights): a positive weight alone
let Toy Story "explain" The Shining."""
DEFAULT_CONFIG = WatchConfig()


class RankingModel(Protocol):
    """What recsys.trained needs of a ranking model (EASE's WatchModel, implicit_mf's
    ImplicitModel): scores over the `items` it covers (global indices), -inf elsewhere."""

    items: np.ndarray
    n_items: int
    config: WatchConfig

    def fold_in(
        self, idx: np.ndarray, ratings: np.ndarray, centre: float
    ) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]] | None: ...

    def population(
        self, n: int, item_count: np.ndarray, item_mean: np.ndarray, n_users: int
    ) -> np.ndarray: ...

    def dismissal(self, dismissed: np.ndarray) -> np.ndarray: ...

    def configured(self, config: WatchConfig) -> RankingModel: ...

    def similar_scores(self, item: int) -> np.ndarray | None: ...

    def to_arrays(self) -> dict[str, np.ndarray]: ...

    def settings(self) -> dict[str, Any]: ...


class WatchModel:
    """Item-to-item weights over a subset of items (`items` = their global indices): the
    co-watching `weights` and, when trained, the co-disliking `dislikes` (same shape)."""

    def __init__(
        self,
        items: np.ndarray,
        weights: np.ndarray,
        n_items: int,
        config: WatchConfig,
        dislikes: np.ndarray | None = None,
    ) -> None:
        self.items = np.asarray(items, dtype=np.int64)
        self.weights = np.asarray(weights, dtype=np.float32)
        self.dislikes = None if dislikes is None else np.asarray(dislikes, dtype=np.float32)
        self.n_items = n_items
        self.config = config
        self._local = np.full(n_items, -1, dtype=np.int64)
        self._local[self.items] = np.arange(self.items.size)
        nearest = min(REASON_NEIGHBOURS, self.items.size)
        self._explains = (
            np.partition(self.weights, -nearest, axis=1)[:, -nearest]
            if nearest
            else np.zeros(0, dtype=np.float32)
        )
        """Per covered item, the smallest co-watching weight of its REASON_NEIGHBOURS."""

    def fold_in(
        self, idx: np.ndarray, ratings: np.ndarray, centre: float
    ) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]] | None:
        """Scores for every item (-inf outside the model) for a person who rated items `idx`
        (`ratings`, stars; `centre` is the training mean rating), and contributions(top):
        for m item indices in the model, the (m, len(idx)) share of each one's score owed
        to each rated item (0 for rated items outside the model, and for a target not among
        the rated item's REASON_NEIGHBOURS: it does not explain it). None when none of the
        rated items is in the model."""
        local = self._local[idx]
        inside = np.flatnonzero(local >= 0)
        if inside.size == 0:
            return None
        r = np.asarray(ratings, dtype=np.float64)
        w = evidence(r, centre, self.config)[inside].astype(np.float32)
        rows = self.weights[local[inside]]
        scores = np.full(self.n_items, -np.inf)
        scores[self.items] = w @ rows
        against = np.empty(0, dtype=np.int64)
        dislike_rows = None
        if self.dislikes is not None and self.config.dislike_weight:
            cut = level(r, centre, self.config) - self.config.dislike_gap
            against = np.flatnonzero(r[inside] <= cut)
            if against.size:
                dislike_rows = self.config.dislike_weight * self.dislikes[local[inside][against]]
                scores[self.items] -= dislike_rows.sum(axis=0)

        def contributions(top: np.ndarray) -> np.ndarray:
            columns = self._local[top]
            near = rows[:, columns] >= self._explains[local[inside]][:, None]
            out = np.zeros((top.size, idx.size))
            out[:, inside] = (np.where(near, rows[:, columns], 0.0) * w[:, None]).T
            if dislike_rows is not None:
                out[:, inside[against]] -= dislike_rows[:, columns].T
            return out

        return scores, contributions

    def population(
        self, n: int, item_count: np.ndarray, item_mean: np.ndarray, n_users: int
    ) -> np.ndarray:
        """The average person's part of the score of a person with `n` ratings
        (popularity_weight), from the training ratings' per-item count and mean."""
        return population_row(
            self.items, self.n_items, n, item_count, item_mean, n_users, self.config
        )

    def dismissal(self, dismissed: np.ndarray) -> np.ndarray:
        """What marking items `dismissed` "not interested" takes off every item's score:
        dismissed_weight times the sum of their co-watching rows (0 outside the model)."""
        away = self._local[dismissed]
        away = away[away >= 0]
        out = np.zeros(self.n_items)
        if away.size:
            out[self.items] = self.config.dismissed_weight * self.weights[away].sum(axis=0)
        return out

    def configured(self, config: WatchConfig) -> WatchModel:
        """The same weights folding in with `config` (a copy; the weights are shared)."""
        return WatchModel(self.items, self.weights, self.n_items, config, self.dislikes)

    def similar_scores(self, item: int) -> np.ndarray | None:
        """How strongly rating `item` predicts rating each other item (-inf outside)."""
        local = self._local[item]
        if local < 0:
            return None
        scores = np.full(self.n_items, -np.inf)
        scores[self.items] = self.weights[local]
        return scores

    def to_arrays(self) -> dict[str, np.ndarray]:
        """The arrays `watch_from_arrays` rebuilds it from (not copies: do not modify)."""
        arrays: dict[str, np.ndarray] = {ITEMS_KEY: self.items, WEIGHTS_KEY: self.weights}
        if self.dislikes is not None:
            arrays[DISLIKES_KEY] = self.dislikes
        return arrays

    def settings(self) -> dict[str, Any]:
        return asdict(self.config)


def uses_ials(n_eligible: int, config: WatchConfig) -> bool:
    """Whether `train_watch` trains iALS for `n_eligible` movies with >= min_support ratings."""
    return config.ranker == "ials" or (config.ranker == "auto" and n_eligible > config.max_items)


def train_watch(
    users: np.ndarray,
    items: np.ndarray,
    ratings: np.ndarray,
    n_users: int,
    n_items: int,
    config: WatchConfig = DEFAULT_CONFIG,
    *,
    threads: int = 0,
) -> RankingModel:
    """The ranking model for (user, item, rating) index arrays: EASE over the max_items
    most-rated eligible movies, or (`uses_ials`) recsys.implicit_mf's iALS over all of them
    with `threads` threads (0: every core).

    EASE: B = I - P / diag(P) with P = (W^T W + l2 I)^-1 and W the rating-weighted sparse
    user x item matrix (zero diagonal); the dislike model the same way over the 0/1 matrix
    of dislikes (dislike_l2). A (user, item) pair given twice counts its weights summed."""
    count = np.bincount(items, minlength=n_items)
    eligible = np.flatnonzero(count >= config.min_support)
    if uses_ials(eligible.size, config):
        from recsys.implicit_mf import train_implicit

        return train_implicit(
            users, items, ratings, n_users, eligible, n_items, config, threads=threads
        )
    chosen = eligible[np.argsort(-count[eligible], kind="stable")[: config.max_items]]
    chosen = np.sort(chosen)
    local = np.full(n_items, -1, dtype=np.int64)
    local[chosen] = np.arange(chosen.size)
    keep = local[items] >= 0
    rows, columns = users[keep], local[items[keep]]
    shape = (n_users, chosen.size)
    w = sp.csr_matrix((rating_weight(ratings[keep], config), (rows, columns)), shape=shape)
    weights = _ease(w, config.l2)
    dislikes = None
    if config.dislike_l2 > 0:
        bad = disliked(users, ratings, n_users, config)[keep]
        d = sp.csr_matrix((np.ones(int(bad.sum())), (rows[bad], columns[bad])), shape=shape)
        dislikes = _ease(d, config.dislike_l2)
    return WatchModel(chosen, weights, n_items, config, dislikes)


def _ease(x: sp.csr_matrix, l2: float) -> np.ndarray:
    """EASE's closed form for the sparse (users x items) matrix x, as float32 numpy: the
    float64 Gram from the sparse product, its inverse from a Cholesky factorisation
    (LAPACK potrf + potri, as torch.cholesky_inverse). Peak memory about 3 * 8 * items^2
    bytes (the Gram, its inverse and one symmetrising copy)."""
    n = x.shape[1]
    if n == 0:
        return np.zeros((0, 0), dtype=np.float32)
    gram = np.asarray((x.T @ x).toarray(), dtype=np.float64)
    gram[np.diag_indices(n)] += l2
    factor, info = lapack.dpotrf(gram, lower=False, clean=True, overwrite_a=True)
    if info != 0:
        raise ValueError(f"the EASE Gram matrix is not positive definite (potrf info {info})")
    inverse, info = lapack.dpotri(factor, lower=False, overwrite_c=True)
    if info != 0:
        raise ValueError(f"the EASE Gram matrix could not be inverted (potri info {info})")
    del factor, gram
    p = np.triu(inverse)  # potri fills the upper triangle only
    p += np.triu(inverse, 1).T
    del inverse
    diagonal = p.diagonal().copy()
    p /= -diagonal[None, :]
    p[np.diag_indices(n)] = 0.0
    return p.astype(np.float32)


def watch_from_arrays(
    arrays: Mapping[str, np.ndarray], settings: Any, n_items: int
) -> RankingModel | None:
    """The ranking model an artifact's arrays and meta "watch" settings describe (None when
    `settings` is None): iALS when it holds recsys.implicit_mf's factors, else EASE (every
    artifact saved before iALS). ValueError, naming the key, when an array is missing, has
    the wrong shape or holds non-finite values, or when the settings are malformed."""
    if settings is None:
        return None
    if not isinstance(settings, Mapping):
        raise ValueError(f"meta 'watch' must be an object, got {type(settings).__name__}")
    try:
        config = WatchConfig(**settings)
    except TypeError as exc:
        raise ValueError(f"meta 'watch' is malformed: {exc}") from None
    from recsys.implicit_mf import implicit_from_arrays

    if FACTORS_KEY in arrays:
        return implicit_from_arrays(arrays, config, n_items)
    for key in (ITEMS_KEY, WEIGHTS_KEY):
        if key not in arrays:
            raise ValueError(f"meta has 'watch' settings but tensor {key!r} is missing")
    covered = covered_indices(arrays[ITEMS_KEY], n_items, ITEMS_KEY)
    square = (covered.size, covered.size)
    weights = check_shape(arrays, WEIGHTS_KEY, square)
    dislikes = None
    if DISLIKES_KEY in arrays:  # absent from artifacts saved before issue 9
        dislikes = check_shape(arrays, DISLIKES_KEY, square)
    return WatchModel(covered, weights, n_items, config, dislikes)
