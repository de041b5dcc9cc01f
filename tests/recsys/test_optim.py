"""LazyAdam against torch's own Adam/SparseAdam, RowAdagrad against its formula, and the
hand-written mf gradient against autograd."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from recsys.fitting import Schedule, _FactorStep
from recsys.mf import MF, MFBias
from recsys.optim import LazyAdam, RowAdagrad

SCHEDULE = Schedule(
    lr=0.05, lr_decay=1.0, l2=0.1, bias_l2=0.01, batch_size=8, epochs=1, patience=1, seed=0
)


def test_rows_touched_every_step_follow_dense_adam():
    torch.manual_seed(0)
    lazy = torch.randn(4, 3)
    dense = nn.Parameter(lazy.clone())
    optimiser = LazyAdam([lazy], lr=0.1)
    reference = torch.optim.Adam([dense], lr=0.1)
    for _ in range(5):
        grad = torch.randn(4, 3)
        optimiser.step([(torch.arange(4), [(lazy, grad)])])
        dense.grad = grad.clone()
        reference.step()
    torch.testing.assert_close(lazy, dense.detach())
    state = reference.state[dense]
    torch.testing.assert_close(optimiser.state(lazy)[0], state["exp_avg"])
    torch.testing.assert_close(optimiser.state(lazy)[1], state["exp_avg_sq"])


def test_duplicate_rows_are_summed_and_untouched_rows_keep_weights_and_moments():
    torch.manual_seed(1)
    table = torch.randn(6, 2)
    start = table.clone()
    sparse = nn.Parameter(start.clone())
    optimiser = LazyAdam([table], lr=0.1)
    reference = torch.optim.SparseAdam([sparse], lr=0.1)
    steps = [torch.tensor([1, 3, 1, 1]), torch.tensor([0, 3, 3]), torch.tensor([4])]
    for rows in steps:
        values = torch.randn(rows.numel(), 2)
        optimiser.step([(rows, [(table, values)])])
        sparse.grad = torch.sparse_coo_tensor(rows[None], values, (6, 2), check_invariants=True)
        reference.step()
    torch.testing.assert_close(table, sparse.detach())
    assert torch.equal(table[[2, 5]], start[[2, 5]])
    assert not optimiser.state(table)[0][[2, 5]].any()


def test_one_coalescing_serves_every_table_of_a_group():
    torch.manual_seed(2)
    vectors, biases = torch.randn(5, 3), torch.zeros(5, 1)
    separate_v, separate_b = vectors.clone(), biases.clone()
    rows = torch.tensor([2, 0, 2])
    grad_v, grad_b = torch.randn(3, 3), torch.randn(3, 1)
    LazyAdam([vectors, biases], lr=0.1).step([(rows, [(vectors, grad_v), (biases, grad_b)])])
    alone = LazyAdam([separate_v, separate_b], lr=0.1)
    alone.step([(rows, [(separate_v, grad_v)]), (rows.clone(), [(separate_b, grad_b)])])
    torch.testing.assert_close(vectors, separate_v)
    torch.testing.assert_close(biases, separate_b)


def test_step_sparse_reads_the_gradient_sparse_embeddings_leave():
    torch.manual_seed(3)
    embedding = nn.Embedding(7, 4, sparse=True)
    copy = embedding.weight.detach().clone()
    rows = torch.tensor([6, 1, 6, 2])
    upstream = torch.randn(4, 4)
    (embedding(rows) * upstream).sum().backward()
    optimiser = LazyAdam([embedding.weight], lr=0.1)
    optimiser.step_sparse()
    LazyAdam([copy], lr=0.1).step([(rows, [(copy, upstream)])])
    torch.testing.assert_close(embedding.weight.detach(), copy)
    optimiser.zero_grad()
    assert embedding.weight.grad is None


def test_dense_gradients_are_refused():
    table = nn.Parameter(torch.zeros(3, 2))
    table.grad = torch.ones(3, 2)
    with pytest.raises(ValueError, match="sparse"):
        LazyAdam([table], lr=0.1).step_sparse()


def test_row_adagrad_follows_its_formula_per_row():
    table = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    start = table.clone()
    optimiser = RowAdagrad([table], lr=0.5)
    rows = torch.tensor([0, 2, 0])
    grads = torch.tensor([[1.0, 1.0], [2.0, 0.0], [3.0, -1.0]])
    optimiser.step([(rows, [(table, grads)])])
    # Row 0 received [1, 1] (mean square 1) and [3, -1] (5): G = 6; row 2 [2, 0]: G = 2.
    expected_g = torch.tensor([6.0, 0.0, 2.0])
    torch.testing.assert_close(optimiser.state(table), expected_g)
    expected = start.clone()
    expected[0] -= 0.5 * torch.tensor([4.0, 0.0]) / (6.0**0.5 + 1e-8)
    expected[2] -= 0.5 * torch.tensor([2.0, 0.0]) / (2.0**0.5 + 1e-8)
    torch.testing.assert_close(table, expected)
    assert torch.equal(table[1], start[1])


def test_row_adagrad_steps_shrink_as_gradients_accumulate():
    table = torch.zeros(1, 3)
    optimiser = RowAdagrad([table], lr=1.0)
    moves = []
    for _ in range(4):
        before = table.clone()
        optimiser.step([(torch.tensor([0]), [(table, torch.ones(1, 3))])])
        moves.append(float((before - table)[0, 0]))
    torch.testing.assert_close(
        torch.tensor(moves), 1 / torch.arange(1.0, 5.0).sqrt(), atol=1e-6, rtol=0
    )


@pytest.mark.parametrize("kind", [MF, MFBias])
def test_hand_written_mf_gradient_matches_autograd(kind):
    torch.manual_seed(4)
    model = kind(9, 7, 5) if kind is MF else kind(9, 7, 5, global_mean=3.2)
    generator = torch.Generator().manual_seed(5)
    users = torch.randint(0, 9, (8,), generator=generator)
    items = torch.randint(0, 7, (8,), generator=generator)
    ratings = torch.rand(8, generator=generator) * 4.5 + 0.5
    groups, hand_loss = _FactorStep(model, SCHEDULE).gradients(users, items, ratings)
    squared = (model(users, items) - ratings).square()
    loss = squared.mean() + model.penalty(users, items, SCHEDULE.l2, SCHEDULE.bias_l2)
    loss.backward()
    torch.testing.assert_close(hand_loss, squared.detach().sum())
    for rows, pairs in groups:
        for table, values in pairs:
            summed = torch.zeros_like(table).index_add_(0, rows, values)
            torch.testing.assert_close(summed, table.grad)


def test_a_factor_step_moves_the_batch_rows_only():
    torch.manual_seed(6)
    model = MFBias(9, 7, 5, global_mean=3.0)
    start = {k: v.clone() for k, v in model.state_dict().items()}
    users, items = torch.tensor([1, 4, 1]), torch.tensor([0, 0, 6])
    _FactorStep(model, SCHEDULE)(users, items, torch.tensor([5.0, 1.0, 3.0]))
    moved = (model.user_emb.weight != start["user_emb.weight"]).any(dim=1)
    assert moved.nonzero().flatten().tolist() == [1, 4]
    moved = (model.item_emb.weight != start["item_emb.weight"]).any(dim=1)
    assert moved.nonzero().flatten().tolist() == [0, 6]
