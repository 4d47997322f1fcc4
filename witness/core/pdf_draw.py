"""Drawing laid-out text with reportlab: a line's shaped glyphs by subset font, each moved
where HarfBuzz put it, inside an ``ActualText`` span that says what it reads; one line
(``draw_text``), and paragraphs for platypus (``paragraph``: reportlab's own for plain Latin,
else a ``TextBlock`` of ``pdf_text`` lines). The analysis (scripts, shaping, bidi, line
breaks) is ``pdf_text``'s."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas
from reportlab.platypus import Flowable
from reportlab.platypus import Paragraph as RLParagraph

from witness.core.pdf_text import (
    SCRIPTS,
    Line,
    Paragraph,
    Piece,
    lay_out,
    plain_font,
    primary_script,
)


def _actual_text(text: str) -> str:
    return f"/Span <</ActualText <FEFF{text.encode('utf-16-be').hex().upper()}>>> BDC"


Plan = tuple[tuple[tuple[str | None, str | None, str | None], ...], bool]


def _plan(piece: Piece, size: float) -> Plan:
    """For each glyph: the text rise to set before it (when it changes), the TJ adjustment
    before it (HarfBuzz's x offset) and after it (the font's advance against HarfBuzz's);
    and whether the piece ends raised. The same in every document."""
    plan = piece.plans.get(size)
    if plan is None:
        width_of = piece.face.ttf.face.getCharWidth
        glyphs, rise = [], 0.0
        for ch, advance, dx, dy in piece.shaped.glyphs:
            rise_op = None
            if dy != rise:
                rise_op, rise = f"{fp_str(dy * size / 1000)} Ts", dy
            adjust = width_of(ord(ch)) - advance + dx
            glyphs.append((rise_op, fp_str(-dx) if dx else None,
                           fp_str(adjust) if abs(adjust) > 0.001 else None))  # fmt: skip
        plan = piece.plans[size] = (tuple(glyphs), bool(rise))
    return plan


def _glyph_ops(canvas, piece: Piece, size: float) -> list[str]:
    """PDF operators for one piece: its glyphs by subset font, each moved where HarfBuzz put
    it (TJ adjustments across, text rise up and down), the pen left at the piece's end."""
    doc, font, shaped = canvas._doc, piece.face.ttf, piece.shaped
    escape = canvas._escape
    ops: list[str] = []
    if shaped.plain:  # nothing moved: each subset's codes in one string
        for subset, data in font.splitString(shaped.chars, doc):
            ops.append(f"{font.getSubsetInternalName(subset, doc)} {fp_str(size)} Tf")
            ops.append(f"[({escape(bytes(data))})] TJ")
        return ops
    glyphs, ends_raised = _plan(piece, size)
    index = 0
    for subset, data in font.splitString(shaped.chars, doc):
        ops.append(f"{font.getSubsetInternalName(subset, doc)} {fp_str(size)} Tf")
        items: list[str] = []
        run = bytearray()
        for code in data:
            rise_op, before, after = glyphs[index]
            if rise_op is not None:
                _flush_run(run, items, escape)
                if items:
                    ops.append(f"[{' '.join(items)}] TJ")
                    items.clear()
                ops.append(rise_op)
            if before is not None:
                _flush_run(run, items, escape)
                items.append(before)
            run.append(code)
            if after is not None:
                _flush_run(run, items, escape)
                items.append(after)
            index += 1
        _flush_run(run, items, escape)
        if items:
            ops.append(f"[{' '.join(items)}] TJ")
    if ends_raised:
        ops.append("0 Ts")
    return ops


def _flush_run(run: bytearray, items: list[str], escape) -> None:
    if run:
        items.append(f"({escape(bytes(run))})")
        run.clear()


def draw_line(canvas, x: float, y: float, line: Line, size: float) -> None:
    """``line`` from ``x`` (its left end) on the baseline ``y``: one text object, each piece
    in an ``ActualText`` span that says what it reads (its glyphs may be ligatures or Khmer
    subscripts with no character; a right-to-left piece in the order its glyphs stand, as
    poppler expects)."""
    ops = [f"BT 1 0 0 1 {fp_str(x)} {fp_str(y)} Tm"]
    for piece in line.pieces:
        ops.append(_actual_text(piece.text[::-1] if piece.rtl else piece.text))
        ops.extend(_glyph_ops(canvas, piece, size))
        ops.append("EMC")
    ops.append("ET")
    canvas._code.append("\n".join(ops))


@lru_cache(maxsize=1024)
def _one_line(text: str, script: str, bold: bool) -> Line:
    """A line unbroken, in 1/1000 of the type size: a footer, a label, printed on every page."""
    para = Paragraph(text, script, bold)
    return para._line(0, len(para.text))


def draw_text(canvas, x: float, y: float, text: str, script: str, size: float, *,
              bold: bool = False, align: str = "left") -> float:  # fmt: skip
    """One line of ``text`` (no wrapping) at ``x``: "left", "right" (``x`` is the right end) or
    the script's own direction ("start"). The width drawn, in points."""
    if not text.strip():
        return 0.0
    if primary_script(text) is None:  # reportlab alone: no span, nothing to shape
        name = plain_font(text, script, bold)
        canvas.setFont(name, size)
        width = stringWidth(text, name, size)
        canvas.drawString(x - width if align == "right" else x, y, text)
        return width
    line = _one_line(text.replace("\n", " "), script, bold)
    width = line.width * size / 1000
    right = align == "right" or (align == "start" and line.rtl)
    draw_line(canvas, x - width if right else x, y, line, size)
    return width


class TextBlock(Flowable):
    """A paragraph for platypus: wrapped with ``Paragraph.lines``, split between pages by line,
    set flush left (or flush right when it reads right to left)."""

    def __init__(self, text: str, script: str, size: float, leading: float, *,
                 bold: bool = False, color=None, space_before: float = 0,
                 space_after: float = 0, align: str = "start", rtl: bool | None = None,
                 lines: list[Line] | None = None):  # fmt: skip
        super().__init__()
        self.text, self.script, self.size, self.bold = text, script, size, bold
        self.rtl = rtl  #: the document's direction, when it sets the paragraph's
        self.align = align  #: "start" (the paragraph's own direction) or "right"
        self.leading = leading * SCRIPTS[script].leading
        self.color = color
        self.spaceBefore, self.spaceAfter = space_before, space_after  # reportlab's names
        self._lines = lines
        self._width = None

    def wrap(self, availWidth, availHeight):  # reportlab's names
        if self._lines is None or self._width != availWidth:
            self._lines = lay_out(self.text, self.script, self.size, availWidth, self.bold,
                                  self.rtl)  # fmt: skip
            self._width = availWidth
        self.width = availWidth
        self.height = len(self._lines) * self.leading
        return availWidth, self.height

    def split(self, availWidth, availHeight):
        self.wrap(availWidth, availHeight)
        fit = int(availHeight // self.leading)
        lines = self._lines or []
        if fit <= 0 or fit >= len(lines):
            return [] if fit <= 0 else [self]
        return [self._part(lines[:fit], space_after=0), self._part(lines[fit:], space_before=0)]

    def _part(self, lines: list[Line], **spaces) -> TextBlock:
        kwargs = {"space_before": self.spaceBefore, "space_after": self.spaceAfter, **spaces}
        part = TextBlock(self.text, self.script, self.size, self.leading
                         / SCRIPTS[self.script].leading, bold=self.bold, color=self.color,
                         align=self.align, rtl=self.rtl, lines=lines, **kwargs)  # fmt: skip
        part._width = self._width
        return part

    def draw(self):
        c = self.canv
        if self.color is not None:
            c.setFillColor(self.color)
        top = self.height
        for i, line in enumerate(self._lines or []):
            baseline = top - i * self.leading - (self.leading + self.size * 0.55) / 2
            right = line.rtl or self.align == "right"
            x = self.width - line.width * self.size / 1000 if right else 0
            draw_line(c, x, baseline, line, self.size)


@lru_cache(maxsize=256)
def _latin_style(font: str, size: float, leading: float, color, before: float, after: float,
                 right: bool) -> ParagraphStyle:  # fmt: skip
    return ParagraphStyle(
        f"latin-{font}-{size}", fontName=font, fontSize=size,
        leading=leading, spaceBefore=before, spaceAfter=after, alignment=TA_RIGHT if right
        else TA_LEFT, **({"textColor": color} if color is not None else {}),
    )  # fmt: skip


def paragraph(text: str, script: str, size: float, leading: float, *, bold: bool = False,
              color=None, space_before: float = 0, space_after: float = 0,
              align: str = "start", rtl: bool | None = None) -> Flowable:  # fmt: skip
    """A paragraph flowable: reportlab's own when it can set ``text`` alone (Latin, nothing to
    shape or reorder: the common case, at reportlab's speed), else a ``TextBlock``. ``rtl``:
    the document reads right to left, so even a paragraph all in Latin letters is one of its
    right-to-left paragraphs (flush right, a final full stop at its left end)."""
    if primary_script(text) is None and not rtl:
        font = plain_font(text, script, bold)
        style = _latin_style(font, size, leading, color, space_before, space_after,
                             align == "right")  # fmt: skip
        return RLParagraph(escape(text).replace("\n", "<br/>"), style)
    return TextBlock(text, primary_script(text) or script, size, leading, bold=bold,
                     color=color, space_before=space_before, space_after=space_after,
                     align=align, rtl=rtl)  # fmt: skip


class NumberedCanvas(canvas.Canvas):
    """Two passes, so each page can say "page X of Y": every page's state is kept, and
    ``footer(canvas, page, pages)`` draws on each once the count is known."""

    def __init__(self, *args, footer: Callable[[canvas.Canvas, int, int], None], **kwargs):
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._pages: list[dict] = []

    def showPage(self):  # reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        count = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._footer(self, self._pageNumber, count)
            super().showPage()
        super().save()
