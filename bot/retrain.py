"""Training runs: worker (snapshot, training) -> load -> gate -> activate and swap; one at a time.

The first model at first start, /retrain and the schedule all go through `Retrainer.run`, so
every model the bot serves was trained, evaluated, gated and recorded the same way.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from bot import train_worker
from bot.config import ConfigError
from bot.gate import gate
from bot.run_metrics import run_metrics
from bot.schedule import describe, parse_schedule
from bot.worker_process import WorkerFailed, run_worker
from recsys import artifacts

if TYPE_CHECKING:
    from telegram.ext import Application, CallbackContext

    from bot.model_holder import ModelHolder
    from bot.storage import Storage

log = logging.getLogger(__name__)

Progress = Callable[[dict[str, Any]], Awaitable[None]]
"""Receives the worker's events ({"event": "start" | "epoch" | "stage", ...}) while a run goes."""

JOB_NAME = "retrain"
STOP_POLL_S = 0.5
T = TypeVar("T")


class RetrainBusy(Exception):
    """Another run (or a rollback) holds the lock."""


@dataclass(frozen=True)
class RetrainOptions:
    """How runs are made; built from Settings plus the optional TRAIN_CONFIG environment JSON."""

    models_dir: Path
    timeout_s: float = 1800.0
    margin: float = 0.02
    holdout: float = 0.1
    """Share of rating pairs held out for judging models (see bot.holdout)."""
    train_config: Mapping[str, Any] = field(default_factory=dict)
    """recsys.train.TrainConfig overrides, e.g. {"epochs": 3, "dim": 16} for fast tests."""
    keep_models: int = 5
    """Artifacts kept on disk after a swap (rollback needs only the previous one)."""

    @classmethod
    def from_settings(cls, settings: Any, env: Mapping[str, str] | None = None) -> RetrainOptions:
        """Raises ConfigError when TRAIN_CONFIG is not a JSON object of TrainConfig fields."""
        env = os.environ if env is None else env
        raw = env.get("TRAIN_CONFIG", "").strip()
        try:
            train_config = json.loads(raw) if raw else {}
            train_worker.train_config(train_config)  # the worker will build the same
        except (json.JSONDecodeError, TypeError, ValueError, AttributeError) as err:
            raise ConfigError(
                f"TRAIN_CONFIG must be a JSON object of recsys TrainConfig fields: {err}"
            ) from None
        return cls(
            models_dir=Path(settings.model_dir),
            timeout_s=float(settings.retrain_timeout),
            margin=float(settings.retrain_margin),
            train_config=train_config,
        )


@dataclass(frozen=True)
class RunReport:
    """What happened in one run, for the admin's message and the log."""

    trigger: str
    status: str
    """"succeeded" (swapped in), "rejected" (old model kept), "failed" or "busy" (not started)."""
    reason: str
    run_id: int | None = None
    version: str | None = None
    new: dict[str, float] | None = None
    current: dict[str, float] | None = None
    popularity: dict[str, float] | None = None
    data: dict[str, int] = field(default_factory=dict)
    history: list[dict[str, float]] = field(default_factory=list)
    seconds: float = 0.0


