"""Text checks shared by forms, the API and services: what may reach an export, a calendar or a
letter, and what counts as a number.

Text is stored in Unicode normal form C, so the same name typed on two keyboards (a composed
"é" or "e" and a combining accent) is the same name. Refused everywhere: control characters
(C0 but tab and line breaks, DEL, C1), lone surrogates, and the bidi embeddings, overrides and
isolates, which make a line display in another order than it is stored (a rationale in a
disclosure report must read as it was written). Refused in one-line fields besides: line and
paragraph breaks, tabs, and the invisible direction marks (LRM, RLM, ALM), which would make two
references that look alike different.

Numbers (ids, amounts, minutes, years) are plain ASCII digits: ``int()`` and ``Decimal()`` also
take fullwidth and Arabic-Indic digits and "1_000", which no one types into a number on purpose
and which would look different from what is stored.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from witness.core.errors import DomainError
from witness.core.i18n import gettext

_C0_C1 = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_SURROGATES = "\ud800-\udfff"
#: LRE, RLE, PDF, LRO, RLO and LRI, RLI, FSI, PDI
_BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
#: LRM, RLM and the Arabic letter mark: invisible; fine in prose, a disguise in a reference
_BIDI_MARKS = "\u200e\u200f\u061c"
_SEPARATORS = "\u2028\u2029"

#: refused in all text (what the .ics and mail writers also strip or refuse)
CONTROL = re.compile(f"[{_C0_C1}{_SURROGATES}{_BIDI_CONTROLS}]")
#: line breaks, refused in one-line text
LINE_BREAK = re.compile(f"[\r\n{_SEPARATORS}]")
_BIDI = re.compile(f"[{_BIDI_CONTROLS}]")
_ONE_LINE_ONLY = re.compile(f"[\t{_BIDI_MARKS}]")

#: the same rules as JSON Schema patterns, for the OpenAPI document (ASCII escapes, so the
#: document reads the same in any editor)
ONE_LINE_PATTERN = (
    r"^[^\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]*$"
)
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]*$"

CONTROL_MESSAGE = "Remove the control characters from this text."
ONE_LINE_MESSAGE = "Use one line of plain text, without line breaks or control characters."


def normalise(value: str) -> str:
    """``value`` in Unicode normal form C (composed characters)."""
    return unicodedata.normalize("NFC", value)


def _named(char: str) -> str:
    return f"U+{ord(char):04X} ({unicodedata.name(char, 'unnamed')})"


def text_problem(value: str | None, *, multiline: bool = False) -> str | None:
    """What is wrong with ``value`` as stored text, in words a person can act on, or None."""
    if not value:
        return None
    bidi = _BIDI.search(value)
    if bidi:
        return (
            f"Remove the invisible text-direction character {_named(bidi.group())}: it makes "
            "the text display in a different order from how it is stored."
        )
    if multiline:
        return CONTROL_MESSAGE if CONTROL.search(value) else None
    mark = _ONE_LINE_ONLY.search(value)
    if CONTROL.search(value) or LINE_BREAK.search(value) or (mark and mark.group() == "\t"):
        return ONE_LINE_MESSAGE
    if mark:
        return (
            f"Remove the invisible direction mark {_named(mark.group())}: a one-line entry "
            "such as a name or reference must look exactly as it is stored."
        )
    return None


def clean_text(
    value: str | None, field: str, *, multiline: bool = False, max_length: int = 500
) -> str:
    """``value`` in normal form C and stripped, or a ``DomainError`` naming ``field`` when it
    would break or disguise an .ics, a CSV or a letter (see the module's docstring) or is too
    long."""
    value = normalise(value or "").strip()
    problem = text_problem(value, multiline=multiline)
    if problem:
        raise DomainError(problem, field=field)
    if len(value) > max_length:
        raise DomainError(
            gettext("Use at most %(max_length)s characters.", max_length=max_length), field=field
        )
    return value


# --- numbers --------------------------------------------------------------------------------

#: the largest id a key column holds (PostgreSQL ``integer``); larger ids cannot exist
MAX_ID = 2**31 - 1

#: the longest whole number read from text: more digits than any id or count can have (and
#: int() of thousands of digits is slow)
MAX_DIGITS = 30
_INTEGER = re.compile(rf"-?[0-9]{{1,{MAX_DIGITS}}}")
_DECIMAL = re.compile(rf"-?[0-9]{{1,{MAX_DIGITS}}}(?:\.[0-9]{{1,{MAX_DIGITS}}})?")
#: the same as JSON Schema patterns
INTEGER_PATTERN = rf"^-?[0-9]{{1,{MAX_DIGITS}}}$"
DECIMAL_PATTERN = rf"^-?[0-9]{{1,{MAX_DIGITS}}}(\.[0-9]{{1,{MAX_DIGITS}}})?$"
NUMBER_MESSAGE = "Give a whole number, written with the digits 0-9."
DECIMAL_MESSAGE = "Give a number written with the digits 0-9 and a point, such as 12.50."


def ascii_int(value: str) -> int:
    """``int(value)`` for a whole number in plain ASCII digits (an optional minus sign, no
    spaces, underscores or other scripts' digits); ``ValueError`` otherwise."""
    if not isinstance(value, str) or not _INTEGER.fullmatch(value):
        raise ValueError(NUMBER_MESSAGE)
    return int(value)


def ascii_decimal(value: str) -> Decimal:
    """``Decimal(value)`` for a number in plain ASCII digits with an optional point (no
    exponent, spaces, underscores, NaN or other scripts' digits); ``ValueError`` otherwise."""
    if not isinstance(value, str) or not _DECIMAL.fullmatch(value):
        raise ValueError(DECIMAL_MESSAGE)
    return Decimal(value)
