"""``flask`` commands for generating data at scale, benchmarking and load testing."""

from flask import Flask


def register_bench_cli(app: Flask) -> None:
    """Add the scale commands to ``app.cli``."""
