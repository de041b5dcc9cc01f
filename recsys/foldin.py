"""Fold-in: a new person's user vector (and bias) computed from their ratings, no retraining.

For the matrix-factorisation models this is the ridge regression the training objective
implies for one user with the item side held fixed; for the neural model it is a few
gradient steps on a fresh user embedding.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from recsys.models import CollabFNet


def ridge_user(
    item_vectors: np.ndarray, targets: np.ndarray, l2: float, with_bias: bool
) -> tuple[np.ndarray, float, Callable[[np.ndarray], np.ndarray]]:
    """Solves min_u sum_i (t_i - x_i.u [- b])^2 + l2 * n * (|u|^2 [+ b^2]).

    item_vectors: (n, d) vectors of the rated items; targets: (n,) what the dot product (and
    bias) must explain. Returns (u of shape (d,), bias, contributions) where
    contributions(vectors) gives, for each row of `vectors` (m, d), the share of its dot
    product owed to each rated item, shape (m, n). The penalty grows with n because training
    penalises the user's vector once per rating. np.linalg.solve rather than inv: it is
    faster and its time stays steady when the cores are busy.
    """
    n = targets.shape[0]
    x = item_vectors
    if with_bias:
        x = np.concatenate([x, np.ones((n, 1), dtype=x.dtype)], axis=1)
    a = x.T @ x
    a[np.diag_indices_from(a)] += l2 * max(n, 1)
    solution = np.linalg.solve(a, x.T @ targets)

    def contributions(vectors: np.ndarray) -> np.ndarray:
        if with_bias:
            vectors = np.concatenate([vectors, np.zeros((len(vectors), 1))], axis=1)
        return (x @ np.linalg.solve(a, vectors.T)).T * targets[None, :]

    if with_bias:
        return solution[:-1], float(solution[-1]), contributions
    return solution, 0.0, contributions


def ncf_user(
    model: CollabFNet,
    items: np.ndarray,
    ratings: np.ndarray,
    *,
    steps: int = 30,
    lr: float = 0.05,
    l2: float = 1e-3,
) -> torch.Tensor:
    """A user embedding for the neural model by `steps` Adam steps from the mean user."""
    with torch.no_grad():
        start = model.user_emb.weight.mean(0, keepdim=True)
    user = start.clone().requires_grad_(True)
    optimiser = torch.optim.Adam([user], lr=lr)
    item_t = torch.as_tensor(items, dtype=torch.long)
    rating_t = torch.as_tensor(ratings, dtype=torch.float32)
    was_training = model.training
    model.eval()
    for _ in range(steps):
        optimiser.zero_grad()
        pred = model.forward_vectors(user, item_t)
        loss = ((pred - rating_t) ** 2).mean() + l2 * (user**2).sum()
        loss.backward()
        optimiser.step()
    model.train(was_training)
    return user.detach()
