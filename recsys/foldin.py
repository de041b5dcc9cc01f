"""Fold-in: a new person's user vector (and bias) computed from their ratings, no retraining.

For the matrix-factorisation models this is the ridge regression the training objective
implies for one user with the item side held fixed; for the neural model it is a few
gradient steps on a fresh user embedding.
"""

from __future__ import annotations

import numpy as np
import torch

from recsys.models import CollabFNet


def ridge_user(
    item_vectors: np.ndarray, targets: np.ndarray, l2: float, with_bias: bool
) -> tuple[np.ndarray, float, np.ndarray]:
    """Solves min_u sum_i (t_i - x_i.u [- b])^2 + l2 * n * (|u|^2 [+ b^2]).

    item_vectors: (n, d) vectors of the rated items; targets: (n,) what the dot product (and
    bias) must explain. Returns (u of shape (d,), bias, explain) where `explain` (n, d) is
    X A^-1, so that item j's dot contribution from rated item i is x_j . explain_i * t_i.
    The penalty grows with n because training penalises every rating's user vector.
    """
    n = targets.shape[0]
    x = item_vectors
    if with_bias:
        x = np.concatenate([x, np.ones((n, 1), dtype=x.dtype)], axis=1)
    a = x.T @ x + np.eye(x.shape[1], dtype=x.dtype) * (l2 * max(n, 1))
    a_inv = np.linalg.inv(a)
    explain = x @ a_inv
    solution = explain.T @ targets
    if with_bias:
        return solution[:-1], float(solution[-1]), explain[:, :-1]
    return solution, 0.0, explain


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
