"""Figures a page may show a few minutes old: the dashboard's twelve-month charts sum a year of
the ledger, the risk assessments and the notification deadlines of everything the user may
see (half a second for a supervisor at national scale), while what they show moves by the day.

Kept in the process (``cachetools.TTLCache``) per user, role, office, day and language, so a
figure is only ever shown to the user it was counted for, and the page says when it was
counted. ``WITNESS_DASHBOARD_FIGURES_SECONDS`` (default 900; 0 counts on every page view)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import TypeVar

from cachetools import TTLCache
from flask import Flask, current_app

from witness.core.time import now_utc

T = TypeVar("T")
#: users at a time whose figures are kept (a few hundred bytes each)
SIZE = 4096


class Figures:
    """A per-app cache of computed figures with the instant each was counted."""

    def __init__(self, seconds: int) -> None:
        self._kept: TTLCache | None = TTLCache(SIZE, seconds) if seconds > 0 else None
        # TTLCache is not thread-safe; a threaded server serves several pages at once
        self._lock = threading.Lock()

    def get(self, key: Hashable, count: Callable[[], T]) -> tuple[T, datetime]:
        """The figures under ``key``, counted now by ``count()`` unless counted lately; with
        the instant they were counted."""
        if self._kept is None:
            return count(), now_utc()
        with self._lock:
            kept = self._kept.get(key)
        if kept is not None:
            return kept
        # counted outside the lock: two first views at once both count, neither waits
        fresh = (count(), now_utc())
        with self._lock:
            self._kept[key] = fresh
        return fresh


def init_app(app: Flask) -> None:
    app.extensions["witness.figures"] = Figures(app.config["DASHBOARD_FIGURES_SECONDS"])


def figures() -> Figures:
    return current_app.extensions["witness.figures"]
