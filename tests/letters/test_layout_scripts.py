"""A letter in Thai, Khmer, Arabic, Burmese, Lao and Vietnamese reads back: every word, in order
(pdftotext), in fonts that are embedded and subset (pdffonts); Thai, Khmer, Burmese and Lao wrap
inside the frame at word boundaries; Arabic reads right to left with its reference, date and a
Latin name in place."""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest
from reportlab.lib.units import mm

from tests import pdf_read
from witness.core.i18n import in_language
from witness.letters.content import LetterContent
from witness.letters.layout import (
    FIRST_BODY_TOP,
    MARGIN,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    WINDOW,
    Envelope,
    LetterMeta,
    can_write,
    render_letter,
    script_for,
)

CREATED = datetime(2027, 3, 12, 9, 0, tzinfo=UTC)
#: the body's right edge: the margin, less reportlab's frame padding (6 pt)
RIGHT_EDGE = PAGE_WIDTH - MARGIN - 6

#: one letter per script: (title, greeting, heading, paragraph, closing), real sentences
LETTERS = {
    "th": (
        "การพิจารณาคดีถูกเลื่อนออกไป",
        "เรียน คุณสมชาย",
        "สิ่งที่เกิดขึ้น",
        "ศาลได้กำหนดวันพิจารณาคดีใหม่เป็นวันที่ 12 มีนาคม 2570 "
        "เจ้าหน้าที่ของเราจะโทรหาท่านก่อนวันนัดเพื่ออธิบายสิ่งที่จะเกิดขึ้น",
        "ขอแสดงความนับถือ",
    ),
    "km": (
        "សវនាការត្រូវបានពន្យារពេល",
        "ជូនចំពោះ លោក សុខា",
        "អ្វីដែលបានកើតឡើង",
        "តុលាការបានកំណត់កាលបរិច្ឆេទសវនាការថ្មី។ មន្ត្រីរបស់យើងនឹងទូរស័ព្ទទៅអ្នកមុនថ្ងៃនោះដើម្បីពន្យល់អំពីអ្វីដែលនឹងកើតឡើង។",
        "ដោយក្តីគោរព",
    ),
    "ar": (
        "تأجيل الجلسة",
        "عزيزتي سارة",
        "ما الذي حدث",
        "حددت المحكمة موعدا جديدا للجلسة في 12 مارس 2027 ورقم هذه الرسالة L-000123 "
        "وسيتصل بك الضابط Somchai قبل ذلك اليوم",
        "مع أطيب التحيات",
    ),
    "my": (
        "ရုံးချိန်းရက် ပြောင်းလဲသွားပါပြီ",
        "ဒေါ်မာလာ ထံသို့",
        "ဖြစ်ပျက်ခဲ့သည့်အရာ",
        "တရားရုံးက ရုံးချိန်းရက်အသစ်ကို ၂၀၂၇ ခုနှစ် မေလ ၁၀ ရက်နေ့ဟု သတ်မှတ်ပြီးပါပြီ။ "
        "သင့်ကို ကူညီမည့် ဝန်ထမ်းက ထိုနေ့မတိုင်မီ ဖုန်းဆက်ပါလိမ့်မည်။",
        "လေးစားစွာဖြင့်",
    ),
    "lo": (
        "ວັນນັດພິຈາລະນາຄະດີໄດ້ປ່ຽນແປງ",
        "ຮຽນ ທ່ານນາງ ມາລີ",
        "ສິ່ງທີ່ເກີດຂຶ້ນ",
        "ສານໄດ້ກຳນົດວັນພິຈາລະນາຄະດີໃໝ່ແລ້ວ ເຈົ້າໜ້າທີ່ຂອງພວກເຮົາຈະໂທຫາທ່ານກ່ອນວັນນັດເພື່ອອະທິບາຍສິ່ງທີ່ຈະເກີດຂຶ້ນ",
        "ດ້ວຍຄວາມເຄົາລົບ",
    ),
    "vi": (
        "Phiên tòa đã được hoãn lại",
        "Kính gửi chị Mai",
        "Điều gì đã xảy ra",
        "Tòa án đã ấn định ngày xét xử mới là ngày 12 tháng 3 năm 2027. Cán bộ của chúng tôi "
        "sẽ gọi điện cho chị trước ngày đó để giải thích những gì sẽ xảy ra.",
        "Trân trọng",
    ),
}
FONT_FAMILY = {
    "th": "NotoSansThai",
    "km": "NotoSansKhmer",
    "ar": "NotoSansArabic",
    "my": "NotoSansMyanmar",
    "lo": "NotoSansLao",
    "vi": "DejaVuSans",
}
ADDRESSES = {
    "th": ("สมชาย ใจดี", "บ้านเลขที่ 9 ถนนเงียบ\nกรุงเทพมหานคร 10200"),
    "km": ("សុខា ចាន់", "ផ្ទះលេខ ៩ ផ្លូវស្ងាត់\nភ្នំពេញ"),
    "ar": ("سارة أحمد", "ص.ب. 4021\nعمّان 11118"),  # noqa: RUF001
    "my": ("ဒေါ်မာလာ", "အမှတ် ၉ ငြိမ်းချမ်းလမ်း\nရန်ကုန်"),
    "lo": ("ນາງ ມາລີ", "ເຮືອນເລກທີ 9 ຖະໜົນສະຫງົບ\nວຽງຈັນ"),
    "vi": ("Trần Thị Mai", "9 Đường Yên Tĩnh\nQuận 1, Thành phố Hồ Chí Minh"),
}


