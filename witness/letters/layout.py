"""A letter as a PDF (reportlab platypus): A4, folded in three into a DL window envelope.

Pure: no database, no request; the same inputs give the same bytes (reportlab's invariant mode,
the creation date fixed to the letter's own), so a reprint is the letter that was made.

What shows through the envelope's window is the address block alone: a one-line neutral return
address and the recipient's name and safe address. The window is the standard DL position for a
letter folded in three (DIN 5008 form B: 20 mm from the left, 45 mm from the top, 85 x 45 mm).
The reference, the date and every word about the matter sit outside it.

Fonts ship with the install (``witness/core/fonts/``, with their licences) and are embedded
(subset) in every PDF. Each language is written in a script; each script has its fonts
(``core.pdf_text.SCRIPTS``: Latin with Vietnamese, Thai, Khmer, Arabic, Myanmar, Lao) and a
direction. The words are shaped by HarfBuzz, broken into lines by ICU (Thai, Khmer, Burmese and
Lao have no spaces between words) and set right to left where the script reads so
(``core/pdf_text.py``)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, partial

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import BaseDocTemplate, Frame, KeepTogether, PageTemplate, Spacer

from witness.core import pdf_text
from witness.core.i18n import gettext
from witness.core.pdf_draw import NumberedCanvas, draw_line, draw_text, paragraph
from witness.core.pdf_text import SCRIPTS, Script, lay_out
from witness.letters.content import LetterContent

__all__ = ["SCRIPTS", "Script"]

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 20 * mm
#: the envelope window (DIN 5008 form B, the standard DL window): left, top, width, height
WINDOW = (20 * mm, 45 * mm, 85 * mm, 45 * mm)
#: the first page's text starts below the window and the first fold (99 mm)
FIRST_BODY_TOP = 100 * mm
FOOTER_Y = 10 * mm


#: languages not written in the Latin script, by script (each needs a row in ``SCRIPTS``)
LANGUAGE_SCRIPTS = {
    "th": "thai",
    "km": "khmer",
    "lo": "lao",
    "my": "myanmar",
    "ar": "arabic",
    "fa": "arabic",
    "ur": "arabic",
    "he": "hebrew",
    "zh": "han",
    "ja": "han",
    "ko": "hangul",
    "hi": "devanagari",
    "bn": "bengali",
}
RIGHT_TO_LEFT = frozenset({"arabic", "hebrew"})


def script_name(language: str) -> str:
    """The script ``language`` ("th", "pt_BR") is written in."""
    return LANGUAGE_SCRIPTS.get((language or "en").split("_")[0].split("-")[0].lower(), "latin")


def can_write(language: str) -> bool:
    """Whether a font for ``language``'s script ships with this install."""
    return script_name(language) in SCRIPTS


@cache
def script_for(language: str) -> Script:
    """The fonts for ``language``, registered with reportlab once per process; a script
    without fonts here (yet) is refused, never printed as empty boxes."""
    name = script_name(language)
    if name not in SCRIPTS:
        raise LookupError(f"No font for the {name} script ships with this install.")
    script = SCRIPTS[name]
    for font_name, _filename in script.files:
        pdf_text.face(font_name)
    return script


@dataclass(frozen=True)
class Envelope:
    """What shows through the window: a neutral return address, the name and the safe address."""

    return_address: str
    recipient_name: str
    recipient_address: str


@dataclass(frozen=True)
class LetterMeta:
    reference: str  #: "L-000123": on the letter, never in the window
    date_text: str  #: the letter's date, written for its language
    created: datetime  #: the PDF's creation date (a reprint keeps it)
    language: str = "en"


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int


BODY_SIZE, BODY_LEADING = 10.5, 14.5


def _block(text: str, script: Script, size=BODY_SIZE, leading=BODY_LEADING, **kwargs):
    return paragraph(text, script.key, size, leading, rtl=script.rtl, **kwargs)


def story(content: LetterContent, script: Script) -> list:
    """The letter's flowables: title, greeting, each section (heading kept with its first
    paragraph), closing."""
    urgent = content.urgent
    flow: list = [
        _block(content.title, script, 14 if urgent else 13, 18, bold=True, space_after=8,
               color=HexColor("#8b0000" if urgent else "#000000")),
        _block(content.greeting, script, space_after=5),
    ]  # fmt: skip
    for heading, lines in content.sections:
        head = [
            _block(heading, script, 11, 15, bold=True, space_before=6, space_after=3),
            _block(lines[0], script, space_after=5),
        ]
        flow.append(KeepTogether(head))
        flow.extend(_block(line, script, space_after=5) for line in lines[1:])
    flow.append(Spacer(1, 4 * mm))
    flow.extend(_block(line, script, space_after=5) for line in content.closing)
    return flow


