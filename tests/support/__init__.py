"""What the tests share: the MovieLens folder, the fast training config, fault injection, the
fake Bot API server and the harness that runs the real bot against it.

Fixtures built on these live in tests/conftest.py; benchmarks import the harness directly.
"""
