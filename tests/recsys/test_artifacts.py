"""Artifacts: round trip, pointers and rollback, and a clear error for every damaged file."""

from __future__ import annotations

import hashlib
import io
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from recsys import artifacts
from recsys.artifacts import ArtifactError
from recsys.ids import IdMap
from recsys.models import build_model
from recsys.results import ModelInfo
from recsys.settings import ServeSettings
from recsys.state import to_state
from recsys.trained import TrainedRecommender
from recsys.watch import WatchConfig

USERS = [3, 7, 11, 20]
MOVIES = [1, 2, 5, 8, 13, 21]


def tiny_recommender(seed: int = 0, kind: str = "mf_bias") -> TrainedRecommender:
    """A real TrainedRecommender over random parameters: artifacts care about bytes, not quality."""
    torch.manual_seed(seed)
    model = build_model(kind, len(USERS), len(MOVIES), dim=3, global_mean=3.5)
    info = ModelInfo(
        version="",
        kind=kind,
        created_at="2026-11-27T21:00:00+00:00",
        n_ratings=17,
        n_users=len(USERS),
        n_movies=len(MOVIES),
        metrics={"val_rmse": 0.9},
        config={"dim": 3, "seed": seed},
    )
    genres = np.zeros((len(MOVIES), 2), dtype=bool)
    genres[::2, 0] = True
    return TrainedRecommender(
        model.served(),
        kind,
        IdMap.from_values(USERS),
        IdMap.from_values(MOVIES),
        item_count=np.arange(len(MOVIES)) + 5,
        item_mean=np.linspace(2.5, 4.5, len(MOVIES)),
        item_genres=genres,
        genre_names=["Comedy", "Drama"],
        info=info,
        dim=3,
    )


def predictions(rec: TrainedRecommender) -> np.ndarray:
    users, movies = np.meshgrid(USERS, MOVIES)
    return rec.predict(users.ravel(), movies.ravel())


HISTORY = [
    {"epoch": 1, "train_loss": 1.2, "val_rmse": 1.0, "seconds": 0.1},
    {"epoch": 2, "train_loss": 0.8, "val_rmse": 0.95, "seconds": 0.1},
]


def test_round_trip_keeps_predictions_and_records_version(tmp_path: Path) -> None:
    rec = tiny_recommender()

    path = artifacts.save(rec, tmp_path, history=HISTORY, metrics={"rmse": 0.87})
    loaded = artifacts.load(path)

    np.testing.assert_allclose(predictions(loaded), predictions(rec))
    assert loaded.info.version == path.name
    assert loaded.info.metrics == {"rmse": 0.87}
    assert (loaded.info.n_ratings, loaded.info.kind) == (17, "mf_bias")
    assert artifacts.read_history(path) == HISTORY


def test_layout_and_meta(tmp_path: Path) -> None:
    path = artifacts.save(tiny_recommender(), tmp_path)

    meta = json.loads((path / "meta.json").read_text())
    assert sorted(p.name for p in path.iterdir()) == ["history.json", "meta.json", "weights.npz"]
    weights = meta["files"]["weights.npz"]
    assert path.name.endswith(f"-mf_bias-{weights['sha256'][:8]}")
    assert weights["sha256"] == hashlib.sha256((path / "weights.npz").read_bytes()).hexdigest()
    assert meta["code_version"].startswith("0.1.0")
    assert meta["info"]["config"] == {"dim": 3, "seed": 0}
    assert (tmp_path / "current").resolve() == path.resolve()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_training_ratings_and_titles_round_trip(tmp_path: Path) -> None:
    training = pd.DataFrame(
        {"userId": [7, 3, 3], "movieId": [2, 5, 1], "rating": np.array([4.5, 3.0, 5.0], "float32")}
    )
    titles = {1: "Toy Story (1995)", 5: "Amélie (2001)"}

    path = artifacts.save(tiny_recommender(), tmp_path, training=training, titles=titles)

    loaded = artifacts.load_training(path)
    expected = training.sort_values(["userId", "movieId"]).reset_index(drop=True)
    assert loaded is not None
    pd.testing.assert_frame_equal(loaded, expected)
    assert artifacts.read_titles(path) == titles


def test_extras_are_optional(tmp_path: Path) -> None:
    path = artifacts.save(tiny_recommender(), tmp_path)

    assert (artifacts.load_training(path), artifacts.read_titles(path)) == (None, {})