ENGLISH = ("The hearing date has changed", "Dear Ms Smith", "What happened", "", "Yours sincerely")


def letter(language: str, paragraph: str | None = None, repeat: int = 1) -> bytes:
    title, greeting, heading, body, closing = LETTERS.get(language, ENGLISH)
    content = LetterContent(
        title=title,
        greeting=greeting,
        sections=[(heading, [paragraph or body] * repeat)],
        closing=[closing],
    )
    name, address = ADDRESSES.get(language, ("Jane Smith", "9 Quiet Road\nLeeds LS1 1AA"))
    envelope = Envelope("PO Box 4021, London N1 9XX", name, address)
    meta = LetterMeta("L-000123", "12/03/2027", CREATED, language)
    with in_language(language):
        return render_letter(content, envelope, meta).pdf


@pytest.mark.parametrize("language", sorted(LETTERS))
def test_every_script_ships_and_is_written(language):
    assert can_write(language)
    assert script_for(language).rtl is (language == "ar")


def test_a_script_without_fonts_is_still_refused():
    assert not can_write("zh") and not can_write("hi")
    with pytest.raises(LookupError, match="han"):
        script_for("zh")


@pytest.mark.parametrize("language", sorted(LETTERS))
def test_every_word_comes_back_in_order(app, language):
    pdf = letter(language)
    read = pdf_read.text(pdf)
    if language in ("th", "km", "my", "lo"):  # no spaces between words: squeezed, in order
        squeezed = pdf_read.squeezed(read)
        for part in LETTERS[language]:
            assert pdf_read.squeezed(part) in squeezed, part
    else:
        found = pdf_read.reading_words(pdf)
        for part in LETTERS[language]:
            assert pdf_read.contains_in_order(found, pdf_read.words(part)), (part, found)


@pytest.mark.parametrize("language", sorted(LETTERS))
def test_every_font_is_embedded_and_subset(app, language):
    rows = pdf_read.fonts(letter(language))
    assert rows
    assert all(row["emb"] == "yes" and row["sub"] == "yes" and row["uni"] == "yes"
               for row in rows), rows  # fmt: skip
    assert all("+" in row["name"] for row in rows)  # the subset tag, "AAAAAA+"
    assert any(FONT_FAMILY[language] in row["name"] for row in rows)
    assert not any("Helvetica" in row["name"] for row in rows)


