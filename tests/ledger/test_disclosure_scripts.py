"""The disclosure report prints every name and rationale in its own script (pdftotext reads
them back), in embedded fonts only; it opens with a title block (court, case, witness, period),
closes with a certification block, and names the case on every page."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from tests import pdf_read
from witness.ledger.disclosure import DisclosureRow, ReportHeading
from witness.ledger.disclosure_pdf import FRAME_PADDING, MARGIN, PAGE, _widths, render_pdf
from witness.ledger.exports import build_pdf

from .conftest import DISCLOSURE_ROW, record

THAI_NAME = "สมชาย ใจดี"
ARABIC_RATIONALE = "حضرت إلى المحكمة للإدلاء بشهادتها في 12 مارس 2026"
VIETNAMESE_NAME = "Nguyễn Thị Hồng"
KHMER_DESCRIPTION = "ថ្លៃធ្វើដំណើរទៅតុលាការ"
THAI_COURT = "ศาลอาญากรุงเทพใต้"

ROW = DISCLOSURE_ROW
HEADING = ReportHeading(
    subject="case T00001",
    generated_by="Jo Bloggs",
    generated_at=datetime(2026, 3, 10, 9, 0, tzinfo=UTC),
    chains=[],
    court=THAI_COURT,
    case_reference="T00001",
)


def _rows(count: int = 3) -> list[DisclosureRow]:
    mixed = [
        replace(ROW, recorded_by=THAI_NAME),
        replace(ROW, entry=2, rationale=ARABIC_RATIONALE, date_provided=date(2026, 3, 5)),
        replace(ROW, entry=3, provider=VIETNAMESE_NAME, description=KHMER_DESCRIPTION,
                witness="VW-00013", date_provided=date(2026, 3, 9)),
    ]  # fmt: skip
    extra = [replace(ROW, entry=n, date_provided=date(2026, 3, 3)) for n in range(4, count + 1)]
    return mixed + extra


def _column(pdf: bytes, index: int) -> list[str]:
    """The words of one column of the entries table (pdftotext, cropped to it): poppler reads a
    wrapped cell's second line together with its neighbour's otherwise."""
    widths = _widths()
    left = MARGIN + FRAME_PADDING / 2 + sum(widths[:index])
    crop = ["-x", str(int(left)), "-y", "0", "-W", str(int(widths[index])), "-H", str(int(PAGE[1]))]
    return pdf_read.reading_words(pdf, *crop)


def test_every_name_and_rationale_comes_back_in_its_own_script():
    pdf = render_pdf(HEADING, _rows())
    squeezed = pdf_read.squeezed(pdf_read.text(pdf))
    for text in (THAI_NAME, KHMER_DESCRIPTION, THAI_COURT, VIETNAMESE_NAME):
        assert pdf_read.squeezed(text) in squeezed, text
    rationale = _column(pdf, 7)
    assert pdf_read.contains_in_order(rationale, pdf_read.words(ARABIC_RATIONALE)), rationale
    assert pdf_read.contains_in_order(_column(pdf, 8), pdf_read.words(VIETNAMESE_NAME))


def test_every_font_is_embedded_and_helvetica_is_gone():
    rows = pdf_read.fonts(render_pdf(HEADING, _rows()))
    assert all(row["emb"] == "yes" and row["sub"] == "yes" for row in rows), rows
    names = " ".join(row["name"] for row in rows)
    assert "Helvetica" not in names
    for family in ("DejaVuSans", "NotoSansThai", "NotoSansArabic", "NotoSansKhmer"):
        assert family in names


def test_the_title_block_names_the_court_the_case_the_witnesses_and_the_period():
    first = pdf_read.text(render_pdf(HEADING, _rows()), "-f", "1", "-l", "1")
    lines = [" ".join(line.split()) for line in first.splitlines() if line.strip()]
    head = " ".join(lines[:12])
    for label in ("Court", "Case reference", "Witness (reference)", "Period"):
        assert label in head
    assert "T00001" in head and "VW-00012, VW-00013" in head
    assert "02 March 2026 to 09 March 2026" in head
    assert pdf_read.squeezed(THAI_COURT) in pdf_read.squeezed(head)


def test_the_certification_block_has_lines_to_sign():
    text = " ".join(pdf_read.text(render_pdf(HEADING, _rows())).split())
    assert "Certification I certify that this report is a true and complete copy" in text
    after = text[text.index("Certification") :]
    for label in ("Prepared by", "Jo Bloggs", "Certified by (name, role)", "Signature", "Date"):
        assert label in after


def test_the_case_reference_is_on_every_page():
    pdf = render_pdf(HEADING, _rows(160))
    count = pdf_read.pages(pdf)
    assert count >= 4
    for page in range(1, count + 1):
        text = pdf_read.text(pdf, "-f", str(page), "-l", str(page))
        assert "Case T00001" in text, page
        assert f"Page {page} of {count}" in text


def test_no_entries_still_has_its_title_and_certification():
    text = pdf_read.text(render_pdf(replace(HEADING, court=""), []))
    assert "No entries." in text and "no entries" in text  # the table, and the period
    assert "Court not recorded" in " ".join(text.split())
    assert "Certification" in text


@pytest.mark.usefixtures("frozen_clock")
def test_a_case_report_takes_its_title_block_from_the_case(db, world):
    record(db, world.officer, world.assigned, world.case, rationale=ARABIC_RATIONALE,
           description=KHMER_DESCRIPTION)  # fmt: skip
    pdf, entries = build_pdf(db, world.prosecutor, world.case, datetime(2026, 3, 10, tzinfo=UTC))
    assert entries == 1
    head = " ".join(pdf_read.text(pdf, "-f", "1", "-l", "1").split())
    assert world.case.court.name in head and world.case.reference in head
    assert world.assigned.reference in head and world.assigned.legal_name not in head
    assert "09 March 2026 to 09 March 2026" in head
    rationale = _column(pdf, 7)
    assert pdf_read.contains_in_order(rationale, pdf_read.words(ARABIC_RATIONALE)), rationale


@pytest.mark.usefixtures("frozen_clock")
def test_a_witness_report_names_the_witness_and_each_case(db, world):
    record(db, world.officer, world.assigned, world.case)
    pdf, _ = build_pdf(db, world.officer, world.assigned, datetime(2026, 3, 10, tzinfo=UTC))
    head = " ".join(pdf_read.text(pdf, "-f", "1", "-l", "1").split())
    assert f"Witness (reference) {world.assigned.reference}" in head
    assert f"Case reference {world.case.reference}" in head
