"""Training runs: worker (snapshot, training) -> load -> gate -> activate and swap; one at a time.

The first model at first start, /retrain and the schedule all go through `Retrainer.run`, so
every model the bot serves was trained, evaluated, gated and recorded the same way. One at a
time means in this process (an asyncio lock) and, given a `TrainingLock`, across every
replica on the database: the whole run, training to publish, holds it. A new
model is published (loaded, gated, activated, swapped in, old ones pruned) under the holder's
`changing_models` locks, after removing anyone forgotten since its snapshot was read
(bot.training.forgetting), and only while the training lock is still this run's: once its
session ended another replica may be training, and the run fails rather than publish over it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bot.storage import Storage
from bot.storage.cluster import Hold, TrainingLock
from bot.storage.models_lock import ModelsLockUnavailable
from bot.training.forgetting import without_forgotten
from bot.training.gate import gate
from bot.training.model_holder import ModelHolder
from bot.training.runs import RunReport, run_metrics
from bot.training.worker_parent import Event, EventCallback, WorkerFailed, run_worker
from recsys import artifacts

log = logging.getLogger(__name__)

Progress = EventCallback
"""Receives the worker's events ({"event": "start" | "epoch" | "stage", ...}) while a run goes."""
SlotClaim = Callable[[], Awaitable[bool]]
"""Claims the schedule tick a scheduled run is for: True for the one replica that runs it."""
ELSEWHERE = "a training run is already going on another replica"
PUBLISHED = "another replica has published a model meanwhile"
LOST = "lost the cluster-wide training lock mid-run: another replica may be training"


class RetrainBusy(Exception):
    """Another run (or a rollback), here or on another replica, holds the lock."""


@dataclass(frozen=True)
class RetrainOptions:
    """How runs are made; bot.config.Settings holds each value's default and its documentation."""

    models_dir: Path
    timeout_s: float
    margin: float
    holdout: float
    """Share of rating pairs held out for judging models (see bot.training.holdout)."""
    keep_models: int
    train_config: Mapping[str, Any] = field(default_factory=dict)
    """recsys.train.TrainConfig overrides, e.g. {"epochs": 3, "dim": 16} for fast tests."""


