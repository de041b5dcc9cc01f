"""The training process: `python -m bot.training.worker_child --database DB --models-dir D ...`.

The bot (bot.training.worker_parent) starts this module in a child process, which reads its
snapshot of all ratings from the database itself (read-only, through
bot.storage.read_training_data), so that the bot's process does none of that work during a run.
It trains, scores the new model, the serving one (`--current`) and the popularity baseline on the
same held-out ratings (bot.training.holdout), and saves the new artifact WITHOUT activating it:
the bot decides. Protocol on stdout, one JSON object a line:

    {"event": "start", "n_ratings": ..., "n_train": ..., "n_holdout": ..., "epochs": ...}
    {"event": "epoch", "epoch": 1, "train_loss": ..., "val_rmse": ..., "seconds": ...}
    {"event": "stage", "stage": "evaluating" | "saving"}
    {"event": "result", "artifact": "...", "new": {...}, "current": {...} | null, ...}
    {"event": "error", "error": "..."}            (then exit status 1)

Anything else a library prints goes to stderr. The process runs at idle priority, offers itself
to the out-of-memory killer first and dies with the bot, so the bot keeps its CPU and survives.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import math
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from recsys.train import EpochStats

# --------------------------------------------------------------------- the run


def main(argv: Sequence[str] | None = None) -> int:
    _step_aside()  # first, so that even the heavy imports run at low priority
    args = _parser().parse_args(argv)
    out = sys.stdout
    sys.stdout = sys.stderr  # stray prints must not corrupt the protocol
    try:
        emit(out, "result", **train(args, out))
    except Exception as err:
        import traceback

        traceback.print_exc(file=sys.stderr)
        emit(out, "error", error=f"{type(err).__name__}: {err}")
        return 1
    return 0


def train(args: argparse.Namespace, out: TextIO) -> dict[str, Any]:
    """Everything after argument parsing; returns the result event's fields."""
    from bot.storage import read_training_data
    from bot.training.holdout import split
    from recsys import artifacts
    from recsys.evaluation import heldout_scores
    from recsys.popularity import PopularityRecommender
    from recsys.train import TrainConfig, fit

    started = time.monotonic()
    ratings, movies = read_training_data(args.database)
    train_part, held = split(ratings, args.holdout)
    config = TrainConfig.from_dict(json.loads(args.config))
    data = {
        "n_ratings": len(ratings),
        "n_users": int(ratings["userId"].nunique()),
        "n_movies": int(ratings["movieId"].nunique()),
        "n_train": len(train_part),
        "n_holdout": len(held),
    }
    emit(out, "start", epochs=config.epochs, **data)

    def on_epoch(stats: EpochStats) -> None:
        emit(out, "epoch", **dataclasses.asdict(stats))

    fitted = fit(train_part, config, movies=movies, progress=on_epoch)
    emit(out, "stage", stage="evaluating")
    new = heldout_scores(fitted.recommender, train_part, held)
    popularity = heldout_scores(
        PopularityRecommender.from_ratings(train_part, movies), train_part, held
    )
    current, current_error = None, None
    if args.current is not None:
        try:
            current = heldout_scores(artifacts.load(args.current), train_part, held)
        except Exception as err:  # a broken serving artifact must not block a good new one
            current_error = f"{type(err).__name__}: {err}"

    emit(out, "stage", stage="saving")
    stored_metrics = {**new, **{f"popularity_{k}": v for k, v in popularity.items()}}
    path = artifacts.save(
        fitted.recommender,
        args.models_dir,
        history=fitted.history,
        metrics={k: v for k, v in stored_metrics.items() if math.isfinite(v)},
        activate=False,
        titles=dict(zip(movies["movieId"].tolist(), movies["title"].tolist(), strict=True)),
    )
    return {
        "artifact": str(path),
        "new": new,
        "current": current,
        "current_error": current_error,
        "popularity": popularity,
        "data": data,
        "history": [dataclasses.asdict(h) for h in fitted.history],
        "seconds": time.monotonic() - started,
    }


def emit(out: TextIO, event: str, **fields: Any) -> None:
    out.write(json.dumps({"event": event, **fields}, default=_json_default) + "\n")
    out.flush()


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _step_aside() -> None:
    """Run only on CPU the bot leaves idle, and be the out-of-memory killer's first choice.

    SCHED_IDLE (Linux) makes the scheduler prefer every normal process, the bot included, at
    each wake-up; nice 19 is the fallback elsewhere. Threads made later (torch's) inherit it.
    """
    _die_with_parent()
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        with contextlib.suppress(OSError):
            os.nice(19)
    with contextlib.suppress(OSError):
        Path("/proc/self/oom_score_adj").write_text("1000")
    import torch

    torch.set_num_threads(max(1, (os.cpu_count() or 2) - 1))


def _die_with_parent() -> None:
    """Linux: if the bot dies (even by SIGKILL) the kernel kills this run too, no orphan left."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot.training.worker_child", description=__doc__
    )
    parser.add_argument(
        "--database",
        required=True,
        help="the bot's database: a SQLite file's path or a postgresql:// URL (not a Path: it"
        " would fold the URL's //)",
    )
    parser.add_argument("--models-dir", type=Path, required=True)
    parser.add_argument("--current", type=Path, help="artifact of the serving model, if any")
    parser.add_argument("--holdout", type=float, required=True, help="share of pairs held out")
    parser.add_argument("--config", default="{}", help="JSON TrainConfig overrides")
    return parser


if __name__ == "__main__":
    sys.exit(main())
