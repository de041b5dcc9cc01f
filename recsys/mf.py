"""Matrix factorisation, plain (the notebook's MF) and with biases (the default), and their
fold-in: the ridge regression the training objective implies for one user with the item
side held fixed."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from recsys.rating_model import Baseline, FoldedUser, FoldIn, ItemSide, RatingModel, mean_baseline

MF_INIT_MEAN = 3.5
"""MF starts with positive vectors whose dot product is about this rating (the notebook's)."""
MF_BIAS_INIT_STD = 0.01
"""Standard deviation of MFBias's initial vectors: small, the biases explain most at first."""


class MF(RatingModel):
    """Plain matrix factorisation: rating = user vector . item vector (the notebook's MF)."""

    def __init__(self, n_users: int, n_items: int, dim: int) -> None:
        super().__init__()
        self.user_emb = nn.Embedding(n_users, dim)
        self.item_emb = nn.Embedding(n_items, dim)
        # Positive start so the dot product begins near the ratings' scale, as in the notebook.
        nn.init.uniform_(self.user_emb.weight, 0.0, (MF_INIT_MEAN / dim) ** 0.5 * 2)
        nn.init.uniform_(self.item_emb.weight, 0.0, (MF_INIT_MEAN / dim) ** 0.5 * 2)

    def forward(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        return (self.user_emb(users) * self.item_emb(items)).sum(-1)

    def item_side(self, item_mean: np.ndarray, item_count: np.ndarray) -> ItemSide:
        """No biases: an unknown person gets each movie's mean rating."""
        n_items = self.item_emb.num_embeddings
        baseline = mean_baseline(self.user_emb.num_embeddings, item_mean, item_count)
        centre = self.user_emb.weight.detach().numpy().astype(np.float64).mean(axis=0)
        return RidgeItems(
            self.item_vectors(), 0.0, np.zeros(n_items), baseline, centre, with_bias=False
        )


class MFBias(RatingModel):
    """Global mean + user bias + item bias + user vector . item vector (the default)."""

    global_mean: torch.Tensor

    def __init__(self, n_users: int, n_items: int, dim: int, global_mean: float = 0.0) -> None:
        super().__init__()
        self.user_emb = nn.Embedding(n_users, dim)
        self.item_emb = nn.Embedding(n_items, dim)
        self.user_bias = nn.Embedding(n_users, 1)
        self.item_bias = nn.Embedding(n_items, 1)
        self.register_buffer("global_mean", torch.tensor(float(global_mean)))
        nn.init.normal_(self.user_emb.weight, 0.0, MF_BIAS_INIT_STD)
        nn.init.normal_(self.item_emb.weight, 0.0, MF_BIAS_INIT_STD)
        nn.init.zeros_(self.user_bias.weight)
        nn.init.zeros_(self.item_bias.weight)

    def forward(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        dot = (self.user_emb(users) * self.item_emb(items)).sum(-1)
        return (
            self.global_mean
            + self.user_bias(users).squeeze(-1)
            + self.item_bias(items).squeeze(-1)
            + dot
        )

    def penalty(
        self, users: torch.Tensor, items: torch.Tensor, l2: float, bias_l2: float
    ) -> torch.Tensor:
        """The vectors' L2 plus `bias_l2` on the batch's user and item biases."""
        penalty = super().penalty(users, items, l2, bias_l2)
        biases = self.user_bias(users).squeeze(-1) ** 2 + self.item_bias(items).squeeze(-1) ** 2
        return penalty + bias_l2 * biases.mean()

    def item_side(self, item_mean: np.ndarray, item_count: np.ndarray) -> ItemSide:
        """An unknown person gets mean + movie bias, an unknown movie mean + user bias."""
        mean = float(self.global_mean)
        item_bias = self.item_bias.weight.detach().numpy()[:, 0].astype(np.float64)
        user_bias = self.user_bias.weight.detach().numpy()[:, 0]
        items = mean + item_bias
        baseline = Baseline(mean=mean, items=items, users=mean + user_bias, shown=items)
        user_vectors = self.user_emb.weight.detach().numpy().astype(np.float64)
        centre = np.append(user_vectors.mean(axis=0), float(user_bias.mean()))
        return RidgeItems(self.item_vectors(), mean, item_bias, baseline, centre, with_bias=True)


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

    def fold_in(self, idx: np.ndarray, values: np.ndarray, penalty: FoldIn) -> FoldedUser:
        """The person's vector (and bias) by `ridge_user` on what mean and biases leave."""
        vectors, mean, item_bias = self.vectors, self.mean, self.item_bias
        targets = values - mean - item_bias[idx]
        u, b, contributions = ridge_user(
            vectors[idx], targets, penalty, self.with_bias, self.centre
        )

        def predict(items: np.ndarray | None) -> np.ndarray:
            if items is None:
                return mean + b + item_bias + vectors @ u
            return mean + b + item_bias[items] + vectors[items] @ u

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
