"""Group lists on ml-latest-small: least misery against averaging and one member's own list.

    .venv/bin/python benchmarks/groups.py [--data DIR] [--groups 200] [--quick]

What the bot shows for /recommend in a group chat (recsys.groups.least_misery), measured on
the temporal split (each user's latest 20% held out). The shipped model (TrainConfig()
defaults) is trained once on the training part; groups of 2, 3, 5 and 10 distinct MovieLens
users are drawn at random (seed 0, the same groups for every strategy), each member folded
in from their training ratings as the bot does ({movieId: rating} per member). Every list
has at most 10 movies, none rated in training by any member. Strategies: "least misery"
(shipped: ranked by the lowest member's prediction in half stars, nothing whose lowest is
below 3 stars); "average" (the same candidates, each member's own top 30, ranked by the
members' mean prediction, no floor); "first member's list" (that member's personal
recommend(), the other members' training movies excluded), a reference.

Columns, over every member of every group: "hit rate", per member-list pair the share of
the listed movies that member rated >= 4 in the held-out part, averaged over the pairs;
"disappointed", among listed movies a member rated in the held-out part, the share they
rated <= 2.5 (pooled; "rated" is how many there were); "some < 3", the share of lists in
which some member is predicted below 3 stars for some listed movie; "lowest stars", the
mean over listed movies of the lowest member's predicted stars; "length", the mean list
length (least misery may list fewer than 10); predicted stars are in half stars, as shown;
"p50 ms" and "p95 ms", wall time of computing one list, fold-ins included (noisy when
others share the CPU).
"""

from __future__ import annotations

import argparse
import os
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from recsys.data import load_movielens
from recsys.evaluation import user_ratings
from recsys.groups import POOL, least_misery
from recsys.interface import Recommender
from recsys.metrics import DISAPPOINTING_RATING, RELEVANT_RATING
from recsys.results import half_stars
from recsys.splits import temporal_split
from recsys.train import TrainConfig, fit

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "ml-latest-small"
K = 10
SIZES = (2, 3, 5, 10)
SEED = 0
UNHAPPY = 3.0
"""A member predicted below this many stars for a listed movie is unhappy with the list."""

Ratings = Mapping[int, float]
GroupList = tuple[list[int], np.ndarray]
"""Movie ids of a list and each member's predicted stars for them, shape (members, movies)."""


def shipped(model: Recommender, members: Sequence[Ratings]) -> GroupList:
    picks = least_misery(model, members, K)
    stars = np.array([p.member_stars for p in picks]).reshape(len(picks), len(members)).T
    return [p.movie_id for p in picks], stars


def average(model: Recommender, members: Sequence[Ratings]) -> GroupList:
    """least_misery's candidates, ranked by the members' mean prediction, without a floor."""
    excluded = set().union(*(set(rated) for rated in members))
    picks = (model.recommend(rated, POOL, exclude=excluded) for rated in members)
    candidates = list(dict.fromkeys(r.movie_id for found in picks for r in found.items))
    if not candidates:
        return [], np.empty((len(members), 0))
    predicted = np.stack([model.predict_for(rated, candidates) for rated in members])
    mean = predicted.mean(axis=0)
    order = sorted(range(len(candidates)), key=lambda i: (-mean[i], candidates[i]))[:K]
    return [candidates[i] for i in order], half_stars(predicted[:, order])


def first_member(model: Recommender, members: Sequence[Ratings]) -> list[int]:
    excluded = set().union(*(set(rated) for rated in members[1:]))
    return [r.movie_id for r in model.recommend(members[0], K, exclude=excluded).items]


