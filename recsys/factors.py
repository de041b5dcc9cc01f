"""Trained matrix factorisation as numpy arrays: predictions, fallbacks and fold-in (the
ridge regression the training objective implies for one user with the item side held
fixed). recsys/mf.py trains these factors with torch; serving them needs only numpy."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from recsys.item_side import (
    Baseline,
    FoldedUser,
    FoldIn,
    ItemSide,
    ServedModel,
    mean_baseline,
)


@dataclass
class Factors(ServedModel):
    """mf: rating = user vector . item vector; mf_bias adds a global mean and user and item
    biases (`biased`). Arrays are float32 as trained; sums are float64."""

    user_vectors: np.ndarray
    item_vectors: np.ndarray
    user_bias: np.ndarray | None = None
    item_bias: np.ndarray | None = None
    mean: float = 0.0

    @property
    def biased(self) -> bool:
        return self.user_bias is not None and self.item_bias is not None

    def arrays(self) -> dict[str, np.ndarray]:
        out = {"user_emb.weight": self.user_vectors, "item_emb.weight": self.item_vectors}
        if self.user_bias is not None and self.item_bias is not None:
            out["user_bias.weight"] = self.user_bias[:, None]
            out["item_bias.weight"] = self.item_bias[:, None]
            out["global_mean"] = np.asarray(self.mean, dtype=np.float32)
        return out

    def predict_pairs(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        u, i = self.user_vectors[users], self.item_vectors[items]
        out = np.einsum("nd,nd->n", u.astype(np.float64), i.astype(np.float64))
        if self.user_bias is not None and self.item_bias is not None:
            out += self.mean + self.user_bias[users] + self.item_bias[items]
        return out

    def item_side(self, item_mean: np.ndarray, item_count: np.ndarray) -> ItemSide:
        """mf_bias: an unknown person gets mean + movie bias, an unknown movie mean + user
        bias. mf: an unknown person gets each movie's mean rating."""
        vectors = self.item_vectors.astype(np.float64)
        user_vectors = self.user_vectors.astype(np.float64)
        if self.user_bias is None or self.item_bias is None:
            baseline = mean_baseline(len(self.user_vectors), item_mean, item_count)
            centre = user_vectors.mean(axis=0)
            no_bias = np.zeros(len(vectors))
            return RidgeItems(vectors, 0.0, no_bias, baseline, centre, with_bias=False)
        item_bias = self.item_bias.astype(np.float64)
        items = self.mean + item_bias
        users = self.mean + self.user_bias.astype(np.float64)
        baseline = Baseline(mean=self.mean, items=items, users=users, shown=items)
        centre = np.append(user_vectors.mean(axis=0), float(self.user_bias.mean()))
        return RidgeItems(vectors, self.mean, item_bias, baseline, centre, with_bias=True)


def factors_from_arrays(
    kind: str, arrays: Mapping[str, np.ndarray], n_users: int, n_items: int, dim: int
) -> Factors:
    """The factors of an "mf" or "mf_bias" artifact; ValueError naming the array when one
    is missing, extra or has the wrong shape."""
    shapes: dict[str, tuple[int, ...]] = {
        "user_emb.weight": (n_users, dim),
        "item_emb.weight": (n_items, dim),
    }
    if kind == "mf_bias":
        shapes |= {"user_bias.weight": (n_users, 1), "item_bias.weight": (n_items, 1)}
        shapes["global_mean"] = ()
    missing, extra = sorted(set(shapes) - set(arrays)), sorted(set(arrays) - set(shapes))
    if missing or extra:
        raise ValueError(
            f"model tensors do not match kind {kind!r}: missing {missing}, extra {extra}"
        )
    for name, shape in shapes.items():
        if tuple(arrays[name].shape) != shape:
            raise ValueError(
                f"tensor 'model.{name}' has shape {tuple(arrays[name].shape)}, expected {shape}"
            )
    vectors = (arrays["user_emb.weight"], arrays["item_emb.weight"])
    if kind == "mf":
        return Factors(*vectors)
    return Factors(
        *vectors,
        user_bias=arrays["user_bias.weight"][:, 0],
        item_bias=arrays["item_bias.weight"][:, 0],
        mean=float(arrays["global_mean"]),
    )