def address_lines(name: str, address: str, script: str, size: float, width: float) -> list:
    """The name and the address, one line per line of the address (a one-line address is
    split at its commas), each wrapped to the window's width (``pdf_text.Line`` each)."""
    raw = [line.strip() for line in address.splitlines() if line.strip()]
    if len(raw) == 1:
        raw = [part.strip() for part in raw[0].split(",") if part.strip()]
    lines = []
    for line in [name.strip(), *raw]:
        lines.extend(lay_out(line, script, size, width) if line else [])
    return lines


def draw_window(c: canvas.Canvas, envelope: Envelope, script: Script) -> None:
    """The address block inside the window, in the script's font (set flush right when it reads
    right to left): the return line small, then the recipient."""
    left, top, width, height = WINDOW
    inset = 3 * mm
    inner = width - 2 * inset
    y = PAGE_HEIGHT - top - inset - 6
    ret = " · ".join(p.strip() for p in envelope.return_address.splitlines() if p.strip())
    ret_lines = lay_out(ret, script.key, 6.5, inner)
    if ret_lines:
        _window_line(c, left + inset, y, ret_lines[0], 6.5, inner)
    size = 10.0
    lines = address_lines(
        envelope.recipient_name, envelope.recipient_address, script.key, size, inner
    )
    while len(lines) * size * 1.2 * script.leading > height - 14 * mm and size > 7:
        size -= 0.5
        lines = address_lines(
            envelope.recipient_name, envelope.recipient_address, script.key, size, inner
        )
    y -= 6 * mm
    for line in lines:
        _window_line(c, left + inset, y, line, size, inner)
        y -= size * 1.2 * script.leading


def _window_line(c: canvas.Canvas, x: float, y: float, line, size: float, width: float) -> None:
    shift = width - line.width * size / 1000 if line.rtl else 0
    draw_line(c, x + shift, y, line, size)


class LetterCanvas(NumberedCanvas):
    """Each page says "page X of Y"; the PDF's dates are the letter's own."""

    def __init__(self, *args, created: datetime, footer, **kwargs):
        super().__init__(*args, footer=footer, **kwargs)
        stamp = created.astimezone(UTC).strftime("D:%Y%m%d%H%M%S+00'00'")
        self.setDateFormatter(lambda *_: stamp)


def _page_templates(envelope: Envelope, meta: LetterMeta, script: Script) -> list[PageTemplate]:
    width = PAGE_WIDTH - 2 * MARGIN
    first = Frame(MARGIN, MARGIN, width, PAGE_HEIGHT - FIRST_BODY_TOP - MARGIN, id="first")
    later = Frame(MARGIN, MARGIN, width, PAGE_HEIGHT - 2 * MARGIN, id="later")
    labels = (gettext("Reference: %(ref)s", ref=meta.reference), meta.date_text)

    def first_page(c, _doc):
        draw_window(c, envelope, script)
        x, y = 125 * mm, PAGE_HEIGHT - 52 * mm
        for label in labels:
            if script.rtl:
                draw_text(c, PAGE_WIDTH - MARGIN, y, label, script.key, 9, align="right")
            else:
                draw_text(c, x, y, label, script.key, 9)
            y -= 12 * script.leading

    return [
        PageTemplate("first", [first], onPage=first_page, autoNextPageTemplate="later"),
        PageTemplate("later", [later]),
    ]


def render_letter(content: LetterContent, envelope: Envelope, meta: LetterMeta) -> Rendered:
    """The letter's PDF and its page count. Call inside ``in_language(meta.language)``."""
    script = script_for(meta.language)
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        invariant=1,
        title=gettext("Letter %(ref)s", ref=meta.reference),
        author="",
        subject="",
        creator="",
        producer="",
        lang=meta.language,
        initialFontName=script.regular,
    )
    doc.addPageTemplates(_page_templates(envelope, meta, script))

    def footer(c, page: int, pages: int) -> None:
        text = gettext(
            "Page %(page)d of %(pages)d  ·  %(ref)s", page=page, pages=pages, ref=meta.reference
        )
        draw_text(c, PAGE_WIDTH - MARGIN, FOOTER_Y, text, script.key, 8, align="right")

    doc.build(
        story(content, script),
        canvasmaker=partial(LetterCanvas, created=meta.created, footer=footer),
    )
    return Rendered(buffer.getvalue(), doc.page)
