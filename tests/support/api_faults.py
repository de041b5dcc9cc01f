"""Random misbehaviour of the fake Bot API: the hiccups real Telegram has now and then.

A spec such as ``"500=0.1,drop=0.1,delay5=0.1,429=0.1"`` names fault kinds and the share of
calls each one hits. Per call one number is drawn from a seeded ``random.Random`` (runs
with the same seed and the same order of calls fault the same calls):

- ``500``: HTTP 500 "Internal Server Error"; the method is not performed.
- ``429``: flood control, "Too Many Requests: retry after 1" with ``retry_after`` 1; not
  performed.
- ``drop``: the connection is closed without any answer; not performed.
- ``delayN`` (``delay5``, ``delay0.5``): the method is performed, then the answer waits N
  seconds (a slow Telegram that did the work). A ``getUpdates`` long poll is never delayed:
  it already waits up to its timeout, and delaying its answer would measure intake lag,
  not a slow call. The other kinds hit ``getUpdates`` like every method.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass

_DELAY = re.compile(r"delay(\d+(?:\.\d+)?)")
_FIXED = ("500", "429", "drop")


def fault_kind(name: str) -> str:
    """A valid kind as written in a spec, or ValueError naming the valid ones."""
    if name in _FIXED or _DELAY.fullmatch(name):
        return name
    raise ValueError(f"unknown fault kind {name!r}: use 500, 429, drop or delayN (e.g. delay5)")


def delay_seconds(kind: str) -> float | None:
    """N for ``delayN``; None for the other kinds."""
    match = _DELAY.fullmatch(kind)
    return float(match.group(1)) if match else None


@dataclass(frozen=True)
class FaultSpec:
    """Fault kinds with the share of calls each hits (the shares add up to at most 1)."""

    shares: tuple[tuple[str, float], ...] = ()

    def __str__(self) -> str:
        return ",".join(f"{kind}={share:g}" for kind, share in self.shares)

    def __bool__(self) -> bool:
        return any(share > 0 for _, share in self.shares)

    def pick(self, draw: float) -> str | None:
        """The kind a draw in [0, 1) falls on, or None (no fault)."""
        edge = 0.0
        for kind, share in self.shares:
            edge += share
            if draw < edge:
                return kind
        return None


def parse_faults(spec: str | None) -> FaultSpec:
    """``"500=0.1,drop=0.05"`` -> FaultSpec; empty or None means no faults.

    Raises ValueError for an unknown kind, a share that is not a number in [0, 1], a kind
    named twice, or shares adding up to more than 1.
    """
    shares: list[tuple[str, float]] = []
    for part in (spec or "").split(","):
        part = part.strip()
        if not part:
            continue
        name, sep, value = part.partition("=")
        if not sep:
            raise ValueError(f"fault {part!r} needs a share: KIND=SHARE, e.g. 500=0.1")
        kind = fault_kind(name.strip())
        try:
            share = float(value)
        except ValueError:
            raise ValueError(f"share of {kind!r} is not a number: {value.strip()!r}") from None
        if not 0.0 <= share <= 1.0:
            raise ValueError(f"share of {kind!r} must be between 0 and 1, got {share:g}")
        if any(kind == seen for seen, _ in shares):
            raise ValueError(f"fault {kind!r} is given twice")
        shares.append((kind, share))
    total = sum(share for _, share in shares)
    if total > 1.0 + 1e-9:
        raise ValueError(f"fault shares add up to {total:g}, more than 1")
    return FaultSpec(tuple(shares))


class FaultPlan:
    """Draws the fault (if any) for each call; thread-safe, reproducible given the seed."""

    def __init__(self, spec: FaultSpec | str | None = None, seed: int = 0) -> None:
        self.spec = spec if isinstance(spec, FaultSpec) else parse_faults(spec)
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def draw(self, method: str) -> str | None:
        """The fault for the next call of ``method`` (getUpdates is never delayed)."""
        if not self.spec:
            return None
        with self._lock:
            kind = self.spec.pick(self._random.random())
        if kind is not None and method == "getUpdates" and delay_seconds(kind) is not None:
            return None
        return kind


class DroppedConnection(Exception):
    """Raised by the fake server's ``handle`` for a ``drop`` fault: the HTTP side closes the
    connection without answering."""