def test_second_save_keeps_the_first_as_previous_and_rollback_swaps(tmp_path: Path) -> None:
    first = artifacts.save(tiny_recommender(seed=1), tmp_path)
    second = artifacts.save(tiny_recommender(seed=2), tmp_path)
    assert (artifacts.current_path(tmp_path), artifacts.previous_path(tmp_path)) == (second, first)

    back = artifacts.rollback(tmp_path)

    assert back == first
    assert artifacts.load_current(tmp_path).info.version == first.name
    assert artifacts.previous_path(tmp_path) == second
    assert artifacts.rollback(tmp_path) == second


def test_rollback_without_previous_is_an_error(tmp_path: Path) -> None:
    artifacts.save(tiny_recommender(), tmp_path)

    with pytest.raises(ArtifactError, match="previous"):
        artifacts.rollback(tmp_path)


def test_save_without_activate_leaves_current_alone(tmp_path: Path) -> None:
    first = artifacts.save(tiny_recommender(seed=1), tmp_path)
    second = artifacts.save(tiny_recommender(seed=2), tmp_path, activate=False)

    assert artifacts.current_path(tmp_path) == first
    assert artifacts.list_versions(tmp_path) == [first, second]


def test_activate_switches_to_a_saved_model(tmp_path: Path) -> None:
    first = artifacts.save(tiny_recommender(seed=1), tmp_path)
    second = artifacts.save(tiny_recommender(seed=2), tmp_path, activate=False)

    artifacts.activate(tmp_path, second)

    assert (artifacts.current_path(tmp_path), artifacts.previous_path(tmp_path)) == (second, first)


def test_identical_models_saved_at_once_get_distinct_versions(tmp_path: Path) -> None:
    rec = tiny_recommender()

    paths = {artifacts.save(rec, tmp_path), artifacts.save(rec, tmp_path)}

    assert len(paths) == 2


def test_no_current_model_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="no current model"):
        artifacts.load_current(tmp_path)


def test_resolve_accepts_root_or_artifact(tmp_path: Path) -> None:
    path = artifacts.save(tiny_recommender(), tmp_path)

    assert artifacts.resolve(tmp_path) == path
    assert artifacts.resolve(path) == path
    (tmp_path / "empty").mkdir()
    with pytest.raises(ArtifactError, match="neither a model artifact"):
        artifacts.resolve(tmp_path / "empty")
    with pytest.raises(ArtifactError, match="no such directory"):
        artifacts.resolve(tmp_path / "nope")


# ---- damaged artifacts: every error names the file at fault


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    return artifacts.save(tiny_recommender(), tmp_path / "models")


def test_flipped_byte_in_weights(saved: Path) -> None:
    weights = saved / "weights.npz"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))

    with pytest.raises(ArtifactError, match=r"weights\.npz: checksum mismatch"):
        artifacts.load(saved)


def test_truncated_weights(saved: Path) -> None:
    weights = saved / "weights.npz"
    weights.write_bytes(weights.read_bytes()[:100])

    with pytest.raises(ArtifactError, match=r"weights\.npz: truncated"):
        artifacts.load(saved)


def test_missing_weights(saved: Path) -> None:
    (saved / "weights.npz").unlink()

    with pytest.raises(ArtifactError, match=r"weights\.npz: missing"):
        artifacts.load(saved)


def test_corrupt_meta(saved: Path) -> None:
    meta = saved / "meta.json"
    meta.write_text(meta.read_text()[:50])

    with pytest.raises(ArtifactError, match=r"meta\.json: corrupt"):
        artifacts.load(saved)


def test_missing_meta(saved: Path) -> None:
    (saved / "meta.json").unlink()

    with pytest.raises(ArtifactError, match=r"meta\.json: missing"):
        artifacts.load(saved)


def test_newer_format_is_refused(saved: Path) -> None:
    rewrite_meta(saved, lambda meta: meta.update(format=99))

    with pytest.raises(ArtifactError, match=r"meta\.json: artifact format 99"):
        artifacts.load(saved)


def test_weights_that_do_not_fit_the_meta(saved: Path) -> None:
    """A consistent checksum but the wrong tensors (e.g. another model's file copied in)."""
    other = to_state(tiny_recommender())[0]
    other["items"] = np.arange(50)
    replace_weights(saved, other)

    with pytest.raises(ArtifactError, match=r"weights\.npz: does not match"):
        artifacts.load(saved)


def test_pickled_objects_are_never_unpickled(saved: Path) -> None:
    """allow_pickle=False: a file carrying arbitrary Python objects is refused, not executed."""
    replace_weights(saved, {"payload": np.array([Path("/etc")], dtype=object)})

    with pytest.raises(ArtifactError, match=r"weights\.npz: cannot be read"):
        artifacts.load(saved)


