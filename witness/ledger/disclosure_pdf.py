"""The disclosure report as a PDF: a title block (court, case, witness, period), the chain check,
every entry, the totals and a certification block with signature lines; the case reference and
"page X of Y" on every page.

Every name and rationale prints in its own script: a cell reportlab can set alone (Latin, with
Vietnamese) is a plain string or a reportlab paragraph in the Latin font; any other (Thai, Khmer,
Arabic, or a row mixing them) is laid out by ``core.pdf_text`` (a font per run, shaped, right to
left where it reads so). ``layout_floor`` lays out the same entries table with reportlab alone,
in the same fonts, for the benchmark."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date
from functools import cache, partial
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    KeepTogether,
    LongTable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from witness.core.pdf_draw import NumberedCanvas, TextBlock, draw_text
from witness.core.pdf_text import SCRIPTS, face, primary_script
from witness.ledger.disclosure import (
    DisclosureRow,
    DisclosureTotals,
    ReportHeading,
    chain_lines,
    money,
)
from witness.people.models import Phase

PAGE = landscape(A4)
MARGIN = 8 * mm
#: SimpleDocTemplate's frame pads its content by 6 points on each side
FRAME_PADDING = 12
CELL_PADDING = 2
CELL_SIZE, CELL_LEADING = 7, 8.5
#: points; they add up to the page width less the margins
COLUMNS = (
    ("Entry", 30),
    ("Date", 46),
    ("Witness", 56),
    ("Category", 66),
    ("Description", 106),  # leaves "Reflection" room in the Phase column (DejaVu is wide)
    ("Quantity", 46),
    ("Value", 58),
    ("Rationale (linked need)", 118),
    ("Provider", 60),
    ("Recorded by / approval", 80),
    ("Reversal", 74),
    ("Phase", 0),  # the rest
)
#: entry, quantity and value: right-aligned
NUMERIC_COLUMNS = (0, 5, 6)
LATIN = SCRIPTS["latin"]
#: witnesses named in a case report's title block before "and N more"
TITLE_WITNESSES = 12


@cache
def _styles() -> dict[str, ParagraphStyle]:
    """reportlab's own paragraph styles for the Latin cells, in the Latin font."""
    face(LATIN.regular), face(LATIN.bold)  # registered with reportlab
    cell = ParagraphStyle("cell", fontName=LATIN.regular, fontSize=CELL_SIZE, leading=CELL_LEADING)
    return {
        "cell": cell,
        "head": ParagraphStyle("head", parent=cell, fontName=LATIN.bold),
        "num": ParagraphStyle("num", parent=cell, alignment=TA_RIGHT),
    }


@cache
def _widths() -> tuple[float, ...]:
    fixed = [w for _, w in COLUMNS]
    rest = PAGE[0] - 2 * MARGIN - FRAME_PADDING - sum(fixed)
    return tuple(w or rest for w in fixed)


def _block(text: str, size: float = 9, leading: float = 12, **kwargs) -> TextBlock:
    return TextBlock(text, primary_script(text) or "latin", size, leading, **kwargs)


def _cell(text: str, width: float, numeric: bool = False, bold: bool = False):
    """A plain string when reportlab can set the text on one line, a reportlab paragraph when
    it is Latin and wraps (a paragraph costs some fifty times a string, and most cells are
    short), else the text laid out in its own script."""
    script = primary_script(text)
    if script is not None:
        return TextBlock(text, script, CELL_SIZE, CELL_LEADING, bold=bold,
                         align="right" if numeric else "start")  # fmt: skip
    s = _styles()
    font = LATIN.bold if bold else LATIN.regular
    if not bold and stringWidth(text, font, CELL_SIZE) <= width - 2 * CELL_PADDING:
        return text
    return Paragraph(escape(text), s["head"] if bold else s["num"] if numeric else s["cell"])


def _floor_cell(text: str, width: float, numeric: bool = False, bold: bool = False):
    """reportlab alone: a string, or a paragraph in the text's script's font (not shaped)."""
    script = primary_script(text)
    s = _styles()
    if script is None and stringWidth(text, LATIN.regular, CELL_SIZE) <= width - 2 * CELL_PADDING:
        return text
    style = s["head"] if bold else s["num"] if numeric else s["cell"]
    if script is not None:
        names = SCRIPTS[script]
        face(names.regular)
        style = ParagraphStyle("script", parent=style, fontName=names.regular)
    return Paragraph(escape(text), style)


