"""How the shipped ranking was chosen (issue 9): serve-time variants of one trained model,
scored on held-out data by what people see.

    .venv/bin/python benchmarks/variants.py [--data DIR] [--split seed|temporal] [--only TEXT]

One model is trained with TrainConfig() on the split's training part; each variant changes
fold-in settings only (ServeSettings, WatchConfig's fold-in fields) on the same weights, so
differences are the settings', not training noise. Columns: binary NDCG@10 and
disappointment rate (held-out rating <= 2.5 among recommended movies the person rated) of
each user's list folded in from all their training ratings; graded NDCG@10 (gain = rating
- 3) over all and over the harshest third; cold start from the 5 lowest ratings (NDCG@10,
disappointment); the share of shown stars below 3 and of lists whose stars rise; RMSE of
predict_for folded in from all training ratings, from 5 random ones and from the 5 lowest.
Settings that need retraining (the dislike model's l2 and gap, the watch l2) were measured
the same way with a model trained per value.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

import recsys.lists
import recsys.trained
from recsys.data import load_movielens
from recsys.evaluation import cold_start_inputs, list_report, shown_lists, user_ratings
from recsys.interface import Recommender
from recsys.popularity import PopularityRecommender
from recsys.results import Stars
from recsys.selection import top_k
from recsys.splits import notebook_split, temporal_split
from recsys.train import TrainConfig, fit
from recsys.trained import TrainedRecommender

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "ml-latest-small"
K = 10
COLUMNS = ["ndcg", "disap", "graded", "graded_low", "cold_ndcg", "cold_disap", "below3",
           "rising", "rmse", "rmse_5", "rmse_low5"]  # fmt: skip
BEFORE = (
    {"fold_in_bias_prior": 0.0, "fold_in_vector_prior": 0.0, "taste_stars": 0.0,
     "min_predicted": 0.0, "rerank_pool": 0},
    {"dislike_weight": 0.0, "popularity_weight": 0.0},
)  # fmt: skip
"""The settings that reproduce the ranking before issue 9 (with score_order)."""
VARIANTS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "shipped (defaults)": ({}, {}),
    "no dislike model": ({}, {"dislike_weight": 0.0}),
    "dislike model x2": ({}, {"dislike_weight": 2.0}),
    "signed co-watching 0.5, no dislike model": ({}, {"dislike_slope": 0.5, "dislike_weight": 0}),
    "signed co-watching 1.0, no dislike model": ({}, {"dislike_slope": 1.0, "dislike_weight": 0}),
    "blend: + 0.1 x predicted stars": ({"rating_weight": 0.1}, {}),
    "pool 10: top-10 by score, by stars": ({"rerank_pool": 10}, {}),
    "pool 40": ({"rerank_pool": 40}, {}),
    "no popularity prior": ({}, {"popularity_weight": 0.0}),
    "popularity prior 1.0": ({}, {"popularity_weight": 1.0}),
    "no taste term in the stars": ({"taste_stars": 0.0}, {}),
    "taste stars 1.5": ({"taste_stars": 1.5}, {}),
    "taste stars 2.0": ({"taste_stars": 2.0}, {}),
    "no fold-in prior": ({"fold_in_bias_prior": 0.0, "fold_in_vector_prior": 0.0}, {}),
    "fold-in prior bias 10": ({"fold_in_bias_prior": 10.0}, {}),
    "fold-in prior bias 2": ({"fold_in_bias_prior": 2.0}, {}),
}


shipped_choose = recsys.trained.choose


def score_order(
    score: np.ndarray,
    predicted: np.ndarray,
    allowed: np.ndarray,
    k: int,
    *,
    floor: float,
    pool: int,
    fill: bool,
) -> tuple[np.ndarray, bool]:
    """The list before issue 9: the top-k by score, in score order (stars may rise)."""
    return top_k(score, allowed & (predicted >= floor), k), False


def with_tenths(rating: Stars) -> Stars:
    return np.round(rating, 1)


def tenths_order(*args: Any, **kwargs: Any) -> tuple[np.ndarray, bool]:
    """The shipped choice, but ordered by stars in tenths (before half stars were shown)."""
    original = recsys.lists.half_stars
    recsys.lists.half_stars = with_tenths
    try:
        return shipped_choose(*args, **kwargs)
    finally:
        recsys.lists.half_stars = original


def variant(
    base: TrainedRecommender, serve: dict[str, Any], watch: dict[str, Any]
) -> TrainedRecommender:
    assert base.watch is not None
    return base.configured(
        serve=dataclasses.replace(base.serve, **serve),
        watch=dataclasses.replace(base.watch.config, **watch),
    )


def foldin_rmse(
    rec: TrainedRecommender, inputs: dict[int, dict[int, float]], held: pd.DataFrame
) -> float:
    """RMSE of predict_for on each person's held-out movies, folded in from `inputs`."""
    errors = []
    for user, g in held.groupby("userId"):
        assert isinstance(user, int | np.integer)
        mine = inputs.get(int(user))
        known = g[g["movieId"].isin(rec.items.ids)]
        if mine and not known.empty:
            errors.append(
                rec.predict_for(mine, known["movieId"].tolist()) - known["rating"].to_numpy()
            )
    return float(np.sqrt(np.mean(np.concatenate(errors) ** 2)))


