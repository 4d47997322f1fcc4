"""The benchmark's floor: a letter laid out by reportlab alone, in the same fonts and the same
places as ``layout.render_letter``, but with reportlab's own paragraphs (lines broken at spaces,
nothing shaped, nothing reordered). Thai, Khmer and Arabic come out wrong this way (unjoined,
unwrapped, left to right); what it measures is what reportlab costs on the same words."""

from __future__ import annotations

import io
from functools import partial
from xml.sax.saxutils import escape

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.platypus import BaseDocTemplate, Frame, KeepTogether, PageTemplate, Paragraph, Spacer

from witness.letters.content import LetterContent
from witness.letters.layout import (
    FIRST_BODY_TOP,
    FOOTER_Y,
    MARGIN,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    WINDOW,
    Envelope,
    LetterCanvas,
    LetterMeta,
    Script,
    script_for,
)


def _styles(script: Script, urgent: bool) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=script.regular, fontSize=10.5, leading=14.5,
                          spaceAfter=5)  # fmt: skip
    return {
        "body": body,
        "title": ParagraphStyle(
            "title", parent=body, fontName=script.bold, fontSize=14 if urgent else 13,
            leading=18, spaceAfter=8, textColor=HexColor("#8b0000" if urgent else "#000000"),
        ),
        "heading": ParagraphStyle("heading", parent=body, fontName=script.bold, fontSize=11,
                                  leading=15, spaceBefore=6, spaceAfter=3),
    }  # fmt: skip


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _story(content: LetterContent, script: Script) -> list:
    s = _styles(script, content.urgent)
    flow: list = [_p(content.title, s["title"]), _p(content.greeting, s["body"])]
    for heading, lines in content.sections:
        flow.append(KeepTogether([_p(heading, s["heading"]), _p(lines[0], s["body"])]))
        flow.extend(_p(line, s["body"]) for line in lines[1:])
    flow.append(Spacer(1, 4 * mm))
    flow.extend(_p(line, s["body"]) for line in content.closing)
    return flow


def _window(c, envelope: Envelope, script: Script) -> None:
    left, top, width, _height = WINDOW
    inset = 3 * mm
    y = PAGE_HEIGHT - top - inset - 6
    c.setFont(script.regular, 6.5)
    ret = " · ".join(p.strip() for p in envelope.return_address.splitlines() if p.strip())
    c.drawString(left + inset, y, simpleSplit(ret, script.regular, 6.5, width - 2 * inset)[0])
    y -= 6 * mm
    c.setFont(script.regular, 10)
    for raw in [envelope.recipient_name, *envelope.recipient_address.splitlines()]:
        for line in simpleSplit(raw.strip(), script.regular, 10, width - 2 * inset):
            c.drawString(left + inset, y, line)
            y -= 12


def plain_letter(content: LetterContent, envelope: Envelope, meta: LetterMeta) -> bytes:
    """The letter by reportlab alone (see above)."""
    script = script_for(meta.language)
    buffer = io.BytesIO()
    doc = BaseDocTemplate(buffer, pagesize=A4, invariant=1, initialFontName=script.regular)
    width = PAGE_WIDTH - 2 * MARGIN
    first = Frame(MARGIN, MARGIN, width, PAGE_HEIGHT - FIRST_BODY_TOP - MARGIN, id="first")
    later = Frame(MARGIN, MARGIN, width, PAGE_HEIGHT - 2 * MARGIN, id="later")

    def first_page(c, _doc):
        _window(c, envelope, script)
        c.setFont(script.regular, 9)
        c.drawString(125 * mm, PAGE_HEIGHT - 52 * mm, f"Reference: {meta.reference}")
        c.drawString(125 * mm, PAGE_HEIGHT - 52 * mm - 12, meta.date_text)

    def footer(c, page: int, pages: int) -> None:
        c.setFont(script.regular, 8)
        text = f"Page {page} of {pages}  ·  {meta.reference}"
        c.drawRightString(PAGE_WIDTH - MARGIN, FOOTER_Y, text)

    doc.addPageTemplates(
        [
            PageTemplate("first", [first], onPage=first_page, autoNextPageTemplate="later"),
            PageTemplate("later", [later]),
        ]
    )
    doc.build(
        _story(content, script),
        canvasmaker=partial(LetterCanvas, created=meta.created, footer=footer),
    )
    return buffer.getvalue()
