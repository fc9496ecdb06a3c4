"""Benchmarks: not tests. Each module runs on its own, e.g. ``python -m bench.lists``."""
