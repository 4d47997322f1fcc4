"""The Unicode bidirectional algorithm (UAX #9) for text without explicit embeddings.

``core/text.py`` refuses bidi controls (embeddings, overrides, isolates) in anything a user
types, so the explicit rules (X1-X10) never apply here: the paragraph's level comes from its
first strong letter (or the letter's language), weak types are resolved (W1-W7), neutrals take
their neighbours' direction (N1-N2), levels are set (I1-I2) and a line is reordered (L1-L2).
Pure and small, so the PDF layout can reorder runs of shaped glyphs rather than characters."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

_STRONG_R = frozenset({"R", "AL"})
_NEUTRAL = frozenset({"B", "S", "WS", "ON"})


def base_level(text: str, rtl_default: bool = False) -> int:
    """0 (left to right) or 1: the first strong letter's direction (P2-P3), else the default."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return 0
        if kind in _STRONG_R:
            return 1
    return 1 if rtl_default else 0


def _weak(types: list[str], sos: str) -> None:
    """W1-W7, in place."""
    previous = sos
    for i, kind in enumerate(types):  # W1: a mark takes the type before it
        if kind == "NSM":
            types[i] = previous
        previous = types[i]
    strong = sos
    for i, kind in enumerate(types):  # W2: European digits after Arabic letters are Arabic
        if kind in ("L", "R", "AL"):
            strong = kind
        elif kind == "EN" and strong == "AL":
            types[i] = "AN"
    for i, kind in enumerate(types):  # W3
        if kind == "AL":
            types[i] = "R"
    for i in range(1, len(types) - 1):  # W4: one separator between two numbers
        left, kind, right = types[i - 1], types[i], types[i + 1]
        if kind == "ES" and left == right == "EN":
            types[i] = "EN"
        elif kind == "CS" and left == right and left in ("EN", "AN"):
            types[i] = left
    i = 0
    while i < len(types):  # W5: terminators next to European digits
        if types[i] != "ET":
            i += 1
            continue
        j = i
        while j < len(types) and types[j] == "ET":
            j += 1
        if (i > 0 and types[i - 1] == "EN") or (j < len(types) and types[j] == "EN"):
            types[i:j] = ["EN"] * (j - i)
        i = j
    for i, kind in enumerate(types):  # W6
        if kind in ("ES", "ET", "CS"):
            types[i] = "ON"
    strong = sos
    for i, kind in enumerate(types):  # W7: European digits after a Latin letter are Latin
        if kind in ("L", "R"):
            strong = kind
        elif kind == "EN" and strong == "L":
            types[i] = "L"


def _neutrals(types: list[str], sos: str, eos: str, embedding: str) -> None:
    """N1-N2, in place: a run of neutrals between two of one direction takes it."""
    as_strong = {"L": "L", "R": "R", "EN": "R", "AN": "R"}
    i = 0
    while i < len(types):
        if types[i] not in _NEUTRAL:
            i += 1
            continue
        j = i
        while j < len(types) and types[j] in _NEUTRAL:
            j += 1
        left = as_strong.get(types[i - 1], embedding) if i > 0 else sos
        right = as_strong.get(types[j], embedding) if j < len(types) else eos
        types[i:j] = [left if left == right else embedding] * (j - i)
        i = j


def levels(text: str, paragraph_level: int) -> list[int]:
    """The embedding level of each character of one paragraph."""
    types = [unicodedata.bidirectional(ch) or "ON" for ch in text]
    types = ["ON" if kind in ("LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI",
                              "BN") else kind for kind in types]  # fmt: skip
    edge = "R" if paragraph_level % 2 else "L"
    _weak(types, edge)
    _neutrals(types, edge, edge, edge)
    result = []
    for kind in types:  # I1-I2
        if paragraph_level % 2 == 0:
            result.append(paragraph_level + {"R": 1, "AN": 2, "EN": 2}.get(kind, 0))
        else:
            result.append(paragraph_level + (1 if kind in ("L", "EN", "AN") else 0))
    return result


def line_levels(text: str, line_levels_: Sequence[int], paragraph_level: int) -> list[int]:
    """L1: whitespace at the end of a line (and separators) fall back to the paragraph level."""
    out = list(line_levels_)
    i = len(text) - 1
    while i >= 0 and unicodedata.bidirectional(text[i]) in ("WS", "S", "B", "BN"):
        out[i] = paragraph_level
        i -= 1
    for i, ch in enumerate(text):
        if unicodedata.bidirectional(ch) in ("S", "B"):
            out[i] = paragraph_level
    return out


def visual_order(run_levels: Sequence[int]) -> list[int]:
    """L2: the indices of runs (or characters) at these levels, in display order left to right."""
    order = list(range(len(run_levels)))
    if not order:
        return order
    highest = max(run_levels)
    lowest_odd = min((lvl for lvl in run_levels if lvl % 2), default=highest + 1)
    for level in range(highest, lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if run_levels[order[i]] < level:
                i += 1
                continue
            j = i
            while j < len(order) and run_levels[order[j]] >= level:
                j += 1
            order[i:j] = reversed(order[i:j])
            i = j
    return order


def display(text: str, rtl_default: bool = False) -> str:
    """``text`` (one line) in display order, characters reordered: for tests and diagnostics."""
    para = base_level(text, rtl_default)
    lv = line_levels(text, levels(text, para), para)
    return "".join(text[i] for i in visual_order(lv))
