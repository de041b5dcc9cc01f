"""The /stats picture tells the truth: honest axes, one mark per run, the legend off the data.

The last test writes the PNGs (0, 1, 2, 10 and 50 runs) a person should look at after changing
bot/chat/plots.py; keep them with `pytest tests/bot/chat/test_plots.py --basetemp=/tmp/plots`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from bot.chat import plots
from bot.chat.plots import NDCG, RMSE, RunPoint
from tests.support.telegram_rules import png_size

MARGIN = 0.02
CURVE = [1.02, 0.93, 0.89, 0.87, 0.86, 0.855, 0.851, 0.849, 0.848]
FIRST = RunPoint(1, "succeeded", 0.8384, 0.243, popular_rmse=0.962, popular_ndcg=0.161)
SECOND = RunPoint(2, "succeeded", 0.8378, 0.245, 0.8384, 0.243, 0.961, 0.162)


def ten_runs() -> list[RunPoint]:
    """Made-up but realistic history: slow gains, run 4 rejected, run 5 failed."""
    rows = [
        (1, "succeeded", 0.8480, 0.231, None, None, 0.962, 0.161),
        (2, "succeeded", 0.8452, 0.238, 0.8478, 0.232, 0.961, 0.160),
        (3, "succeeded", 0.8440, 0.241, 0.8449, 0.239, 0.960, 0.162),
        (4, "rejected", 0.8712, 0.236, 0.8442, 0.241, 0.960, 0.161),
        (5, "failed", None, None, None, None, None, None),
        (6, "succeeded", 0.8421, 0.246, 0.8437, 0.242, 0.958, 0.163),
        (7, "succeeded", 0.8419, 0.247, 0.8423, 0.246, 0.958, 0.162),
        (8, "succeeded", 0.8398, 0.251, 0.8417, 0.247, 0.957, 0.164),
        (9, "succeeded", 0.8391, 0.252, 0.8399, 0.251, 0.957, 0.164),
        (10, "succeeded", 0.8384, 0.254, 0.8390, 0.252, 0.956, 0.165),
    ]
    return [RunPoint(*row) for row in rows]


def panel(figure: Figure, name: str) -> Axes:
    return next(ax for ax in figure.axes if ax.get_label() == name)


def run_markers(ax: Axes) -> list[Line2D]:
    """The plotted points: lines drawn as a marker only."""
    return [
        line
        for line in ax.get_lines()
        if line.get_marker() not in ("None", "", None) and line.get_linestyle() == "None"
    ]


def xdata(line: Line2D) -> list[float]:
    """A line's x values as plain numbers (matplotlib types them as any array-like)."""
    return np.asarray(line.get_xdata()).tolist()


def ydata(line: Line2D) -> list[float]:
    return np.asarray(line.get_ydata()).tolist()


def marker_at(ax: Axes, run_id: int) -> Line2D:
    (line,) = [line for line in run_markers(ax) if xdata(line) == [run_id]]
    return line


def test_two_nearly_equal_runs_look_nearly_equal() -> None:
    low, high = plots.axis_bounds([FIRST, SECOND], RMSE, MARGIN)

    # the 0.07% change between the runs takes under 1% of the panel's height
    assert (FIRST.rmse - SECOND.rmse) / (high - low) < 0.01  # type: ignore[operator]


def test_rmse_range_has_a_floor_even_without_a_baseline() -> None:
    alone = [RunPoint(1, "succeeded", 0.8384, 0.243), RunPoint(2, "succeeded", 0.8378, 0.245)]

    low, high = plots.axis_bounds(alone, RMSE, MARGIN)

    assert high - low >= plots.MIN_RMSE_SPAN
    assert low < 0.8378 and high > 0.8384


def test_ndcg_starts_from_zero_and_shows_the_baseline() -> None:
    low, high = plots.axis_bounds([FIRST, SECOND], NDCG, MARGIN)

    assert low == 0.0 and high > 0.245 > 0.161


def test_the_gate_band_fits_in_the_range_unless_the_margin_is_huge() -> None:
    shown = plots.axis_bounds([FIRST, SECOND], RMSE, MARGIN)
    huge = plots.axis_bounds([FIRST, SECOND], RMSE, 1.0)

    assert shown[1] >= 0.8384 * (1 + MARGIN)
    assert huge == plots.axis_bounds([FIRST, SECOND], RMSE, plots.BAND_SHOWN_UP_TO)


