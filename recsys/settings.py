"""How a trained recommender serves: the fold-in's penalties, which movies may be shown, how
a personal list is chosen and ordered. Stored with every artifact (meta "serve"); a field
added later takes its default when an older artifact is loaded."""

from __future__ import annotations

import math
from dataclasses import dataclass

from recsys.item_side import FoldIn


@dataclass(frozen=True)
class ServeSettings:
    """How recommendations are ranked and filtered at serving time (tuned on the data)."""

    fold_in_l2: float = 0.1
    """Ridge penalty per rating for the fold-in solve (mf, mf_bias); the training L2 is
    the natural value and measured best (held-out RMSE through fold-in 0.829)."""
    fold_in_bias_prior: float = 5.0
    """Pseudo-ratings pulling a new person's bias towards the training users' mean bias
    (mf_bias): five low ratings no longer make every prediction a dislike. Notebook split,
    RMSE folded in from all / 5 random / the 5 lowest training ratings: 0 (and no vector
    prior) 0.824 / 0.902 / 1.64; 5 with vector prior 2: 0.825 / 0.894 / 1.08; 10: 0.826 /
    0.903 / 0.98 (benchmarks/variants.py)."""
    fold_in_vector_prior: float = 2.0
    """Pseudo-ratings pulling a new person's vector towards the training users' mean vector
    (mf, mf_bias; scaled down for ncf's gradient fold-in)."""
    taste_stars: float = 0.68
    """Stars a predicted rating gains per unit of the watch model's score above
    taste_centre: the rating model alone ignores what a person chose to watch. Fitted by
    least squares on held-out ratings (notebook split); it lowered the fold-in RMSE from
    0.830 to 0.825 and, as the list is ordered by stars, raised NDCG@10 from 0.301 to 0.311.
    More weight orders lists closer to the ranking score but makes the stars worse: 1.5 and
    2.0 gave NDCG@10 0.315 / 0.318 at fold-in RMSE 0.829 / 0.836 (stars in tenths)."""
    taste_centre: float = 0.16
    """The watch score at which that term is zero."""
    taste_prior: float = 20.0
    """With n ratings the term is scaled by n / (n + taste_prior): a few ratings say
    little about what a person watches."""
    min_support: int = 5
    """Movies with fewer training ratings are never recommended on the personal path."""
    rating_weight: float = 0.0
    """How much the predicted rating (in stars above the mean) adds to the watch score."""
    min_predicted: float = 3.0
    """No personal recommendation is predicted below this many stars, except to fill a
    list the person asked for by genre (then the list says it is weak)."""
    rerank_pool: int = 20
    """The best this many movies by ranking score (at least k) are put in order of
    predicted rating (in half stars, then by score) and the k that serve the ranking best in
    that order are shown (recsys.lists.choose); 10 = the top-10 by score, in order of stars."""

    def __post_init__(self) -> None:
        # Checked here so a bad TRAIN_CONFIG fails at start-up: fold_in_l2 = 0 made every
        # one-rating fold-in a singular solve, NaN made every prediction NaN.
        if not 0.0 < self.fold_in_l2 < math.inf:
            raise ValueError(f"fold_in_l2 must be a positive number, got {self.fold_in_l2}")
        for name in ("fold_in_bias_prior", "fold_in_vector_prior", "taste_prior"):
            if not 0.0 <= getattr(self, name) < math.inf:
                raise ValueError(f"{name} must be a non-negative number, got {getattr(self, name)}")
        if not (math.isfinite(self.taste_stars) and math.isfinite(self.taste_centre)):
            raise ValueError("taste_stars and taste_centre must be finite numbers")
        if self.min_support < 0:
            raise ValueError(f"min_support must be 0 or more, got {self.min_support}")
        if not math.isfinite(self.rating_weight):
            raise ValueError(f"rating_weight must be a finite number, got {self.rating_weight}")
        if not 0.0 <= self.min_predicted <= 5.0:
            raise ValueError(f"min_predicted must be 0-5 stars, got {self.min_predicted}")
        if self.rerank_pool < 0:
            raise ValueError(f"rerank_pool must be 0 or more, got {self.rerank_pool}")

    def fold_in(self) -> FoldIn:
        """The fold-in penalties these settings describe."""
        return FoldIn(self.fold_in_l2, self.fold_in_bias_prior, self.fold_in_vector_prior)
