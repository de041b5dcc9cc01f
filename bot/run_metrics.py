"""A run's outcome as the name -> number metrics that bot.storage keeps with it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.gate import NDCG, RMSE

CURVE_PREFIX = "val_rmse_e"
"""Storage keeps numbers only, so the validation-RMSE curve is stored as val_rmse_e1, _e2, ..."""


def run_metrics(report: Any) -> dict[str, float]:
    """The metrics stored with a run: new, current and popularity scores plus the RMSE curve."""
    metrics: dict[str, Any] = {}
    for prefix, values in (("", report.new), ("current_", report.current)):
        for name in (RMSE, NDCG):
            if values and values.get(name) is not None:
                metrics[prefix + name] = float(values[name])
    for name in (RMSE, NDCG):
        if report.popularity and report.popularity.get(name) is not None:
            metrics["popularity_" + name] = float(report.popularity[name])
    if "n_holdout" in report.data:
        metrics["holdout_ratings"] = report.data["n_holdout"]
    for entry in report.history:  # storage keeps name -> number, so the curve is flattened
        if entry.get("val_rmse") is not None:
            metrics[f"{CURVE_PREFIX}{int(entry['epoch'])}"] = float(entry["val_rmse"])
    return metrics


def run_curve(metrics: Mapping[str, float]) -> list[float]:
    """The validation-RMSE curve stored by `run_metrics`, in epoch order."""
    points = {
        int(name[len(CURVE_PREFIX) :]): value
        for name, value in metrics.items()
        if name.startswith(CURVE_PREFIX) and name[len(CURVE_PREFIX) :].isdigit()
    }
    return [points[epoch] for epoch in sorted(points)]
