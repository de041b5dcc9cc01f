"""The training loop: epochs of shuffled mini-batches, row-wise Adagrad (mf, mf_bias) or lazy
Adam (ncf) on the embedding tables, validation RMSE after each epoch and early stopping.

Why it looks the way it does (2 CPU cores, 25 M ratings is the target scale):
- The ratings stay as device tensors (the encoded arrays, shared with numpy on the CPU) and
  each epoch's order is one `torch.randperm` from a seeded generator: no numpy and no host
  sync inside an epoch, so the same loop runs on CUDA; the loss is summed on the device and
  read once per epoch.
- mf and mf_bias compute their gradient by hand (`_FactorStep`): the per-rating rows of
  d(loss)/d(vector) are two multiply-adds. Through autograd with sparse embeddings the
  same lazy-Adam step (identical numbers) ran at 311k ratings/s against 606k by hand
  (batch 8,192, 2 threads, 1 M ratings, 162k users x 59k movies, dim 128); torch's
  SparseAdam path ran at 260k. Row-wise Adagrad then took the step to 839k (optim.py).
- The neural model goes through autograd; its embedding tables' sparse gradients feed the
  same `LazyAdam`, its dense layers torch's Adam.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from recsys.mf import MF, MFBias
from recsys.optim import LazyAdam, RowAdagrad, RowGrads
from recsys.rating_model import RatingModel

MIN_IMPROVEMENT = 1e-3
"""An epoch counts as better (patience starts again) when its validation RMSE is lower than
the best so far by more than this share of it (0.1%); the weights kept are those of the
lowest RMSE either way. Late epochs of the decaying learning rate gain less than that:
ml-latest-small's notebook split went 0.8404, 0.8396, 0.8393, 0.8390, 0.8389 from epoch 5,
10 M synthetic ratings 0.7416, 0.7407, 0.7402, 0.7398, 0.7396, 0.7395, and there each epoch
costs 4.6 s on 2 free cores, 13 s on shared ones (see TrainConfig.patience)."""
EVAL_CHUNK = 1 << 18
"""Ratings per forward pass when scoring the validation slice (500k at 25 M ratings):
bounds the temporaries to a few hundred MB at dim 128."""


FACTOR_LR, FACTOR_LR_DECAY = 0.05, 0.8
"""Row-wise Adagrad for mf / mf_bias. Notebook-split RMSE on ml-latest-small (mf_bias,
10 epochs): lr 0.03 0.8303, 0.05 0.8319, 0.1 0.8346 at decay 0.8; 0.05 at decay 0.7
0.8344, 1.0 0.8317. On 1 M synthetic ratings decay 0.8 was within 0.001 of its best
validation RMSE by epoch 7 (decay 1.0 by epoch 9), so 0.05 / 0.8."""
NEURAL_LR, NEURAL_LR_DECAY = 0.01, 0.7
"""Adam for ncf, as the notebook's models were tuned."""


def auto_lr(model: str) -> tuple[float, float]:
    """(learning rate of the first epoch, its decay per epoch) for a model kind."""
    if model in ("mf", "mf_bias"):
        return FACTOR_LR, FACTOR_LR_DECAY
    return NEURAL_LR, NEURAL_LR_DECAY


MIN_AUTO_BATCH = 1024
MAX_AUTO_BATCH = 8192
RATINGS_PER_BATCH_UNIT = 250


def auto_batch_size(n_train: int) -> int:
    """The power of two nearest n_train / 250, within 1,024-8,192: 1,024 up to ~360k
    ratings (ml-latest-small keeps the batch its defaults were tuned with: notebook-split
    RMSE 0.829), 4,096 at 1 M, 8,192 from ~1.5 M on.

    Measured on 1 M long-tail ratings (162k users x 59k movies, dim 128, 1 thread, the
    default lr 0.01 / decay 0.7, 10 epochs; the machine shared, so rates are noisy):
    batch 1,024: 180k ratings/s, best val RMSE 0.728; 4,096: 218k/s, 0.727; 8,192: 217k/s,
    0.730; 16,384: 253k/s, 0.735; 32,768: 237k/s, 0.742. Past 8,192 the rate stops
    growing (a step's cost is the touched rows, about one user row per rating) while
    fewer steps per epoch cost accuracy, so the batch stops there; the learning rate is
    left as it is, since up to 8,192 it gave the same RMSE.
    """
    target = max(n_train, 1) / RATINGS_PER_BATCH_UNIT
    power = 2 ** round(math.log2(max(target, 1.0)))
    return int(min(MAX_AUTO_BATCH, max(MIN_AUTO_BATCH, power)))


BIG_DATA_THREADS = 2


