"""Matrix factorisation, plain (the notebook's MF) and with biases (the default), as torch
modules for training; once trained they serve as numpy `Factors` (recsys/factors.py)."""

from __future__ import annotations

import torch
from torch import nn

from recsys.factors import Factors
from recsys.rating_model import RatingModel, array

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

    def served(self) -> Factors:
        return Factors(array(self.user_emb.weight), array(self.item_emb.weight))


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

    def served(self) -> Factors:
        return Factors(
            array(self.user_emb.weight),
            array(self.item_emb.weight),
            user_bias=array(self.user_bias.weight)[:, 0],
            item_bias=array(self.item_bias.weight)[:, 0],
            mean=float(self.global_mean),
        )
