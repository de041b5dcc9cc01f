"""Model runs: a training run's start, its end (succeeded, failed, rejected) and the history."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from bot.storage.errors import StorageError
from bot.storage.records import ModelRun, from_epoch
from bot.storage.sql import Clock, Connection, Row, Writes

FINISHED_STATUSES = ("succeeded", "failed", "rejected")
"""How a run can end; 'rejected' means trained but not served."""
MAX_TRIGGER_CHARS = 100
"""A longer trigger is cut to this many characters."""

_RUN_COLUMNS = (
    "run_id, trigger, status, started_at, finished_at, n_ratings, n_users, n_movies,"
    " metrics, artifact_path, error"
)


async def start_model_run(writer: Writes, clock: Clock, trigger: str) -> int:
    """Record that a training run started; returns its id for finish_model_run."""
    if not isinstance(trigger, str) or not trigger.strip():
        raise StorageError("a model run needs a trigger such as 'schedule' or 'admin'")

    async def insert(conn: Connection) -> int:
        (run_id,) = await conn.fetch_one(
            "INSERT INTO model_runs (trigger, started_at) VALUES (?, ?) RETURNING run_id",
            (trigger.strip()[:MAX_TRIGGER_CHARS], clock()),
        )
        return int(run_id)

    return await writer.run(insert)


async def finish_model_run(
    writer: Writes,
    clock: Clock,
    run_id: int,
    *,
    status: str,
    n_ratings: int | None = None,
    n_users: int | None = None,
    n_movies: int | None = None,
    metrics: Mapping[str, float] | None = None,
    artifact_path: str | Path | None = None,
    error: str | None = None,
) -> None:
    """Record how a running run ended (a FINISHED_STATUSES status); only once per run."""
    if status not in FINISHED_STATUSES:
        raise StorageError(f"a finished run's status is one of {FINISHED_STATUSES}: {status!r}")
    values = {str(k): float(v) for k, v in (metrics or {}).items()}

    async def update(conn: Connection) -> None:
        changed = await conn.execute(
            "UPDATE model_runs SET status = ?, finished_at = ?, n_ratings = ?, n_users = ?,"
            " n_movies = ?, metrics = ?, artifact_path = ?, error = ?"
            " WHERE run_id = ? AND status = 'running'",
            (
                status,
                clock(),
                n_ratings,
                n_users,
                n_movies,
                json.dumps(values),
                None if artifact_path is None else str(artifact_path),
                error,
                run_id,
            ),
        )
        if changed == 0:
            raise StorageError(f"no running model run with id {run_id}")

    await writer.run(update)


async def fail_unfinished_runs(writer: Writes, clock: Clock, error: str) -> int:
    """Mark runs left 'running' by a previous process as failed; returns how many."""

    async def update(conn: Connection) -> int:
        return await conn.execute(
            "UPDATE model_runs SET status = 'failed', finished_at = ?, error = ?"
            " WHERE status = 'running'",
            (clock(), error),
        )

    return await writer.run(update)


async def model_runs(reader: Connection, limit: int) -> list[ModelRun]:
    """The latest runs, newest first."""
    rows = await reader.fetch_all(
        f"SELECT {_RUN_COLUMNS} FROM model_runs ORDER BY started_at DESC, run_id DESC LIMIT ?",
        (max(limit, 0),),
    )
    return [_model_run(row) for row in rows]


async def last_successful_run(reader: Connection) -> ModelRun | None:
    """The latest run with status 'succeeded', or None before the first."""
    rows = await reader.fetch_all(
        f"SELECT {_RUN_COLUMNS} FROM model_runs WHERE status = 'succeeded'"
        " ORDER BY started_at DESC, run_id DESC LIMIT 1",
    )
    return _model_run(rows[0]) if rows else None


def _model_run(row: Row) -> ModelRun:
    run_id, trigger, status, started, finished, n_ratings, n_users, n_movies, *rest = row
    metrics, artifact_path, error = rest
    return ModelRun(
        run_id,
        trigger,
        status,
        from_epoch(started),
        None if finished is None else from_epoch(finished),
        n_ratings,
        n_users,
        n_movies,
        json.loads(metrics) if metrics else {},
        artifact_path,
        error,
    )
