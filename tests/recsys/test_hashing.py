"""splitmix64 is the published one: the gate's hold-out slice depends on every bit of it."""

from __future__ import annotations

import numpy as np

from recsys.hashing import SPLITMIX64_GAMMA, splitmix64


def test_matches_the_reference_sequence_for_seed_1234567():
    # Vigna's splitmix64.c seeded with 1234567: each output hashes the state advanced by gamma.
    states = np.array([1234567, 1234567 + int(SPLITMIX64_GAMMA)], dtype=np.uint64)
    assert splitmix64(states).tolist() == [6457827717110365317, 3203168211198807973]


def test_hashes_elementwise_and_keeps_the_shape():
    ids = np.arange(6, dtype=np.uint64).reshape(2, 3)
    hashed = splitmix64(ids)
    assert hashed.shape == (2, 3) and hashed.dtype == np.uint64
    assert hashed[1, 2] == splitmix64(np.array([5], dtype=np.uint64))[0]
