"""One print file from many letters' PDFs, each letter starting on a new sheet.

Every letter is a small PDF that reportlab wrote: a classic cross-reference table, no object
streams. Joining them needs no parsing of what is inside their objects: each object's bytes are
copied with its number (and the numbers it refers to) moved past the letters before it, each
letter's page tree hangs under one new root, and a letter with an odd number of pages is
followed by a blank one (duplex never puts two letters on one sheet). pypdf parsed every number
of every font's widths to do the same, and was most of a print batch's time (``letters.bench``).
A PDF of another shape (a cross-reference stream, say) is first rewritten by pypdf into the
classic form, so nothing is refused."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from pypdf import PdfReader, PdfWriter

_XREF_AT = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_XREF_ROW = re.compile(rb"(\d{10}) (\d{5}) ([nf])")
_SUBSECTION = re.compile(rb"(\d+) (\d+)\s*$")
_ROOT = re.compile(rb"/Root\s+(\d+)\s+0\s+R")
_PAGES = re.compile(rb"/Pages\s+(\d+)\s+0\s+R")
_COUNT = re.compile(rb"/Count\s+(\d+)")
_HEAD = re.compile(rb"^\s*(\d+)\s+0\s+obj")
_REF = re.compile(rb"(?<![\d.])(\d+)\s+0\s+R\b")
_STREAM = re.compile(rb">>\s*stream\r?\n")


class NotPlain(ValueError):
    """A PDF this module does not copy as it is (see the module's note)."""


@dataclass(frozen=True)
class _Letter:
    objects: dict[int, bytes]  #: number -> "N 0 obj ... endobj" as written
    pages: int  #: the number of its page tree's root
    count: int  #: its pages
    skip: frozenset[int]  #: its catalogue and information dictionary: not copied


def _xref(pdf: bytes) -> tuple[dict[int, int], bytes]:
    """Offsets of the objects in use, and the trailer."""
    found = _XREF_AT.search(pdf[-64:])
    if found is None:
        raise NotPlain("no startxref")
    start = int(found.group(1))
    if not pdf.startswith(b"xref", start):
        raise NotPlain("a cross-reference stream")
    end = pdf.index(b"trailer", start)
    offsets: dict[int, int] = {}
    number = 0
    for line in pdf[start + 4 : end].splitlines():
        line = line.strip()
        if not line:
            continue
        row = _XREF_ROW.match(line)
        if row is None:
            sub = _SUBSECTION.match(line)
            if sub is None:
                raise NotPlain("an unreadable cross-reference table")
            number = int(sub.group(1))
            continue
        if row.group(3) == b"n":
            offsets[number] = int(row.group(1))
        number += 1
    return offsets, pdf[end : start if start > end else len(pdf)]


def parse(pdf: bytes) -> _Letter:
    """A letter's objects, as written; ``NotPlain`` for a PDF of another shape."""
    offsets, trailer = _xref(pdf)
    if b"/Encrypt" in trailer or b"/Prev" in trailer:
        raise NotPlain("encrypted or updated")
    xref_at = int(_XREF_AT.search(pdf[-64:]).group(1))
    ordered = sorted(offsets.items(), key=lambda item: item[1])
    objects: dict[int, bytes] = {}
    for i, (number, offset) in enumerate(ordered):
        stop = ordered[i + 1][1] if i + 1 < len(ordered) else xref_at
        body = pdf[offset:stop].rstrip()
        head = _HEAD.match(body)
        if head is None or int(head.group(1)) != number or not body.endswith(b"endobj"):
            raise NotPlain(f"object {number} is not where the table says")
        if b"/ObjStm" in body[:200]:
            raise NotPlain("object streams")
        objects[number] = body
    root = _ROOT.search(trailer)
    if root is None or int(root.group(1)) not in objects:
        raise NotPlain("no catalogue")
    catalogue = int(root.group(1))
    pages = _PAGES.search(objects[catalogue])
    if pages is None or int(pages.group(1)) not in objects:
        raise NotPlain("no page tree")
    count = _COUNT.search(objects[int(pages.group(1))])
    info = re.search(rb"/Info\s+(\d+)\s+0\s+R", trailer)
    skip = {catalogue} | ({int(info.group(1))} if info else set())
    return _Letter(objects, int(pages.group(1)), int(count.group(1)) if count else 0,
                   frozenset(skip))  # fmt: skip


def _classic(pdf: bytes) -> bytes:
    """``pdf`` rewritten by pypdf (classic cross-reference table, no object streams)."""
    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _renumbered(body: bytes, shift: int, parent: int | None = None) -> bytes:
    """``body`` with its own number and every reference moved by ``shift``; a page tree's root
    gets ``parent`` (it becomes a branch of the batch's tree)."""
    split = _STREAM.search(body)
    head, tail = (body[: split.end()], body[split.end() :]) if split else (body, b"")
    head = _REF.sub(lambda m: b"%d 0 R" % (int(m.group(1)) + shift), head)
    head = _HEAD.sub(lambda m: b"%d 0 obj" % (int(m.group(1)) + shift), head, count=1)
    if parent is not None:
        head = head.replace(b"<<", b"<< /Parent %d 0 R" % parent, 1)
    return head + tail


class BatchPdf:
    """The print file being built: ``add`` each letter's PDF, then ``getvalue``."""

    ROOT, CATALOGUE = 1, 2

    def __init__(self, page_size: tuple[float, float]):
        self._size = page_size
        self._out = io.BytesIO()  # objects are written as they come: one copy in memory
        self._out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        self._offsets: dict[int, int] = {}
        self._kids: list[int] = []
        self._next = 3  #: the next free object number
        self._final: bytes | None = None
        self.pages = 0

    def _write(self, number: int, body: bytes) -> None:
        self._offsets[number] = self._out.tell()
        self._out.write(body + b"\n")

    def _blank(self) -> None:
        width, height = self._size
        number = self._next
        self._next += 1
        self._write(
            number,
            b"%d 0 obj\n<< /Type /Page /Parent %d 0 R /MediaBox [ 0 0 %.4f %.4f ] "
            b"/Resources << >> >>\nendobj" % (number, self.ROOT, width, height),
        )
        self._kids.append(number)
        self.pages += 1

    def add(self, pdf: bytes) -> int:
        """Add one letter (and a blank page after an odd number of them); pages added."""
        if self._final is not None:
            raise ValueError("the print file is already made")
        try:
            letter = parse(pdf)
        except (NotPlain, ValueError):
            letter = parse(_classic(pdf))
        shift = self._next
        for number, body in letter.objects.items():
            if number in letter.skip:
                continue
            parent = self.ROOT if number == letter.pages else None
            self._write(number + shift, _renumbered(body, shift, parent))
        self._next += max(letter.objects) + 1
        self._kids.append(letter.pages + shift)
        self.pages += letter.count
        added = letter.count
        if added % 2:
            self._blank()
            added += 1
        return added

    def getvalue(self) -> bytes:
        """The print file: the objects written so far, the page tree's root, the catalogue,
        the cross-reference table (made once: nothing can be added after)."""
        if self._final is not None:
            return self._final
        kids = b" ".join(b"%d 0 R" % kid for kid in self._kids)
        self._write(self.ROOT, b"%d 0 obj\n<< /Type /Pages /Count %d /Kids [ %s ] >>\nendobj"
                    % (self.ROOT, self.pages, kids))  # fmt: skip
        self._write(self.CATALOGUE, b"%d 0 obj\n<< /Type /Catalog /Pages %d 0 R >>\nendobj"
                    % (self.CATALOGUE, self.ROOT))  # fmt: skip
        out, size = self._out, self._next
        xref = out.tell()
        out.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
        for number in range(1, size):
            at = self._offsets.get(number)
            out.write(b"%010d 00000 n \n" % at if at is not None else b"0000000000 65535 f \n")
        out.write(b"trailer\n<< /Root %d 0 R /Size %d >>\n" % (self.CATALOGUE, size))
        out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
        self._final = out.getvalue()
        self._out = io.BytesIO()
        return self._final