def test_activate_refuses_a_corrupt_artifact(tmp_path: Path) -> None:
    good = artifacts.save(tiny_recommender(seed=1), tmp_path)
    bad = artifacts.save(tiny_recommender(seed=2), tmp_path, activate=False)
    (bad / "weights.npz").write_bytes(b"junk")

    with pytest.raises(ArtifactError, match=r"weights\.npz"):
        artifacts.activate(tmp_path, bad)

    assert artifacts.current_path(tmp_path) == good


def test_damaged_training_ratings_name_the_file(tmp_path: Path) -> None:
    training = pd.DataFrame({"userId": [3], "movieId": [1], "rating": [4.0]})
    path = artifacts.save(tiny_recommender(), tmp_path, training=training)
    (path / "ratings.npz").write_bytes(b"x" * (path / "ratings.npz").stat().st_size)

    with pytest.raises(ArtifactError, match=r"ratings\.npz: checksum mismatch"):
        artifacts.load_training(path)
    with pytest.raises(ArtifactError, match=r"ratings\.npz"):
        artifacts.activate(tmp_path, path)


def test_history_corrupt_names_the_file(saved: Path) -> None:
    (saved / "history.json").write_text("{not json")

    with pytest.raises(ArtifactError, match=r"history\.json: corrupt"):
        artifacts.read_history(saved)


def test_prune_keeps_current_and_previous(tmp_path: Path) -> None:
    paths = [artifacts.save(tiny_recommender(seed=s), tmp_path) for s in range(4)]
    artifacts.activate(tmp_path, paths[0])  # current = oldest, previous = newest

    removed = artifacts.prune(tmp_path, keep=1)

    assert sorted(removed) == sorted(paths[1:3])
    assert artifacts.list_versions(tmp_path) == [paths[0], paths[3]]


def test_prune_removes_old_leftovers_of_killed_saves_only(tmp_path: Path) -> None:
    path = artifacts.save(tiny_recommender(), tmp_path)
    old, fresh = tmp_path / ".tmp-old", tmp_path / ".tmp-fresh"
    old.mkdir()
    fresh.mkdir()
    os.utime(old, (0, 0))

    removed = artifacts.prune(tmp_path)

    assert removed == [old]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [".tmp-fresh", "current", path.name]
    )


def rewrite_meta(path: Path, change) -> None:
    meta = json.loads((path / "meta.json").read_text())
    change(meta)
    (path / "meta.json").write_text(json.dumps(meta))


def replace_weights(path: Path, arrays: dict) -> None:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    data = buffer.getvalue()
    (path / "weights.npz").write_bytes(data)
    sha = hashlib.sha256(data).hexdigest()
    rewrite_meta(
        path, lambda meta: meta["files"]["weights.npz"].update(sha256=sha, bytes=len(data))
    )


BEFORE_ISSUE_9 = Path(__file__).parent / "data" / "20261201T234115Z-mf_bias-a76d381a"
"""An artifact saved by the code before issue 9 (data/make_before_issue_9.py): its meta
has none of the serving settings added since."""


def test_an_artifact_saved_before_the_new_settings_loads_with_their_defaults() -> None:
    meta = json.loads((BEFORE_ISSUE_9 / "meta.json").read_text())
    assert "min_predicted" not in meta["state"]["serve"]

    loaded = artifacts.load(BEFORE_ISSUE_9)

    assert loaded.serve == ServeSettings()
    assert loaded.watch is not None and loaded.watch.config == WatchConfig(min_support=3, l2=20.0)
    mine = {int(m): 4.5 for m in loaded.items.ids[:3]} | {int(loaded.items.ids[3]): 1.0}
    recs = loaded.recommend(mine, k=5)
    stars = [r.predicted_rating for r in recs.items]
    assert recs.path == "personal" and stars == sorted(stars, reverse=True)


def test_an_artifact_saved_now_loads_with_the_settings_it_was_saved_with(tmp_path: Path) -> None:
    serve = ServeSettings(min_predicted=2.5, rerank_pool=15, fold_in_bias_prior=1.0)
    rec = artifacts.load(BEFORE_ISSUE_9).configured(serve=serve)

    loaded = artifacts.load(artifacts.save(rec, tmp_path))

    mine = {int(m): 4.0 for m in rec.items.ids[:4]}
    assert loaded.watch is not None and rec.watch is not None
    assert loaded.serve == serve and loaded.watch.config == rec.watch.config
    assert loaded.recommend(mine, k=5) == rec.recommend(mine, k=5)
