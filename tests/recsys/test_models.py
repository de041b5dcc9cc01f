"""The three models share forward(users, items), compute the documented formulas, and each
brings its own serving side: fallbacks and fold-in."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from recsys.item_side import FoldIn
from recsys.models import CollabFNet, MFBias, build_model


@pytest.mark.parametrize("kind", ["mf", "mf_bias", "ncf"])
def test_forward_returns_one_prediction_per_pair(kind):
    model = build_model(kind, n_users=4, n_items=6, dim=5, global_mean=3.0)
    users, items = torch.tensor([0, 3, 1]), torch.tensor([5, 0, 2])
    assert model(users, items).shape == (3,)


def test_mf_bias_is_mean_plus_biases_plus_dot():
    model = build_model("mf_bias", n_users=2, n_items=2, dim=3, global_mean=3.5)
    assert isinstance(model, MFBias)
    with torch.no_grad():
        model.user_emb.weight.copy_(torch.tensor([[1.0, 0, 0], [0, 1, 0]]))
        model.item_emb.weight.copy_(torch.tensor([[2.0, 0, 0], [0, 0, 1]]))
        model.user_bias.weight.copy_(torch.tensor([[0.1], [-0.2]]))
        model.item_bias.weight.copy_(torch.tensor([[0.3], [0.0]]))
        out = model(torch.tensor([0, 1]), torch.tensor([0, 1]))
    assert out.tolist() == pytest.approx([3.5 + 0.1 + 0.3 + 2.0, 3.5 - 0.2])


def test_ncf_has_the_notebooks_layers():
    model = build_model("ncf", n_users=3, n_items=3, dim=100)
    assert isinstance(model, CollabFNet)
    assert (model.lin1.in_features, model.lin1.out_features) == (200, 10)
    assert (model.lin2.in_features, model.lin2.out_features) == (10, 1)
    assert isinstance(model.drop, nn.Dropout) and model.drop.p == pytest.approx(0.1)


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown model kind 'svd'"):
        build_model("svd", 1, 1, 1)


def test_mf_bias_falls_back_on_its_mean_and_biases():
    model = build_model("mf_bias", n_users=2, n_items=3, dim=2, global_mean=3.5)
    assert isinstance(model, MFBias)
    with torch.no_grad():
        model.user_bias.weight.copy_(torch.tensor([[0.25], [-0.5]]))
        model.item_bias.weight.copy_(torch.tensor([[0.5], [0.0], [-1.0]]))
    baseline = model.item_side(np.array([4.0, 3.0, 1.0]), np.array([2, 1, 1])).baseline
    assert baseline.mean == 3.5
    assert baseline.items.tolist() == [4.0, 3.5, 2.5] == baseline.shown.tolist()
    assert baseline.users.tolist() == [3.75, 3.0]


@pytest.mark.parametrize("kind", ["mf", "ncf"])
def test_models_without_biases_fall_back_on_movie_means(kind):
    model = build_model(kind, n_users=2, n_items=2, dim=3)
    baseline = model.item_side(np.array([3.0, 4.0], dtype=np.float32), np.array([1, 3])).baseline
    assert baseline.mean == pytest.approx(3.75)  # (3 * 1 + 4 * 3) / 4
    assert baseline.items.tolist() == [3.0, 4.0] and baseline.users.tolist() == [3.75, 3.75]


def test_ridge_fold_in_recovers_the_vector_behind_the_ratings():
    torch.manual_seed(0)
    model = build_model("mf", n_users=1, n_items=12, dim=3)
    side = model.item_side(np.full(12, 3.0), np.ones(12, dtype=np.int64))
    truth = side.vectors @ np.array([0.5, -1.0, 2.0])
    folded = side.fold_in(np.arange(8), truth[:8], FoldIn(l2=1e-9))
    assert folded.predict(None) == pytest.approx(truth, abs=1e-5)
    assert folded.predict(np.array([9, 11])) == pytest.approx(truth[[9, 11]], abs=1e-5)
    shares = folded.contributions(np.arange(12))  # (targets, rated): the dot product's parts
    assert shares.shape == (12, 8) and shares.sum(axis=1) == pytest.approx(truth, abs=1e-4)


def test_the_prior_keeps_a_few_low_ratings_from_dragging_every_prediction_down():
    torch.manual_seed(0)
    model = build_model("mf_bias", n_users=4, n_items=12, dim=3, global_mean=3.5)
    assert isinstance(model, MFBias)
    with torch.no_grad():
        model.item_bias.weight.fill_(0.5)  # every movie is predicted 4 for an average person
        model.user_bias.weight.zero_()
    side = model.item_side(np.full(12, 4.0), np.full(12, 10))
    low = np.ones(5)  # five one-star ratings
    loose = side.fold_in(np.arange(5), low, FoldIn(l2=0.1)).predict(np.arange(5, 12))
    shrunk = side.fold_in(np.arange(5), low, FoldIn(l2=0.1, bias_prior=10.0, vector_prior=10.0))
    assert loose.max() < 2.0  # the person's bias alone is about -2.7
    assert shrunk.predict(np.arange(5, 12)).min() > 2.8 > loose.max()


def test_mf_bias_penalises_its_biases_too():
    model = build_model("mf_bias", n_users=1, n_items=1, dim=2)
    assert isinstance(model, MFBias)
    with torch.no_grad():
        model.user_emb.weight.zero_()
        model.item_emb.weight.fill_(1.0)
        model.user_bias.weight.fill_(1.0)
        model.item_bias.weight.fill_(2.0)
    one = torch.tensor([0])
    penalty = model.penalty(one, one, l2=0.5, bias_l2=0.1).item()
    assert penalty == pytest.approx(0.5 * 2 + 0.1 * (1 + 4))
