"""What each ``recsys`` subcommand does, given parsed arguments (the parser is in cli.py).

Each command loads, calls the library, and renders: a text table by default or one JSON
object with ``--json``. Anything the person can fix raises ``UsageError`` (or the library's
own DataError/ArtifactError/TableError), which cli.main turns into one line and exit 2.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from recsys import artifacts
from recsys.evaluation import user_ratings
from recsys.tables import read_ids, render, render_pairs, write_csv

if TYPE_CHECKING:  # recsys.train imports torch (2-5 s): only the commands that train need it
    from recsys.train import EpochStats, TrainConfig


class UsageError(Exception):
    """Input the person can fix; reported as one line with exit code 2."""


def train(args: argparse.Namespace) -> int:
    from recsys.data import load_movielens
    from recsys.train import fit

    data = load_movielens(args.data)
    if data.ratings.empty:
        raise UsageError(f"{args.data / 'ratings.csv'}: no ratings to train on")
    config = _train_config(args)
    if args.out.exists() and not args.out.is_dir():
        raise UsageError(f"{args.out}: exists and is not a directory")
    args.out.mkdir(parents=True, exist_ok=True)  # fail before training, not after
    started = time.perf_counter()
    with _epoch_bar(config, "train") as progress:
        result = fit(data.ratings, config, movies=data.movies, progress=progress)
    seconds = time.perf_counter() - started
    rec = result.recommender
    titles = dict(zip(data.movies["movieId"].tolist(), data.movies["title"].tolist(), strict=True))
    path = artifacts.save(
        rec,
        args.out,
        history=result.history,
        training=data.ratings[["userId", "movieId", "rating"]],
        titles={m: titles[m] for m in rec.items.ids.tolist() if m in titles},
        activate=not args.no_activate,
    )
    payload = {
        "version": path.name,
        "path": str(path),
        "kind": rec.info.kind,
        "n_ratings": rec.info.n_ratings,
        "n_users": rec.info.n_users,
        "n_movies": rec.info.n_movies,
        "epochs": len(result.history),
        "metrics": rec.info.metrics,
        "seconds": round(seconds, 2),
        "current": not args.no_activate,
    }
    text = render_pairs(
        [
            ("model", path.name),
            ("path", path),
            (
                "ratings",
                f"{rec.info.n_ratings} ({rec.info.n_users} users, {rec.info.n_movies} movies)",
            ),
            ("epochs", len(result.history)),
            *((name, value) for name, value in rec.info.metrics.items()),
            ("seconds", f"{seconds:.1f}"),
            ("current", "yes" if payload["current"] else "no (--no-activate)"),
        ]
    )
    _emit(args, payload, text)
    return 0


def evaluate(args: argparse.Namespace) -> int:
    from recsys.data import load_movielens
    from recsys.evaluation import evaluate as score
    from recsys.splits import notebook_split, temporal_split
    from recsys.train import fit

    data = load_movielens(args.data)
    config = _train_config(args)
    split = notebook_split if args.split == "seed" else temporal_split
    train_part, test_part = split(data.ratings)
    if len(train_part) == 0 or len(test_part) == 0:
        raise UsageError(f"{args.data}: too few ratings for the {args.split} split")
    started = time.perf_counter()
    with _epoch_bar(config, f"evaluate ({args.split} split)") as progress:
        result = fit(train_part, config, movies=data.movies, progress=progress)
    seconds = time.perf_counter() - started
    metrics = score(result.recommender, train_part, test_part, k=args.k)
    payload = {
        "model": config.model,
        "split": args.split,
        "k": args.k,
        "n_train": len(train_part),
        "n_test": len(test_part),
        "epochs": len(result.history),
        "train_seconds": round(seconds, 2),
        "metrics": metrics,
    }
    head = (
        f"{config.model} on the {args.split} split: {len(train_part)} training / "
        f"{len(test_part)} held-out ratings, {len(result.history)} epochs, {seconds:.1f} s"
    )
    _emit(args, payload, head + "\n\n" + render(["metric", "value"], metrics.items()))
    return 0


def predict(args: argparse.Namespace) -> int:
    pairs = read_ids(args.input, ["userId", "movieId"])
    rec = artifacts.load(artifacts.resolve(args.model_dir))
    users, movies = pairs["userId"].to_numpy(), pairs["movieId"].to_numpy()
    predictions = rec.predict(users, movies) if len(pairs) else np.empty(0)
    write_csv(args.output, pairs.assign(prediction=predictions))
    payload = {
        "model": rec.info.version,
        "pairs": len(pairs),
        "unknown_users": int((rec.users.index(users) < 0).sum()),
        "unknown_movies": int((rec.items.index(movies) < 0).sum()),
        "output": str(args.output),
    }
    text = render_pairs(
        [
            ("model", payload["model"]),
            ("pairs", payload["pairs"]),
            ("unknown users", f"{payload['unknown_users']} (fallback, see --help)"),
            ("unknown movies", f"{payload['unknown_movies']} (fallback, see --help)"),
            ("written", args.output),
        ]
    )
    _emit(args, payload, text)
    return 0


def recommend(args: argparse.Namespace) -> int:
    folder = artifacts.resolve(args.model_dir)
    if args.users is not None:
        return _recommend_users(args, folder)
    if args.output is not None:
        raise UsageError("--output goes with --users (--rate prints its list)")
    ratings = _ratings_from_args(args.rate)
    rec = artifacts.load(folder)
    _check_genres(rec.genres(), (args.genre or []) + (args.exclude_genre or []))
    result = rec.recommend(ratings, args.k, genres=args.genre, exclude_genres=args.exclude_genre)
    titles = artifacts.read_titles(folder)
    items = [
        {
            "rank": rank,
            "movie_id": item.movie_id,
            "title": titles.get(item.movie_id),
            "predicted_rating": round(item.predicted_rating, 3),
            "score": round(item.score, 4),
            "because": None
            if item.because is None
            else {"movie_id": item.because[0], "rating": item.because[1]},
        }
        for rank, item in enumerate(result.items, start=1)
    ]
    payload = {
        "model": rec.info.version,
        "path": result.path,
        "ignored_movies": result.ignored_movies,
        "weak": result.weak,
        "items": items,
    }
    note = f"{result.path} recommendations from {rec.info.version}"
    if result.ignored_movies:
        note += f" ({result.ignored_movies} unknown movie id(s) ignored)"
    if result.weak:
        note += " (too few movies of these genres are predicted to please: weak matches last)"
    rows = [
        (
            i["rank"],
            i["movie_id"],
            i["title"] or "",
            i["predicted_rating"],
            i["score"],
            _because(item.because, titles),
        )
        for i, item in zip(items, result.items, strict=True)
    ]
    headers = ["rank", "movieId", "title", "predicted", "score", "because you rated"]
    _emit(args, payload, note + "\n\n" + render(headers, rows))
    return 0


def download(args: argparse.Namespace) -> int:
    from recsys.download import ML_LATEST_SMALL_URL
    from recsys.download import download as fetch

    print(fetch(args.cache, args.url or ML_LATEST_SMALL_URL, args.sha256))
    return 0


def models(args: argparse.Namespace) -> int:
    root = args.model_dir
    if not root.is_dir():
        raise UsageError(f"{root}: no such models directory")
    current, previous = artifacts.current_path(root), artifacts.previous_path(root)
    rows = []
    for path in artifacts.list_versions(root):
        info = artifacts.read_meta(path)["info"]
        role = "current" if path == current else "previous" if path == previous else ""
        rows.append(
            {
                "version": path.name,
                "role": role,
                "kind": info.get("kind"),
                "created_at": info.get("created_at"),
                "n_ratings": info.get("n_ratings"),
                "metrics": info.get("metrics", {}),
            }
        )
    table = render(
        ["version", "role", "ratings", "metrics"],
        [(r["version"], r["role"], r["n_ratings"], _metrics_line(r["metrics"])) for r in rows],
    )
    _emit(args, {"models_dir": str(root), "models": rows}, table if rows else "no models")
    return 0


def rollback(args: argparse.Namespace) -> int:
    path = artifacts.rollback(args.model_dir)
    previous = artifacts.previous_path(args.model_dir)
    payload = {"current": path.name, "previous": previous.name if previous else None}
    _emit(args, payload, f"current model: {path.name} (previous: {payload['previous']})")
    return 0


def _recommend_users(args: argparse.Namespace, folder: Path) -> int:
    if args.output is None:
        raise UsageError("--users needs --output recs.csv")
    if args.genre or args.exclude_genre:
        raise UsageError("--genre/--exclude-genre go with --rate")
    user_ids = list(dict.fromkeys(read_ids(args.users, ["userId"])["userId"].tolist()))
    rec = artifacts.load(folder)
    training = artifacts.load_training(folder)
    if training is None:
        raise UsageError(
            f"{folder}: saved without its training ratings; retrain with `recsys train`"
        )
    by_user = _ratings_by_user(training, set(user_ids))
    rows, unknown = [], 0
    for user in user_ids:
        seen = by_user.get(user, {})
        unknown += not seen
        for rank, item in enumerate(rec.recommend(seen, args.k).items, start=1):
            rows.append((user, rank, item.movie_id, item.score))
    write_csv(args.output, pd.DataFrame(rows, columns=["userId", "rank", "movieId", "score"]))
    payload = {
        "model": rec.info.version,
        "users": len(user_ids),
        "unknown_users": unknown,
        "rows": len(rows),
        "output": str(args.output),
    }
    text = render_pairs(
        [
            ("model", rec.info.version),
            ("users", len(user_ids)),
            ("unknown users", f"{unknown} (popularity ranking)"),
            ("rows", len(rows)),
            ("written", args.output),
        ]
    )
    _emit(args, payload, text)
    return 0


def _ratings_by_user(training: pd.DataFrame, users: set[int]) -> dict[int, dict[int, float]]:
    return user_ratings(training[training["userId"].isin(users)])


def _ratings_from_args(pairs: list[tuple[int, float]]) -> dict[int, float]:
    """{movieId: rating} from every --rate given; the same movie twice is fine only with the
    same rating (a second, different one would silently win otherwise)."""
    ratings: dict[int, float] = {}
    for movie, rating in pairs:
        if movie in ratings and ratings[movie] != rating:
            raise UsageError(
                f"movie {movie} is rated twice in --rate with different ratings "
                f"({ratings[movie]:g} and {rating:g})"
            )
        ratings[movie] = rating
    return ratings


def _check_genres(known: list[str], asked: list[str]) -> None:
    folded = {g.casefold() for g in known}
    unknown = [g for g in asked if g.casefold() not in folded]
    if unknown:
        raise UsageError(f"unknown genre {unknown[0]!r}; known: {', '.join(known) or 'none'}")


def _train_config(args: argparse.Namespace) -> TrainConfig:
    """TrainConfig with only the flags the person gave; the rest keep the tuned defaults."""
    from recsys.train import TrainConfig, resolve_device

    given = {
        name: getattr(args, name)
        for name in ("seed", "epochs", "dim", "lr", "l2", "device")
        if getattr(args, name, None) is not None
    }
    try:
        config = TrainConfig(model=args.model, **given)
        resolve_device(config.device)  # --device cuda on a machine without it: say so now
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return config


@contextmanager
def _epoch_bar(config: TrainConfig, desc: str) -> Iterator[Callable[[EpochStats], None]]:
    """A tqdm bar on stderr advanced by fit()'s per-epoch callback."""
    with tqdm(total=config.epochs, desc=desc, unit="epoch", file=sys.stderr) as bar:

        def progress(stats: EpochStats) -> None:
            postfix = {"loss": f"{stats.train_loss:.4f}"}
            if stats.val_rmse is not None:
                postfix["val_rmse"] = f"{stats.val_rmse:.4f}"
            bar.set_postfix(postfix, refresh=False)
            bar.update(1)

        yield progress
        if bar.n < bar.total:  # early stopping: show a finished bar, not an abandoned one
            bar.total = bar.n
            bar.set_description(f"{desc} (early stop)", refresh=True)


def _because(because: tuple[int, float] | None, titles: Mapping[int, str]) -> str:
    if because is None:
        return ""
    movie, rating = because
    return f"{titles.get(movie, movie)} ({rating:g})"


def _metrics_line(metrics: Mapping[str, float]) -> str:
    return ", ".join(f"{k} {v:.4f}" for k, v in metrics.items())


def _emit(args: argparse.Namespace, payload: dict[str, Any], text: str) -> None:
    """The command's result: ``payload`` as one JSON object with --json, else ``text``."""
    if getattr(args, "json", False):
        json.dump(_finite(payload), sys.stdout, allow_nan=False, default=str)
        sys.stdout.write("\n")
    else:
        print(text)
    sys.stdout.flush()


def _finite(value: Any) -> Any:
    """NaN and infinities become null: JSON has no spelling for them."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
