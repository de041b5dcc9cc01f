"""Imported by every Python process started with tests/support/faults on PYTHONPATH.

With MOVIEBOT_TEST_TRAIN_FAULT set, `recsys.train.fit` is wrapped so that a run fails after its
first epoch: "raise" raises, "hang" sleeps until killed, "crash" exits hard with status 137
(as an out-of-memory kill looks); "slow" does not fail but waits SLOW_S after each epoch, for
tests that need a run to outlast something. Without the variable this file does nothing.
"""

from __future__ import annotations

import os
import time
from typing import Any

FAULT = os.environ.get("MOVIEBOT_TEST_TRAIN_FAULT", "")
SLOW_S = 1.5


def _fail() -> None:
    if FAULT == "raise":
        raise RuntimeError("injected training failure (test)")
    if FAULT == "hang":
        time.sleep(3600)
    if FAULT == "crash":
        os._exit(137)
    if FAULT == "slow":
        time.sleep(SLOW_S)


def _install() -> None:
    import recsys.train

    real_fit = recsys.train.fit

    def fit(*args: Any, progress: Any = None, **kwargs: Any) -> Any:
        def on_epoch(stats: Any) -> None:
            if progress is not None:
                progress(stats)
            _fail()

        return real_fit(*args, **{**kwargs, "progress": on_epoch})

    recsys.train.fit = fit


if FAULT:
    _install()
