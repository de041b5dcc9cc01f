"""One BLAS thread while serving a request.

Fold-in solves a ~129x129 system and multiplies a few small matrices. Multi-threaded BLAS
gains nothing on problems this small and, when the cores are busy (retraining runs next
to the bot), its threads wait for each other: measured here, the slowest of 610 calls took
~160 ms with two BLAS threads and ~22 ms with one; the median stays ~1.6 ms either way.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator

from threadpoolctl import ThreadpoolController


@functools.cache
def _controller() -> ThreadpoolController:
    return ThreadpoolController()


@contextlib.contextmanager
def single_blas_thread() -> Iterator[None]:
    with _controller().limit(limits=1, user_api="blas"):
        yield