@dataclass
class Tally:
    """What one strategy's lists for one group size add up to."""

    hit_rates: list[float] = field(default_factory=list)
    rated: int = 0
    disappointing: int = 0
    unhappy: int = 0
    lists: int = 0
    lowest: list[float] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    def add(self, movies: list[int], stars: np.ndarray, held: Sequence[Ratings]) -> None:
        """One list, `stars` (members, movies) as shown, `held` each member's held-out ratings."""
        self.lists += 1
        self.lengths.append(len(movies))
        if not movies:
            return
        for mine in held:
            found = [mine[m] for m in movies if m in mine]
            self.hit_rates.append(sum(r >= RELEVANT_RATING for r in found) / len(movies))
            self.rated += len(found)
            self.disappointing += sum(r <= DISAPPOINTING_RATING for r in found)
        self.unhappy += bool((stars < UNHAPPY).any())
        self.lowest.extend(stars.min(axis=0).tolist())

    def row(self, size: int, name: str) -> str:
        ms = np.array(self.seconds) * 1000
        cells = [
            f"{np.mean(self.hit_rates):.4f}",
            f"{self.disappointing / self.rated:.4f}" if self.rated else "-",
            f"{self.rated}",
            f"{self.unhappy / self.lists:.3f}",
            f"{np.mean(self.lowest):.2f}",
            f"{np.mean(self.lengths):.1f}",
            f"{np.median(ms):.1f}",
            f"{np.percentile(ms, 95):.1f}",
        ]
        return f"| {size} | {name} | " + " | ".join(cells) + " |"


HEADER = (
    "| group | strategy | hit rate | disappointed | rated | some < 3 | lowest stars | length "
    "| p50 ms | p95 ms |\n|---|---|---|---|---|---|---|---|---|---|"
)


def timed(
    strategy: Callable[[Recommender, Sequence[Ratings]], GroupList],
    model: Recommender,
    members: Sequence[Ratings],
    tally: Tally,
) -> GroupList:
    """The strategy's list for the members, its wall time noted in `tally`."""
    started = time.perf_counter()
    result = strategy(model, members)
    tally.seconds.append(time.perf_counter() - started)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default = os.environ.get("MOVIELENS_DIR", str(DEFAULT_DATA))
    parser.add_argument("--data", type=Path, default=Path(default))
    parser.add_argument("--groups", type=int, default=200, help="groups per size")
    parser.add_argument("--quick", action="store_true", help="40 groups per size")
    args = parser.parse_args()
    n_groups = 40 if args.quick else args.groups
    warnings.filterwarnings("ignore")
    torch.set_num_threads(1)
    data = load_movielens(args.data)
    with threadpool_limits(1):
        train, test = temporal_split(data.ratings)
        started = time.perf_counter()
        model = fit(train, TrainConfig()).recommender
        seconds = time.perf_counter() - started
        rated, held = user_ratings(train), user_ratings(test)
        people = np.array(sorted(set(rated) & set(held)))
        rng = np.random.default_rng(SEED)
        print(
            f"temporal split: {len(train):,} training ratings, {len(test):,} held out; shipped "
            f"model trained in {seconds:.1f} s; {n_groups} random groups per size from "
            f"{people.size} users (seed {SEED}), top-{K}.\n\n"
            + __doc__.split("\n\n")[-1].strip()
            + "\n",
            flush=True,
        )
        print(HEADER, flush=True)
        for size in SIZES:
            tallies = {name: Tally() for name in ("least misery", "average", "first member")}
            for _ in range(n_groups):
                ids = rng.choice(people, size, replace=False).tolist()
                members = [rated[u] for u in ids]
                theirs = [held[u] for u in ids]
                for name, strategy in (("least misery", shipped), ("average", average)):
                    tally = tallies[name]
                    tally.add(*timed(strategy, model, members, tally), theirs)
                own = tallies["first member"]
                started = time.perf_counter()
                movies = first_member(model, members)
                own.seconds.append(time.perf_counter() - started)
                stars = np.stack([half_stars(model.predict_for(m, movies)) for m in members])
                own.add(movies, stars.reshape(size, len(movies)), theirs)
            for name, tally in tallies.items():
                label = "first member's list" if name == "first member" else name
                print(tally.row(size, label), flush=True)


if __name__ == "__main__":
    main()
