"""The print file joined object by object: every letter's pages in order, each letter on a new
sheet, its fonts still embedded, readable by poppler and by a strict pypdf; a PDF of another
shape is still joined (rewritten first)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader, PdfWriter

from tests import pdf_read
from witness.letters.concat import BatchPdf, NotPlain, parse
from witness.letters.layout import PAGE_HEIGHT, PAGE_WIDTH

from .test_layout_scripts import letter


def _join(*pdfs: bytes) -> tuple[bytes, list[int]]:
    batch = BatchPdf((PAGE_WIDTH, PAGE_HEIGHT))
    added = [batch.add(pdf) for pdf in pdfs]
    return batch.getvalue(), added


def test_letters_follow_one_another_each_on_a_new_sheet(app):
    one, two = letter("th"), letter("ar", repeat=12)  # one page, then two
    assert pdf_read.pages(one) == 1 and pdf_read.pages(two) == 2
    joined, added = _join(one, two, letter("km"))
    assert added == [2, 2, 2]
    assert pdf_read.pages(joined) == 6
    page = [pdf_read.text(joined, "-f", str(n), "-l", str(n)) for n in range(1, 7)]
    assert "การพิจารณาคดี" in pdf_read.squeezed(page[0])
    assert page[1].strip() == "" and page[5].strip() == ""  # the blank backs
    assert "Page 1 of 2" in page[2] and "Page 2 of 2" in page[3]
    assert "សវនាការ" in pdf_read.squeezed(page[4])
    reader = PdfReader(io.BytesIO(joined), strict=True)
    assert len(reader.pages) == 6
    root = reader.trailer["/Root"]["/Pages"].get_object()
    for page in reader.pages:  # each page's parents lead to the one root (a valid page tree)
        node = page
        while "/Parent" in node:
            node = node["/Parent"].get_object()
        assert node == root and node["/Count"] == 6
    fonts = pdf_read.fonts(joined)
    assert all(row["emb"] == "yes" for row in fonts)
    assert {"NotoSansThai-Regular", "NotoSansArabic-Regular", "NotoSansKhmer-Regular"} <= {
        row["name"].split("+")[1] for row in fonts
    }


def test_an_even_letter_gets_no_blank_page(app):
    joined, added = _join(letter("vi", repeat=14))
    assert added == [2] and pdf_read.pages(joined) == 2


def _pypdf_copy(pdf: bytes) -> bytes:
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(pdf)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_pdf_of_another_shape_is_rewritten_and_still_joined(app):
    good = letter("th")
    first = good.index(b"\n") + 1  # after "%PDF-1.4": every offset in the table now misses
    broken = good[:first] + b"%moved\n" + good[first:]
    with pytest.raises(NotPlain):
        parse(broken)
    joined, added = _join(_pypdf_copy(letter("km")), broken)
    assert added == [2, 2] and pdf_read.pages(joined) == 4
    assert "សវនាការ" in pdf_read.squeezed(pdf_read.text(joined, "-f", "1", "-l", "1"))
    assert "การพิจารณาคดี" in pdf_read.squeezed(pdf_read.text(joined, "-f", "3", "-l", "3"))
