"""Words that must never show where someone else may see them: through the envelope's window,
on the envelope, in the return address, in an e-mail's subject. One list per language; a line
is checked against the list of the reader's language AND English (a neighbour may read either).
Thai, Khmer, Lao, Burmese write words without spaces, and Arabic joins "the", "and" to a word:
those lists match anywhere in the text, the others whole words only. Pure (the configuration
checks the return address and the subject with every list at start-up; letters check their
envelope's lines when they are made)."""

from __future__ import annotations

import re
import unicodedata

#: what would tell a stranger holding the envelope what it is about, or who sends it
FORBIDDEN_WORDS = (
    "prosecution",
    "prosecutor",
    "crown",
    "court",
    "courts",
    "offence",
    "offense",
    "offender",
    "crime",
    "criminal",
    "trafficking",
    "trafficked",
    "slavery",
    "exploitation",
    "victim",
    "victims",
    "witness",
    "witnesses",
    "police",
    "justice",
    "prison",
    "parole",
    "probation",
    "sentence",
    "verdict",
    "defendant",
    "trial",
    "case",
    "liaison",
    "cps",
)
#: the same, per language (court, judge, prosecution, police, victim, witness, trafficking,
#: offence, crime, prison, trial, sentence, defendant, justice, case)
WORDS = {
    "en": FORBIDDEN_WORDS,
    "th": (
        "ศาล", "ผู้พิพากษา", "อัยการ", "ตำรวจ", "ผู้เสียหาย", "เหยื่อ", "พยาน", "ค้ามนุษย์",
        "ความผิด", "อาชญากรรม", "เรือนจำ", "คุก", "พิจารณาคดี", "คดี", "โทษ", "จำเลย", "ยุติธรรม",
    ),
    "vi": (
        "tòa án", "toà án", "thẩm phán", "công tố", "viện kiểm sát", "cảnh sát", "công an",
        "nạn nhân", "nhân chứng", "buôn người", "buôn bán người", "tội phạm", "phạm tội",
        "nhà tù", "trại giam", "xét xử", "bản án", "bị cáo", "vụ án", "tư pháp",
    ),
    "km": (
        "តុលាការ", "ចៅក្រម", "អយ្យការ", "ប៉ូលីស", "នគរបាល", "ជនរងគ្រោះ", "សាក្សី",
        "ជួញដូរមនុស្ស", "បទល្មើស", "ឧក្រិដ្ឋកម្ម", "ពន្ធនាគារ", "គុក", "កាត់ទោស", "ជនជាប់ចោទ",
        "យុត្តិធម៌",
    ),
    "id": (
        "pengadilan", "hakim", "jaksa", "kejaksaan", "penuntut", "polisi", "kepolisian",
        "korban", "saksi", "perdagangan orang", "kejahatan", "pidana", "penjara", "lapas",
        "sidang", "persidangan", "vonis", "hukuman", "terdakwa", "keadilan", "perkara",
    ),
    "ar": (
        "محكمة", "محاكم", "قاضي", "القضاء", "نيابة", "ادعاء", "شرطة", "ضحية", "ضحايا", "شاهد",
        "شهود", "اتجار", "جريمة", "جنائي", "سجن", "محاكمة", "متهم", "عدالة", "قضية",
    ),
}  # fmt: skip
#: everyday words that hold a forbidden one in a script matched anywhere: a pavilion (ศาลา,
#: common in Thai addresses), a shrine and a spirit house (ศาลเจ้า, ศาลพระภูมิ), "sorry" (ขอโทษ)
INNOCENT = {"th": ("ศาลา", "ศาลเจ้า", "ศาลพระภูมิ", "ขอโทษ")}
#: scripts written without spaces between words (or with prefixes joined to the word)
SUBSTRING_LANGUAGES = frozenset({"th", "km", "lo", "my", "ar", "fa", "ur"})


def _base(language: str | None) -> str:
    return (language or "en").replace("-", "_").split("_")[0].lower()


def _pattern(language: str) -> re.Pattern:
    words = sorted(WORDS[language], key=len, reverse=True)
    alternatives = "|".join(re.escape(unicodedata.normalize("NFC", w)) for w in words)
    if language in SUBSTRING_LANGUAGES:
        return re.compile(f"({alternatives})", re.IGNORECASE)
    return re.compile(rf"(?<!\w)({alternatives})(?!\w)", re.IGNORECASE)


_PATTERNS = {language: _pattern(language) for language in WORDS}


def forbidden_words(text: str, language: str | None = "en") -> list[str]:
    """The forbidden words ``text`` holds for a reader of ``language`` and for an English
    reader (whole words, or anywhere in a script without spaces; any case), in order."""
    text = unicodedata.normalize("NFC", text or "")
    found: list[tuple[int, str]] = []
    for code in dict.fromkeys(("en", _base(language))):
        if code not in _PATTERNS:
            continue
        masked = text
        for word in INNOCENT.get(code, ()):
            masked = masked.replace(word, " " * len(word))
        found += [(m.start(), m.group(0).lower()) for m in _PATTERNS[code].finditer(masked)]
    return [word for _, word in sorted(found)]


def forbidden_in_any_language(text: str) -> list[str]:
    """The forbidden words ``text`` holds in any language's list (for what every letter shows,
    whatever its language: the return address; the configured e-mail subject)."""
    found = []
    for code in WORDS:
        found += [w for w in forbidden_words(text, code) if w not in found]
    return found


def envelope_refusal(lines: list[str], language: str | None) -> str | None:
    """Why an envelope with ``lines`` (return address, name, address) must not be sent to a
    reader of ``language``, or None."""
    found = []
    for line in lines:
        found += [w for w in forbidden_words(line, language) if w not in found]
    if not found:
        return None
    return "the envelope would show " + ", ".join(repr(w) for w in found)
