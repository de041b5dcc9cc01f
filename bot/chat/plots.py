"""The /stats picture: the last run's validation-RMSE curve and each run's held-out scores.

Honest by construction: every run has its own x position (its run id), so no marker can hide
another run's; RMSE and NDCG@10 get a panel each (no twin axes); each panel's y range spans at
least a sensible minimum (MIN_RMSE_SPAN stars, NDCG from 0), so a 0.1% change looks like one;
the popularity baseline and the gate's band (how much worse than the serving model a new one
may be and still be swapped in) are drawn for reference; the legend sits below the panels.

Uses matplotlib's object API with the Agg canvas (no pyplot, no global state), so a render can
run in a worker thread while the event loop keeps serving.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

MIN_RMSE_SPAN = 0.1
"""Stars: the RMSE panel spans at least this much, so tiny changes look tiny."""
MIN_NDCG_TOP = 0.1
BAND_SHOWN_UP_TO = 0.1
"""A gate margin up to this (10%) widens the y range to show the band whole; a wider one
(tests use 100%) is clipped at the panel's edge instead of squashing the data."""
EACH_TICK_UP_TO = 15
"""Up to this many runs, every run id is a tick on the x axis."""
CURVE_COLOR = "tab:blue"
SERVING_COLOR = "0.25"
BAND_COLOR = "tab:green"
POPULAR_COLOR = "tab:purple"


@dataclass(frozen=True)
class RunPoint:
    """One finished run as plotted: its outcome and the held-out scores stored with it.

    `rmse`/`ndcg` are the new model's; `current_*` the serving model's on the same held-out
    ratings (what the gate compared with); `popular_*` the popularity baseline's. None where the
    run stored no such score (a failed run, the first run has no serving model).
    """

    run_id: int
    status: str
    rmse: float | None = None
    ndcg: float | None = None
    current_rmse: float | None = None
    current_ndcg: float | None = None
    popular_rmse: float | None = None
    popular_ndcg: float | None = None

    @classmethod
    def from_metrics(cls, run_id: int, status: str, metrics: Mapping[str, float]) -> RunPoint:
        """From a run's stored metrics (bot.training.runs.run_metrics' names)."""

        def get(name: str) -> float | None:
            value = metrics.get(name)
            return float(value) if value is not None and math.isfinite(value) else None

        return cls(
            run_id,
            status,
            rmse=get("rmse"),
            ndcg=get("ndcg@10"),
            current_rmse=get("current_rmse"),
            current_ndcg=get("current_ndcg@10"),
            popular_rmse=get("popularity_rmse"),
            popular_ndcg=get("popularity_ndcg@10"),
        )


@dataclass(frozen=True)
class Metric:
    """One panel: which RunPoint fields it shows and which direction is better."""

    name: str
    label: str
    lower_is_better: bool

    def new(self, run: RunPoint) -> float | None:
        return run.rmse if self.lower_is_better else run.ndcg

    def current(self, run: RunPoint) -> float | None:
        return run.current_rmse if self.lower_is_better else run.current_ndcg

    def popular(self, run: RunPoint) -> float | None:
        return run.popular_rmse if self.lower_is_better else run.popular_ndcg

    def gate_limit(self, current: float, margin: float) -> float:
        """The worst score the gate still accepts (bot.training.gate: relative margin)."""
        return current * (1 + margin) if self.lower_is_better else current * (1 - margin)


RMSE = Metric("rmse", "RMSE", lower_is_better=True)
NDCG = Metric("ndcg", "NDCG@10", lower_is_better=False)
_STYLES = {
    # status: (marker, colour, label in the legend); a run without scores is a grey column
    "succeeded": ("o", "tab:blue", "new model, swapped in"),
    "rejected": ("X", "tab:red", "new model, rejected by the gate"),
    "failed": ("s", "0.45", "new model, failed after scoring"),
}
_OTHER = ("D", "0.45", "other outcome")
UNSCORED_COLOR = "0.6"