def auto_threads(n_train: int) -> int:
    """1 thread below the point where the batch reaches MAX_AUTO_BATCH, 2 from there on
    (no more than the machine has).

    Small batches gain nothing from a second thread, and on a busy 2-core machine 2 threads
    made one ml-latest-small fit take 72 s instead of 3 s. At big batches the second thread
    pays when the cores are free: 1 M ratings at batch 4,096, 296k/247k ratings/s with 1
    thread against 371k/367k with 2; 5 M at 8,192, 274k against 366k (identical weights).
    With both cores busy with other work it lost badly (a lazy-Adam step 16 ms with 1
    thread, 52 ms with 2): pass threads=1 where training shares its cores.
    """
    if auto_batch_size(n_train) < MAX_AUTO_BATCH:
        return 1
    return max(1, min(BIG_DATA_THREADS, os.cpu_count() or 1))


@dataclass(frozen=True)
class Schedule:
    """What the loop needs of TrainConfig (kept apart so this module does not import it)."""

    lr: float
    lr_decay: float
    l2: float
    bias_l2: float
    batch_size: int
    epochs: int
    patience: int
    seed: int


@dataclass(frozen=True)
class EpochStats:
    epoch: int
    train_loss: float
    """Mean squared error on the training batches (without the penalty)."""
    val_rmse: float | None
    """RMSE on the early-stopping slice; None when val_fraction is 0."""
    seconds: float
    """Wall time since training started."""


@dataclass(frozen=True)
class RatingTensors:
    """Encoded ratings on the training device: user and item indices, float32 stars."""

    users: torch.Tensor
    items: torch.Tensor
    ratings: torch.Tensor


def train_epochs(
    model: RatingModel,
    data: RatingTensors,
    train: torch.Tensor,
    val: torch.Tensor,
    schedule: Schedule,
    started: float,
    progress: Callable[[EpochStats], None] | None = None,
) -> list[EpochStats]:
    """Runs epochs over the rows `train` (indices into `data`) until patience runs out on
    the RMSE of the rows `val` (none: every epoch runs); leaves the best weights in `model`.
    """
    device = data.users.device
    generator = torch.Generator(device=device)
    generator.manual_seed(schedule.seed)
    step = _step_function(model, schedule)
    history: list[EpochStats] = []
    best_rmse, lowest, best_state, stale = float("inf"), float("inf"), None, 0
    for epoch in range(1, schedule.epochs + 1):
        step.set_lr(schedule.lr * schedule.lr_decay ** (epoch - 1))
        model.train()
        order = train[torch.randperm(train.numel(), generator=generator, device=device)]
        # One gather per column and epoch; the batches are then slices (views). Gathering
        # 8,192 rows of each column per step instead was 0.6 ms of a 10 ms step at 10 M.
        users, items, ratings = (t[order] for t in (data.users, data.items, data.ratings))
        del order
        total = torch.zeros((), device=device)
        for start in range(0, users.numel(), schedule.batch_size):
            end = start + schedule.batch_size
            total += step(users[start:end], items[start:end], ratings[start:end])
        del users, items, ratings
        val_rmse = rmse(model, data, val) if val.numel() else None
        stats = EpochStats(
            epoch, float(total) / max(train.numel(), 1), val_rmse, time.perf_counter() - started
        )
        history.append(stats)
        if progress is not None:
            progress(stats)
        if val_rmse is None:
            continue
        if val_rmse < lowest:
            lowest = val_rmse
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        if val_rmse < best_rmse * (1.0 - MIN_IMPROVEMENT):
            best_rmse, stale = val_rmse, 0
        else:
            stale += 1
            if stale >= schedule.patience:
                break
    if best_state is not None:
        model.load_state_dict(best_state)
    for module in model.modules():
        if isinstance(module, nn.Embedding):
            module.sparse = False
    return history


@torch.no_grad()
def rmse(model: RatingModel, data: RatingTensors, rows: torch.Tensor) -> float:
    """RMSE of `model` on the ratings `rows`, in chunks of EVAL_CHUNK, one host sync."""
    model.eval()
    total = torch.zeros((), device=rows.device, dtype=torch.float64)
    for start in range(0, rows.numel(), EVAL_CHUNK):
        chunk = rows[start : start + EVAL_CHUNK]
        error = model(data.users[chunk], data.items[chunk]) - data.ratings[chunk]
        total += error.square().sum(dtype=torch.float64)
    return float(torch.sqrt(total / max(rows.numel(), 1)))


