"""Benchmarks: the project beside the peers a user would build instead, in one run."""
