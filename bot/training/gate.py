"""The decision whether a freshly trained model may replace the serving one."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

RMSE = "rmse"
NDCG = "ndcg@10"


@dataclass(frozen=True)
class GateDecision:
    """`accept` tells whether to swap; `reason` is shown to the admin and stored with the run."""

    accept: bool
    reason: str


def gate(
    new: Mapping[str, float], current: Mapping[str, float] | None, margin: float
) -> GateDecision:
    """Accept the new model unless it is worse than the current one by more than `margin`.

    Both models were scored on the same held-out ratings (see bot.training.holdout). The margin is
    relative, so one number fits both metrics despite their different scales: with margin 0.02
    the new RMSE may be up to 2% higher and its NDCG@10 up to 2% lower. A metric the current model
    has no finite value for is not compared; a new model without finite values is rejected.
    """
    for name in (RMSE, NDCG):
        if not _finite(new.get(name)):
            return GateDecision(False, f"the new model has no valid {name} on the held-out part")
    if current is None:
        return GateDecision(True, "no current model to compare with")

    problems = []
    if _finite(current.get(RMSE)) and new[RMSE] > current[RMSE] * (1 + margin):
        problems.append(
            f"RMSE {new[RMSE]:.4f} is worse than the current {current[RMSE]:.4f} "
            f"by more than {margin:.1%}"
        )
    if _finite(current.get(NDCG)) and new[NDCG] < current[NDCG] * (1 - margin):
        problems.append(
            f"NDCG@10 {new[NDCG]:.4f} is worse than the current {current[NDCG]:.4f} "
            f"by more than {margin:.1%}"
        )
    if problems:
        return GateDecision(False, "; ".join(problems))
    return GateDecision(True, f"not worse than the current model by more than {margin:.1%}")


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)
