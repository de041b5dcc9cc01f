"""A trained recommender as tensors and metadata and back: the same answers, clear errors."""

from __future__ import annotations

import pytest

from recsys.state import STATE_FORMAT, from_state, to_state
from tests.support.synthetic import ratings_of


def test_state_round_trip_recommends_the_same(synthetic, trained):
    tensors, meta = to_state(trained)
    copy = from_state(tensors, meta)
    mine = ratings_of(synthetic, 1060)
    assert copy.recommend(mine, k=10) == trained.recommend(mine, k=10)
    assert copy.info == trained.info and copy.genres() == trained.genres()


def test_state_keeps_the_artifact_layout(trained):
    tensors, meta = to_state(trained)
    assert (meta["format"], meta["kind"]) == (STATE_FORMAT, trained.kind)
    assert {"users", "items", "item_count", "item_mean", "item_genres"} <= set(tensors)
    assert {"model.user_emb.weight", "model.item_emb.weight"} <= set(tensors)


@pytest.mark.parametrize(
    ("key", "damage", "message"),
    [
        ("item_count", lambda t: t[:-1], "tensor 'item_count' has shape"),
        ("model.item_emb.weight", lambda t: t[:, :-1], "tensor 'model.item_emb.weight'"),
        ("watch.weights", lambda t: t[1:], "tensor 'watch.weights' has shape"),
        ("users", None, "tensor 'users' is missing"),
    ],
)
def test_from_state_names_the_bad_tensor(mf_bias, key, damage, message):
    tensors, meta = to_state(mf_bias)
    if damage is None:
        del tensors[key]
    else:
        tensors[key] = damage(tensors[key])
    with pytest.raises(ValueError, match=message):
        from_state(tensors, meta)


def test_from_state_refuses_a_wrong_kind(mf_bias):
    tensors, meta = to_state(mf_bias)
    with pytest.raises(ValueError, match="do not match kind 'mf'"):
        from_state(tensors, {**meta, "kind": "mf"})
