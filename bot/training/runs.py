"""A training run's record: what happened (RunReport) and the metrics storage keeps with it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.training.gate import NDCG, RMSE

RunStatus = Literal["succeeded", "rejected", "failed", "busy", "running"]


@dataclass(frozen=True)
class RunReport:
    """What happened in one run, for the admin's message and the log."""

    trigger: str
    status: RunStatus
    """"succeeded" (swapped in), "rejected" (old model kept), "failed" or "busy" (not started);
    "running" only while the run is being put together."""
    reason: str
    run_id: int | None = None
    version: str | None = None
    new: dict[str, float] | None = None
    current: dict[str, float] | None = None
    popularity: dict[str, float] | None = None
    data: dict[str, int] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0


CURVE_PREFIX = "val_rmse_e"
"""Storage keeps numbers only, so the validation-RMSE curve is stored as val_rmse_e1, _e2, ..."""


def run_metrics(report: RunReport) -> dict[str, float]:
    """The metrics stored with a run: new, current and popularity scores plus the RMSE curve."""
    metrics: dict[str, float] = {}
    for prefix, values in (("", report.new), ("current_", report.current)):
        for name in (RMSE, NDCG):
            if values and values.get(name) is not None:
                metrics[prefix + name] = float(values[name])
    for name in (RMSE, NDCG):
        if report.popularity and report.popularity.get(name) is not None:
            metrics["popularity_" + name] = float(report.popularity[name])
    if "n_holdout" in report.data:
        metrics["holdout_ratings"] = float(report.data["n_holdout"])
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
