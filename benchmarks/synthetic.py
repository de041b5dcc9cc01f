"""MovieLens-shaped synthetic ratings with a known low-rank truth, at any fraction of ml-25m.

    .venv/bin/python benchmarks/synthetic.py OUT_DIR [--fraction 0.04] [--seed 0]

writes OUT_DIR/ratings.csv and OUT_DIR/movies.csv in MovieLens format (so `recsys train
--data OUT_DIR` reads them) and prints the counts. `--fraction 1` is the shape of ml-25m
(162,541 users, 59,047 rated movies, 25,000,095 ratings); users, movies and ratings all
scale with the fraction, so 0.04 is 1M ratings and 0.4 is 10M. From Python:
`generate(fraction, seed)` returns a `Synthetic` (ratings, movies, truth).

The shape, after ml-25m:
- Users: at least 20 ratings each (fewer only when the catalogue is tiny), 20 + a lognormal
  (median about 71, mean about 154, the largest in the tens of thousands at fraction 1),
  capped at a third of the catalogue (more where the catalogue is too small for the
  average: below fraction ~0.02 it gets dense); scaled so the total is exactly
  round(25,000,095 * fraction).
- Movies: popularity falls with rank as (rank + 760 * fraction) ** -2.6; at fraction 1 the
  most-rated movie has ~37k ratings, the median movie 7, 55% of movies fewer than 10, and
  the top 1% of movies half of all ratings. No movie is expected to be rated by more than
  half of the users (the excess is spread over the others), so at small fractions the
  head is flatter, as in small real samples (fraction 0.04 looks like ml-1m: top movie
  ~2.4k of 6.5k users, median ~100). Each user's movies are drawn without replacement from
  that popularity (repeats are redrawn): never a second rating of a (user, movie) pair.
  Every rated movie has at least one rating, so the counts are exact.
  movies.csv also lists ~5.7% movies nobody rated, like ml-25m's 62,423.
- Ratings: 3.5 + user bias N(0, 0.35) + movie bias N(0, 0.3) (plus a little for popular
  movies) + a rank-8 dot product (variance ~0.35) + noise N(0, 0.7), rounded to half stars
  and clipped to 0.5-5: the spread of real ratings (sd ~1.05), and a floor of about 0.72
  on any model's RMSE. `Synthetic.truth` keeps the factors, biases and noise.
- Ids: userId 1..n; movieIds spread over 1..~3.5 x the catalogue, popularity independent of
  the id. Timestamps: each user active over a lognormal span inside 1996-2019.

Fully vectorised numpy; deterministic given (fraction, seed). Fraction 1 took 27 s and
2.0 GB peak RSS on a busy 2-core machine; writing its ratings.csv takes about a minute more.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

FULL_USERS, FULL_MOVIES, FULL_RATINGS = 162_541, 59_047, 25_000_095
LISTED_SHARE = 62_423 / 59_047
"""movies.csv lists this many movies per rated one (ml-25m lists unrated ones too)."""
MIN_RATINGS = 20
DEGREE_MU, DEGREE_SIGMA = np.log(51.0), 1.39
"""Ratings per user = MIN_RATINGS + lognormal(mu, sigma): median ~71, mean ~154."""
MAX_DEGREE_SHARE = 1 / 3
"""Nobody rates more than this share of the catalogue."""
POPULARITY_EXPONENT, POPULARITY_OFFSET = 2.6, 760.0
MAX_AUDIENCE = 0.5
"""No movie is expected to be rated by more than this share of the users."""
RANK, GLOBAL_MEAN, USER_SD, ITEM_SD, DOT_VARIANCE, NOISE = 8, 3.6, 0.35, 0.3, 0.45, 0.7
POPULAR_BONUS = 0.1
"""Popular movies are rated a little higher: bias += this x standardised log-popularity."""
START, END = 820_454_400, 1_574_000_000  # 1996-01-01 .. 2019-11-17
GENRES = (
    "Action", "Adventure", "Animation", "Children", "Comedy", "Crime", "Documentary", "Drama",
    "Fantasy", "Film-Noir", "Horror", "IMAX", "Musical", "Mystery", "Romance", "Sci-Fi",
    "Thriller", "War", "Western",
)  # fmt: skip
CHUNK = 4_000_000
UNIFORM_FROM = 60
"""Draws of the rare heavy user still short after this many rounds mix in a uniform share."""


@dataclass(frozen=True)
class Truth:
    """The noise-free model behind the ratings: mean + user bias + item bias + u . v."""

    global_mean: float
    user_ids: np.ndarray
    user_bias: np.ndarray
    user_factors: np.ndarray
    movie_ids: np.ndarray
    """The rated movies' ids, ascending (item_bias[i] is movie_ids[i]'s)."""
    item_bias: np.ndarray
    item_factors: np.ndarray
    noise: float

    def expected(self, user_ids: np.ndarray, movie_ids: np.ndarray) -> np.ndarray:
        """The noise-free (unrounded, unclipped) rating of each (user, movie) pair."""
        u = np.searchsorted(self.user_ids, user_ids)
        i = np.searchsorted(self.movie_ids, movie_ids)
        dot = np.einsum("ij,ij->i", self.user_factors[u], self.item_factors[i])
        return self.global_mean + self.user_bias[u] + self.item_bias[i] + dot


@dataclass(frozen=True)
class Synthetic:
    ratings: pd.DataFrame
    """userId, movieId (int64), rating (float32, half stars), timestamp (int64); sorted by
    userId then movieId, as MovieLens ships them."""
    movies: pd.DataFrame
    """movieId (int64), title, genres ("A|B" or "(no genres listed)"), as in movies.csv."""
    truth: Truth


def shape(fraction: float) -> tuple[int, int, int]:
    """(users, rated movies, ratings) at `fraction` of ml-25m."""
    if not 0.0 < fraction <= 4.0:
        raise ValueError(f"fraction must be in (0, 4], got {fraction}")
    users = max(round(FULL_USERS * fraction), 2)
    movies = max(round(FULL_MOVIES * fraction), 2)
    return users, movies, max(round(FULL_RATINGS * fraction), 1)


def generate(fraction: float = 0.04, seed: int = 0) -> Synthetic:
    """Ratings, movies and truth at `fraction` of ml-25m (see the module docstring)."""
    n_users, n_items, n_ratings = shape(fraction)
    rng = np.random.default_rng([seed, round(fraction * 1e9)])
    degrees = _degrees(rng, n_users, n_items, n_ratings)
    # Item index order is movieId order, so pairs sorted by (user, index) are in MovieLens
    # order; popularity ranks land on the indices at random.
    popularity = _popularity(n_items, n_users, n_ratings, fraction)[rng.permutation(n_items)]
    users, items = _pairs(rng, degrees, popularity)

    user_bias = rng.normal(0.0, USER_SD, n_users)
    count = np.bincount(items, minlength=n_items)
    share = count / count.sum()
    log_count = np.log(np.maximum(count, 1))  # standardised over the ratings: mean stays put
    centred = log_count - share @ log_count
    item_bias = rng.normal(0.0, ITEM_SD, n_items)
    item_bias += POPULAR_BONUS * centred / max(np.sqrt(share @ centred**2), 1e-12)
    scale = (DOT_VARIANCE / RANK) ** 0.25
    user_factors = rng.normal(0.0, scale, (n_users, RANK)).astype(np.float32)
    item_factors = rng.normal(0.0, scale, (n_items, RANK)).astype(np.float32)
    ratings = np.empty(users.size, dtype=np.float32)
    for start in range(0, users.size, CHUNK):
        u, i = users[start : start + CHUNK], items[start : start + CHUNK]
        value = np.einsum("ij,ij->i", user_factors[u], item_factors[i]).astype(np.float64)
        value += GLOBAL_MEAN + user_bias[u] + item_bias[i] + rng.normal(0.0, NOISE, u.size)
        ratings[start : start + CHUNK] = np.clip(np.round(value * 2.0) / 2.0, 0.5, 5.0)

    n_listed = max(round(n_items * LISTED_SHARE), n_items)
    id_space = np.arange(1, int(n_listed * 3.5) + 2)
    listed = np.sort(rng.choice(id_space, n_listed, replace=False))
    rated = np.sort(rng.choice(listed, n_items, replace=False))
    frame = pd.DataFrame(
        {
            "userId": users + 1,
            "movieId": rated[items],
            "rating": ratings,
            "timestamp": _timestamps(rng, users, degrees),
        }
    )
    truth = Truth(
        GLOBAL_MEAN, np.arange(1, n_users + 1), user_bias, user_factors,
        rated, item_bias, item_factors, NOISE,
    )  # fmt: skip
    return Synthetic(frame, _movies(rng, listed), truth)


def _degrees(rng: np.random.Generator, n_users: int, n_items: int, total: int) -> np.ndarray:
    """Ratings per user: a long tail over a floor, summing to exactly `total`."""
    # A tiny catalogue (small fractions) cannot hold the usual ~154 a user at a third of it.
    dense = min(int(n_items * 0.95), 3 * total // n_users)
    cap = max(int(n_items * MAX_DEGREE_SHARE), dense, 1)
    floor = min(MIN_RATINGS, cap)
    if total < n_users * floor or total > n_users * cap:
        raise ValueError(f"{total} ratings do not fit {n_users} users and {n_items} movies")
    extra = np.exp(rng.normal(DEGREE_MU, DEGREE_SIGMA, n_users))
    want = total - n_users * floor
    for _ in range(50):  # scale the tail until the capped sum is right
        capped = np.minimum(extra, cap - floor)
        got = capped.sum()
        if abs(got - want) < 0.5 or got == 0:
            break
        extra *= want / got
    degrees = floor + np.floor(np.minimum(extra, cap - floor)).astype(np.int64)
    short = total - int(degrees.sum())
    while short != 0:  # hand out (or take back) the rounding, one rating per user
        room = np.flatnonzero(degrees < cap) if short > 0 else np.flatnonzero(degrees > floor)
        pick = rng.choice(room, min(abs(short), room.size), replace=False)
        degrees[pick] += np.sign(short)
        short = total - int(degrees.sum())
    return degrees


def _popularity(n_items: int, n_users: int, n_ratings: int, fraction: float) -> np.ndarray:
    """Each rank's probability of being drawn, no rank above MAX_AUDIENCE of the users."""
    rank = np.arange(n_items, dtype=np.float64)
    p = (rank + POPULARITY_OFFSET * fraction + 1.0) ** -POPULARITY_EXPONENT
    p /= p.sum()
    ceiling = MAX_AUDIENCE * n_users / n_ratings
    if ceiling * n_items > 1.0:
        for _ in range(100):  # water-fill: clip the head, spread its excess over the rest
            over = p > ceiling
            if not over.any():
                break
            free = ~over
            p[free] *= (1.0 - ceiling * over.sum()) / p[free].sum()
            p[over] = ceiling
    return p


