"""What the bot serves from: a trained rating model plus everything needed to recommend.

`TrainedRecommender.info` is a frozen `ModelInfo`; `with_info(version=...)` returns a copy
with fields replaced (the artifact layer sets `version`, which is "" straight after
training). Turning one into tensors and back is recsys.state's job.
"""

from __future__ import annotations

import copy
import dataclasses
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from recsys.catalogue import Catalogue
from recsys.ids import IdMap
from recsys.interface import Recommender
from recsys.models import MODEL_KINDS
from recsys.rating_model import FoldedUser, RatingModel
from recsys.results import MAX_RATING, MIN_RATING, ModelInfo, Recommendation, Recommendations
from recsys.selection import check_k, top_k
from recsys.threads import single_blas_thread
from recsys.watch import WatchModel

FALLBACK_SCORE_OFFSET = 100.0
"""Movies the watch model does not cover are scored (predicted rating - this), so that
they follow every covered movie."""
NORM_EPSILON = 1e-9
"""Added to vector norms in cosine similarity so a zero vector does not divide by zero."""


@dataclass(frozen=True)
class ServeSettings:
    """How recommendations are ranked and filtered at serving time (tuned on the data)."""

    fold_in_l2: float = 0.1
    """Ridge penalty per rating for the fold-in solve (mf, mf_bias); the training L2 is
    the natural value and measured best (held-out RMSE through fold-in 0.829)."""
    min_support: int = 5
    """Movies with fewer training ratings are never recommended on the personal path."""
    rating_weight: float = 0.0
    """How much the predicted rating (in stars above the mean) adds to the watch score."""

    def __post_init__(self) -> None:
        # Checked here so a bad TRAIN_CONFIG fails at start-up: fold_in_l2 = 0 made every
        # one-rating fold-in a singular solve, NaN made every prediction NaN.
        if not 0.0 < self.fold_in_l2 < math.inf:
            raise ValueError(f"fold_in_l2 must be a positive number, got {self.fold_in_l2}")
        if self.min_support < 0:
            raise ValueError(f"min_support must be 0 or more, got {self.min_support}")
        if not math.isfinite(self.rating_weight):
            raise ValueError(f"rating_weight must be a finite number, got {self.rating_weight}")


class TrainedRecommender(Recommender):
    """A trained model with its id maps, per-movie statistics and genres."""

    def __init__(
        self,
        model: RatingModel,
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
        watch: WatchModel | None = None,
        serve: ServeSettings = ServeSettings(),
    ) -> None:
        if kind not in MODEL_KINDS:
            raise ValueError(f"unknown model kind {kind!r}")
        self.model = model.eval()
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
        with torch.no_grad():
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
        with torch.no_grad():
            if known.any():
                pairs = torch.as_tensor(u[known]), torch.as_tensor(i[known])
                out[known] = self.model(*pairs).numpy()
        only_item = (u < 0) & (i >= 0)
        out[only_item] = baseline.items[i[only_item]]
        only_user = (u >= 0) & (i < 0)
        out[only_user] = baseline.users[u[only_user]]
        return np.clip(out, MIN_RATING, MAX_RATING)

    def predict_new(self, ratings: Mapping[int, float], movie_ids: Iterable[int]) -> np.ndarray:
        """Predicted ratings (0.5-5) of `movie_ids` for a new person with `ratings` (fold-in).

        Unknown movies, and every movie when no rated movie is known, get the same fallback
        as `predict` gives an unknown user.
        """
        idx, values, _ = self._known_ratings(ratings)
        targets = self.items.index(np.fromiter((int(m) for m in movie_ids), dtype=np.int64))
        out = np.full(targets.shape, self._baseline.mean, dtype=np.float64)
        known = targets >= 0
        out[known] = self._baseline.items[targets[known]]
        if idx.size and known.any():
            with single_blas_thread():
                out[known] = self._fold_in(idx, values).predict(targets[known])
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
        return self._side.fold_in(idx, values, self.serve.fold_in_l2)

    # -------------------------------------------------------------- recommend

    def recommend(
        self,
        ratings: Mapping[int, float],
        k: int = 10,
        *,
        exclude: Iterable[int] = (),
        genres: Iterable[str] | None = None,
        exclude_genres: Iterable[str] | None = None,
    ) -> Recommendations:
        """Top-k unseen movies for a new person from their {movieId: rating} (fold-in).

        Unknown movie ids in `ratings` are ignored and counted in `ignored_movies`; with no
        known ratings the result is the popularity ranking (path="popular"). A rating outside
        0.5-5 (or NaN) raises ValueError, as do an unknown genre name and a negative k.
        """
        with single_blas_thread():
            return self._recommend(ratings, check_k(k), exclude, genres, exclude_genres)

    def _recommend(
        self,
        ratings: Mapping[int, float],
        k: int,
        exclude: Iterable[int],
        genres: Iterable[str] | None,
        exclude_genres: Iterable[str] | None,
    ) -> Recommendations:
        idx, values, ignored = self._known_ratings(ratings)
        allowed = self._catalogue.allowed(idx, exclude, genres, exclude_genres)
        if idx.size == 0:
            popular = self._catalogue.popular(allowed, k, self._baseline.shown)
            return Recommendations("popular", popular, ignored)
        allowed &= self.item_count >= self.serve.min_support
        top, score, pred, because = self._rank(idx, values, allowed, k)
        items = [
            Recommendation(
                movie_id=int(self.items.ids[j]),
                predicted_rating=float(np.clip(p, MIN_RATING, MAX_RATING)),
                score=float(s),
                because=(int(self.items.ids[idx[b]]), float(values[b])),
            )
            for j, s, p, b in zip(top, score, pred, because, strict=True)
        ]
        return Recommendations("personal", items, ignored)

    def _rank(
        self, idx: np.ndarray, values: np.ndarray, allowed: np.ndarray, k: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Top item indices, their scores, their predicted ratings and their reasons
        (positions in idx).

        The watch model orders the movies it covers; if fewer than k are allowed, the rest
        come from the rating model by predicted rating, scored (predicted rating -
        FALLBACK_SCORE_OFFSET).
        """
        user = self._fold_in(idx, values)
        folded = self.watch.fold_in(idx, values) if self.watch is not None else None
        if folded is None:
            pred = user.predict(None)
            top = top_k(pred, allowed, k)
            return top, pred[top], pred[top], user.explain(top)
        watch_score, explain_watch = folded
        covered = np.isfinite(watch_score)
        if self.serve.rating_weight:
            centred = user.predict(None) - self._baseline.mean
            score = watch_score + self.serve.rating_weight * centred
        else:
            score = watch_score
        top = top_k(score, allowed & covered, k)
        top_score, because = score[top], explain_watch(top)
        if top.size < k:
            rest = np.flatnonzero(allowed & ~covered)
            rest_pred = user.predict(rest)
            extra = rest[top_k(rest_pred, np.ones(rest.size, dtype=bool), k - top.size)]
            top = np.concatenate([top, extra])
            top_score = np.concatenate([top_score, user.predict(extra) - FALLBACK_SCORE_OFFSET])
            because = np.concatenate([because, user.explain(extra)])
        return top, top_score, user.predict(top), because

    def similar(self, movie_id: int, k: int = 10) -> list[tuple[int, float]]:
        """Movies most associated with `movie_id`: the watch model's item-to-item weights
        when it covers the movie, else cosine similarity of the rating model's item vectors.
        Empty for an unknown movie."""
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
        top = top_k(sims, allowed, k)
        return [(int(self.items.ids[t]), float(sims[t])) for t in top]