class Retrainer:
    """Owns the lock that keeps runs (and rollbacks) one at a time.

    ``cluster`` (bot.storage.cluster.training_lock) makes it one at a time across replicas
    too; without it (a test, a single process) only this process is considered.
    """

    def __init__(
        self,
        storage: Storage,
        holder: ModelHolder,
        options: RetrainOptions,
        *,
        cluster: TrainingLock | None = None,
    ) -> None:
        self.storage = storage
        self.holder = holder
        self.options = options
        self.cluster = cluster
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[Any] | None = None
        self._hold = Hold(True)  # the run's hold of the cluster lock, asked before publishing
        self._swept = False
        self.on_finished: Callable[[RunReport], None] | None = None
        """Told of every run once recorded, a run cut off by a stop included (the metrics)."""

    @property
    def busy(self) -> bool:
        """A run (or a rollback) is going in this process."""
        return self._lock.locked()

    async def run(
        self, trigger: str, progress: Progress | None = None, *, first: bool = False
    ) -> RunReport:
        """Trains, gates and maybe swaps; records the run. Never raises for a failed run.

        "busy" while a run goes here or on another replica; "failed" without a record when
        the cluster lock cannot be asked (the database is unreachable). ``first``: the first
        model at first start, not trained ("busy") when the models directory has a usable
        current model by the time the lock is held (replicas started together all find none;
        the first to train it publishes it for the others): that model is served instead.
        """
        if self._lock.locked():
            return RunReport(trigger, "busy", "a training run is already going")
        async with self._lock:
            try:
                async with self._cluster_hold() as held:
                    if not held:
                        return RunReport(trigger, "busy", ELSEWHERE)
                    if first and await self._serve_published():
                        return RunReport(trigger, "busy", PUBLISHED)
                    self._task, self._hold = asyncio.current_task(), held
                    try:
                        return await self._recorded_run(trigger, progress or _ignore)
                    finally:
                        self._task, self._hold = None, Hold(True)
            except _LockUnavailable as err:
                log.error("training run not started: %s", err)
                return RunReport(trigger, "failed", str(err))

    async def run_if_new_ratings(
        self, trigger: str = "schedule", *, claim: SlotClaim | None = None
    ) -> RunReport | None:
        """The scheduled run: skipped (None) while one is going or when nothing new was rated.

        With several replicas the schedule fires in each: ``claim`` (the tick's
        claim_schedule_slot) lets only the replica that claims the tick go on.
        """
        if self.busy:
            log.info("scheduled retraining skipped: a run is already going")
            return None
        if claim is not None:
            try:
                claimed = await claim()
            except Exception as err:
                log.warning("scheduled retraining skipped: could not claim its slot: %s", err)
                return None
            if not claimed:
                log.info("scheduled retraining skipped: another replica runs this one")
                return None
        last = await self.storage.last_successful_run()
        if last is not None and (await self.storage.counts()).ratings_since_last_run == 0:
            log.info("scheduled retraining skipped: no new ratings since the last successful run")
            return None
        return await self.run(trigger)

    async def rollback(self) -> str:
        """Serves the previous artifact again; returns its version.

        Raises RetrainBusy during a run (or while another replica changes the models past the
        models lock's wait), ArtifactError when there is no usable previous model.
        """
        if self._lock.locked():
            raise RetrainBusy("a training run is going; try again when it has finished")
        async with self._lock:
            try:
                async with self._cluster_hold() as held:
                    if not held:
                        raise RetrainBusy(f"{ELSEWHERE}; try again when it has finished")
                    async with self.holder.changing_models():
                        return await self._rollback()
            except (_LockUnavailable, ModelsLockUnavailable) as err:
                raise RetrainBusy(str(err)) from err

    async def _rollback(self) -> str:
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

    async def recover(self) -> int:
        """Mark runs left 'running' by a bot that died mid-run as failed, once per retrainer
        (the bot calls it at start-up; otherwise the first run does); how many there were.

        Only while this process holds the cluster lock: a run another replica is making is
        'running' too. When the lock is taken (or a run goes here), nothing is marked and the
        next run here sweeps instead.
        """
        if self._swept or self._lock.locked():
            return 0
        async with self._lock:
            try:
                async with self._cluster_hold() as held:
                    return await self._sweep() if held else 0
            except _LockUnavailable as err:
                log.warning("unfinished runs not checked: %s", err)
                return 0

    async def _sweep(self) -> int:
        """recover, with the locks held."""
        if self._swept:
            return 0
        self._swept = True
        return await self.storage.fail_unfinished_runs()

    @asynccontextmanager
    async def _cluster_hold(self) -> AsyncIterator[Hold]:
        """The cluster lock for the block (held, never lost, without one); _LockUnavailable
        when it cannot be asked. Only failures to take it are translated: the block's own
        errors pass."""
        if self.cluster is None:
            yield Hold(True)
            return
        async with AsyncExitStack() as stack:
            try:
                held = await stack.enter_async_context(self.cluster.try_hold())
            except Exception as err:
                message = f"the cluster-wide training lock is unavailable: {err}"
                raise _LockUnavailable(message) from err
            yield held

    async def _recorded_run(self, trigger: str, progress: Progress) -> RunReport:
        await self._sweep()
        started = time.monotonic()
        run_id = await self.storage.start_model_run(trigger)
        log.info("training run %d started (%s)", run_id, trigger)
        try:
            report = await self._train_and_gate(trigger, progress)
        except WorkerFailed as err:
            report = RunReport(trigger, "failed", str(err))
        except asyncio.CancelledError:
            cut = RunReport(trigger, "failed", "cancelled: the bot stopped", run_id=run_id)
            await self._record(run_id, cut)
            self._finished(cut)
            raise
        except Exception as err:
            log.exception("training run %d failed", run_id)
            report = RunReport(trigger, "failed", f"{type(err).__name__}: {err}")
        report = replace(report, run_id=run_id, seconds=time.monotonic() - started)
        await self._record(run_id, report)
        log.info("training run %d %s: %s", run_id, report.status, report.reason)
        self._finished(report)
        return report

    def _finished(self, report: RunReport) -> None:
        if self.on_finished is not None:
            self.on_finished(report)

    async def _train_and_gate(self, trigger: str, progress: Progress) -> RunReport:
        # The worker reads the snapshot from the database itself: building ~100k rows into a
        # DataFrame here would hold the bot's GIL and slow its replies as the run starts.
        await progress({"event": "stage", "stage": "snapshot"})
        self.holder.forgotten.clear()  # the worker's snapshot is read after this
        result = await run_worker(self._worker_args(), progress, timeout_s=self.options.timeout_s)
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
            async with self.holder.changing_models():
                return await self._publish(report, artifact)
        except ModelsLockUnavailable as err:  # only taking it raises this: nothing changed
            await asyncio.to_thread(shutil.rmtree, artifact, True)
            return replace(report, status="failed", reason=f"not published: {err}")

    async def _publish(self, report: RunReport, artifact: Path) -> RunReport:
        """Remove the forgotten from the new model, load, gate, activate and swap it in; the
        caller holds the models locks."""
        try:
            artifact = await without_forgotten(self.storage, self.holder, artifact)
        except Exception as err:
            await asyncio.to_thread(shutil.rmtree, artifact, True)
            reason = f"forgotten people could not be removed from the new model: {err}"
            return replace(report, status="failed", reason=reason)
        report = replace(report, version=artifact.name)
        try:
            model = await asyncio.to_thread(artifacts.load, artifact)
        except Exception as err:
            await asyncio.to_thread(shutil.rmtree, artifact, True)
            return replace(report, status="failed", reason=f"the new model did not load: {err}")

        decision = gate(report.new or {}, report.current, self.options.margin)
        if not decision.accept:
            await asyncio.to_thread(shutil.rmtree, artifact, True)
            return replace(report, status="rejected", reason=decision.reason, version=None)
        # Asked last, under the models lock: a replica that takes the training lock after
        # this answer trains for minutes, then waits for the models lock to publish.
        if self._hold.lost:
            log.error("training run not published: %s", LOST)
            await asyncio.to_thread(shutil.rmtree, artifact, True)
            return replace(report, status="failed", reason=LOST, version=None)
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
            "--database", self.storage.location,
            "--models-dir", str(self.options.models_dir),
            "--holdout", str(self.options.holdout),
            "--config", json.dumps(dict(self.options.train_config)),
        ]  # fmt: skip
        current = self.serving_path()
        if current is not None:
            args += ["--current", str(current)]
        return args

    async def _serve_published(self) -> bool:
        """Serve the current model of the models directory if there is one that loads."""
        path = await asyncio.to_thread(artifacts.current_path, self.options.models_dir)
        if path is None:
            return False
        try:
            model = await asyncio.to_thread(artifacts.load, path)
        except (artifacts.ArtifactError, OSError) as err:
            log.warning("the current model %s is unusable, training a new one: %s", path, err)
            return False
        async with self.holder.disk_lock:
            self.holder.swap(model)
        log.info("serving model %s, published by another replica meanwhile", path.name)
        return True

    def serving_path(self) -> Path | None:
        """The artifact folder of the model being served, or None for the popularity fallback."""
        version = self.holder.get().info.version
        path = self.options.models_dir / version if version else None
        return path if path is not None and path.is_dir() else None

    async def _record(self, run_id: int, report: RunReport) -> None:
        succeeded = report.status == "succeeded"
        try:
            await self.storage.finish_model_run(
                run_id,
                status=report.status,
                n_ratings=report.data.get("n_ratings"),
                n_users=report.data.get("n_users"),
                n_movies=report.data.get("n_movies"),
                metrics=run_metrics(report) or None,
                artifact_path=self.options.models_dir / report.version
                if succeeded and report.version
                else None,
                error=None if succeeded else report.reason,
            )
        except Exception:
            log.exception("could not record the outcome of training run %d", run_id)


class _LockUnavailable(Exception):
    """The cluster lock could not be asked (not: it is taken)."""


async def _ignore(_event: Event) -> None:
    return None
