"""Accuracy benchmark on ml-latest-small: our models against Surprise and implicit, one run.

    .venv/bin/python benchmarks/accuracy.py [--data DIR] [--threads 1] [--quick]

Notebook split (np.random.seed(3); rand < 0.8), held-out pairs mapped with the training id
maps, unknown users/movies dropped (19,591 pairs). Top-10: relevant = held-out rating >= 4,
candidates = every movie the user did not rate in training, users without a relevant
held-out movie skipped. "rating-only" rows rank by predicted rating; "shipped" is what the
bot serves: TrainConfig() defaults, each user's training ratings folded in as a new person.
The temporal rows hold out each user's latest 20%. Seconds are wall time on this machine,
with every library limited to --threads threads; they are noisy when others share the CPU.

Each split then gets a table of what people see (issue 9), for the shipped recommender, the
most-popular list and implicit ALS, each user folded in from all their training ratings:
binary NDCG@10, P@10, R@10 (relevant = held-out rating >= 4); "disappointed": among the
recommended movies the user rated in the held-out part, the share rated <= 2.5; graded
NDCG@10 with gain = held-out rating - 3 (negative for a disliked movie, 0 for one not
rated; the ideal DCG is that of the user's positive gains sorted best first, so 1 is the
best list there could be and a list of dislikes scores below 0; users without a positive
gain are skipped), over all users and over the third with the lowest mean training
rating; "cold": each user folded in from only their 5 lowest-rated training movies, the
rest of their training movies excluded; "stars < 3": share of shown predicted ratings
below 3 (both kinds of list); "never rise": share of lists whose stars never increase
down the list. ALS shows no stars. The metric functions are recsys.metrics' and
recsys.evaluation.list_report.
"""

from __future__ import annotations

import argparse
import math
import os
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch
from threadpoolctl import threadpool_limits

from recsys import metrics
from recsys.data import load_movielens
from recsys.evaluation import cold_start_inputs, evaluate, list_report, shown_lists, user_ratings
from recsys.ids import IdMap, encode_ratings
from recsys.popularity import PopularityRecommender
from recsys.splits import notebook_split, temporal_split
from recsys.train import TrainConfig, fit
from recsys.trained import TrainedRecommender

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "ml-latest-small"
K = 10