@pytest.mark.parametrize("language", ["th", "km", "ar", "my", "lo"])
def test_the_bold_title_prints_in_the_bold_font(app, language):
    names = {row["name"].split("+")[1] for row in pdf_read.fonts(letter(language))}
    family = FONT_FAMILY[language]
    assert {f"{family}-Regular", f"{family}-Bold"} <= names, names


def test_arabic_reads_right_to_left_with_its_number_date_and_latin_name_in_place(app):
    pdf = letter("ar")
    body = LETTERS["ar"][3]
    found = pdf_read.reading_words(pdf)
    assert pdf_read.contains_in_order(found, pdf_read.words(body))
    assert pdf_read.contains_in_order(found, ["12", "مارس", "2027"])
    assert pdf_read.contains_in_order(found, ["الرسالة", "L-000123", "وسيتصل"])
    # set flush right: a line's first word stands at the right margin (the window's right edge
    # for the name). pdftotext -bbox gives each run's letters in display order, so reversed.
    starts = {"تأجيل": RIGHT_EDGE, "حددت": RIGHT_EDGE,
              "سارة": WINDOW[0] + WINDOW[2] - 3 * mm}  # fmt: skip
    boxes = pdf_read.word_boxes(pdf)
    for word, edge in starts.items():
        found = [b for b in boxes if b[2].strip()[::-1].startswith(word)]
        assert found and all(abs(b[1] - edge) < 1 for b in found), (word, found)


@pytest.mark.parametrize("language", ["th", "km", "ar", "my", "lo"])
def test_a_long_paragraph_wraps_inside_the_frame(app, language):
    pdf = letter(language, repeat=1, paragraph=" ".join([LETTERS[language][3]] * 5))
    boxes = pdf_read.word_boxes(pdf)
    body = [b for b in boxes if FIRST_BODY_TOP < b[3] < PAGE_HEIGHT - MARGIN]  # not the footer
    assert body
    assert all(x_min >= MARGIN - 1 and x_max <= RIGHT_EDGE + 0.5
               for x_min, x_max, _, _ in body), max(b[1] for b in body)  # fmt: skip
    lines = [line for line in pdf_read.text(pdf).splitlines() if line.strip()]
    assert len(lines) > 8  # it did wrap
    for line in lines:  # never cut inside a grapheme cluster: no line starts with a mark
        assert unicodedata.category(line.lstrip(pdf_read.RLE)[0]) not in ("Mn", "Mc"), line


def test_thai_and_khmer_lines_break_between_words(app):
    """A Thai line ends where a word ends: the words ICU's dictionary knows are never cut."""
    for language, word in (("th", "เจ้าหน้าที่"), ("km", "មន្ត្រីរបស់យើង")):
        pdf = letter(language, paragraph=" ".join([LETTERS[language][3]] * 6))
        lines = [pdf_read.squeezed(line) for line in pdf_read.text(pdf).splitlines()]
        whole = "".join(lines)
        assert whole.count(word) >= 6
        assert sum(line.count(word) for line in lines) == whole.count(word), language


@pytest.mark.parametrize("language", ["th", "ar", "lo", "vi"])
def test_the_window_shows_the_address_in_its_own_script(app, language):
    pdf = letter(language)
    left, top, width, height = WINDOW
    crop = ["-f", "1", "-l", "1", "-x", str(int(left)), "-y", str(int(top))]
    crop += ["-W", str(int(width)), "-H", str(int(height))]
    found = pdf_read.reading_words(pdf, *crop)
    name, address = ADDRESSES.get(language, ("Jane Smith", "9 Quiet Road\nLeeds LS1 1AA"))
    expected = pdf_read.words("PO Box 4021, London N1 9XX " + name + " " + address)
    assert found == expected


