"""The access-request export as a readable PDF: a title block naming the witness in their own
script, a table of contents with page numbers, what is withheld and why, then one numbered
section per kind of record; "page X of Y" on every page. Pure: it reads the export's document
(``services.export_document``), never the database.

Text goes through ``core.pdf_draw.paragraph``, so a Thai, Khmer or Arabic name or note is
shaped in its own font (embedded, subset) and reads back intact through ``pdftotext``."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from functools import partial

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.tableofcontents import TableOfContents

from witness.core.pdf_draw import NumberedCanvas, draw_text, paragraph
from witness.core.pdf_text import SCRIPTS, face, primary_script
from witness.core.time import to_local
from witness.subject_access.collect import SECTIONS

PAGE = A4
MARGIN = 15 * mm
WIDTH = PAGE[0] - 2 * MARGIN - 12  # the frame pads by 6 points each side
LABEL_WIDTH = 120
#: a value longer than this is set as its own paragraph under the record's table (a table row
#: cannot break across pages; a letter's words can run to a page)
LONG = 400
LATIN = SCRIPTS["latin"]
SIZE, LEADING = 8.5, 11
#: a stored status or kind (``pre_trial_meeting``), printed as words
_CODE = re.compile(r"[a-z]+(?:_[a-z]+)+")


def _p(text: str, size: float = SIZE, leading: float = LEADING, **kwargs):
    return paragraph(text, primary_script(text) or "latin", size, leading, **kwargs)


class _Document(SimpleDocTemplate):
    def afterFlowable(self, flowable):  # reportlab's name
        title = getattr(flowable, "_toc_title", None)
        if title is not None:
            self.notify("TOCEntry", (0, title, self.page))


def _heading(title: str):
    """A section's heading, marked for the table of contents."""
    flowable = _p(title, 13, 17, bold=True, space_before=8, space_after=4)
    flowable._toc_title = title
    return flowable