def stats_png(
    curve: Sequence[float], curve_title: str, runs: Sequence[RunPoint], margin: float
) -> bytes:
    """The /stats picture as PNG bytes (see `stats_figure`)."""
    figure = stats_figure(curve, curve_title, runs, margin)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def stats_figure(
    curve: Sequence[float], curve_title: str, runs: Sequence[RunPoint], margin: float
) -> Figure:
    """`curve` (validation RMSE per epoch of one run) on the left; on the right the RMSE and
    NDCG@10 of each run in `runs` against the serving model, the gate's `margin` (relative,
    0.02 = 2%) and the popularity baseline; one legend below everything."""
    figure = Figure(figsize=(11, 5.8), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplot_mosaic([["curve", "rmse"], ["curve", "ndcg"]], width_ratios=[1.7, 3])
    _curve(axes["curve"], curve, curve_title)
    runs = sorted(runs, key=lambda r: r.run_id)
    axes["ndcg"].sharex(axes["rmse"])
    for metric in (RMSE, NDCG):
        _runs_panel(axes[metric.name], runs, metric, margin)
    axes["rmse"].tick_params(labelbottom=False)
    axes["ndcg"].set_xlabel("training run")
    handles = _legend_handles(runs, margin)
    if handles:
        figure.legend(handles=handles, loc="outside lower center", ncols=3, fontsize=8)
    return figure


def axis_bounds(runs: Sequence[RunPoint], metric: Metric, margin: float) -> tuple[float, float]:
    """The y range of a metric's panel: every score shown, the gate band (up to
    BAND_SHOWN_UP_TO), and a floor on the span: MIN_RMSE_SPAN stars, NDCG from 0."""
    values = _finite(v for r in runs for v in (metric.new(r), metric.current(r), metric.popular(r)))
    shown_margin = min(max(margin, 0.0), BAND_SHOWN_UP_TO)
    values += [metric.gate_limit(c, shown_margin) for c in _finite(metric.current(r) for r in runs)]
    if not metric.lower_is_better:
        return 0.0, max([MIN_NDCG_TOP, *values]) * 1.15
    if not values:
        return 0.8, 0.8 + MIN_RMSE_SPAN
    low, high = min(values), max(values)
    span = max(high - low, MIN_RMSE_SPAN)
    middle = (low + high) / 2
    return middle - span * 0.6, middle + span * 0.6


def summary(runs: Sequence[RunPoint], metric: Metric) -> str:
    """The newest scored run's score against what the gate compared it with (for a first
    model, the popularity baseline); "" before any run was scored."""
    scored = [r for r in runs if metric.new(r) is not None]
    if not scored:
        return ""
    run = max(scored, key=lambda r: r.run_id)
    value = metric.new(run)
    assert value is not None
    text = f"run {run.run_id}: {value:.4f}"
    for other, name in ((metric.current(run), "serving"), (metric.popular(run), "popularity")):
        if other:
            change = (value - other) / other * (-1 if metric.lower_is_better else 1)
            word = "better" if change >= 0 else "worse"
            return text + f", {abs(change):.2%} {word} than {name}"
    return text


def _curve(ax: Axes, curve: Sequence[float], title: str) -> None:
    if curve:
        epochs = range(1, len(curve) + 1)
        ax.plot(epochs, curve, marker="o", markersize=4, color=CURVE_COLOR)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if len(curve) == 1:
            ax.set_xlim(0.5, 1.5)
    else:
        ax.text(0.5, 0.5, "no training curve yet", ha="center", va="center", transform=ax.transAxes)
        ax.set_xticks([])
        ax.set_yticks([])
    ax.set_title(title, fontsize=9)
    ax.set_ylabel("validation RMSE")
    ax.grid(alpha=0.3)


def _runs_panel(ax: Axes, runs: Sequence[RunPoint], metric: Metric, margin: float) -> None:
    better = "lower" if metric.lower_is_better else "higher"
    ax.set_title(f"held-out {metric.label}, {better} is better", fontsize=9, loc="left")
    ax.set_title(summary(runs, metric), fontsize=9, loc="right")
    ax.set_ylabel(metric.label)
    ax.grid(alpha=0.3)
    ax.set_ylim(*axis_bounds(runs, metric, margin))
    if not any(metric.new(r) is not None for r in runs):
        ax.set_yticks([])  # no score anywhere: numbers on the axis would invent a scale
    if not runs:
        ax.text(0.5, 0.5, "no training runs yet", ha="center", va="center", transform=ax.transAxes)
        ax.set_xlim(0.5, 1.5)
        ax.set_xticks([])
        return
    ids = [r.run_id for r in runs]
    ax.set_xlim(min(ids) - 0.6, max(ids) + 0.6)
    if len(ids) <= EACH_TICK_UP_TO:
        ax.set_xticks(ids)
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))

    popular = [(r.run_id, metric.popular(r)) for r in runs]
    steps = [(x + dx, y) for x, y in popular if y is not None for dx in (-0.5, 0.5)]
    if steps:
        ax.plot(*zip(*steps, strict=True), color=POPULAR_COLOR, linestyle="--", linewidth=1.2)
    for run in runs:
        left, right = run.run_id - 0.4, run.run_id + 0.4
        value, current = metric.new(run), metric.current(run)
        if value is None:  # no score to place: a grey column, not a point at a made-up value
            ax.axvspan(left, right, color=UNSCORED_COLOR, alpha=0.25, linewidth=0)
            ax.text(run.run_id, 0.5, run.status, transform=ax.get_xaxis_transform(),
                    rotation=90, ha="center", va="center", fontsize=8, color="0.3",
                    bbox={"facecolor": "0.93", "edgecolor": "none", "pad": 1})  # fmt: skip
            continue
        if current is not None:
            limit = metric.gate_limit(current, margin)
            ax.fill_between([left, right], current, limit, color=BAND_COLOR, alpha=0.18)
            ax.hlines(current, left, right, color=SERVING_COLOR, linewidth=2)
        marker, color, _ = _STYLES.get(run.status, _OTHER)
        ax.plot(run.run_id, value, marker, color=color, markersize=8, zorder=3,
                markeredgecolor="white", markeredgewidth=0.8)  # fmt: skip