class Split:
    """Training and held-out data encoded with the training id maps."""

    def __init__(self, train: pd.DataFrame, test: pd.DataFrame) -> None:
        self.train, self.test = train, test
        self.users = IdMap.from_values(train["userId"])
        self.items = IdMap.from_values(train["movieId"])
        self.tr = encode_ratings(train, self.users, self.items)
        self.te = encode_ratings(test, self.users, self.items)
        self.relevant = metrics.relevant_by_user(self.te.users, self.te.items, self.te.ratings)
        self.seen = sp.csr_matrix(
            (np.ones(len(self.tr)), (self.tr.users, self.tr.items)),
            shape=(len(self.users), len(self.items)),
        )
        self.count = np.bincount(self.tr.items, minlength=len(self.items))

    def rank(self, scores: Callable[[np.ndarray], np.ndarray]) -> dict[str, float]:
        """Top-k metrics from a function mapping user indices to (users, items) scores."""
        users = np.array(sorted(self.relevant))
        lists = {}
        for chunk in np.array_split(users, max(1, users.size // 64)):
            s = np.asarray(scores(chunk), dtype=np.float64).copy()
            rows = self.seen[chunk]
            s[rows.nonzero()] = -np.inf
            top = np.argsort(-s, axis=1)[:, :K]
            lists.update({int(u): top[i].tolist() for i, u in enumerate(chunk)})
        report = metrics.ranking_report(lists, self.relevant, K)
        report["coverage"] = metrics.coverage(lists.values(), len(self.items))
        report["support"] = metrics.support(lists.values(), dict(enumerate(self.count.tolist())))
        return report


def accuracy(pred: np.ndarray, split: Split) -> dict[str, float]:
    return {
        "rmse": metrics.rmse(pred, split.te.ratings),
        "mae": metrics.mae(pred, split.te.ratings),
    }


def ours(split: Split, kind: str, threads: int) -> tuple[dict[str, float], float]:
    started = time.perf_counter()
    rec = fit(split.train, TrainConfig(model=kind, watch=None, threads=threads)).recommender
    seconds = time.perf_counter() - started
    assert np.array_equal(rec.items.ids, split.items.ids)
    pred = rec.predict(rec.users.external(split.te.users), rec.items.external(split.te.items))
    all_items = np.arange(len(split.items))

    def scores(users: np.ndarray) -> np.ndarray:
        # The served model (numpy factors, or the network) scores (user, item) index pairs.
        u = np.repeat(users, all_items.size)
        return rec.model.predict_pairs(u, np.tile(all_items, users.size)).reshape(users.size, -1)

    return {**accuracy(pred, split), **split.rank(scores)}, seconds


def surprise_model(split: Split, name: str) -> tuple[dict[str, float], float]:
    import surprise

    reader = surprise.Reader(rating_scale=(0.5, 5.0))
    frame = pd.DataFrame(
        {"u": split.tr.users, "i": split.tr.items, "r": split.tr.ratings.astype(float)}
    )
    trainset = surprise.Dataset.load_from_df(frame, reader).build_full_trainset()
    algo = surprise.SVD(random_state=0) if name == "SVD" else surprise.SVDpp(random_state=0)
    started = time.perf_counter()
    algo.fit(trainset)
    seconds = time.perf_counter() - started
    # Inner ids follow first appearance; map our indices to them once.
    inner_u = np.array([trainset.to_inner_uid(u) for u in range(len(split.users))])
    inner_i = np.array([trainset.to_inner_iid(i) for i in range(len(split.items))])
    pu = algo.pu[inner_u].copy()
    if name == "SVDpp":
        for user in range(len(split.users)):
            rated = [j for j, _ in trainset.ur[inner_u[user]]]
            pu[user] += algo.yj[rated].sum(0) / np.sqrt(len(rated))
    qi, bu, bi = algo.qi[inner_i], algo.bu[inner_u], algo.bi[inner_i]
    mean = trainset.global_mean

    def scores(users: np.ndarray) -> np.ndarray:
        return mean + bu[users, None] + bi[None, :] + pu[users] @ qi.T

    u, i = split.te.users, split.te.items
    pred = np.clip(mean + bu[u] + bi[i] + (pu[u] * qi[i]).sum(1), 0.5, 5.0)
    return {**accuracy(pred, split), **split.rank(scores)}, seconds


def most_popular(split: Split) -> tuple[dict[str, float], float]:
    return split.rank(lambda users: np.tile(split.count, (users.size, 1))), 0.0


def implicit_als(split: Split, threads: int) -> tuple[dict[str, float], float, Any]:
    from implicit.als import AlternatingLeastSquares

    model = AlternatingLeastSquares(factors=64, random_state=0, num_threads=threads)
    started = time.perf_counter()
    model.fit(split.seen, show_progress=False)
    seconds = time.perf_counter() - started
    factors_u, factors_i = np.asarray(model.user_factors), np.asarray(model.item_factors)
    return split.rank(lambda users: factors_u[users] @ factors_i.T), seconds, model


def shipped(
    split: Split, threads: int
) -> tuple[dict[str, float], float, float, float, TrainedRecommender]:
    """The served path; also the rating model's own training time and fold-in latency."""
    started = time.perf_counter()
    result = fit(split.train, TrainConfig(threads=threads))
    seconds = time.perf_counter() - started
    rec = result.recommender
    report = evaluate(rec, split.train, split.test, K)
    by_user = user_ratings(split.train)
    latencies = []
    for user in sorted(by_user):
        t = time.perf_counter()
        rec.recommend(by_user[user], K)
        latencies.append(time.perf_counter() - t)
    rating_seconds = result.history[-1].seconds
    return report, seconds, rating_seconds, float(np.median(latencies) * 1000), rec


def als_lists(
    split: Split, model: Any, inputs: dict[int, dict[int, float]] | None
) -> dict[int, list[int]]:
    """Top-K movie ids per held-out user from ALS, never a training movie; with `inputs`,
    each user's factors are recomputed from those ratings alone (as implicit data)."""
    users = np.unique(split.te.users)
    factors = np.asarray(model.user_factors)[users]
    if inputs is not None:
        rows, cols = [], []
        for row, u in enumerate(split.users.external(users).tolist()):
            known = split.items.index(np.array(list(inputs.get(u, {})), dtype=np.int64))
            cols += known[known >= 0].tolist()
            rows += [row] * int((known >= 0).sum())
        given = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), (users.size, len(split.items)))
        factors = np.asarray(model.recalculate_user(np.arange(users.size), given))
    scores = factors @ np.asarray(model.item_factors).T
    scores[split.seen[users].nonzero()] = -np.inf
    top = np.argsort(-scores, axis=1)[:, :K]
    ids = split.users.external(users).tolist()
    return {u: split.items.external(top[i]).tolist() for i, u in enumerate(ids)}


SEEN_HEADER = (
    "| model | NDCG@10 | P@10 | R@10 | disappointed | graded NDCG@10 | graded, harshest third "
    "| cold NDCG@10 | cold disappointed | stars < 3 | never rise |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|"
)


def people_see(split: Split, rec: TrainedRecommender, als: Any, movies: pd.DataFrame) -> None:
    """Prints the table of what people see for shipped, most popular and ALS."""
    users = sorted(set(split.users.external(np.unique(split.te.users)).tolist()))
    held = split.test[split.test["userId"].isin(users)]
    full = user_ratings(split.train)
    cold, rest = cold_start_inputs(split.train)
    popular = PopularityRecommender.from_ratings(split.train, movies)
    print(SEEN_HEADER)
    for name, model in (("shipped", rec), ("most popular", popular)):
        lists, stars = shown_lists(model, full, users, K)
        cold_lists, cold_stars = shown_lists(model, cold, users, K, rest)
        report = list_report(lists, split.train, held, K, stars)
        cold_report = list_report(cold_lists, split.train, held, K, cold_stars)
        every = {
            **{(u, 0): s for u, s in stars.items()},
            **{(u, 1): s for u, s in cold_stars.items()},
        }
        print(seen_row(name, report, cold_report, every))
    report = list_report(als_lists(split, als, None), split.train, held, K)
    cold_report = list_report(als_lists(split, als, cold), split.train, held, K)
    print(seen_row("implicit ALS (64 factors)", report, cold_report, None), flush=True)


