"""The bot's side of a training run: start the worker_child process, read its JSON lines.

Training lives in another process so that a slow, crashing or out-of-memory run cannot stall or
kill the bot: the event loop only awaits pipe reads. A subprocess (rather than multiprocessing)
is simple to kill on timeout and streams progress as plain lines on stdout.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

log = logging.getLogger(__name__)

Event = dict[str, Any]
EventCallback = Callable[[Event], Awaitable[None]]

WORKER_MODULE = "bot.training.worker_child"
_STDERR_TAIL = 20
# BLAS thread pools fighting over a busy machine's cores made the evaluation's small matrix
# solves ~40x slower here; torch's own thread count is set inside the worker.
_WORKER_ENV = {"OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
_LINE_LIMIT = 4 * 1024 * 1024
_SECRET_MARKERS = ("TOKEN", "SECRET", "PASSWORD")
"""Environment variables whose name holds one of these (or starts with TELEGRAM_) stay out
of the worker: it trains from a database file and talks to no one."""


def worker_environment(parent: Mapping[str, str]) -> dict[str, str]:
    """`parent` without the bot's secrets (the token above all), plus the BLAS settings."""
    kept = {
        name: value
        for name, value in parent.items()
        if not name.upper().startswith("TELEGRAM_")
        and not any(marker in name.upper() for marker in _SECRET_MARKERS)
    }
    return {**kept, **_WORKER_ENV}


class WorkerFailed(Exception):
    """The training process ended without a result; the message says why, for the admin."""


async def run_worker(
    args: Sequence[str],
    on_event: EventCallback,
    *,
    timeout_s: float,
    env: Mapping[str, str] | None = None,
) -> Event:
    """Runs the worker with `args`, passes each JSON event to `on_event`, returns the result event.

    Raises WorkerFailed when the worker reports an error, exits without a result or runs past
    `timeout_s` (then it is killed). Cancelling the caller kills the worker too.
    """
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        WORKER_MODULE,
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**worker_environment(os.environ), **(env or {})},
        limit=_LINE_LIMIT,
    )
    log.info("training process %d started", process.pid)
    stderr_tail: deque[str] = deque(maxlen=_STDERR_TAIL)
    stderr_task = asyncio.create_task(_drain(process.stderr, stderr_tail))
    result: Event | None = None
    error: str | None = None
    try:
        async with asyncio.timeout(timeout_s):
            assert process.stdout is not None
            async for raw in process.stdout:
                event = _parse(raw)
                if event is None:
                    continue
                if event.get("event") == "result":
                    result = event
                elif event.get("event") == "error":
                    error = str(event.get("error"))
                else:
                    await _deliver(on_event, event)
            returncode = await process.wait()
    except TimeoutError:
        await _kill(process)
        raise WorkerFailed(
            f"timed out after {timeout_s:g} s (RETRAIN_TIMEOUT); the training process was killed"
        ) from None
    except BaseException:
        await _kill(process)
        raise
    finally:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stderr_task, 5)
        if not stderr_task.done():
            stderr_task.cancel()

    if returncode == 0 and result is not None:
        return result
    for line in stderr_tail:
        log.warning("training process stderr: %s", line)
    raise WorkerFailed(error or _exit_reason(returncode, stderr_tail))


async def _drain(stream: asyncio.StreamReader | None, tail: deque[str]) -> None:
    """Keeps the stderr pipe empty (a full pipe would block the child) and its last lines."""
    if stream is None:
        return
    async for raw in stream:
        line = raw.decode("utf-8", "replace").rstrip()
        if line:
            tail.append(line)


def _parse(raw: bytes) -> Event | None:
    """A JSON event, or None for anything else a library may have printed."""
    line = raw.decode("utf-8", "replace").strip()
    if not line.startswith("{"):
        if line:
            log.debug("training process said: %s", line)
        return None
    try:
        event = json.loads(line)
    except json.JSONDecodeError:
        log.debug("training process printed a non-JSON line: %s", line[:200])
        return None
    return event if isinstance(event, dict) else None


async def _deliver(on_event: EventCallback, event: Event) -> None:
    """A broken progress display (e.g. Telegram down) must not fail the training run."""
    try:
        await on_event(event)
    except Exception:
        log.exception("progress callback failed; training goes on")


async def _kill(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
        log.warning("training process %d killed", process.pid)


def _exit_reason(returncode: int, stderr_tail: deque[str]) -> str:
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        reason = f"the training process was killed by {name}"
        if -returncode == signal.SIGKILL:
            reason += " (out of memory?)"
    elif returncode == 0:
        reason = "the training process ended without a result"
    else:
        reason = f"the training process exited with code {returncode}"
    last = next((line for line in reversed(stderr_tail) if line.strip()), None)
    return f"{reason}: {last}" if last else reason
