"""ical.js, the iCalendar parser Thunderbird uses, run under Node: every .ics Witness makes is
read back by it, so what a calendar program shows is checked outside the library that wrote
the file (``icaljs`` fixture in tests/conftest.py)."""

from __future__ import annotations

import base64
import fcntl
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def _require() -> bool:
    return os.environ.get("WITNESS_REQUIRE_ICALJS") == "1"


def install() -> None:
    """``npm ci`` once, from the lock file, when ical.js is not installed yet (one test
    process at a time: parallel workers wait for the first)."""
    with open(HERE / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _install()


def _install() -> None:
    if (HERE / "node_modules" / "ical.js" / "package.json").exists():
        return
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        message = "ical.js needs Node.js and npm (Debian packages nodejs and npm)"
        if _require():
            pytest.fail(message)
        pytest.skip(message)
    result = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=HERE,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        message = f"npm ci failed: {result.stderr[-2000:]}"
        if _require():
            pytest.fail(message)
        pytest.skip(message)


def read(*files: bytes) -> list[dict]:
    """What ical.js reads from each file: method, PRODID, feed settings, time zones and each
    event (UID, SEQUENCE, texts, STATUS, start and end as UTC ISO strings, organizer, attendees).
    A file it cannot parse fails the test with ical.js's message."""
    lines = "".join(base64.b64encode(data).decode("ascii") + "\n" for data in files)
    result = subprocess.run(
        [shutil.which("node") or "node", str(HERE / "read.mjs")],
        input=lines,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(answers) == len(files), result.stderr
    for answer in answers:
        assert "error" not in answer, f"ical.js could not read the file: {answer['error']}"
    return answers
