"""Forgetting users in stored artifacts: their rows and ratings go, everyone else is served the
same, every file still checks out, pointers follow, and a failure leaves the old model whole."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from recsys import artifacts, forgetting
from recsys.artifacts import ArtifactError
from recsys.forgetting import LEFTOVER_PREFIX, remove_leftovers, users_of, without_users
from recsys.train import TrainConfig, fit
from recsys.trained import TrainedRecommender
from tests.support.synthetic import FAST, low_rank

FORGOTTEN = 987_654_321
"""A user id nothing else in an artifact can look like (movie ids are 7, 17, ..., 1197)."""
KINDS = ("mf_bias", "mf", "ncf")
_DATA = low_rank(n_users=40, n_items=30, seed=3)


def rewritten(path: Path, user_ids: Iterable[int] = (FORGOTTEN,)) -> Path:
    """`without_users` on an artifact that holds them: the new artifact's path."""
    new = without_users(path, user_ids)
    assert new is not None, "the artifact held none of them"
    return new


def ratings_with_forgotten() -> pd.DataFrame:
    """The synthetic ratings with user 1005 renamed FORGOTTEN."""
    ratings = _DATA.ratings.copy()
    ratings.loc[ratings["userId"] == 1005, "userId"] = FORGOTTEN
    return ratings


_CACHE: dict[str, TrainedRecommender] = {}


def trained(kind: str) -> TrainedRecommender:
    if kind not in _CACHE:
        config = TrainConfig(model=kind, **{**FAST, "epochs": 3})
        _CACHE[kind] = fit(ratings_with_forgotten(), config, _DATA.movies).recommender
    return _CACHE[kind]


def save(root: Path, kind: str = "mf_bias") -> Path:
    titles = dict(zip(_DATA.movies["movieId"], _DATA.movies["title"], strict=True))
    return artifacts.save(trained(kind), root, training=ratings_with_forgotten(), titles=titles)


def others(model: TrainedRecommender) -> tuple[np.ndarray, np.ndarray]:
    users = np.array([u for u in model.users.ids if u != FORGOTTEN])
    movies = model.items.ids
    u, m = np.meshgrid(users, movies, indexing="ij")
    return u.ravel(), m.ravel()


@pytest.mark.parametrize("kind", KINDS)
def test_the_rewritten_model_has_no_row_for_them_and_predicts_the_same_for_the_others(
    tmp_path: Path, kind: str
) -> None:
    path = save(tmp_path, kind)
    before = artifacts.load(path)

    after = artifacts.load(rewritten(path))

    assert FORGOTTEN in before.users and FORGOTTEN not in after.users
    assert len(after.users) == len(before.users) - 1
    np.testing.assert_array_equal(after.predict(*others(before)), before.predict(*others(before)))


@pytest.mark.parametrize("kind", KINDS)
def test_a_new_person_is_served_almost_the_same(tmp_path: Path, kind: str) -> None:
    # Fold-in starts from the average training user, which no longer averages them in.
    path = save(tmp_path, kind)
    before = artifacts.load(path)
    mine, movies = {7: 5.0, 17: 4.0, 27: 1.5}, before.items.ids

    after = artifacts.load(rewritten(path))

    np.testing.assert_allclose(
        after.predict_for(mine, movies), before.predict_for(mine, movies), atol=0.05
    )


def test_no_file_of_the_rewritten_artifact_holds_their_id(tmp_path: Path) -> None:
    new = without_users(save(tmp_path), [FORGOTTEN])

    assert new is not None
    for file in new.iterdir():
        data = file.read_bytes()
        assert str(FORGOTTEN).encode() not in data, file.name
        assert FORGOTTEN.to_bytes(8, "little") not in data, file.name


def test_their_training_ratings_go_and_everyone_elses_stay(tmp_path: Path) -> None:
    path = save(tmp_path)
    before = artifacts.load_training(path)

    after = artifacts.load_training(rewritten(path))

    assert before is not None and after is not None
    expected = before[before["userId"] != FORGOTTEN].reset_index(drop=True)
    pd.testing.assert_frame_equal(after, expected)


