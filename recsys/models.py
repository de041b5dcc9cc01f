"""The three rating models, all with `forward(users, items) -> predicted ratings`.

`forward` is the formula and nothing else; training, regularisation and fold-in live in
train.py and recommender.py. Predictions are unclipped: callers clip to 0.5-5 for display.
"""

from __future__ import annotations

import torch
from torch import nn

MODEL_KINDS = ("mf", "mf_bias", "ncf")


class MF(nn.Module):
    """Plain matrix factorisation: rating = user vector . item vector (the notebook's MF)."""

    def __init__(self, n_users: int, n_items: int, dim: int) -> None:
        super().__init__()
        self.user_emb = nn.Embedding(n_users, dim)
        self.item_emb = nn.Embedding(n_items, dim)
        # Positive start so the dot product begins near the ratings' scale, as in the notebook.
        nn.init.uniform_(self.user_emb.weight, 0.0, (3.5 / dim) ** 0.5 * 2)
        nn.init.uniform_(self.item_emb.weight, 0.0, (3.5 / dim) ** 0.5 * 2)

    def forward(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        return (self.user_emb(users) * self.item_emb(items)).sum(-1)


class MFBias(nn.Module):
    """Global mean + user bias + item bias + user vector . item vector (the default)."""

    def __init__(self, n_users: int, n_items: int, dim: int, global_mean: float = 0.0) -> None:
        super().__init__()
        self.user_emb = nn.Embedding(n_users, dim)
        self.item_emb = nn.Embedding(n_items, dim)
        self.user_bias = nn.Embedding(n_users, 1)
        self.item_bias = nn.Embedding(n_items, 1)
        self.register_buffer("global_mean", torch.tensor(float(global_mean)))
        nn.init.normal_(self.user_emb.weight, 0.0, 0.01)
        nn.init.normal_(self.item_emb.weight, 0.0, 0.01)
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


class CollabFNet(nn.Module):
    """The notebook's neural model: concat -> ReLU -> dropout 0.1 -> Linear(2d, 10) -> ReLU ->
    Linear(10, 1), plus a constant global-mean offset so training starts at the right scale."""

    def __init__(
        self, n_users: int, n_items: int, dim: int, global_mean: float = 0.0, hidden: int = 10
    ) -> None:
        super().__init__()
        self.user_emb = nn.Embedding(n_users, dim)
        self.item_emb = nn.Embedding(n_items, dim)
        self.lin1 = nn.Linear(2 * dim, hidden)
        self.lin2 = nn.Linear(hidden, 1)
        self.drop = nn.Dropout(0.1)
        self.register_buffer("global_mean", torch.tensor(float(global_mean)))
        nn.init.normal_(self.user_emb.weight, 0.0, 0.1)
        nn.init.normal_(self.item_emb.weight, 0.0, 0.1)

    def forward(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        return self.forward_vectors(self.user_emb(users), items)

    def forward_vectors(self, user_vectors: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        """Predictions for explicit user vectors (broadcast against items); used by fold-in."""
        item_vectors = self.item_emb(items)
        user_vectors = user_vectors.expand_as(item_vectors)
        x = torch.relu(torch.cat([user_vectors, item_vectors], dim=-1))
        x = torch.relu(self.lin1(self.drop(x)))
        return self.global_mean + self.lin2(x).squeeze(-1)


RatingModel = MF | MFBias | CollabFNet


def build_model(
    kind: str, n_users: int, n_items: int, dim: int, global_mean: float = 0.0
) -> RatingModel:
    """A fresh model of `kind` ("mf", "mf_bias" or "ncf")."""
    if kind == "mf":
        return MF(n_users, n_items, dim)
    if kind == "mf_bias":
        return MFBias(n_users, n_items, dim, global_mean)
    if kind == "ncf":
        return CollabFNet(n_users, n_items, dim, global_mean)
    raise ValueError(f"unknown model kind {kind!r}; expected one of {', '.join(MODEL_KINDS)}")
