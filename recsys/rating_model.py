"""The base of the three rating models while they train: torch modules whose `forward(users,
items)` is the formula (in subclasses). Once trained, each hands the recommender its
`ServedModel` (recsys/item_side.py): mf and mf_bias as numpy factors, the neural model with
its layers.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np
import torch
from torch import nn

from recsys.item_side import ItemSide, ServedModel


class RatingModel(nn.Module, ABC):
    """Base of the three models: `forward(users, items)` is the formula (in subclasses)."""

    user_emb: nn.Embedding
    item_emb: nn.Embedding

    @abstractmethod
    def served(self) -> ServedModel:
        """The trained model as serving holds it (a copy of its parameters)."""

    def item_side(self, item_mean: np.ndarray, item_count: np.ndarray) -> ItemSide:
        """The served model's item side (see ServedModel.item_side)."""
        return self.served().item_side(item_mean, item_count)

    def penalty(
        self, users: torch.Tensor, items: torch.Tensor, l2: float, bias_l2: float
    ) -> torch.Tensor:
        """L2 on the parameters a batch touched (per rating, as SGD-style MF does)."""
        vectors = (self.user_emb(users) ** 2).sum(-1) + (self.item_emb(items) ** 2).sum(-1)
        return l2 * vectors.mean()

    def item_vectors(self) -> np.ndarray:
        """(n_items, dim) item embeddings as float64."""
        return array(self.item_emb.weight).astype(np.float64)


def array(value: torch.Tensor) -> np.ndarray:
    """A parameter or buffer as a numpy array of its own (on the CPU, out of autograd)."""
    return value.detach().cpu().numpy().copy()