def _table(data: list[list], widths: list[float], numeric=(1,), grid=True) -> LongTable:
    table = LongTable(data, colWidths=list(widths), repeatRows=1)
    table.setStyle(
        TableStyle(
            [("ALIGN", (column, 1), (column, -1), "RIGHT") for column in numeric]
            + [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONT", (0, 0), (-1, -1), LATIN.regular, CELL_SIZE, CELL_LEADING),
                ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
                ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _item_texts(row: DisclosureRow) -> tuple[str, ...]:
    rationale = row.rationale + (f" (need: {row.linked_need})" if row.linked_need else "")
    return (
        str(row.entry),
        f"{row.date_provided:%d %b %Y}",
        row.witness,
        row.category.label,
        row.description,
        f"{row.quantity:,.2f} {row.unit}",
        money(row.value, row.currency),
        rationale,
        row.provider,
        f"{row.recorded_by}; {row.approval}",
        row.reversal,
        row.phase.label,
    )


def _items_table(rows: Iterable[DisclosureRow], on_row=None, cell=_cell) -> LongTable:
    widths = _widths()
    data = [[cell(name, width, bold=True) for (name, _), width in zip(COLUMNS, widths,
                                                                        strict=True)]]  # fmt: skip
    for row in rows:
        if on_row is not None:
            on_row(row)
        data.append(
            [
                cell(text, width, column in NUMERIC_COLUMNS)
                for column, (text, width) in enumerate(zip(_item_texts(row), widths, strict=True))
            ]
        )
    if len(data) == 1:
        data.append([cell("No entries.", sum(widths))] + [""] * (len(COLUMNS) - 1))
        table = _table(data, widths, NUMERIC_COLUMNS)
        table.setStyle(TableStyle([("SPAN", (0, 1), (-1, 1))]))
        return table
    return _table(data, widths, NUMERIC_COLUMNS)


def _totals_table(title: str, pairs: list[tuple[str, str]], empty: str = "Nothing counted."):
    data = [[_cell(title, 220, bold=True), _cell("Total", 120, bold=True)]]
    data += [[_cell(label, 220), _cell(amount, 120, numeric=True)] for label, amount in pairs]
    if len(data) == 1:
        data.append([_cell(empty, 220), ""])
    return _table(data, [220, 120])


#: pending entries listed per row of the totals: a row must fit on a page, and the table
#: splits between rows (a case can have a thousand entries awaiting approval)
PENDING_PER_ROW = 10


def _pending_rows(entries: list[int]) -> list[tuple[str, str]]:
    """The entries awaiting approval, ten to a row: "Entries (n)" then the rest unlabelled."""
    rows = []
    for start in range(0, len(entries), PENDING_PER_ROW):
        label = f"Entries ({len(entries)})" if start == 0 else ""
        rows.append((label, ", ".join(map(str, entries[start : start + PENDING_PER_ROW]))))
    return rows


def _period(first: date | None, last: date | None) -> str:
    if first is None or last is None:
        return "no entries"
    return f"{first:%d %B %Y} to {last:%d %B %Y}"


def _title_block(heading: ReportHeading, sums: DisclosureTotals) -> list:
    witnesses = heading.witness or ", ".join(sorted(sums.witnesses)[:TITLE_WITNESSES]) or "none"
    if not heading.witness and len(sums.witnesses) > TITLE_WITNESSES:
        witnesses += f" and {len(sums.witnesses) - TITLE_WITNESSES} more"
    at = heading.generated_at
    pairs = [
        ("Court", heading.court or "not recorded"),
        ("Case reference", heading.case_reference or "not recorded"),
        ("Witness (reference)", witnesses),
        ("Period", _period(sums.first, sums.last)),
    ]
    data = [[_block(label, bold=True), _block(value)] for label, value in pairs]
    table = Table(data, colWidths=[110, PAGE[0] - 2 * MARGIN - FRAME_PADDING - 110])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("FONT", (0, 0), (-1, -1), LATIN.regular, 9),
                               ("LINEBELOW", (0, -1), (-1, -1), 0.5, colors.black)]))  # fmt: skip
    generated = f"Generated by {heading.generated_by} at {at:%d %B %Y %H:%M} ({at.tzinfo})."
    return [
        _block(heading.title, 16, 20, bold=True, space_after=6),
        table,
        _block(generated, space_before=4, space_after=4),
    ]