class Retrainer:
    """Owns the lock that keeps runs (and rollbacks) one at a time."""

    def __init__(
        self,
        storage: Storage,
        holder: ModelHolder,
        options: RetrainOptions,
        *,
        worker_env: Mapping[str, str] | None = None,
    ) -> None:
        self.storage = storage
        self.holder = holder
        self.options = options
        self.worker_env = dict(worker_env or {})
        self._lock = asyncio.Lock()
        self._task: asyncio.Task | None = None
        self._swept = False

    @property
    def busy(self) -> bool:
        return self._lock.locked()

    async def run(self, trigger: str, progress: Progress | None = None) -> RunReport:
        """Trains, gates and maybe swaps; records the run. Never raises for a failed run."""
        if self._lock.locked():
            return RunReport(trigger, "busy", "a training run is already going")
        async with self._lock:
            self._task = asyncio.current_task()
            try:
                return await self._recorded_run(trigger, progress or _ignore)
            finally:
                self._task = None

    async def run_if_new_ratings(self, trigger: str = "schedule") -> RunReport | None:
        """The scheduled run: skipped (None) while one is going or when nothing new was rated."""
        if self.busy:
            log.info("scheduled retraining skipped: a run is already going")
            return None
        last = await self.storage.last_successful_run()
        if last is not None and (await self.storage.counts()).ratings_since_last_run == 0:
            log.info("scheduled retraining skipped: no new ratings since the last successful run")
            return None
        return await self.run(trigger)

    async def rollback(self) -> str:
        """Serves the previous artifact again; returns its version.

        Raises RetrainBusy during a run, ArtifactError when there is no usable previous model.
        """
        if self._lock.locked():
            raise RetrainBusy("a training run is going; try again when it has finished")
        async with self._lock:
            models_dir = self.options.models_dir
            before = await asyncio.to_thread(artifacts.current_path, models_dir)
            path = await asyncio.to_thread(artifacts.rollback, models_dir)
            try:
                model = await asyncio.to_thread(artifacts.load, path)
            except Exception:
                if before is not None:  # keep disk and memory in agreement
                    await asyncio.to_thread(artifacts.activate, models_dir, before)
                raise
            self.holder.swap(model)
            log.info("rolled back to model %s", path.name)
            return path.name

    async def close(self) -> None:
        """Cancels a running run; the worker process is killed on the way out."""
        task = self._task
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _recorded_run(self, trigger: str, progress: Progress) -> RunReport:
        if not self._swept:  # rows left 'running' by a bot that died mid-run
            await self.storage.fail_unfinished_runs()
            self._swept = True
        started = time.monotonic()
        run_id = await self.storage.start_model_run(trigger)
        log.info("training run %d started (%s)", run_id, trigger)
        try:
            report = await self._train_and_gate(trigger, progress)
        except WorkerFailed as err:
            report = RunReport(trigger, "failed", str(err))
        except asyncio.CancelledError:
            await self._record(run_id, RunReport(trigger, "failed", "cancelled: the bot stopped"))
            raise
        except Exception as err:
            log.exception("training run %d failed", run_id)
            report = RunReport(trigger, "failed", f"{type(err).__name__}: {err}")
        report = replace(report, run_id=run_id, seconds=time.monotonic() - started)
        await self._record(run_id, report)
        log.info("training run %d %s: %s", run_id, report.status, report.reason)
        return report

    async def _train_and_gate(self, trigger: str, progress: Progress) -> RunReport:
        # The worker reads the snapshot from the database itself: building ~100k rows into a
        # DataFrame here would hold the bot's GIL and slow its replies as the run starts.
        await progress({"event": "stage", "stage": "snapshot"})
        result = await run_worker(
            self._worker_args(), progress, timeout_s=self.options.timeout_s, env=self.worker_env
        )
        artifact = Path(result["artifact"])
        report = RunReport(
            trigger,
            "running",
            "",
            version=artifact.name,
            new=result["new"],
            current=result.get("current"),
            popularity=result.get("popularity"),
            data=result.get("data", {}),
            history=result.get("history", []),
        )
        await progress({"event": "stage", "stage": "loading"})
        try:
            model = await asyncio.to_thread(artifacts.load, artifact)
        except Exception as err:
            await asyncio.to_thread(shutil.rmtree, artifact, True)
            return replace(report, status="failed", reason=f"the new model did not load: {err}")

        decision = gate(report.new or {}, report.current, self.options.margin)
        if not decision.accept:
            await asyncio.to_thread(shutil.rmtree, artifact, True)
            return replace(report, status="rejected", reason=decision.reason, version=None)
        await asyncio.to_thread(artifacts.activate, self.options.models_dir, artifact)
        self.holder.swap(model)
        await self._prune()
        return replace(report, status="succeeded", reason=decision.reason)

    async def _prune(self) -> None:
        """Keeps the newest artifacts (current and previous always): each is tens of MB."""
        try:
            removed = await asyncio.to_thread(
                artifacts.prune, self.options.models_dir, self.options.keep_models
            )
        except OSError as err:
            log.warning("could not delete old model artifacts: %s", err)
            return
        if removed:
            log.info("deleted %d old model artifacts", len(removed))

    def _worker_args(self) -> list[str]:
        args = [
            "--database", str(self.storage.path),
            "--models-dir", str(self.options.models_dir),
            "--holdout", str(self.options.holdout),
            "--config", json.dumps(dict(self.options.train_config)),
        ]  # fmt: skip
        current = self.serving_path()
        if current is not None:
            args += ["--current", str(current)]
        return args

    def serving_path(self) -> Path | None:
        """The artifact folder of the model being served, or None for the popularity fallback."""
        info = getattr(self.holder.get(), "info", None)
        version = getattr(info, "version", "")
        path = self.options.models_dir / version if version else None
        return path if path is not None and path.is_dir() else None

    async def _record(self, run_id: int, report: RunReport) -> None:
        succeeded = report.status == "succeeded"
        fields = {
            "n_ratings": report.data.get("n_ratings"),
            "n_users": report.data.get("n_users"),
            "n_movies": report.data.get("n_movies"),
            "metrics": run_metrics(report) or None,
            "artifact_path": str(self.options.models_dir / report.version)
            if succeeded and report.version
            else None,
            "error": None if succeeded else report.reason,
        }
        try:
            await self.storage.finish_model_run(run_id, status=report.status, **fields)
        except Exception:
            log.exception("could not record the outcome of training run %d", run_id)


