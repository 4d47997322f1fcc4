"""Text checks shared by forms and services: what may reach an export, a calendar or a letter."""

from __future__ import annotations

import re

from witness.core.errors import DomainError

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LINE_BREAK = re.compile(r"[\r\n]")


def clean_text(
    value: str | None, field: str, *, multiline: bool = False, max_length: int = 500
) -> str:
    """``value`` stripped, or a ``DomainError`` naming ``field`` when it would break an .ics,
    a CSV or a letter (control characters; line breaks in one-line text) or is too long."""
    value = (value or "").strip()
    if CONTROL.search(value):
        raise DomainError("Remove the control characters from this text.", field=field)
    if not multiline and LINE_BREAK.search(value):
        raise DomainError(
            "Use one line of plain text, without line breaks or control characters.", field=field
        )
    if len(value) > max_length:
        raise DomainError(f"Use at most {max_length} characters.", field=field)
    return value
