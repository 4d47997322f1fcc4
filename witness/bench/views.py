"""Routes that exist only when ``BENCHMARK_ROUTES`` is set: the benchmark's floor."""

from flask import Blueprint

bp = Blueprint("bench", __name__, url_prefix="/_bench")
