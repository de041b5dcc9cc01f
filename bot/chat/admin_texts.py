"""What admins read: progress, run reports, /model, /rollback and /stats. Telegram HTML, data
escaped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from html import escape
from typing import Any

REFUSAL = "Sorry, this command is only for the bot's admins."
ALREADY_RUNNING = "A training run is already going; /stats shows how it ended."
STARTED = "Retraining: starting…"
STOPPED = "Retraining stopped: the bot is shutting down. The old model keeps serving."
NO_MODEL = "No trained model yet: people get the popularity list."
STATS_CAPTION = (
    "Left: validation RMSE by epoch. Right: each run's held-out scores against the serving "
    "model, the gate's margin and the popularity baseline."
)
ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (
    ("stats", "Admin: people, ratings and training runs, with a chart"),
    ("model", "Admin: the serving model and its scores"),
    ("retrain", "Admin: train a new model now"),
    ("rollback", "Admin: switch back to the previous model"),
)
"""The admin commands as listed in each admin's command menu (after the person commands)."""
BOT_DESCRIPTION = (
    "I recommend movies you haven't seen yet.\n\n"
    "Press Start, then rate a few movies you know from the most popular ones (or search by "
    "title). I compare your taste with about a hundred thousand MovieLens ratings and send "
    "you a personal top 10; every new rating sharpens the next list."
)
"""What Telegram shows in an empty chat before /start (setMyDescription, at most 512)."""
BOT_SHORT_DESCRIPTION = "Movie recommendations from your ratings: rate a few, get a top 10."
"""The bot's profile line and share text (setMyShortDescription, at most 120)."""

_STAGES = {
    "snapshot": "taking a snapshot of all ratings",
    "training": "training",
    "evaluating": "scoring the new and the current model on the held-out ratings",
    "saving": "saving the new model",
    "loading": "loading the new model",
}
_OUTCOMES = {
    "succeeded": "✅ New model swapped in",
    "rejected": "↩️ New model rejected; the old one keeps serving",
    "failed": "❌ Training failed; the old model keeps serving",
    "busy": "⏳ A training run is already going",
}


def progress(state: Mapping[str, Any]) -> str:
    """The live /retrain message from the latest worker events (see bot.training.worker_child)."""
    lines = [f"<b>Retraining</b>: {escape(_STAGES.get(state.get('stage', ''), 'starting'))}…"]
    if "n_ratings" in state:
        lines.append(
            f"Data: {state['n_ratings']:,} ratings, {state['n_users']:,} people, "
            f"{state['n_movies']:,} movies ({state['n_holdout']:,} held out)"
        )
    if "epoch" in state:
        total = f"/{state['epochs']}" if state.get("epochs") else ""
        rmse = state.get("val_rmse")
        shown = f", validation RMSE {rmse:.4f}" if rmse is not None else ""
        lines.append(f"Epoch {state['epoch']}{total}{shown}")
    return "\n".join(lines)


def report(run: Any) -> str:
    """The final /retrain message: outcome, reason, old vs new on the same held-out ratings."""
    lines = [f"<b>{_OUTCOMES.get(run.status, escape(run.status))}</b>"]
    if run.run_id is not None:
        lines[0] += f" (run {run.run_id}, {run.seconds:.0f} s)"
    lines.append(escape(run.reason))
    if run.new:
        lines.append(_table({"new": run.new, "current": run.current, "popular": run.popularity}))
    if run.version and run.status == "succeeded":
        lines.append(f"Now serving <code>{escape(run.version)}</code>")
    return "\n".join(lines)


