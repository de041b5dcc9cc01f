"""What admins read: progress, run reports, /model, /rollback and /stats. Telegram HTML, data
escaped. The words come from the current language's catalogue (`current()`: its `admin`);
the reasons and schedules bot.training writes stay as it writes them (English).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from html import escape
from typing import Any

from bot.chat import language
from bot.chat.locales import AdminCatalogue


def current() -> AdminCatalogue:
    """The admin texts of the update at hand (English outside one)."""
    return language.current().admin


def commands() -> tuple[tuple[str, str], ...]:
    """The admin commands as listed in each admin's command menu (after the person commands)."""
    about = current().commands
    return (
        ("stats", about.stats),
        ("model", about.model),
        ("retrain", about.retrain),
        ("rollback", about.rollback),
    )


def _stage(name: str) -> str:
    stages = current().stages
    match name:
        case "snapshot":
            return stages.snapshot
        case "training":
            return stages.training
        case "evaluating":
            return stages.evaluating
        case "saving":
            return stages.saving
        case "loading":
            return stages.loading
    return stages.starting


def _outcome(status: str) -> str:
    outcomes = current().outcomes
    match status:
        case "succeeded":
            return outcomes.succeeded
        case "rejected":
            return outcomes.rejected
        case "failed":
            return outcomes.failed
        case "busy":
            return outcomes.busy
    return escape(status)


def progress(state: Mapping[str, Any]) -> str:
    """The live /retrain message from the latest worker events (see bot.training.worker_child)."""
    say = current()
    lines = [say.progress.format(stage=escape(_stage(state.get("stage", ""))))]
    if "n_ratings" in state:
        counts = ("n_ratings", "n_users", "n_movies", "n_holdout")
        lines.append(say.progress_data.format(**{name: state[name] for name in counts}))
    if "epoch" in state:
        total = f"/{state['epochs']}" if state.get("epochs") else ""
        rmse = state.get("val_rmse")
        shown = say.progress_rmse.format(rmse=rmse) if rmse is not None else ""
        lines.append(say.progress_epoch.format(epoch=state["epoch"], total=total, rmse=shown))
    return "\n".join(lines)


def report(run: Any) -> str:
    """The final /retrain message: outcome, reason, old vs new on the same held-out ratings."""
    say = current()
    lines = [f"<b>{_outcome(run.status)}</b>"]
    if run.run_id is not None:
        lines[0] += say.report_run.format(run_id=run.run_id, seconds=run.seconds)
    lines.append(escape(run.reason))
    if run.new:
        columns = say.columns
        rows = {columns.new: run.new, columns.current: run.current}
        lines.append(_table({**rows, columns.popular: run.popularity}))
    if run.version and run.status == "succeeded":
        lines.append(say.report_serving.format(version=escape(run.version)))
    return "\n".join(lines)


def model(info: Any, since: int, schedule: str) -> str:
    """/model: the serving model and how it compares with the popularity baseline."""
    say = current()
    counts = {"n_ratings": info.n_ratings, "n_users": info.n_users, "n_movies": info.n_movies}
    lines = [
        say.model_head.format(version=escape(info.version or say.model_unsaved)),
        say.model_kind.format(kind=escape(info.kind), when=escape(_when(info.created_at))),
        say.model_data.format(**counts),
    ]
    metrics = info.metrics or {}
    if "rmse" in metrics:
        popular = {k[len("popularity_") :]: v for k, v in metrics.items() if "popularity_" in k}
        lines.append(say.model_scores)
        lines.append(_table({say.columns.model: metrics, say.columns.popular: popular or None}))
    elif "val_rmse" in metrics:
        lines.append(say.model_val_rmse.format(rmse=metrics["val_rmse"]))
    lines.append(say.model_since.format(since=since))
    lines.append(say.model_schedule.format(schedule=escape(schedule)))
    return "\n".join(lines)


def _swap(template: str, version: str, created_at: str, replaced: str, replaced_at: str) -> str:
    return template.format(
        version=escape(version),
        created=escape(_when(created_at)),
        replaced=escape(replaced),
        replaced_at=escape(_when(replaced_at)),
    )


def rolled_back_to_older(version: str, created_at: str, replaced: str, replaced_at: str) -> str:
    """/rollback moved to a model trained before the one it replaced."""
    return _swap(current().rolled_back_to_older, version, created_at, replaced, replaced_at)


def switched_to_newer(version: str, created_at: str, replaced: str, replaced_at: str) -> str:
    """/rollback moved to a model trained after the one it replaced (undoing a rollback)."""
    return _swap(current().switched_to_newer, version, created_at, replaced, replaced_at)


def switched_to(version: str, created_at: str) -> str:
    """/rollback moved to a model when what it replaced was not a saved model (the popularity
    list): neither older nor newer."""
    return current().switched_to.format(version=escape(version), created=escape(_when(created_at)))


def rollback_refused(reason: str) -> str:
    """/rollback could not switch: a run is going, or there is no usable previous model."""
    return current().rollback_refused.format(reason=escape(reason))


def stats(counts: Any, runs: Sequence[Any]) -> str:
    """/stats text: people, ratings, activity and the latest runs."""
    say = current()
    movielens = counts.people - counts.telegram_people
    lines = [
        say.stats_title,
        say.stats_people.format(telegram=counts.telegram_people, movielens=movielens),
        say.stats_bot_ratings.format(today=counts.bot_ratings_today, total=counts.bot_ratings),
        say.stats_active.format(active=counts.active_people_7d),
        say.stats_all.format(ratings=counts.ratings),
    ]
    if runs:
        lines.append(say.stats_runs)
        for run in runs:
            rmse = run.metrics.get("rmse")
            score = f" RMSE {rmse:.4f}" if rmse is not None else ""
            why = f": {escape(_short(run.error))}" if run.error else ""
            lines.append(
                f"#{run.run_id} {_when(run.started_at)} {escape(run.trigger)} "
                f"<b>{escape(run.status)}</b>{score}{why}"
            )
    else:
        lines.append(say.stats_no_runs)
    return "\n".join(lines)


def _table(columns: Mapping[str, Mapping[str, float] | None]) -> str:
    rows = ["          RMSE  NDCG@10"]
    for name, values in columns.items():
        if values:
            rows.append(f"{name:<8}{_num(values.get('rmse'))}  {_num(values.get('ndcg@10'))}")
    return "<pre>" + escape("\n".join(rows)) + "</pre>"


def _num(value: float | None) -> str:
    if isinstance(value, int | float) and value == value:
        return f"{value:6.4f}"
    return f"{current().columns.not_available:>6}"


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