DENSE_SHARE = 0.1
"""Predicting more than this share of the catalogue scores every item and picks."""


class RidgeItems(ItemSide):
    """Item vectors (and biases) of MF or MFBias; fold-in is a small ridge solve."""

    def __init__(
        self,
        vectors: np.ndarray,
        mean: float,
        item_bias: np.ndarray,
        baseline: Baseline,
        centre: np.ndarray,
        *,
        with_bias: bool,
    ) -> None:
        self.vectors = vectors
        self.mean = mean
        self.item_bias = item_bias
        self.baseline = baseline
        self.centre = centre
        """The training users' mean vector (and, with_bias, mean bias last): the prior."""
        self.with_bias = with_bias
        self._scoring = vectors.astype(np.float32)
        """The vectors predictions are scored with. Scoring a large catalogue is one pass
        over the item vectors, bound by memory: float32 and one product over every item
        (not a gather of the wanted rows) took the 23.6k-movie fold-in + top-10 from 9.6
        to 6.5 ms here (predicting the best movies first, trained.py, then to 4.3 ms)."""

    def fold_in(self, idx: np.ndarray, values: np.ndarray, penalty: FoldIn) -> FoldedUser:
        """The person's vector (and bias) by `ridge_user` on what mean and biases leave."""
        vectors, mean, item_bias = self.vectors, self.mean, self.item_bias
        targets = values - mean - item_bias[idx]
        u, b, contributions = ridge_user(
            vectors[idx], targets, penalty, self.with_bias, self.centre
        )

        scoring, user = self._scoring, u.astype(np.float32)

        def predict(items: np.ndarray | None) -> np.ndarray:
            if items is None or items.size > DENSE_SHARE * len(scoring):
                every = mean + b + item_bias + scoring @ user
                return every if items is None else every[items]
            return mean + b + item_bias[items] + scoring[items] @ user

        return FoldedUser(predict, lambda top: contributions(vectors[top]))


def ridge_user(
    item_vectors: np.ndarray,
    targets: np.ndarray,
    penalty: FoldIn,
    with_bias: bool,
    centre: np.ndarray | None = None,
) -> tuple[np.ndarray, float, Callable[[np.ndarray], np.ndarray]]:
    """Solves min_u sum_i (t_i - x_i.u [- b])^2 + l2 * n * (|u|^2 [+ b^2])
    + vector_prior * |u - c_u|^2 [+ bias_prior * (b - c_b)^2].

    item_vectors: (n, d) vectors of the rated items; targets: (n,) what the dot product (and
    bias) must explain; centre: the population's mean user (d,) [(d + 1,) with the bias
    last], zeros when None. Returns (u of shape (d,), bias, contributions) where
    contributions(vectors) gives, for each row of `vectors` (m, d), the share of its dot
    product owed to each rated item, shape (m, n) (the prior's share is nobody's). The l2
    term grows with n because training penalises the user's vector once per rating; the
    prior does not, so it weighs most when the person has rated little. np.linalg.solve
    rather than inv: it is faster and its time stays steady when the cores are busy.
    """
    n, d = item_vectors.shape
    x = item_vectors
    prior = np.full(d, penalty.vector_prior)
    if with_bias:
        x = np.concatenate([x, np.ones((n, 1), dtype=x.dtype)], axis=1)
        prior = np.append(prior, penalty.bias_prior)
    centre = np.zeros(x.shape[1]) if centre is None else centre
    a = x.T @ x
    a[np.diag_indices_from(a)] += penalty.l2 * max(n, 1) + prior
    solution = np.linalg.solve(a, x.T @ targets + prior * centre)

    def contributions(vectors: np.ndarray) -> np.ndarray:
        if with_bias:
            vectors = np.concatenate([vectors, np.zeros((len(vectors), 1))], axis=1)
        return (x @ np.linalg.solve(a, vectors.T)).T * targets[None, :]

    if with_bias:
        return solution[:-1], float(solution[-1]), contributions
    return solution, 0.0, contributions
