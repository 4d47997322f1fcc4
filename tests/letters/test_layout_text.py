"""The PDF text engine's parts: bidi against python-bidi, lines against their shaped width,
glyphs HarfBuzz forms (Khmer subscripts, Arabic joining), and the fonts' licences."""

from __future__ import annotations

import pytest
from bidi import get_display

from witness.core import bidi, pdf_text

MIXED = [
    "رقم الرسالة L-000123 بتاريخ 12 مارس 2027 للسيد Somchai.",
    "Hello مرحبا بك world 123.",
    "المبلغ 1,500.00 GBP (جنيه)",
    "Name: سارة أحمد, 45 years",
    "١٢ مارس ٢٠٢٧ - حسنا",
    "السيد John Smith، المتهم.",
    "مرحبا (John) شكرا!",
    "Witness W-0042: تم الدفع 25% من المبلغ",
    "plain Latin, no right-to-left at all",
]


@pytest.mark.parametrize("line", MIXED)
def test_bidi_orders_a_line_as_python_bidi_does(line):
    assert bidi.display(line) == get_display(line)


def test_a_right_to_left_letter_with_no_strong_letter_reads_right_to_left():
    assert bidi.base_level("12 / 2027", rtl_default=True) == 1
    assert bidi.base_level("12 / 2027") == 0


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("ศาลได้กำหนดวันพิจารณาคดีใหม่แล้ว กรุณาติดต่อเจ้าหน้าที่ของเราหากท่านมีคำถาม" * 4, "thai"),
        ("តុលាការបានកំណត់កាលបរិច្ឆេទសវនាការថ្មី សូមទាក់ទងមន្ត្រីរបស់យើង" * 4, "khmer"),
        ("حددت المحكمة موعدا جديدا للجلسة L-000123 " * 6, "arabic"),
    ],
)
def test_no_line_is_wider_than_the_frame_and_no_text_is_lost(text, script):
    lines = pdf_text.lay_out(text, script, 10.5, 200)
    assert len(lines) > 3
    assert all(line.width * 10.5 / 1000 <= 200 for line in lines)
    assert "".join(line.text for line in lines).replace(" ", "") == text.replace(" ", "")


def test_khmer_subscripts_and_arabic_joining_are_formed_by_harfbuzz():
    khmer = pdf_text.face("WitnessKhmer")
    shaped = khmer.shape("ស្ត្រី", rtl=False)  # sa, coeng ta, coeng ro, ii: subscript forms
    plain = [khmer.ttf.face.charToGlyph[ord(ch)] for ch in "ស្ត្រី"]
    assert [khmer.ttf.face.charToGlyph[ord(ch)] for ch in shaped.chars] != plain
    assert not shaped.plain
    arabic = pdf_text.face("WitnessArabic")
    joined = arabic.shape("محكمة", rtl=True).chars
    isolated = "".join(arabic.shape(ch, rtl=True).chars for ch in "محكمة")
    assert joined != isolated[::-1]  # joined forms, not the isolated letters


def test_a_word_too_long_for_the_line_is_cut_between_grapheme_clusters():
    word = "ស្ត្រី" * 30  # one Khmer "word" with no break in it
    lines = pdf_text.lay_out(word, "khmer", 10.5, 100)
    assert len(lines) > 1 and "".join(line.text for line in lines) == word
    assert all(line.text.startswith("ស") for line in lines)  # a cluster's base, never a mark


def test_every_shipped_font_has_its_licence():
    for script in pdf_text.SCRIPTS.values():
        for _name, filename in script.files:
            assert (pdf_text.FONT_DIR / filename).is_file()
            family = filename.removesuffix(".ttf").split("-")[0]
            licence = "LICENSE-DejaVu.txt" if family == "DejaVuSans" else f"LICENSE-{family}.txt"
            assert "License" in (pdf_text.FONT_DIR / licence).read_text()
