"""The three models share forward(users, items) and compute the documented formulas."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from recsys.models import CollabFNet, build_model


@pytest.mark.parametrize("kind", ["mf", "mf_bias", "ncf"])
def test_forward_returns_one_prediction_per_pair(kind):
    model = build_model(kind, n_users=4, n_items=6, dim=5, global_mean=3.0)
    users, items = torch.tensor([0, 3, 1]), torch.tensor([5, 0, 2])
    assert model(users, items).shape == (3,)


def test_mf_bias_is_mean_plus_biases_plus_dot():
    model = build_model("mf_bias", n_users=2, n_items=2, dim=3, global_mean=3.5)
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