def test_a_thai_address_on_an_english_letter_prints_in_the_thai_font(app):
    content = LetterContent(title="News", greeting="Dear Somchai", sections=[], closing=["Jo"])
    envelope = Envelope("PO Box 4021, London N1 9XX", *ADDRESSES["th"])
    with in_language("en"):
        pdf = render_letter(content, envelope, LetterMeta("L-1", "1 May", CREATED)).pdf
    assert any("NotoSansThai" in row["name"] for row in pdf_read.fonts(pdf))


def test_the_same_letter_gives_the_same_bytes(app):
    assert letter("km") == letter("km")


FRESH = """
import sys
from witness import create_app
from witness.core import pdf_text
from tests.letters.test_layout_scripts import letter
app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})
with app.app_context():
    if sys.argv[1:]:  # other subscripts met first
        pdf_text.lay_out(sys.argv[1], "khmer", 10.5, 400)
    sys.stdout.buffer.write(letter("km"))
"""


def test_a_letter_is_the_same_bytes_whatever_its_process_drew_before():
    """Glyphs with no character of their own (Khmer subscripts) are named by their glyph
    number, not by the order a process first met them: a letter is the same bytes anywhere."""
    root = Path(__file__).resolve().parents[2]

    def made(*first: str) -> bytes:
        done = subprocess.run([sys.executable, "-c", FRESH, *first], cwd=root,
                              capture_output=True, check=True)  # fmt: skip
        return done.stdout

    assert made() == made("ក្សត្រ អង្គការ ញ្ញ ន្ធ ព្រះរាជាណាចក្រកម្ពុជា ស្ត្រី")


@pytest.mark.parametrize("language", ["ar", "en", "th"])
def test_a_phone_number_reads_in_its_own_order_and_stays_on_one_line(app, language):
    """ "0800 123 456" inside an Arabic sentence: with plain spaces the bidi algorithm sets the
    groups out right to left, and a reader dials 456 123 0800. It must come back as written,
    and never be broken across two lines."""
    sentence = {
        "ar": "يمكنك الاتصال على الرقم 0800 123 456 في أي وقت.",
        "en": "You can call 0800 123 456 at any time.",
        "th": "โทรหาเราได้ที่ 0800 123 456 ตลอดเวลา",
    }[language]
    pdf = letter(language, paragraph=sentence, repeat=12)
    assert pdf_read.contains_in_order(pdf_read.reading_words(pdf), ["0800", "123", "456"])
    for line in pdf_read.text(pdf).splitlines():
        assert line.split()[-1:] not in (["0800"], ["123"]), line


def test_an_arabic_letters_paragraphs_read_right_to_left_even_when_they_open_in_latin(app):
    """The letter's language sets each paragraph's direction (UAX #9, HL1), not the paragraph's
    first letter: a sentence that opens with the defendant's name still reads right to left
    (the name at the right margin, the Arabic after it to its left), and a line all in Latin
    letters (an office's support line) is set flush right like the rest."""
    sentence = "John Smith سيبقى في السجن حتى موعد الجلسة."
    pdf = letter("ar", paragraph=sentence)
    words = pdf_read.reading_words(pdf)
    assert pdf_read.contains_in_order(words, pdf_read.words(sentence))
    # -bbox gives each run (one ActualText span) as one box, its letters in display order
    boxes = {b[2]: b for b in pdf_read.word_boxes(pdf)}
    name = boxes["John Smith"]
    assert abs(name[1] - RIGHT_EDGE) < 1, name
    arabic = [b for w, b in boxes.items() if w.endswith("سيبقى"[::-1])]
    assert arabic and arabic[0][1] < name[0], (arabic, name)
    latin = letter("ar", paragraph="Support line: 0808 1689 111")
    line = [b for b in pdf_read.word_boxes(latin) if b[2].startswith("Support line")]
    assert line and abs(line[0][1] - RIGHT_EDGE) < 1, line
