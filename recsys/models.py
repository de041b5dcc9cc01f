"""The three rating models by name: `MODEL_KINDS` and `build_model(kind, ...)`.

All have `forward(users, items) -> predicted ratings`: the formula and nothing else. Each
model's own module (recsys/mf.py: MF and MFBias; recsys/ncf.py: CollabFNet) also holds what
differs per kind at serving time, its fallbacks and its fold-in, behind the interface of
recsys/rating_model.py; training lives in recsys/train.py. Predictions are unclipped:
callers clip to 0.5-5 for display.
"""

from __future__ import annotations

from recsys.kinds import MODEL_KINDS
from recsys.mf import MF, MFBias
from recsys.ncf import CollabFNet
from recsys.rating_model import RatingModel

__all__ = ["MF", "MODEL_KINDS", "CollabFNet", "MFBias", "RatingModel", "build_model"]


def build_model(
    kind: str, n_users: int, n_items: int, dim: int, global_mean: float = 0.0
) -> RatingModel:
    """A fresh model of `kind` ("mf", "mf_bias" or "ncf")."""
    if kind == "mf":
        return MF(n_users, n_items, dim)
    if kind == "mf_bias":
        return MFBias(n_users, n_items, dim, global_mean)
    if kind == "ncf":
        return CollabFNet(n_users, n_items, dim, global_mean)
    raise ValueError(f"unknown model kind {kind!r}; expected one of {', '.join(MODEL_KINDS)}")