def test_every_file_checks_out_and_meta_counts_the_forgotten(tmp_path: Path) -> None:
    path = save(tmp_path)
    n_ratings = int((ratings_with_forgotten()["userId"] == FORGOTTEN).sum())
    titles = artifacts.read_titles(path)

    new = rewritten(path)

    meta = artifacts.verify(new)  # every checksum, titles.json and ratings.npz included
    assert meta["forgotten"]["users"] == 1
    assert meta["forgotten"]["training_ratings"] == n_ratings
    assert meta["version"] == meta["info"]["version"] == new.name
    assert artifacts.read_titles(new) == titles and len(titles) == 30
    again = rewritten(new, [1010])
    assert artifacts.read_meta(again)["forgotten"]["users"] == 2


def test_pointers_follow_the_rewritten_copies_and_the_old_ones_are_gone(tmp_path: Path) -> None:
    first = save(tmp_path, "mf")
    second = save(tmp_path, "mf_bias")  # current; first is previous

    new_first = rewritten(first)
    new_second = rewritten(second)

    assert (artifacts.current_path(tmp_path), artifacts.previous_path(tmp_path)) == (
        new_second,
        new_first,
    )
    assert not first.exists() and not second.exists()
    assert artifacts.list_versions(tmp_path) == [new_first, new_second]
    assert new_first.name[:16] == first.name[:16]  # the save time keeps the versions' order
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_an_artifact_without_them_is_left_alone(tmp_path: Path) -> None:
    path = save(tmp_path)
    files = {p.name: p.read_bytes() for p in path.iterdir()}

    assert without_users(path, [424242]) is None
    assert {p.name: p.read_bytes() for p in path.iterdir()} == files
    assert artifacts.current_path(tmp_path) == path


def test_a_failure_before_the_switch_leaves_the_old_artifact_serving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = save(tmp_path)

    def broken(_path: Path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(forgetting, "load", broken)
    with pytest.raises(OSError, match="disk full"):
        without_users(path, [FORGOTTEN])

    assert artifacts.current_path(tmp_path) == path
    assert FORGOTTEN in artifacts.load(path).users
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["current", path.name])


def test_a_damaged_artifact_is_an_error_naming_the_file_and_nothing_changes(
    tmp_path: Path,
) -> None:
    path = save(tmp_path)
    weights = path / "weights.npz"
    weights.write_bytes(weights.read_bytes()[:-10])

    with pytest.raises(ArtifactError, match=r"weights\.npz"):
        without_users(path, [FORGOTTEN])

    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["current", path.name])


def test_users_of_lists_the_id_map_and_the_training_users(tmp_path: Path) -> None:
    model = trained("mf_bias")
    training = pd.DataFrame({"userId": [5], "movieId": [7], "rating": [4.0]})
    path = artifacts.save(model, tmp_path, training=training)

    assert users_of(path).tolist() == sorted({*model.users.ids.tolist(), 5})


def test_users_of_a_damaged_artifact_is_an_error_naming_the_file(tmp_path: Path) -> None:
    path = save(tmp_path)
    (path / "weights.npz").write_bytes(b"not a torch file")

    with pytest.raises(ArtifactError, match=r"weights\.npz"):
        users_of(path)


def test_an_old_copy_a_crash_left_half_deleted_is_removed(tmp_path: Path) -> None:
    path = save(tmp_path)
    leftover = tmp_path / f"{LEFTOVER_PREFIX}{path.name}-1a2b3c4d"
    leftover.mkdir()
    (leftover / "weights.npz").write_bytes(b"half")
    os.utime(leftover, None)

    assert remove_leftovers(tmp_path) == [leftover]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["current", path.name])


def test_a_format_1_artifact_is_rewritten_in_the_current_format(tmp_path: Path) -> None:
    old = Path(__file__).parent / "data" / "20261201T234115Z-mf_bias-a76d381a"
    copy = tmp_path / old.name
    shutil.copytree(old, copy)
    before = artifacts.load(copy)
    gone = int(before.users.ids[0])

    new = without_users(copy, [gone])

    assert new is not None and not copy.exists()
    assert sorted(p.name for p in new.iterdir()) == ["history.json", "meta.json", "weights.npz"]
    assert artifacts.verify(new)["format"] == artifacts.FORMAT
    after = artifacts.load(new)
    assert gone not in after.users and len(after.users) == len(before.users) - 1
    rest = np.array(before.users.ids[1:]), np.full(len(before.users) - 1, before.items.ids[0])
    np.testing.assert_allclose(after.predict(*rest), before.predict(*rest))
