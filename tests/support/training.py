"""One fast training config for every test that trains through the bot, and fault injection."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

from bot.app import retrain_options
from bot.config import Settings
from bot.training.retrainer import RetrainOptions

FAST: dict[str, Any] = {"epochs": 4, "dim": 16, "patience": 2}
"""A TrainConfig that takes seconds on the test samples: the tests check the machinery, not
the model."""
FAST_JSON = json.dumps(FAST)
"""FAST as the bot process reads it (TRAIN_CONFIG)."""

FAULT_ENV = "MOVIEBOT_TEST_TRAIN_FAULT"
FAULTS_DIR = Path(__file__).parent / "faults"


def fast_options(models_dir: Path, **changes: Any) -> RetrainOptions:
    """RetrainOptions as the bot builds them from its default settings, with FAST training
    and a 2-minute timeout."""
    settings = Settings(token="1:test", model_dir=models_dir, train_config=FAST)
    return dataclasses.replace(retrain_options(settings), **{"timeout_s": 120.0, **changes})


def fault_env(fault: str) -> dict[str, str]:
    """Environment that makes every training process fail after its first epoch.

    `fault` is "raise" (an exception), "hang" (until killed) or "crash" (a hard exit, as an
    out-of-memory kill looks); "slow" makes each epoch 1.5 s longer instead, and the run
    succeeds. The fault comes from tests/support/faults/sitecustomize.py,
    which Python imports at start-up from PYTHONPATH: production code has no hook for it.
    """
    path = os.pathsep.join(filter(None, [str(FAULTS_DIR), os.environ.get("PYTHONPATH")]))
    return {FAULT_ENV: fault, "PYTHONPATH": path}