def _certification(heading: ReportHeading) -> KeepTogether:
    """The statement and the lines a preparer and a certifier sign and date by hand."""
    statement = (
        f"I certify that this report is a true and complete copy of the support ledger entries "
        f"of {heading.subject} that its author may see, as recorded when it was generated, and "
        "that the chain check above was run at that time."
    )
    line = ""
    rows = [
        ["Prepared by", _block(heading.generated_by), "Signature", line, "Date", line],
        ["Certified by (name, role)", line, "Signature", line, "Date", line],
    ]
    table = Table(rows, colWidths=[100, 180, 55, 200, 35, 120], rowHeights=[30, 30])
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), LATIN.regular, 9),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LINEBELOW", (1, 1), (1, 1), 0.5, colors.black),
                ("LINEBELOW", (3, 0), (3, -1), 0.5, colors.black),
                ("LINEBELOW", (5, 0), (5, -1), 0.5, colors.black),
            ]
        )
    )
    return KeepTogether(
        [Spacer(1, 6 * mm), _block("Certification", 12, 16, bold=True, space_after=3),
         _block(statement, space_after=4), table]
    )  # fmt: skip


def _footer(heading: ReportHeading):
    cases = heading.case_reference or heading.subject
    label = f"Case {cases} · {heading.title}"

    def draw(c: canvas.Canvas, page: int, pages: int) -> None:
        draw_text(c, MARGIN, MARGIN / 2, label, primary_script(label) or "latin", 8)
        draw_text(c, PAGE[0] - MARGIN, MARGIN / 2, f"Page {page} of {pages}", "latin", 8,
                  align="right")  # fmt: skip

    return draw


def _totals(sums: DisclosureTotals) -> list:
    by_category = [
        (category.label, money(value, currency))
        for (category, currency), value in sorted(
            sums.by_category.items(), key=lambda kv: (kv[0][0].label, kv[0][1])
        )
    ]
    by_phase = [
        (phase.label, money(value, currency))
        for (phase, currency), value in sorted(
            sums.by_phase.items(), key=lambda kv: (list(Phase).index(kv[0][0]), kv[0][1])
        )
    ]
    return [
        _block("Totals", 12, 16, bold=True, space_before=6, space_after=3),
        _totals_table(
            "Category",
            by_category
            + [(f"All categories ({c})", money(v, c)) for c, v in sorted(sums.total.items())],
        ),
        Spacer(1, 3 * mm),
        _totals_table(
            "Phase",
            by_phase,
        ),
        Spacer(1, 3 * mm),
        _totals_table(
            "Pending approval (not counted)",
            [(f"Pending ({c})", money(v, c)) for c, v in sorted(sums.pending.items())]
            + _pending_rows(sums.pending_entries),
            empty="Nothing pending.",
        ),
    ]


def _document(out: io.BytesIO, title: str) -> SimpleDocTemplate:
    return SimpleDocTemplate(
        out,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        initialFontName=LATIN.regular,
    )


def render_pdf(heading: ReportHeading, rows: Iterable[DisclosureRow]) -> bytes:
    """The disclosure PDF: title block, chain check, every entry, totals, certification."""
    sums = DisclosureTotals()
    items = _items_table(rows, on_row=sums.add)
    story = _title_block(heading, sums)
    for report in heading.chains:
        story += [_block(line, space_after=2) for line in chain_lines(report)]
    if not heading.chains:
        story.append(_block("Chain check: no entries to check."))
    if heading.note:
        story.append(_block(heading.note))
    story += [
        _block(
            "Values count once approved or when they need no approval; a reversal nets out "
            "the entry it reverses.",
            space_before=2,
        ),
        Spacer(1, 4 * mm),
        _block(f"Entries ({sums.entries})", 12, 16, bold=True, space_after=3),
        items,
        Spacer(1, 4 * mm),
        *_totals(sums),
        _certification(heading),
    ]
    out = io.BytesIO()
    maker = partial(NumberedCanvas, footer=_footer(heading))
    _document(out, heading.title).build(story, canvasmaker=maker)
    return out.getvalue()


def layout_floor(rows: Iterable[DisclosureRow]) -> bytes:
    """The same entries table alone, laid out by reportlab alone in the same fonts: the
    benchmark's floor."""
    out = io.BytesIO()
    _document(out, "floor").build([_items_table(rows, cell=_floor_cell)])
    return out.getvalue()
