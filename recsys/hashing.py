"""A stable integer hash: the same ids spread the same way in every process and version."""

from __future__ import annotations

import numpy as np

SPLITMIX64_GAMMA = np.uint64(0x9E3779B97F4A7C15)
"""splitmix64's increment (2^64 / golden ratio), added before mixing."""
_MULTIPLIERS = (np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB))
_SHIFTS = (np.uint64(30), np.uint64(27), np.uint64(31))


def splitmix64(x: np.ndarray) -> np.ndarray:
    """splitmix64 of each element (uint64 in, uint64 out): spreads nearby ids over the
    whole range, so taking the smallest hashes picks a fixed, spread-out subset."""
    with np.errstate(over="ignore"):
        z = np.asarray(x, dtype=np.uint64) + SPLITMIX64_GAMMA
        z = (z ^ (z >> _SHIFTS[0])) * _MULTIPLIERS[0]
        z = (z ^ (z >> _SHIFTS[1])) * _MULTIPLIERS[1]
        return z ^ (z >> _SHIFTS[2])
