"""Words that must never show where someone else may see them: through the envelope's window,
on the envelope, in the return address. Pure (the configuration checks the return address with
it at start-up; the tests check every window)."""

from __future__ import annotations

import re

#: what would tell a stranger holding the envelope what it is about, or who sends it
FORBIDDEN_WORDS = (
    "prosecution",
    "prosecutor",
    "crown",
    "court",
    "courts",
    "offence",
    "offense",
    "offender",
    "crime",
    "criminal",
    "trafficking",
    "trafficked",
    "slavery",
    "exploitation",
    "victim",
    "victims",
    "witness",
    "witnesses",
    "police",
    "justice",
    "prison",
    "parole",
    "probation",
    "sentence",
    "verdict",
    "defendant",
    "trial",
    "case",
    "liaison",
    "cps",
)
_PATTERN = re.compile(r"\b(" + "|".join(FORBIDDEN_WORDS) + r")\b", re.IGNORECASE)


def forbidden_words(text: str) -> list[str]:
    """The forbidden words ``text`` holds (whole words, any case), in order."""
    return [match.lower() for match in _PATTERN.findall(text or "")]
