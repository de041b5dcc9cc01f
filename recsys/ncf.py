"""The notebook's neural model and its fold-in: a few gradient steps on a fresh user
embedding (there is no closed form through the ReLU layers)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import torch
from torch import nn

from recsys.item_side import Baseline, FoldedUser, FoldIn, ItemSide, ServedModel, mean_baseline
from recsys.rating_model import RatingModel, array

HIDDEN = 10
"""Width of the hidden layer (the notebook's Linear(200, 10) for dim 100)."""
DROPOUT = 0.1
INIT_STD = 0.1
"""Standard deviation of the initial user and item embeddings."""
FOLD_IN_STEPS = 30
"""Adam steps of the fold-in, from the mean training user's embedding."""
FOLD_IN_LR = 0.05
FOLD_IN_L2 = 1e-3
"""Penalty on the folded-in embedding's squared norm (ServeSettings.fold_in_l2 is for MF)."""
PRIOR_SCALE = 1e-2
"""ServeSettings.fold_in_vector_prior times this, over the number of ratings, is the penalty
on the squared distance from the mean user's embedding (the loss is a mean, not a sum)."""


class CollabFNet(RatingModel):
    """The notebook's neural model: concat -> ReLU -> dropout 0.1 -> Linear(2d, 10) -> ReLU ->
    Linear(10, 1), plus a constant global-mean offset so training starts at the right scale."""

    global_mean: torch.Tensor

    def __init__(
        self, n_users: int, n_items: int, dim: int, global_mean: float = 0.0, hidden: int = HIDDEN
    ) -> None:
        super().__init__()
        self.user_emb = nn.Embedding(n_users, dim)
        self.item_emb = nn.Embedding(n_items, dim)
        self.lin1 = nn.Linear(2 * dim, hidden)
        self.lin2 = nn.Linear(hidden, 1)
        self.drop = nn.Dropout(DROPOUT)
        self.register_buffer("global_mean", torch.tensor(float(global_mean)))
        nn.init.normal_(self.user_emb.weight, 0.0, INIT_STD)
        nn.init.normal_(self.item_emb.weight, 0.0, INIT_STD)

    def forward(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        return self.forward_vectors(self.user_emb(users), items)

    def forward_vectors(self, user_vectors: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        """Predictions for explicit user vectors (broadcast against items); used by fold-in."""
        item_vectors = self.item_emb(items)
        user_vectors = user_vectors.expand_as(item_vectors)
        x = torch.relu(torch.cat([user_vectors, item_vectors], dim=-1))
        x = torch.relu(self.lin1(self.drop(x)))
        return self.global_mean + self.lin2(x).squeeze(-1)

    def served(self) -> Neural:
        return Neural(self)


class Neural(ServedModel):
    """The neural model kept whole (in eval mode): serving goes through its layers."""

    def __init__(self, model: CollabFNet) -> None:
        self.model = model.eval()

    def arrays(self) -> dict[str, np.ndarray]:
        return {name: array(value) for name, value in self.model.state_dict().items()}

    @torch.no_grad()
    def predict_pairs(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        pairs = torch.as_tensor(users), torch.as_tensor(items)
        return self.model(*pairs).numpy().astype(np.float64)

    def item_side(self, item_mean: np.ndarray, item_count: np.ndarray) -> ItemSide:
        """No biases: an unknown person gets each movie's mean rating."""
        baseline = mean_baseline(self.model.user_emb.num_embeddings, item_mean, item_count)
        return NeuralItems(self.model, baseline)


def neural_from_arrays(
    arrays: Mapping[str, np.ndarray], n_users: int, n_items: int, dim: int
) -> Neural:
    """The neural model of an artifact; ValueError naming the array when one is missing,
    extra or has the wrong shape."""
    model = CollabFNet(n_users, n_items, dim)
    expected = model.state_dict()
    missing, extra = sorted(set(expected) - set(arrays)), sorted(set(arrays) - set(expected))
    if missing or extra:
        raise ValueError(f"model tensors do not match kind 'ncf': missing {missing}, extra {extra}")
    for name, value in expected.items():
        if tuple(arrays[name].shape) != tuple(value.shape):
            raise ValueError(
                f"tensor 'model.{name}' has shape {tuple(arrays[name].shape)}, "
                f"expected {tuple(value.shape)}"
            )
    model.load_state_dict({name: torch.from_numpy(np.array(v)) for name, v in arrays.items()})
    return Neural(model)


class NeuralItems(ItemSide):
    """The neural model kept whole: a new person's predictions go through its layers."""

    def __init__(self, model: CollabFNet, baseline: Baseline) -> None:
        self.model = model
        self.vectors = model.item_vectors()
        self.baseline = baseline

    def fold_in(self, idx: np.ndarray, values: np.ndarray, penalty: FoldIn) -> FoldedUser:
        """`ncf_user`'s gradient fold-in (its own FOLD_IN_L2; of `penalty` only the vector
        prior applies); a rated movie's contribution to a target is how alike their item
        vectors are (signed by whether the person rated it above the model's mean)."""
        model, vectors = self.model, self.vectors
        prior = PRIOR_SCALE * penalty.vector_prior / max(idx.size, 1)
        user = ncf_user(model, idx, values.astype(np.float32), prior=prior)
        sign = np.sign(values - float(model.global_mean))
        n_items = vectors.shape[0]

        def predict(items: np.ndarray | None) -> np.ndarray:
            items_t = torch.arange(n_items) if items is None else torch.as_tensor(items)
            with torch.no_grad():
                return model.forward_vectors(user, items_t).numpy().astype(np.float64)

        return FoldedUser(predict, lambda top: (vectors[top] @ vectors[idx].T) * sign[None, :])


def ncf_user(
    model: CollabFNet,
    items: np.ndarray,
    ratings: np.ndarray,
    *,
    steps: int = FOLD_IN_STEPS,
    lr: float = FOLD_IN_LR,
    l2: float = FOLD_IN_L2,
    prior: float = 0.0,
) -> torch.Tensor:
    """A user embedding for the neural model by `steps` Adam steps from the mean user,
    penalised by `l2` times its squared norm and `prior` times its squared distance from
    the mean user."""
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
        loss = loss + prior * ((user - start) ** 2).sum()
        loss.backward()
        optimiser.step()
    model.train(was_training)
    return user.detach()
