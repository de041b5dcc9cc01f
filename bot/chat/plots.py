"""The /stats picture: the last run's validation-RMSE curve and the metrics across runs.

Uses matplotlib's object API with the Agg canvas (no pyplot, no global state), so a render can
run in a worker thread while the event loop keeps serving.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator


@dataclass(frozen=True)
class RunPoint:
    """One finished run as plotted: its id, outcome and held-out metrics."""

    run_id: int
    status: str
    rmse: float | None
    ndcg: float | None


_STATUS_MARKERS = {"succeeded": "o", "rejected": "x", "failed": "s"}


def stats_png(curve: Sequence[float], curve_title: str, runs: Sequence[RunPoint]) -> bytes:
    """A two-panel PNG: `curve` (validation RMSE per epoch) and RMSE / NDCG@10 per run."""
    figure = Figure(figsize=(9, 3.6), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    left, right = figure.subplots(1, 2)

    if curve:
        epochs = range(1, len(curve) + 1)
        left.plot(epochs, curve, marker="o", color="tab:blue")
        left.set_xlabel("epoch")
        left.xaxis.set_major_locator(MaxNLocator(integer=True))
    else:
        left.text(0.5, 0.5, "no training curve yet", ha="center", va="center")
    left.set_title(curve_title, fontsize=10)
    left.set_ylabel("validation RMSE")
    left.grid(alpha=0.3)

    runs = sorted(runs, key=lambda r: r.run_id)
    right.set_title("held-out metrics per run", fontsize=10)
    right.set_xlabel("run")
    right.xaxis.set_major_locator(MaxNLocator(integer=True))
    right.set_ylabel("RMSE", color="tab:red")
    twin = right.twinx()
    twin.set_ylabel("NDCG@10", color="tab:green")
    for status, marker in _STATUS_MARKERS.items():
        chosen = [r for r in runs if r.status == status]
        rmse = [(r.run_id, r.rmse) for r in chosen if r.rmse is not None]
        ndcg = [(r.run_id, r.ndcg) for r in chosen if r.ndcg is not None]
        if rmse:
            right.scatter(*zip(*rmse, strict=True), marker=marker, color="tab:red", label=status)
        if ndcg:
            twin.scatter(*zip(*ndcg, strict=True), marker=marker, color="tab:green")
    _line(right, runs, "rmse", "tab:red")
    _line(twin, runs, "ndcg", "tab:green")
    if not any(r.rmse is not None for r in runs):
        right.text(0.5, 0.5, "no evaluated runs yet", ha="center", va="center")
    elif right.get_legend_handles_labels()[0]:
        right.legend(loc="upper left", fontsize=8)
    right.grid(alpha=0.3)

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _line(axes, runs: Sequence[RunPoint], attr: str, color: str) -> None:
    """Connects the successful runs: the history of what was served."""
    points = [(r.run_id, getattr(r, attr)) for r in runs if r.status == "succeeded"]
    points = [(x, y) for x, y in points if y is not None]
    if len(points) > 1:
        axes.plot(*zip(*points, strict=True), color=color, alpha=0.5)