class _Step:
    """One optimiser step on a batch; returns the batch's summed squared error (a device
    scalar, without the penalty)."""

    def __call__(self, users: torch.Tensor, items: torch.Tensor, r: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def set_lr(self, lr: float) -> None:
        raise NotImplementedError


def _step_function(model: RatingModel, schedule: Schedule) -> _Step:
    if isinstance(model, MF | MFBias):
        return _FactorStep(model, schedule)
    return _AutogradStep(model, schedule)


class _FactorStep(_Step):
    """mf / mf_bias with the gradient of the training loss written out:

    loss = mean(err^2) + l2 * mean(|p_u|^2 + |q_i|^2) [+ bias_l2 * mean(b_u^2 + b_i^2)],
    err = [mean + b_u + b_i +] p_u . q_i - r, so per rating (B of them)
    d/dp_u = 2/B (err q_i + l2 p_u), d/dq_i = 2/B (err p_u + l2 q_i),
    d/db_u = 2/B (err + bias_l2 b_u); the model's own `penalty` is the same term.
    """

    def __init__(self, model: MF | MFBias, schedule: Schedule) -> None:
        self.model = model
        self.l2, self.bias_l2 = schedule.l2, schedule.bias_l2
        tables = [model.user_emb.weight, model.item_emb.weight]
        if isinstance(model, MFBias):
            tables += [model.user_bias.weight, model.item_bias.weight]
        self.optimiser = RowAdagrad(tables, schedule.lr)

    def set_lr(self, lr: float) -> None:
        self.optimiser.lr = lr

    def __call__(self, users: torch.Tensor, items: torch.Tensor, r: torch.Tensor) -> torch.Tensor:
        groups, squared = self.gradients(users, items, r)
        self.optimiser.step(groups)
        return squared

    @torch.no_grad()
    def gradients(
        self, users: torch.Tensor, items: torch.Tensor, r: torch.Tensor
    ) -> tuple[list[RowGrads], torch.Tensor]:
        """The per-rating gradient rows of the batch loss (user side, item side) and the
        batch's summed squared error."""
        model = self.model
        user_table, item_table = model.user_emb.weight, model.item_emb.weight
        p = user_table.index_select(0, users)
        q = item_table.index_select(0, items)
        err = torch.linalg.vecdot(p, q).sub_(r)
        scale = 2.0 / users.numel()
        if isinstance(model, MFBias):
            user_bias = model.user_bias.weight.index_select(0, users)
            item_bias = model.item_bias.weight.index_select(0, items)
            err += (user_bias + item_bias).squeeze(1) + model.global_mean
        e = (err * scale).unsqueeze(1)
        grad_q = torch.mul(p, e).add_(q, alpha=self.l2 * scale)
        grad_p = p.mul_(self.l2 * scale).addcmul_(q, e)
        user_side: list[tuple[torch.Tensor, torch.Tensor]] = [(user_table, grad_p)]
        item_side: list[tuple[torch.Tensor, torch.Tensor]] = [(item_table, grad_q)]
        if isinstance(model, MFBias):
            bias_scale = self.bias_l2 * scale
            user_side.append((model.user_bias.weight, user_bias.mul_(bias_scale).add_(e)))
            item_side.append((model.item_bias.weight, item_bias.mul_(bias_scale).add_(e)))
        return [(users, user_side), (items, item_side)], torch.dot(err, err)


class _AutogradStep(_Step):
    """Any other model (ncf): autograd, sparse embedding gradients into `LazyAdam`, torch
    Adam for the dense layers."""

    def __init__(self, model: RatingModel, schedule: Schedule) -> None:
        self.model = model
        self.l2, self.bias_l2 = schedule.l2, schedule.bias_l2
        tables: list[nn.Parameter] = []
        dense: list[nn.Parameter] = []
        for module in model.modules():
            if isinstance(module, nn.Embedding):
                module.sparse = True
                tables.extend(module.parameters(recurse=False))
            elif not list(module.children()):
                dense.extend(module.parameters(recurse=False))
        self.sparse = LazyAdam(tables, schedule.lr)
        self.dense = torch.optim.Adam(dense, lr=schedule.lr) if dense else None

    def set_lr(self, lr: float) -> None:
        self.sparse.lr = lr
        if self.dense is not None:
            for group in self.dense.param_groups:
                group["lr"] = lr

    def __call__(self, users: torch.Tensor, items: torch.Tensor, r: torch.Tensor) -> torch.Tensor:
        squared = (self.model(users, items) - r).square()
        loss = squared.mean() + self.model.penalty(users, items, self.l2, self.bias_l2)
        self.sparse.zero_grad()
        if self.dense is not None:
            self.dense.zero_grad(set_to_none=True)
        loss.backward()
        self.sparse.step_sparse()
        if self.dense is not None:
            self.dense.step()
        return squared.detach().sum()
