"""Optimisers for embedding tables whose gradient touches a few rows per step: row-wise
Adagrad for the factor models, "lazy" Adam for the neural one.

Row-wise Adagrad (one accumulator per row, as in DLRM and FBGEMM) is what mf and mf_bias
train with. Adam keeps two moments per weight, and reading and writing them for the touched
rows was most of a step: at batch 8,192, dim 128, 162k users x 59k movies on 2 threads an
mf_bias step took 18.9 ms with lazy Adam and 9.7 ms with row-wise Adagrad (430k -> 839k
ratings/s). It needs no coalescing either: each rating's gradient row adds its own mean
square to its row's accumulator and is applied through one `index_add_`, so repeated rows
sum as they should. On the notebook split of ml-latest-small it reached RMSE 0.832 in 1.9 s
(lazy Adam 0.829 in 3.7 s); on 1 M synthetic ratings validation RMSE 0.7451 after 10
epochs in 18 s (lazy Adam 0.7437 in 37 s).

Lazy Adam:

torch's SparseAdam was 63% of a 1,024-rating matrix-factorisation step here: it coalesces
each sparse gradient (sort, then sum the duplicate rows) through the general sparse-tensor
machinery. The same coalescing is one `torch.unique(rows, return_inverse=True)` and one
`index_add_` into a buffer of the touched rows; Adam's moments are then read, updated and
written back for those rows only. Rows a step does not touch keep their weights and their
moments, exactly as SparseAdam does; the bias correction counts optimiser steps (one global
count), also as SparseAdam does.

Everything stays in torch on the parameters' device (no numpy, no host sync), so the same
code runs on CUDA.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import torch

RowGrads = tuple[torch.Tensor, Sequence[tuple[torch.Tensor, torch.Tensor]]]
"""(rows, [(table, values), ...]): `values[k]` is a gradient contribution to `table[rows[k]]`;
rows may repeat (one entry per rating) and are shared by every table in the list (a user's
vector and bias), so they are coalesced once."""


class LazyAdam:
    """Adam (torch's formula, no weight decay) applied to the rows each step touches."""

    def __init__(
        self,
        tables: Iterable[torch.Tensor],
        lr: float,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        self.tables = list(tables)
        self.lr = lr
        """Read at every step: a schedule just assigns it."""
        self.betas = betas
        self.eps = eps
        self.steps = 0
        self._moments = {
            id(t): (
                torch.zeros_like(t, memory_format=torch.contiguous_format),
                torch.zeros_like(t, memory_format=torch.contiguous_format),
            )
            for t in self.tables
        }

    def state(self, table: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(first moment, second moment) of `table`, shaped like it."""
        first, second = self._moments[id(table)]
        return first, second

    @torch.no_grad()
    def step(self, groups: Sequence[RowGrads]) -> None:
        """One optimiser step from per-rating gradient rows (see RowGrads)."""
        self.steps += 1
        for rows, pairs in groups:
            touched, inverse = torch.unique(rows, return_inverse=True)
            for table, values in pairs:
                summed = values.new_zeros((touched.numel(), *values.shape[1:]))
                summed.index_add_(0, inverse, values)
                self._update(table, touched, summed)

    @torch.no_grad()
    def step_sparse(self) -> None:
        """One step from the sparse `.grad` that `nn.Embedding(sparse=True)` leaves (its
        indices are the looked-up rows, uncoalesced); tables without a gradient are skipped.
        """
        groups: list[RowGrads] = []
        for table in self.tables:
            grad = table.grad
            if grad is None:
                continue
            if not grad.is_sparse:
                raise ValueError("LazyAdam.step_sparse needs sparse gradients (sparse=True)")
            groups.append((grad._indices()[0], [(table, grad._values())]))
        self.step(groups)

    def zero_grad(self) -> None:
        for table in self.tables:
            table.grad = None

    def _update(self, table: torch.Tensor, rows: torch.Tensor, grad: torch.Tensor) -> None:
        """Adam on `table[rows]` (rows unique) with the coalesced gradient `grad`."""
        beta1, beta2 = self.betas
        first, second = self.state(table)
        m = first.index_select(0, rows).mul_(beta1).add_(grad, alpha=1.0 - beta1)
        v = second.index_select(0, rows).mul_(beta2).addcmul_(grad, grad, value=1.0 - beta2)
        first.index_copy_(0, rows, m)
        second.index_copy_(0, rows, v)
        correction1 = 1.0 - beta1**self.steps
        correction2 = 1.0 - beta2**self.steps
        denom = v.sqrt_().div_(math.sqrt(correction2)).add_(self.eps)
        table.index_add_(0, rows, m.div_(denom).mul_(-self.lr / correction1))


class RowAdagrad:
    """Adagrad with one accumulator per table row: row r's step is
    lr * g / (sqrt(G_r) + eps), where G_r sums the mean square (over the row's columns) of
    every gradient row it received, this step's included."""

    def __init__(self, tables: Iterable[torch.Tensor], lr: float, eps: float = 1e-8) -> None:
        self.tables = list(tables)
        self.lr = lr
        """Read at every step: a schedule just assigns it."""
        self.eps = eps
        self._accumulators = {id(t): t.new_zeros(t.shape[0]) for t in self.tables}

    def state(self, table: torch.Tensor) -> torch.Tensor:
        """The accumulator of `table`, one value per row."""
        return self._accumulators[id(table)]

    @torch.no_grad()
    def step(self, groups: Sequence[RowGrads]) -> None:
        """One step from per-rating gradient rows (see RowGrads; rows may repeat)."""
        for rows, pairs in groups:
            for table, values in pairs:
                accumulator = self.state(table)
                # The squared norm in one reduction: half the time of square().mean().
                mean_square = torch.linalg.vector_norm(values, dim=1).square_()
                accumulator.index_add_(0, rows, mean_square.div_(values.shape[1]))
                scale = accumulator.index_select(0, rows).sqrt_().add_(self.eps)
                scale = scale.reciprocal_().mul_(-self.lr).unsqueeze(1)
                # Scaled first: index_add_ with alpha leaves its fast path (2.2 ms instead
                # of 0.56 ms for 8,192 x 128 rows here).
                table.index_add_(0, rows, values * scale)