def test_every_run_is_one_mark_at_its_own_position_in_each_panel() -> None:
    runs = ten_runs()
    figure = plots.stats_figure(CURVE, "validation RMSE", runs, MARGIN)

    for name in ("rmse", "ndcg"):
        ax = panel(figure, name)
        scored = sorted(x for line in run_markers(ax) for x in xdata(line))
        unscored = [int(t.get_position()[0]) for t in ax.texts if t.get_text() == "failed"]
        assert (scored, unscored) == ([1, 2, 3, 4, 6, 7, 8, 9, 10], [5]), name


def test_one_run_is_one_tick_and_one_point_per_panel() -> None:
    figure = plots.stats_figure(CURVE, "validation RMSE", [FIRST], MARGIN)

    rmse, ndcg = panel(figure, "rmse"), panel(figure, "ndcg")

    assert list(ndcg.get_xticks()) == [1]
    assert [ydata(line) for line in run_markers(rmse)] == [[0.8384]]
    assert [ydata(line) for line in run_markers(ndcg)] == [[0.243]]


def test_rejected_and_failed_runs_look_different_from_swapped_in_ones() -> None:
    runs = [*ten_runs()[:4], RunPoint(5, "failed", 0.90, 0.20, 0.8442, 0.241)]
    ax = panel(plots.stats_figure(CURVE, "", runs, MARGIN), "rmse")

    looks = {
        (marker_at(ax, run_id).get_marker(), marker_at(ax, run_id).get_color())
        for run_id in (3, 4, 5)
    }

    assert len(looks) == 3


def test_the_legend_sits_outside_every_panel() -> None:
    figure = plots.stats_figure(CURVE, "validation RMSE", ten_runs(), MARGIN)
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]

    (legend,) = figure.legends
    box = legend.get_window_extent(renderer)

    assert not any(box.overlaps(ax.get_window_extent(renderer)) for ax in figure.axes)


def dashed_levels(ax: Axes) -> list[float]:
    """The heights of the dashed reference lines in a panel."""
    lines = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    return sorted({round(float(y), 3) for line in lines for y in ydata(line)})


def test_the_popularity_baseline_is_a_reference_line_in_both_panels() -> None:
    figure = plots.stats_figure(CURVE, "", [FIRST, SECOND], MARGIN)

    levels = {name: dashed_levels(panel(figure, name)) for name in ("rmse", "ndcg")}

    assert levels == {"rmse": [0.961, 0.962], "ndcg": [0.161, 0.162]}


def test_the_gate_band_spans_from_the_serving_model_to_the_margin() -> None:
    ax = panel(plots.stats_figure(CURVE, "", [FIRST, SECOND], MARGIN), "rmse")

    (band,) = [c for c in ax.collections if isinstance(c, PolyCollection)]
    ys = np.asarray(band.get_paths()[0].vertices)[:, 1]

    assert (ys.min(), ys.max()) == pytest.approx((0.8384, 0.8384 * (1 + MARGIN)))


def test_panel_titles_give_the_newest_change_as_a_percentage() -> None:
    assert plots.summary([FIRST, SECOND], RMSE) == "run 2: 0.8378, 0.07% better than serving"
    assert plots.summary([FIRST], NDCG) == "run 1: 0.2430, 50.93% better than popularity"
    assert plots.summary([RunPoint(1, "failed")], RMSE) == ""


def test_run_points_read_the_names_runs_are_stored_under() -> None:
    metrics = {"rmse": 0.84, "ndcg@10": 0.24, "current_rmse": 0.85, "current_ndcg@10": 0.23}
    metrics |= {"popularity_rmse": 0.96, "popularity_ndcg@10": 0.16, "val_rmse_e1": 0.9}

    point = RunPoint.from_metrics(7, "succeeded", metrics)

    assert point == RunPoint(7, "succeeded", 0.84, 0.24, 0.85, 0.23, 0.96, 0.16)


@pytest.mark.parametrize("count", [0, 1, 2, 10, 50])
def test_pictures_render_from_no_runs_to_as_many_as_stats_plots(count: int, tmp_path: Path) -> None:
    runs = {0: [], 1: [FIRST], 2: [FIRST, SECOND], 10: ten_runs()}.get(count)
    if runs is None:  # as many as /stats plots
        runs = [RunPoint(n, "succeeded", 0.84, 0.24, 0.84, 0.24, 0.96, 0.16) for n in range(1, 51)]

    png = plots.stats_png(CURVE if runs else [], "validation RMSE by epoch", runs, MARGIN)
    (tmp_path / f"stats-{count}-runs.png").write_bytes(png)

    assert png_size(png) == (1100, 580)
