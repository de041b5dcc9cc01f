"""What the bot serves from: a trained rating model plus everything needed to recommend.

`TrainedRecommender.info` is a frozen `ModelInfo`; `with_info(version=...)` returns a copy
with fields replaced (the artifact layer sets `version`, which is "" straight after
training). Turning one into arrays and back is recsys.state's job; how a personal list is
chosen from the scores is recsys.lists'.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from recsys.catalogue import Catalogue
from recsys.ids import IdMap
from recsys.interface import Recommender
from recsys.item_side import FoldedUser, ServedModel
from recsys.kinds import MODEL_KINDS
from recsys.lists import choose, reasons
from recsys.results import (
    MAX_RATING,
    MIN_RATING,
    ModelInfo,
    Recommendation,
    Recommendations,
    half_stars,
)
from recsys.selection import check_k, top_k
from recsys.settings import ServeSettings
from recsys.threads import single_blas_thread
from recsys.watch import RankingModel, WatchConfig

__all__ = ["ServeSettings", "TrainedRecommender"]

PREDICT_FIRST = 8
"""With the watch model ranking, predicted ratings are computed for this many times the
pool's best movies first (see _predict_best)."""
FALLBACK_SCORE_OFFSET = 100.0
"""Movies the watch model does not cover are scored (predicted rating - this), so that
they follow every covered movie."""
NORM_EPSILON = 1e-9
"""Added to vector norms in cosine similarity so a zero vector does not divide by zero."""
DEFAULT_SERVE = ServeSettings()


@dataclass(frozen=True)
class Personal:
    """A new person's view of the catalogue, from their ratings (item indices throughout)."""

    predict: Callable[[np.ndarray], np.ndarray]
    """Predicted stars (unclipped) of item indices: the rating model plus the taste term."""
    score: np.ndarray | None
    """The watch model's ranking score of every item (-inf outside it); None without one."""
    contributions: Callable[[np.ndarray], np.ndarray]
    """(m,) item indices -> (m, n): how much each of the n rated movies raised each one's
    score (the reason shown)."""


def taste(watch_score: np.ndarray, n: int, serve: ServeSettings) -> np.ndarray:
    """Stars added to the predicted ratings of movies with these watch scores (0 where the
    score is -inf: not covered), scaled down for a person with few ratings: taste_stars *
    n / (n + taste_prior) * (score - taste_centre)."""
    out = np.zeros(watch_score.shape)
    covered = np.isfinite(watch_score)
    if serve.taste_stars and covered.any():
        shrink = n / (n + serve.taste_prior) if n + serve.taste_prior > 0 else 0.0
        out[covered] = serve.taste_stars * shrink * (watch_score[covered] - serve.taste_centre)
    return out