def model(info: Any, since: int, schedule: str) -> str:
    """/model: the serving model and how it compares with the popularity baseline."""
    lines = [
        f"<b>Serving model</b> <code>{escape(info.version or '(unsaved)')}</code>",
        f"Kind: {escape(info.kind)}, trained {escape(_when(info.created_at))}",
        f"Trained on {info.n_ratings:,} ratings from {info.n_users:,} people, "
        f"{info.n_movies:,} movies (the held-out part excluded)",
    ]
    metrics = info.metrics or {}
    if "rmse" in metrics:
        popular = {k[len("popularity_") :]: v for k, v in metrics.items() if "popularity_" in k}
        lines.append("Scores on the held-out ratings:")
        lines.append(_table({"model": metrics, "popular": popular or None}))
    elif "val_rmse" in metrics:
        lines.append(f"Validation RMSE {metrics['val_rmse']:.4f} (no held-out scores stored)")
    lines.append(f"Ratings from the bot since the last successful run: {since:,}")
    lines.append(f"Scheduled retraining: {escape(schedule)}")
    return "\n".join(lines)


def rolled_back_to_older(version: str, created_at: str, replaced: str, replaced_at: str) -> str:
    """/rollback moved to a model trained before the one it replaced."""
    return (
        f"↩️ <b>Rolled back</b> to the older model <code>{escape(version)}</code> "
        f"(trained {escape(_when(created_at))}).\n"
        f"It replaces <code>{escape(replaced)}</code> (trained {escape(_when(replaced_at))}). "
        "Send /rollback again to switch back to it."
    )


def switched_to_newer(version: str, created_at: str, replaced: str, replaced_at: str) -> str:
    """/rollback moved to a model trained after the one it replaced (undoing a rollback)."""
    return (
        f"↪️ <b>Switched to the newer model</b> <code>{escape(version)}</code> "
        f"(trained {escape(_when(created_at))}).\n"
        f"It replaces the older <code>{escape(replaced)}</code> "
        f"(trained {escape(_when(replaced_at))}). Send /rollback again to go back to that one."
    )


def switched_to(version: str, created_at: str) -> str:
    """/rollback moved to a model when what it replaced was not a saved model (the popularity
    list): neither older nor newer."""
    return (
        f"<b>Switched models</b>: now serving <code>{escape(version)}</code> "
        f"(trained {escape(_when(created_at))})."
    )


def rollback_refused(reason: str) -> str:
    """/rollback could not switch: a run is going, or there is no usable previous model."""
    return f"Cannot roll back: {escape(reason)}. The current model keeps serving."


def stats(counts: Any, runs: Sequence[Any]) -> str:
    """/stats text: people, ratings, activity and the latest runs."""
    lines = [
        "<b>Stats</b>",
        f"People: {counts.telegram_people:,} from Telegram, "
        f"{counts.people - counts.telegram_people:,} from MovieLens",
        f"Ratings from the bot: {counts.bot_ratings_today:,} today, "
        f"{counts.bot_ratings:,} in total",
        f"Active people in the last 7 days: {counts.active_people_7d:,}",
        f"All ratings: {counts.ratings:,}",
    ]
    if runs:
        lines.append("<b>Last runs</b>")
        for run in runs:
            rmse = run.metrics.get("rmse")
            score = f" RMSE {rmse:.4f}" if rmse is not None else ""
            why = f": {escape(_short(run.error))}" if run.error else ""
            lines.append(
                f"#{run.run_id} {_when(run.started_at)} {escape(run.trigger)} "
                f"<b>{escape(run.status)}</b>{score}{why}"
            )
    else:
        lines.append("No training runs yet.")
    return "\n".join(lines)


def _table(columns: Mapping[str, Mapping[str, float] | None]) -> str:
    rows = ["          RMSE  NDCG@10"]
    for name, values in columns.items():
        if values:
            rows.append(f"{name:<8}{_num(values.get('rmse'))}  {_num(values.get('ndcg@10'))}")
    return "<pre>" + escape("\n".join(rows)) + "</pre>"


def _num(value: float | None) -> str:
    return f"{value:6.4f}" if isinstance(value, int | float) and value == value else "   n/a"


def _when(value: datetime | str | None) -> str:
    if not value:
        return "?"
    if isinstance(value, str):
        try:
            return _when(datetime.fromisoformat(value))
        except ValueError:
            return value
    return value.strftime("%Y-%m-%d %H:%M UTC")


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
