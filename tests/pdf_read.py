"""Reading a PDF back with poppler (``pdftotext``, ``pdffonts``), as a reader's tools would."""

from __future__ import annotations

import re
import subprocess
from html import unescape

RLE, PDF_MARK = "\u202b", "\u202c"


def text(pdf: bytes, *args: str) -> str:
    """``pdftotext`` (raw reading order; ``args``: ``-f N -l N``, a crop, ``-layout``)."""
    done = subprocess.run(["pdftotext", *args, "-", "-"], input=pdf, capture_output=True,
                          check=True)  # fmt: skip
    return done.stdout.decode()


def fonts(pdf: bytes) -> list[dict[str, str]]:
    """``pdffonts``' rows: name, emb, sub, uni."""
    done = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True)
    rows = []
    for line in done.stdout.decode().splitlines()[2:]:
        cells = line.split()
        rows.append({"name": cells[0], "emb": cells[-5], "sub": cells[-4], "uni": cells[-3]})
    return rows


def pages(pdf: bytes) -> int:
    done = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", done.stdout.decode(), re.M).group(1))


def squeezed(value: str) -> str:
    """Without any white space: Thai and Khmer lines join without a space between them."""
    return re.sub(r"\s+", "", value)


def logical_line(line: str) -> str:
    """A line as pdftotext gives it, in reading order. Poppler writes a page that reads mostly
    right to left in reading order, the line inside RLE ... PDF and each left-to-right run inside
    LRE ... PDF; on a page that reads mostly left to right it writes the runs in display order,
    each right-to-left run (in reading order) inside RLE ... PDF, so those runs turn back."""
    marks = "\u202a\u202b\u202c\u202d\u202e"
    if RLE not in line:
        return line
    if line.startswith(RLE) and _closes_at_end(line):
        return "".join(" " if ch in marks else ch for ch in line)
    chunks = [c for c in re.split(f"({RLE}[^{PDF_MARK}]*{PDF_MARK})", line) if c.strip()]
    return " ".join(c.strip(marks + " ") for c in reversed(chunks))


def _closes_at_end(line: str) -> bool:
    depth = 0
    for i, ch in enumerate(line):
        depth += ch in "\u202a\u202b\u202d\u202e"
        depth -= ch == PDF_MARK
        if depth == 0:
            return i == len(line) - 1
    return False


def words(value: str) -> list[str]:
    """The words of ``value`` (letters, digits, joined by hyphens), punctuation dropped."""
    return re.findall(r"\w+(?:-\w+)*", value)


def reading_words(pdf: bytes, *args: str) -> list[str]:
    """Every word of ``pdf`` in reading order, right-to-left lines turned back."""
    return [w for line in text(pdf, *args).splitlines() for w in words(logical_line(line))]


def word_boxes(pdf: bytes, page: int = 1) -> list[tuple[float, float, str, float]]:
    """(xMin, xMax, word, yMin from the top) for each word pdftotext finds on ``page``."""
    done = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), "-", "-"],
        input=pdf, capture_output=True, check=True,
    )  # fmt: skip
    found = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"[^>]*>([^<]*)</word>',
                       done.stdout.decode())  # fmt: skip
    return [(float(a), float(b), unescape(w), float(y)) for a, y, b, w in found]


def contains_in_order(haystack: list[str], needle: list[str]) -> bool:
    """Whether ``needle`` occurs in ``haystack`` as one unbroken run."""
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))