def _legend_handles(runs: Sequence[RunPoint], margin: float) -> list[Line2D | Patch]:
    """One entry per kind of thing drawn, in a fixed order, for what the picture holds."""
    handles: list[Line2D | Patch] = []
    scored = {r.status for r in runs if r.rmse is not None or r.ndcg is not None}
    for status, (marker, color, label) in _STYLES.items():
        if status in scored:
            handles.append(_marker(marker, color, label))
    if scored - set(_STYLES):
        handles.append(_marker(*_OTHER))
    if any(r.rmse is None or r.ndcg is None for r in runs):
        handles.append(Patch(color=UNSCORED_COLOR, alpha=0.25, label="run without scores"))
    if any(r.current_rmse is not None or r.current_ndcg is not None for r in runs):
        serving = Line2D([], [], color=SERVING_COLOR, linewidth=2)
        serving.set_label("serving model, same held-out ratings")
        band = Patch(color=BAND_COLOR, alpha=0.18, label=_gate_label(margin))
        handles += [serving, band]
    if any(r.popular_rmse is not None or r.popular_ndcg is not None for r in runs):
        popular = Line2D([], [], color=POPULAR_COLOR, linestyle="--")
        popular.set_label("popularity baseline")
        handles.append(popular)
    return handles


def _marker(marker: str, color: str, label: str) -> Line2D:
    return Line2D([], [], marker=marker, color=color, linestyle="none", markersize=8, label=label)


def _gate_label(margin: float) -> str:
    share = f"{abs(margin):.1%}".replace(".0%", "%")
    if margin < 0:
        return f"gate: accepted if at least {share} better"
    return f"gate: accepted up to {share} worse"


def _finite(values: Iterable[float | None]) -> list[float]:
    return [v for v in values if v is not None and math.isfinite(v)]
