"""A letter as a PDF (reportlab platypus): A4, folded in three into a DL window envelope.

Pure: no database, no request; the same inputs give the same bytes (reportlab's invariant mode,
the creation date fixed to the letter's own), so a reprint is the letter that was made.

What shows through the envelope's window is the address block alone: a one-line neutral return
address and the recipient's name and safe address. The window is the standard DL position for a
letter folded in three (DIN 5008 form B: 20 mm from the left, 45 mm from the top, 85 x 45 mm).
The reference, the date and every word about the matter sit outside it.

Fonts ship with the install (``fonts/``, with their licence) and are embedded (subset) in every
PDF. Each language is written in a script; each script has its fonts (``SCRIPTS``) and a
direction: adding Thai, Khmer or Arabic is adding the font files and a row, not new layout."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, partial
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import BaseDocTemplate, Frame, KeepTogether, PageTemplate, Paragraph, Spacer

from witness.core.i18n import gettext
from witness.letters.content import LetterContent

FONT_DIR = Path(__file__).parent / "fonts"
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 20 * mm
#: the envelope window (DIN 5008 form B, the standard DL window): left, top, width, height
WINDOW = (20 * mm, 45 * mm, 85 * mm, 45 * mm)
#: the first page's text starts below the window and the first fold (99 mm)
FIRST_BODY_TOP = 100 * mm
FOOTER_Y = 10 * mm


@dataclass(frozen=True)
class Script:
    """The fonts one script is written in (registered under these names), and its direction."""

    regular: str
    bold: str
    files: tuple[tuple[str, str], ...]
    rtl: bool = False


#: fonts per script. DejaVu Sans covers Latin (with Vietnamese), Greek and Cyrillic.
SCRIPTS = {
    "latin": Script(
        "WitnessSans",
        "WitnessSans-Bold",
        (("WitnessSans", "DejaVuSans.ttf"), ("WitnessSans-Bold", "DejaVuSans-Bold.ttf")),
    ),
}
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
    for font_name, filename in script.files:
        if font_name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(font_name, str(FONT_DIR / filename)))
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


def _styles(script: Script, urgent: bool) -> dict[str, ParagraphStyle]:
    align = TA_RIGHT if script.rtl else TA_LEFT
    body = ParagraphStyle(
        "body",
        fontName=script.regular,
        fontSize=10.5,
        leading=14.5,
        alignment=align,
        spaceAfter=5,
    )
    return {
        "body": body,
        "title": ParagraphStyle(
            "title", parent=body, fontName=script.bold, fontSize=14 if urgent else 13,
            leading=18, spaceAfter=8, textColor=HexColor("#8b0000" if urgent else "#000000"),
        ),
        "heading": ParagraphStyle(
            "heading", parent=body, fontName=script.bold, fontSize=11, leading=15,
            spaceBefore=6, spaceAfter=3,
        ),
    }  # fmt: skip


def _paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def story(content: LetterContent, script: Script) -> list:
    """The letter's flowables: title, greeting, each section (heading kept with its first
    paragraph), closing."""
    styles = _styles(script, content.urgent)
    flow: list = [_paragraph(content.title, styles["title"])]
    flow.append(_paragraph(content.greeting, styles["body"]))
    for heading, lines in content.sections:
        head = [_paragraph(heading, styles["heading"]), _paragraph(lines[0], styles["body"])]
        flow.append(KeepTogether(head))
        flow.extend(_paragraph(line, styles["body"]) for line in lines[1:])
    flow.append(Spacer(1, 4 * mm))
    flow.extend(_paragraph(line, styles["body"]) for line in content.closing)
    return flow


def address_lines(name: str, address: str, font: str, size: float, width: float) -> list[str]:
    """The name and the address, one line per line of the address (a one-line address is
    split at its commas), each wrapped to the window's width."""
    raw = [line.strip() for line in address.splitlines() if line.strip()]
    if len(raw) == 1:
        raw = [part.strip() for part in raw[0].split(",") if part.strip()]
    lines = []
    for line in [name.strip(), *raw]:
        lines.extend(simpleSplit(line, font, size, width) if line else [])
    return lines


def draw_window(c: canvas.Canvas, envelope: Envelope, script: Script) -> None:
    """The address block inside the window: the return line small, then the recipient."""
    left, top, width, height = WINDOW
    inset = 3 * mm
    y = PAGE_HEIGHT - top - inset - 6
    c.setFont(script.regular, 6.5)
    ret = " · ".join(p.strip() for p in envelope.return_address.splitlines() if p.strip())
    c.drawString(left + inset, y, simpleSplit(ret, script.regular, 6.5, width - 2 * inset)[0])
    size = 10.0
    lines = address_lines(
        envelope.recipient_name, envelope.recipient_address, script.regular, size, width - 2 * inset
    )
    while len(lines) * size * 1.2 > height - 14 * mm and size > 7:
        size -= 0.5
        lines = address_lines(
            envelope.recipient_name,
            envelope.recipient_address,
            script.regular,
            size,
            width - 2 * inset,
        )
    y -= 6 * mm
    c.setFont(script.regular, size)
    for line in lines:
        c.drawString(left + inset, y, line)
        y -= size * 1.2


class LetterCanvas(canvas.Canvas):
    """Two passes, so each page says "page X of Y"; the PDF's dates are the letter's own."""

    def __init__(self, *args, created: datetime, footer, **kwargs):
        super().__init__(*args, **kwargs)
        stamp = created.astimezone(UTC).strftime("D:%Y%m%d%H%M%S+00'00'")
        self.setDateFormatter(lambda *_: stamp)
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


def _page_templates(envelope: Envelope, meta: LetterMeta, script: Script) -> list[PageTemplate]:
    width = PAGE_WIDTH - 2 * MARGIN
    first = Frame(MARGIN, MARGIN, width, PAGE_HEIGHT - FIRST_BODY_TOP - MARGIN, id="first")
    later = Frame(MARGIN, MARGIN, width, PAGE_HEIGHT - 2 * MARGIN, id="later")
    labels = (gettext("Reference: %(ref)s", ref=meta.reference), meta.date_text)

    def first_page(c, _doc):
        draw_window(c, envelope, script)
        c.setFont(script.regular, 9)
        x, y = 125 * mm, PAGE_HEIGHT - 52 * mm
        for label in labels:
            c.drawString(x, y, label)
            y -= 12

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
        c.setFont(script.regular, 8)
        text = gettext(
            "Page %(page)d of %(pages)d  ·  %(ref)s", page=page, pages=pages, ref=meta.reference
        )
        c.drawRightString(PAGE_WIDTH - MARGIN, FOOTER_Y, text)

    doc.build(
        story(content, script),
        canvasmaker=partial(LetterCanvas, created=meta.created, footer=footer),
    )
    return Rendered(buffer.getvalue(), doc.page)