async def _ignore(_event: dict[str, Any]) -> None:
    return None


# ------------------------------------------------------------------ the bot's side


def retrainer_of(application: Application) -> Retrainer | None:
    """The application's Retrainer, made on first use; None until post_init opened the resources."""
    data = application.bot_data
    if "retrainer" not in data:
        if not all(key in data for key in ("settings", "storage", "model")):
            return None
        options = RetrainOptions.from_settings(data["settings"])
        data["retrainer"] = Retrainer(data["storage"], data["model"], options)
    return data["retrainer"]


async def while_running(application: Application, work: Awaitable[T]) -> T | None:
    """Awaits `work`; cancels it and returns None if the application stops meanwhile.

    Application.stop() waits for running jobs and block=False handlers before post_shutdown
    runs, so a job or /retrain awaiting a training run would hold a graceful stop (SIGTERM)
    for the whole run. `application.running` turns False as stop() begins: polling it ends
    the run (the worker is killed, the run recorded as failed) within STOP_POLL_S.
    """
    task = asyncio.ensure_future(work)
    watching = application.running  # an application that never ran (tests) is not watched
    try:
        while not task.done():
            await asyncio.wait({task}, timeout=STOP_POLL_S)
            if watching and not application.running and not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
    except asyncio.CancelledError:
        task.cancel()
        raise
    return None if task.cancelled() else task.result()


def schedule(application: Application, text: str) -> None:
    """Adds the RETRAIN_SCHEDULE job; one instance at a time, missed runs coalesced into one."""
    trigger = parse_schedule(text)
    if trigger is None:
        log.info("scheduled retraining is off")
        return
    if application.job_queue is None:
        raise RuntimeError("scheduled retraining needs python-telegram-bot[job-queue]")
    application.job_queue.run_custom(
        _scheduled_run,
        job_kwargs={
            "trigger": trigger,
            "max_instances": 1,
            "coalesce": True,
            "misfire_grace_time": 3600,
            "id": JOB_NAME,
            "replace_existing": True,
        },
        name=JOB_NAME,
    )
    log.info("scheduled retraining: %s", describe(trigger))


async def _scheduled_run(context: CallbackContext) -> None:
    retrainer = retrainer_of(context.application)
    if retrainer is None:
        log.info("scheduled retraining skipped: the bot is still starting")
        return
    report = await while_running(context.application, retrainer.run_if_new_ratings())
    if report is not None and report.status == "failed":
        settings = context.application.bot_data["settings"]
        for admin in settings.admin_ids:
            try:
                await context.bot.send_message(
                    admin, f"Scheduled retraining failed: {report.reason}"
                )
            except Exception:
                log.warning("could not tell admin %s about the failed run", admin)


def start_first_training(application: Application) -> asyncio.Task:
    """First start: trains the first model in the background (trigger "first-start").

    A plain asyncio task, not `application.create_task`: post_init runs before the application
    does, and a tracked task would make Application.stop() wait for the whole training before
    `shutdown` could kill it. The reference kept in bot_data stops the task being collected.
    """
    retrainer = retrainer_of(application)
    if retrainer is None:
        raise RuntimeError("start_first_training needs bot_data settings, storage and model")
    task = asyncio.create_task(retrainer.run("first-start"), name="first-training")
    application.bot_data["first_training"] = task
    return task


async def shutdown(application: Application) -> None:
    """Stops a running training process when the bot stops."""
    retrainer = application.bot_data.get("retrainer")
    if retrainer is not None:
        await retrainer.close()