class Bench:
    def __init__(self, train: pd.DataFrame, held: pd.DataFrame) -> None:
        self.train, self.held = train, held
        self.full = user_ratings(train)
        self.cold, self.cold_exclude = cold_start_inputs(train)
        rng = np.random.default_rng(0)
        self.random5 = {
            u: dict(list(m.items())[i] for i in rng.permutation(len(m))[:5])
            for u, m in self.full.items()
        }
        self.users = sorted(held["userId"].unique().tolist())

    def score(self, rec: Recommender) -> dict[str, float]:
        lists, stars = shown_lists(rec, self.full, self.users, K)
        full = list_report(lists, self.train, self.held, K, stars)
        lists, cold_stars = shown_lists(rec, self.cold, self.users, K, self.cold_exclude)
        cold = list_report(lists, self.train, self.held, K, cold_stars)
        shown = [*stars.values(), *cold_stars.values()]
        out = {
            "ndcg": full["ndcg@10"], "disap": full["disappointment"],
            "graded": full["graded_ndcg@10"], "graded_low": full["graded_ndcg@10_low"],
            "cold_ndcg": cold["ndcg@10"], "cold_disap": cold["disappointment"],
            "below3": float(np.mean([s < 3.0 for v in shown for s in v])),
            "rising": 1.0 - float(np.mean([list(v) == sorted(v, reverse=True) for v in shown])),
        }  # fmt: skip
        if isinstance(rec, TrainedRecommender):
            out["rmse"] = foldin_rmse(rec, self.full, self.held)
            out["rmse_5"] = foldin_rmse(rec, self.random5, self.held)
            out["rmse_low5"] = foldin_rmse(rec, self.cold, self.held)
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default = os.environ.get("MOVIELENS_DIR", str(DEFAULT_DATA))
    parser.add_argument("--data", type=Path, default=Path(default))
    parser.add_argument("--split", choices=("seed", "temporal"), default="seed")
    parser.add_argument("--only", default="", help="variants whose name contains this")
    args = parser.parse_args()
    torch.set_num_threads(1)
    data = load_movielens(args.data)
    train, held = (notebook_split if args.split == "seed" else temporal_split)(data.ratings)
    started = time.perf_counter()
    base = fit(train, TrainConfig(), data.movies).recommender
    print(f"{args.split} split; trained in {time.perf_counter() - started:.1f} s\n")
    bench = Bench(train, held)
    print("| variant | " + " | ".join(COLUMNS) + " |\n" + "|---" * (len(COLUMNS) + 1) + "|")

    def show(name: str, make: Callable[[], Recommender]) -> None:
        if args.only and args.only not in name:
            return
        res = bench.score(make())
        cells = " | ".join(f"{res[c]:.4f}" if c in res else "-" for c in COLUMNS)
        print(f"| {name} | {cells} |", flush=True)

    show("most popular", lambda: PopularityRecommender.from_ratings(train, data.movies))
    recsys.trained.choose = score_order
    show("before issue 9 (score order)", lambda: variant(base, *BEFORE))
    show("shipped, but in score order", lambda: base)
    recsys.trained.choose = tenths_order
    show("shipped, but stars in tenths", lambda: base)
    recsys.trained.choose = shipped_choose
    for name, (serve, watch) in VARIANTS.items():
        show(name, partial(variant, base, serve, watch))


if __name__ == "__main__":
    main()