def seen_row(
    name: str,
    report: dict[str, float],
    cold: dict[str, float],
    stars: dict[Any, list[float]] | None,
) -> str:
    below = metrics.share_below(stars.values(), 3.0) if stars else math.nan
    rising = metrics.share_non_increasing(stars.values()) if stars else math.nan
    cells = [
        report["ndcg@10"], report["precision@10"], report["recall@10"], report["disappointment"],
        report["graded_ndcg@10"], report["graded_ndcg@10_low"], cold["ndcg@10"],
        cold["disappointment"], below, rising,
    ]  # fmt: skip
    return f"| {name} | " + " | ".join("-" if math.isnan(c) else f"{c:.4f}" for c in cells) + " |"


def row(name: str, report: dict[str, float], seconds: float) -> str:
    def cell(key: str, fmt: str = "{:.4f}") -> str:
        return fmt.format(report[key]) if key in report else "-"

    return (
        f"| {name:<34} | {cell('rmse')} | {cell('mae')} | {cell('precision@10')} "
        f"| {cell('recall@10')} | {cell('ndcg@10')} | {cell('coverage', '{:.3f}')} "
        f"| {cell('support', '{:.0f}')} | {seconds:.1f} |"
    )


HEADER = (
    "| model | RMSE | MAE | P@10 | R@10 | NDCG@10 | coverage | support | train s |\n"
    "|---|---|---|---|---|---|---|---|---|"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default = os.environ.get("MOVIELENS_DIR", str(DEFAULT_DATA))
    parser.add_argument("--data", type=Path, default=Path(default))
    parser.add_argument("--threads", type=int, default=1, help="threads for every library")
    parser.add_argument("--quick", action="store_true", help="skip SVDpp and ncf (slow)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    torch.set_num_threads(args.threads)
    data = load_movielens(args.data)
    with threadpool_limits(args.threads):
        split = Split(*notebook_split(data.ratings))
        print(
            f"notebook split: {len(split.train):,} training ratings, {len(split.te):,} held-out "
            f"pairs with known ids ({split.te.dropped:,} dropped), "
            f"{len(split.relevant)} users with relevant movies; threads={args.threads}\n"
        )
        print(HEADER, flush=True)
        mean = float(split.tr.ratings.mean())
        print(row("global mean", accuracy(np.full(len(split.te), mean), split), 0.0))
        for kind in ("mf", "mf_bias") if args.quick else ("mf", "mf_bias", "ncf"):
            print(
                row(f"{kind} (rating-only ranking)", *ours(split, kind, args.threads)), flush=True
            )
        for name in ("SVD",) if args.quick else ("SVD", "SVDpp"):
            print(row(f"Surprise {name}", *surprise_model(split, name)), flush=True)
        print(row("most popular", *most_popular(split)))
        als, als_seconds, als_model = implicit_als(split, args.threads)
        print(row("implicit ALS (64 factors)", als, als_seconds), flush=True)
        report, seconds, rating_seconds, latency, rec = shipped(split, args.threads)
        ratio = report["ndcg@10"] / als["ndcg@10"]
        print(row("shipped: mf_bias + watch, fold-in", report, seconds))
        print(
            f"\nshipped: rating model (mf_bias) trained in {rating_seconds:.1f} s of the "
            f"{seconds:.1f} s; RMSE with each user folded in as a new person "
            f"{report['foldin_rmse']:.4f}; NDCG@10 / ALS = {ratio:.2f}; "
            f"fold-in + top-10 over {len(split.items):,} movies: {latency:.2f} ms median per call"
        )
        print("\nnotebook split, what people see\n")
        people_see(split, rec, als_model, data.movies)

        temporal = Split(*temporal_split(data.ratings))
        print(f"\ntemporal hold-out (latest 20% per user), {len(temporal.relevant)} users\n")
        print(HEADER)
        print(row("most popular", *most_popular(temporal)))
        als_t, als_t_seconds, als_t_model = implicit_als(temporal, args.threads)
        print(row("implicit ALS (64 factors)", als_t, als_t_seconds))
        report_t, seconds_t, _, _, rec_t = shipped(temporal, args.threads)
        print(row("shipped: mf_bias + watch, fold-in", report_t, seconds_t))
        print("\ntemporal hold-out, what people see\n")
        people_see(temporal, rec_t, als_t_model, data.movies)


if __name__ == "__main__":
    main()