def _when(key: str, value, tz: str) -> str:
    """Instants in the court's zone (stored in UTC), dates written out; anything else as is."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and key.endswith("_dt"):
        try:
            local = to_local(datetime.fromisoformat(value), tz)
        except ValueError:
            return value
        return f"{local:%d %B %Y %H:%M} {local.tzname()}"
    if isinstance(value, str) and (
        key.endswith("_date") or key in {"date_of_birth", "consulted_on"}
    ):
        try:
            return f"{date.fromisoformat(value):%d %B %Y}"
        except ValueError:
            return value
    return _text(value, tz)


def _text(value, tz: str) -> str:
    if isinstance(value, dict):
        parts = [
            f"{_label(k)}: {_when(k, v, tz)}"
            for k, v in value.items()
            if _shown(v) and k != "id" and not k.endswith("_id")
        ]
        return "; ".join(parts)
    if isinstance(value, list):
        return "\n".join(_text(v, tz) for v in value) if value else "none"
    if isinstance(value, str) and _CODE.fullmatch(value):
        return value.replace("_", " ")  # a status or kind: pre_trial_meeting
    return str(value)


def _shown(value) -> bool:
    return value not in (None, "", [], {})


def _label(key: str) -> str:
    return (
        "Record number" if key == "id" else key.removesuffix("_dt").replace("_", " ").capitalize()
    )


def _record(row: dict, tz: str) -> list:
    """One record: its short fields in a two-column table, its long ones as paragraphs after."""
    short, long = [], []
    for key, value in row.items():
        # record numbers of other tables: the JSON has them; here the names beside them do
        if not _shown(value) or key.endswith("_id"):
            continue
        text = _when(key, value, tz)
        (long if len(text) > LONG else short).append((_label(key), text))
    table = Table(
        [[_p(label, bold=True), _p(text)] for label, text in short] or [["", ""]],
        colWidths=[LABEL_WIDTH, WIDTH - LABEL_WIDTH],
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f0f0f0")),
                ("FONT", (0, 0), (-1, -1), LATIN.regular, SIZE, LEADING),
            ]
        )
    )
    story: list = [table]
    for label, text in long:
        story += [_p(label, bold=True, space_before=3), _p(text, space_after=2)]
    story.append(Spacer(1, 3 * mm))
    return story


def _title_block(doc: dict) -> list:
    w = doc["personal_details"][0] if doc["personal_details"] else {}
    req = doc["request"]
    pairs = [
        ("Name", w.get("legal_name") or ""),
        ("Reference", w.get("reference") or ""),
        ("Office", w.get("organisation") or ""),
        ("Request received", _when("received_date", req["received_date"], doc["timezone"])),
        ("Identity checked", req["identity_check"]),
        ("Prepared by", req["prepared_by"]),
        ("Prepared at", _when("generated_dt", doc["generated_dt"], doc["timezone"])),
        ("Format", f"{doc['schema']} (the JSON file holds the same data, every field)"),
    ]
    table = Table(
        [[_p(k, 10, 13, bold=True), _p(v, 10, 13)] for k, v in pairs],
        colWidths=[LABEL_WIDTH, WIDTH - LABEL_WIDTH],
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, -1), (-1, -1), 0.5, colors.black),
                ("FONT", (0, 0), (-1, -1), LATIN.regular, 10, 13),
            ]
        )
    )
    intro = (
        "This is a copy of everything the office holds about you, as it stood when it was "
        "prepared. Times are in the court's time zone. Fields with nothing in them are left "
        "out here. What is held but not given to you is listed, with the reason, in the "
        'section "What is withheld and why"; you may ask for any of it to be reviewed.'
    )
    return [
        _p("Data held about you", 18, 22, bold=True, space_after=8),
        table,
        _p(intro, 9, 12, space_before=6),
    ]


def _toc() -> list:
    face(LATIN.regular)
    toc = TableOfContents(
        tableStyle=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("FONT", (0, 0), (-1, -1), LATIN.regular, 9, 12),  # not reportlab's Helvetica
            ]
        )
    )
    toc.levelStyles = [ParagraphStyle("toc", fontName=LATIN.regular, fontSize=9, leading=12)]
    toc.dotsMinLevel = 0
    return [_p("Contents", 13, 17, bold=True, space_before=8, space_after=4), toc]


def _withheld(doc: dict) -> list:
    story = [_heading("What is withheld and why")]
    titles = dict(SECTIONS, all="Every section")
    for entry in doc["withheld"]:
        story += _record(
            {
                "section": titles.get(entry["section"], entry["section"]),
                "what": entry["what"],
                "how_many": entry["count"],
                "why": entry["reason"],
            },
            "UTC",
        )
    return story


def _footer(reference: str):
    label = f"Data held about {reference}"

    def draw(c, page: int, pages: int) -> None:
        draw_text(c, MARGIN, MARGIN / 2, label, primary_script(label) or "latin", 8)
        draw_text(
            c, PAGE[0] - MARGIN, MARGIN / 2, f"Page {page} of {pages}", "latin", 8, align="right"
        )

    return draw


def render_pdf(doc: dict) -> bytes:
    """The export's document as a PDF, in the sections of ``collect.SECTIONS``."""
    tz = doc["timezone"]
    story = _title_block(doc) + _toc() + _withheld(doc)
    for number, (key, title) in enumerate(SECTIONS, start=1):
        rows = doc[key]
        heading = _heading(f"{number}. {title} ({len(rows)})")
        if not rows:
            story += [heading, _p("Nothing held.", space_after=4)]
            continue
        first, *rest = [_record(row, tz) for row in rows]
        story.append(KeepTogether([heading, first[0]]))
        story += first[1:]
        for record in rest:
            story += record
    out = io.BytesIO()
    reference = (doc["personal_details"][0] if doc["personal_details"] else {}).get("reference")
    document = _Document(
        out,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title="Data held about you",
        initialFontName=LATIN.regular,
    )
    maker = partial(NumberedCanvas, footer=_footer(reference or ""))
    document.multiBuild(story, canvasmaker=maker)
    return out.getvalue()