def _pairs(rng: np.random.Generator, degrees: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, ...]:
    """Distinct (user, item) pairs, degrees[u] per user, sorted: each user draws what they
    still lack from `p`, repeats are dropped and redrawn (so each user's movies are a sample
    without replacement, proportional to p). After UNIFORM_FROM rounds draws mix in a
    growing uniform share, so even a heavy user's last few items come. A movie nobody drew
    then takes over one rating of a popular movie, so every movie is rated."""
    n_users, n_items = degrees.size, p.size
    cdf = np.cumsum(p)
    cdf /= cdf[-1]
    done: list[np.ndarray] = []  # keys user * n_items + item of users who have all theirs
    pending = np.empty(0, dtype=np.int64)  # sorted keys of users who still lack some
    need = degrees.astype(np.int64).copy()
    for round_ in range(500):
        active = np.flatnonzero(need > 0)
        if active.size == 0:
            break
        draws = np.repeat(active, need[active])
        picked = np.minimum(np.searchsorted(cdf, rng.random(draws.size), side="right"), n_items - 1)
        if round_ >= UNIFORM_FROM:
            uniform = rng.random(draws.size) < min(0.1 * (round_ - UNIFORM_FROM + 1), 1.0)
            picked[uniform] = rng.integers(0, n_items, int(uniform.sum()))
        keys = np.sort(draws * n_items + picked)
        keys = keys[np.concatenate([[True], keys[1:] != keys[:-1]])]  # np.unique hashes: slower
        if pending.size:
            at = np.minimum(np.searchsorted(pending, keys), pending.size - 1)
            keys = keys[pending[at] != keys]
            keys = np.sort(np.concatenate([pending, keys]), kind="stable")
        have = np.bincount(keys // n_items, minlength=n_users)
        need = np.zeros(n_users, dtype=np.int64)
        need[active] = degrees[active] - have[active]
        finished = need[keys // n_items] == 0
        done.append(keys[finished])
        pending = keys[~finished]
    else:
        raise RuntimeError("could not draw distinct movies for every user")
    chosen = np.sort(np.concatenate(done))
    count = np.bincount(chosen % n_items, minlength=n_items)
    unrated = np.flatnonzero(count == 0)
    donors = np.flatnonzero(count[chosen % n_items] > unrated.size)  # their movie keeps one
    if 0 < unrated.size <= donors.size:  # every movie gets a rating: move one to each
        taken = np.sort(rng.choice(donors, unrated.size, replace=False))
        moved = np.sort(chosen[taken] // n_items * n_items + rng.permutation(unrated))
        chosen = np.delete(chosen, taken)
        chosen = np.insert(chosen, np.searchsorted(chosen, moved), moved)
    return chosen // n_items, chosen % n_items


def _timestamps(rng: np.random.Generator, users: np.ndarray, degrees: np.ndarray) -> np.ndarray:
    span = np.minimum(np.exp(rng.normal(16.0, 2.5, degrees.size)), (END - START) * 0.9)
    first = START + rng.random(degrees.size) * (END - START - span)
    return (first[users] + rng.random(users.size) * span[users]).astype(np.int64)


def _movies(rng: np.random.Generator, movie_ids: np.ndarray) -> pd.DataFrame:
    n = movie_ids.size
    years = rng.integers(1920, 2020, n)
    the = rng.random(n) < 0.1
    titles = [
        f"Synthetic Movie {m}, The ({y})" if t else f"Synthetic Movie {m} ({y})"
        for m, y, t in zip(movie_ids.tolist(), years.tolist(), the.tolist(), strict=True)
    ]
    picks = rng.random((n, len(GENRES))).argsort(axis=1)[:, :3]
    counts = rng.integers(1, 4, n)
    names = np.array(GENRES)
    genres = ["|".join(sorted(names[row[:c]])) for row, c in zip(picks, counts, strict=True)]
    none = rng.random(n) < 0.08
    genres = ["(no genres listed)" if x else g for g, x in zip(genres, none, strict=True)]
    return pd.DataFrame({"movieId": movie_ids.astype(np.int64), "title": titles, "genres": genres})


def write(data: Synthetic, folder: str | Path) -> Path:
    """Writes ratings.csv and movies.csv (MovieLens format) into `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    data.movies.to_csv(folder / "movies.csv", index=False)
    with open(folder / "ratings.csv", "w", newline="") as out:
        out.write("userId,movieId,rating,timestamp\n")
        for start in range(0, len(data.ratings), CHUNK // 4):
            chunk = data.ratings.iloc[start : start + CHUNK // 4]
            chunk.to_csv(out, header=False, index=False, float_format="%.1f")
    return folder


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder for ratings.csv and movies.csv")
    parser.add_argument("--fraction", type=float, default=0.04, help="of ml-25m (1 = 25M)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    data = generate(args.fraction, args.seed)
    made = time.perf_counter()
    write(data, args.out)
    r = data.ratings
    print(
        f"{len(r):,} ratings, {r['userId'].nunique():,} users, {r['movieId'].nunique():,} "
        f"rated movies ({len(data.movies):,} listed) -> {args.out}: generated in "
        f"{made - started:.1f} s, written in {time.perf_counter() - made:.1f} s"
    )


if __name__ == "__main__":
    main()