class TrainedRecommender(Recommender):
    """A trained model with its id maps, per-movie statistics and genres."""

    def __init__(
        self,
        model: ServedModel,
        kind: str,
        users: IdMap,
        items: IdMap,
        item_count: np.ndarray,
        item_mean: np.ndarray,
        item_genres: np.ndarray,
        genre_names: list[str],
        info: ModelInfo,
        *,
        dim: int,
        watch: RankingModel | None = None,
        serve: ServeSettings = DEFAULT_SERVE,
    ) -> None:
        if kind not in MODEL_KINDS:
            raise ValueError(f"unknown model kind {kind!r}")
        self.model = model
        self.kind = kind
        self.dim = dim
        self.users = users
        self.items = items
        self.item_count = np.asarray(item_count, dtype=np.int64)
        self.item_mean = np.asarray(item_mean, dtype=np.float32)
        self.item_genres = np.asarray(item_genres, dtype=bool)
        self.genre_names = list(genre_names)
        self.info = info
        self.watch = watch
        self.serve = serve
        self._catalogue = Catalogue(
            items, self.item_count, self.item_mean, self.item_genres, self.genre_names
        )
        self._side = model.item_side(self.item_mean, self.item_count)
        self._baseline = self._side.baseline

    # ----------------------------------------------------------------- queries

    def knows_movie(self, movie_id: int) -> bool:
        return self._catalogue.knows(movie_id)

    def genres(self) -> list[str]:
        return list(self.genre_names)

    def with_info(self, **changes: Any) -> TrainedRecommender:
        """A shallow copy whose ModelInfo has `changes` applied (e.g. version=...)."""
        changed = copy.copy(self)
        changed.info = dataclasses.replace(self.info, **changes)
        return changed

    def configured(
        self, serve: ServeSettings | None = None, watch: WatchConfig | None = None
    ) -> TrainedRecommender:
        """A shallow copy serving with other settings (the same weights): `serve`, and the
        watch model's fold-in settings `watch` (its training fields are ignored)."""
        changed = copy.copy(self)
        if serve is not None:
            changed.serve = serve
        if watch is not None and self.watch is not None:
            changed.watch = self.watch.configured(watch)
        return changed

    def predict(self, user_ids: Iterable[int], movie_ids: Iterable[int]) -> np.ndarray:
        """Predicted ratings (0.5-5) for training-data users.

        Fallback: an unknown user gets the movie's baseline (global mean + movie bias for
        mf_bias, the movie's mean rating otherwise); an unknown movie gets the global mean
        (plus the user's bias for mf_bias); both unknown get the global mean.
        """
        u = self.users.index(np.asarray(list(user_ids), dtype=np.int64))
        i = self.items.index(np.asarray(list(movie_ids), dtype=np.int64))
        if u.shape != i.shape:
            raise ValueError("user_ids and movie_ids must have the same length")
        baseline = self._baseline
        known = (u >= 0) & (i >= 0)
        out = np.full(u.shape, baseline.mean, dtype=np.float64)
        if known.any():
            out[known] = self.model.predict_pairs(u[known], i[known])
        only_item = (u < 0) & (i >= 0)
        out[only_item] = baseline.items[i[only_item]]
        only_user = (u >= 0) & (i < 0)
        out[only_user] = baseline.users[u[only_user]]
        return np.clip(out, MIN_RATING, MAX_RATING)

    def predict_for(self, ratings: Mapping[int, float], movie_ids: Iterable[int]) -> np.ndarray:
        """Predicted ratings (0.5-5) of `movie_ids` for a new person with `ratings` (fold-in),
        the numbers `recommend` shows for them.

        Unknown movies, and every movie when no rated movie is known, get the same fallback
        as `predict` gives an unknown user. A rating outside 0.5-5 raises ValueError.
        """
        idx, values, _ = self._known_ratings(ratings)
        targets = self.items.index(np.fromiter((int(m) for m in movie_ids), dtype=np.int64))
        out = np.full(targets.shape, self._baseline.mean, dtype=np.float64)
        known = targets >= 0
        out[known] = self._baseline.items[targets[known]]
        if idx.size and known.any():
            with single_blas_thread():
                out[known] = self._personal(idx, values).predict(targets[known])
        return np.clip(out, MIN_RATING, MAX_RATING)

    def _known_ratings(self, ratings: Mapping[int, float]) -> tuple[np.ndarray, np.ndarray, int]:
        """Item indices and values of the rated movies the model knows, and how many it did not."""
        rated_ids = np.fromiter((int(m) for m in ratings), dtype=np.int64, count=len(ratings))
        values = np.fromiter((float(r) for r in ratings.values()), dtype=np.float64)
        bad = ~((values >= MIN_RATING) & (values <= MAX_RATING))
        if bad.any():
            movie, value = int(rated_ids[bad][0]), float(values[bad][0])
            raise ValueError(
                f"rating {value} for movie {movie} is outside {MIN_RATING}-{MAX_RATING}"
            )
        idx = self.items.index(rated_ids)
        known = idx >= 0
        return idx[known], values[known], int((~known).sum())

    def _fold_in(self, idx: np.ndarray, values: np.ndarray) -> FoldedUser:
        """The new person's rating model (the model kind decides how it is fitted)."""
        return self._side.fold_in(idx, values, self.serve.fold_in())

    def _personal(self, idx: np.ndarray, values: np.ndarray) -> Personal:
        """Everything a new person's list and predictions come from, from their ratings.

        The watch model scores the movies it covers (plus its average-person part,
        WatchConfig.popularity_weight), and its score moves their predicted rating
        (ServeSettings.taste_*); movies outside it are explained by the rating model.
        """
        user = self._fold_in(idx, values)
        watch = self.watch
        folded = None if watch is None else watch.fold_in(idx, values, self._baseline.mean)
        if watch is None or folded is None:
            return Personal(user.predict, None, user.contributions)
        watch_score, watch_contributions = folded
        covered = np.isfinite(watch_score)
        population = watch.population(idx.size, self.item_count, self.item_mean, len(self.users))

        def predict(items: np.ndarray) -> np.ndarray:
            return user.predict(items) + taste(watch_score[items], idx.size, self.serve)

        def contributions(top: np.ndarray) -> np.ndarray:
            inside = covered[top]
            out = np.empty((top.size, idx.size))
            out[inside] = watch_contributions(top[inside])
            out[~inside] = user.contributions(top[~inside])
            return out

        return Personal(predict, watch_score + population, contributions)

    # -------------------------------------------------------------- recommend

    def recommend(
        self,
        ratings: Mapping[int, float],
        k: int = 10,
        *,
        exclude: Iterable[int] = (),
        genres: Iterable[str] | None = None,
        exclude_genres: Iterable[str] | None = None,
        dismissed: Iterable[int] = (),
    ) -> Recommendations:
        """Top-k unseen movies for a new person from their {movieId: rating} (fold-in).

        Unknown movie ids in `ratings` are ignored and counted in `ignored_movies`; with no
        known ratings the result is the popularity ranking (path="popular"). A rating outside
        0.5-5 (or NaN) raises ValueError, as do an unknown genre name and a negative k.
        The personal list is chosen as recsys.lists.choose says, with the floor, pool and
        ranking of `self.serve`; `dismissed` movies count against similar ones in the watch
        model's score.
        """
        asked = None if genres is None else list(genres)
        with single_blas_thread():
            return self._recommend(
                ratings, check_k(k), exclude, asked, exclude_genres, list(dismissed)
            )

    def _recommend(
        self,
        ratings: Mapping[int, float],
        k: int,
        exclude: Iterable[int],
        genres: list[str] | None,
        exclude_genres: Iterable[str] | None,
        dismissed: list[int],
    ) -> Recommendations:
        idx, values, ignored = self._known_ratings(ratings)
        allowed = self._catalogue.allowed(idx, [*exclude, *dismissed], genres, exclude_genres)
        if idx.size == 0:
            popular = self._catalogue.popular(allowed, k, self._baseline.shown)
            return Recommendations("popular", popular, ignored)
        allowed &= self.item_count >= self.serve.min_support
        person = self._personal(idx, values)
        score, predicted = self._ranking(person, allowed, k, dismissed, bool(genres))
        top, weak = choose(
            score,
            predicted,
            allowed,
            k,
            floor=self.serve.min_predicted,
            pool=self.serve.rerank_pool,
            fill=bool(genres),
        )
        because = reasons(person.contributions(top), values)
        items = [
            Recommendation(
                movie_id=int(self.items.ids[j]),
                predicted_rating=half_stars(float(predicted[j])),
                score=float(score[j]),
                because=None if b is None else (int(self.items.ids[idx[b]]), float(values[b])),
            )
            for j, b in zip(top.tolist(), because, strict=True)
        ]
        return Recommendations("personal", items, ignored, weak)

    def _ranking(
        self,
        person: Personal,
        allowed: np.ndarray,
        k: int,
        dismissed: list[int],
        everything: bool,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Every item's ranking score and predicted stars (-inf where not needed).

        The watch model's score (less what `dismissed` movies take off, plus rating_weight
        stars above the mean) ranks the movies it covers; the others score (predicted
        rating - FALLBACK_SCORE_OFFSET), so they follow every covered movie, and are only
        predicted when the covered ones are too few to fill the pool above the floor
        (predicting all ~10k movies was most of a call's time). Covered movies are
        predicted best first (`_predict_best`) unless the score needs every prediction
        (rating_weight) or `everything` is asked (a genre list that may be filled from
        below the floor). Without a watch model the score is the predicted rating.
        """
        predicted = np.full(allowed.shape, -np.inf)
        if person.score is None:
            wanted = np.flatnonzero(allowed)
            predicted[wanted] = person.predict(wanted)
            return predicted.copy(), predicted
        score = person.score
        away = self.items.index(np.asarray(dismissed, dtype=np.int64))
        if self.watch is not None and (away >= 0).any():
            score = score - self.watch.dismissal(away[away >= 0])
        inside = np.flatnonzero(allowed & np.isfinite(score))
        need = max(self.serve.rerank_pool, k)
        if self.serve.rating_weight or everything:
            predicted[inside] = person.predict(inside)
        else:
            self._predict_best(person.predict, score, inside, need, predicted)
        if self.serve.rating_weight:
            score = score.copy()
            score[inside] += self.serve.rating_weight * (predicted[inside] - self._baseline.mean)
        if (predicted[inside] >= self.serve.min_predicted).sum() < need:
            rest = np.flatnonzero(allowed & ~np.isfinite(score))
            predicted[rest] = person.predict(rest)
            score = score.copy()
            score[rest] = predicted[rest] - FALLBACK_SCORE_OFFSET
        return score, predicted

    def _predict_best(
        self,
        predict: Callable[[np.ndarray], np.ndarray],
        score: np.ndarray,
        inside: np.ndarray,
        need: int,
        predicted: np.ndarray,
    ) -> None:
        """Fills `predicted` for the best of `inside` by `score`, a batch of
        PREDICT_FIRST * need at first and four times more while fewer than `need` of them
        reach the floor (every one at last), so the pool choose() takes is the same as with
        every movie predicted. Predicting all 60k movies of an ml-25m-sized catalogue was
        most of a fold-in + top-10 (3.5 ms of one core for 60k x 128 factors)."""
        size = PREDICT_FIRST * need
        while True:
            if size >= inside.size:
                predicted[inside] = predict(inside)
                return
            best = inside[np.argpartition(-score[inside], size)[:size]]
            predicted[best] = predict(best)
            if (predicted[best] >= self.serve.min_predicted).sum() >= need:
                return
            size *= 4

    def similar(
        self, movie_id: int, k: int = 10, *, exclude: Iterable[int] = ()
    ) -> list[tuple[int, float]]:
        """Movies most associated with `movie_id`: the watch model's item-to-item weights
        when it covers the movie, else cosine similarity of the rating model's item vectors.
        Never `movie_id` itself, one in `exclude` (movie ids) or one with fewer than
        `min_support` training ratings; empty for an unknown movie."""
        j = self.items.index_of(movie_id)
        if j is None:
            return []
        sims = self.watch.similar_scores(j) if self.watch is not None else None
        if sims is None:
            vecs = self._side.vectors
            norms = np.linalg.norm(vecs, axis=1) + NORM_EPSILON
            sims = (vecs @ vecs[j]) / (norms * norms[j])
        allowed = self.item_count >= self.serve.min_support
        allowed[j] = False
        blocked = self.items.index(np.fromiter((int(m) for m in exclude), dtype=np.int64))
        allowed[blocked[blocked >= 0]] = False
        allowed &= np.isfinite(sims)
        top = top_k(sims, allowed, k)
        return [(int(self.items.ids[t]), float(sims[t])) for t in top]
