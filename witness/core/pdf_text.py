"""Text in every script for the PDFs: the fonts that ship, HarfBuzz shaping, bidi, line breaking.

Pure: no database, no request. reportlab places glyphs; this module decides which glyphs and
where, because reportlab's own paragraphs break lines only at spaces (Thai and Khmer have none
between words), reorder right-to-left text only with a library not on PyPI, and lose the marks
HarfBuzz positions (reportlab 5.1, checked by rendering). So, for each paragraph:

1. each character gets its script's font (a run of Thai in a Latin row prints in the Thai font);
2. ICU's line breaker (``icu4py``, with the dictionaries for Thai, Khmer, Lao and Myanmar) gives
   the places a line may end; a word wider than the line is cut between grapheme clusters only;
3. each piece (one font, one bidi level, inside one breakable segment) is shaped by HarfBuzz
   (``uharfbuzz``), cached per process: letters repeat their words;
4. each line's pieces are put in display order (``core/bidi.py``) and drawn glyph by glyph where
   HarfBuzz moved a glyph, wrapped in an ``ActualText`` span that carries the line's words in
   reading order, so copying or ``pdftotext`` gives back what was written (``pdf_draw``)."""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import uharfbuzz as hb
from icu4py.breakers import CharacterBreaker, LineBreaker
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont

from witness.core import bidi

FONT_DIR = Path(__file__).parent / "fonts"


@dataclass(frozen=True)
class Script:
    """The fonts one script is written in (registered under these names), its direction, and
    how much taller than the type its lines are (stacked Thai marks, Khmer subscripts)."""

    regular: str
    bold: str
    files: tuple[tuple[str, str], ...]
    rtl: bool = False
    leading: float = 1.0
    key: str = "latin"  #: its name in ``SCRIPTS``


def _noto(key: str, family: str, **kwargs) -> Script:
    name = f"Witness{key.capitalize()}"
    files = ((name, f"{family}-Regular.ttf"), (f"{name}-Bold", f"{family}-Bold.ttf"))
    return Script(name, f"{name}-Bold", files, key=key, **kwargs)


#: fonts per script. DejaVu Sans covers Latin (with Vietnamese), Greek and Cyrillic; the Noto
#: families are static instances (regular, bold) of the OFL variable fonts (fonts/README.md).
SCRIPTS = {
    "latin": Script(
        "WitnessSans",
        "WitnessSans-Bold",
        (("WitnessSans", "DejaVuSans.ttf"), ("WitnessSans-Bold", "DejaVuSans-Bold.ttf")),
    ),
    "thai": _noto("thai", "NotoSansThai", leading=1.25),
    "khmer": _noto("khmer", "NotoSansKhmer", leading=1.4),
    "arabic": _noto("arabic", "NotoSansArabic", rtl=True, leading=1.15),
    "myanmar": _noto("myanmar", "NotoSansMyanmar", leading=1.6),
    "lao": _noto("lao", "NotoSansLao", leading=1.3),
}
#: code points written only in one script (everything else: Latin letters, or shared)
_RANGES = (
    (0x0600, 0x06FF, "arabic"),
    (0x0750, 0x077F, "arabic"),
    (0x08A0, 0x08FF, "arabic"),
    (0xFB50, 0xFDFF, "arabic"),
    (0xFE70, 0xFEFF, "arabic"),
    (0x0E00, 0x0E7F, "thai"),
    (0x1780, 0x17FF, "khmer"),
    (0x19E0, 0x19FF, "khmer"),
    (0x1000, 0x109F, "myanmar"),
    (0xA9E0, 0xA9FF, "myanmar"),
    (0xAA60, 0xAA7F, "myanmar"),
    (0x0E80, 0x0EFF, "lao"),
)
_SHAPED_CACHE_LIMIT = 50_000
#: glyphs with no character (ligatures, Khmer subscripts) get one in the private-use area
_PRIVATE_BASE, _PRIVATE_TOP = 0xE000, 0xF8FF
_LOCK = threading.Lock()


def char_script(ch: str) -> str | None:
    """The script ``ch`` belongs to, or None for a character every script shares."""
    code = ord(ch)
    for low, high, name in _RANGES:
        if low <= code <= high:
            return name
    return "latin" if unicodedata.category(ch).startswith("L") else None


@lru_cache(maxsize=8192)
def primary_script(text: str) -> str | None:
    """None when reportlab alone can set ``text`` in the Latin font (every character in it, no
    mark to place, nothing right to left); else the script of its first letter not Latin (a
    row may mix scripts: each run still gets its own font)."""
    latin = face(SCRIPTS["latin"].regular)
    found = None
    for ch in text:
        script = char_script(ch)
        if script not in (None, "latin"):
            return script
        if (not latin.covers(ch) or unicodedata.category(ch) == "Mn"
                or unicodedata.bidirectional(ch) in ("R", "AL", "AN")):  # fmt: skip
            found = "latin"
    return found


@dataclass(frozen=True)
class Shaped:
    """One piece of text as glyphs: (stand-in character, advance, x offset, y offset) per glyph,
    in 1/1000 of the type size, left to right; ``plain`` when no glyph moved."""

    chars: str
    glyphs: tuple[tuple[str, float, float, float], ...]
    width: float
    plain: bool


class Face:
    """One font: registered with reportlab (embedding, subsetting) and with HarfBuzz (shaping)."""

    def __init__(self, name: str, path: Path):
        self.name = name
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(path)))
        self.ttf = pdfmetrics.getFont(name)
        self._mapped = frozenset(self.ttf.face.charToGlyph)  # the font's own characters
        hb_face = hb.Face(hb.Blob.from_file_path(str(path)))
        self.hb = hb.Font(hb_face)
        self.scale = 1000 / hb_face.upem
        self._shaped: dict[tuple[str, bool], Shaped] = {}

    def covers(self, ch: str) -> bool:
        return ord(ch) in self.ttf.face.charToGlyph

    def _char(self, gid: int) -> str:
        """The character reportlab's subsetting knows this glyph by. A glyph with none (a
        ligature, a Khmer subscript) gets a private-use one, U+E000 + its glyph number, so the
        same letter gives the same bytes in any process whatever it drew before (only a font
        that maps private-use characters itself may push one elsewhere). Under a lock: the
        scheduler's thread may lay out a report while a request lays out a letter."""
        face = self.ttf.face
        chars = face.glyphToChar.get(gid)
        if chars:
            return chr(chars[0])
        with _LOCK:
            chars = face.glyphToChar.get(gid)
            if chars:
                return chr(chars[0])
            code = _PRIVATE_BASE + gid
            if code > _PRIVATE_TOP or code in self._mapped or code in face.charToGlyph:
                code = _PRIVATE_TOP
                while code in face.charToGlyph:
                    code -= 1
            face.charToGlyph[code] = gid
            face.charWidths[code] = self.hb.get_glyph_h_advance(gid) * self.scale
            face.glyphToChar[gid] = [code]
            return chr(code)

    def shape(self, text: str, rtl: bool) -> Shaped:
        key = (text, rtl)
        hit = self._shaped.get(key)
        if hit is not None:
            return hit
        buf = hb.Buffer()
        buf.add_str(text)
        buf.guess_segment_properties()
        buf.direction = "rtl" if rtl else "ltr"
        # no Latin ligatures ("ﬃ" would be what a search or a copy finds); the scripts that
        # need them (Arabic lam-alef) get them from required features HarfBuzz always applies
        hb.shape(self.hb, buf, {"kern": True, "liga": False})
        widths = self.ttf.face.charWidths
        glyphs, plain = [], True
        for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=True):
            ch = self._char(info.codepoint)
            glyph = (
                ch, pos.x_advance * self.scale, pos.x_offset * self.scale,
                pos.y_offset * self.scale,
            )  # fmt: skip
            plain = plain and not glyph[2] and not glyph[3]
            plain = plain and abs(glyph[1] - widths.get(ord(ch), 0)) < 0.01
            glyphs.append(glyph)
        shaped = Shaped("".join(g[0] for g in glyphs), tuple(glyphs),
                        sum(g[1] for g in glyphs), plain)  # fmt: skip
        if len(self._shaped) > _SHAPED_CACHE_LIMIT:
            self._shaped.clear()
        self._shaped[key] = shaped
        return shaped


@cache
def face(name: str) -> Face:
    """The registered font ``name`` (one of ``SCRIPTS``' names), loaded once per process."""
    for script in SCRIPTS.values():
        for font_name, filename in script.files:
            if font_name == name:
                return Face(name, FONT_DIR / filename)
    raise LookupError(f"No font {name!r} ships with this install.")


def font_name(script: str, bold: bool) -> str:
    return SCRIPTS[script].bold if bold else SCRIPTS[script].regular


@dataclass(frozen=True)
class Piece:
    """A run of one font and one direction, shaped."""

    face: Face
    shaped: Shaped
    rtl: bool
    text: str  #: the characters, in reading order
    #: per type size, what each glyph needs besides its code (``_plan``); the same in every
    #: document, so worked out once for a sentence printed in a thousand letters
    plans: dict = field(default_factory=dict, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class Line:
    """One line: its words in reading order, and its pieces in display order."""

    text: str
    pieces: tuple[Piece, ...]
    width: float  #: in 1/1000 of the type size
    rtl: bool  #: the paragraph's direction (a right-to-left line is set flush right)


def _scripts(text: str, primary: str) -> list[str]:
    """A script (so a font) per character: its own, else its neighbour's, where that font has it."""
    own = [char_script(ch) for ch in text]
    result: list[str] = []
    following = next((s for s in own if s), primary)
    for i, ch in enumerate(text):
        script = own[i] or (result[-1] if result else following)
        script = script if script in SCRIPTS else "latin"
        if script == "latin" and primary != "latin":  # one font fewer in the PDF, if it has them
            script = primary
        if not face(SCRIPTS[script].regular).covers(ch) and unicodedata.category(ch) != "Mn":
            script = primary if face(SCRIPTS[primary].regular).covers(ch) else "latin"
        result.append(script)
    return result


def _clusters(text: str) -> list[str]:
    return list(CharacterBreaker(text, "en"))


@cache
def _locale(script: str) -> str:
    return {"thai": "th", "khmer": "km", "arabic": "ar", "myanmar": "my", "lao": "lo"}.get(
        script, "en"
    )


class Paragraph:
    """One paragraph's text, analysed once (scripts, levels, break opportunities)."""

    def __init__(self, text: str, primary: str, bold: bool = False, rtl: bool | None = None):
        self.text = text
        self.bold = bold
        # the document's direction when it has one (UAX #9 HL1: an Arabic letter's paragraph
        # that opens with a Latin name still reads right to left), else the first strong letter
        self.level = int(rtl) if rtl is not None else bidi.base_level(text, SCRIPTS[primary].rtl)
        self.levels = bidi.levels(text, self.level)
        self.scripts = _scripts(text, primary)
        self.segments: list[tuple[int, int]] = []
        start = 0
        for segment in LineBreaker(text, _locale(primary)) if text else ():
            self.segments.append((start, start + len(segment)))
            start += len(segment)

    def _pieces(self, start: int, end: int) -> list[tuple[int, int]]:
        """Ranges of one font and one level inside [start, end)."""
        runs, i = [], start
        while i < end:
            j = i + 1
            while (j < end and self.scripts[j] == self.scripts[i]
                   and self.levels[j] == self.levels[i]):  # fmt: skip
                j += 1
            runs.append((i, j))
            i = j
        return runs

    def _shape(self, start: int, end: int) -> Piece:
        f = face(font_name(self.scripts[start], self.bold))
        rtl = self.levels[start] % 2 == 1
        return Piece(f, f.shape(self.text[start:end], rtl), rtl, self.text[start:end])

    def _width(self, start: int, end: int) -> float:
        return sum(self._shape(a, b).shaped.width for a, b in self._pieces(start, end))

    def _fitted(self, start: int, end: int, limit: float) -> list[tuple[int, int]]:
        """A segment wider than the line, cut between grapheme clusters."""
        parts, a, pos = [], start, start
        for cluster in _clusters(self.text[start:end]):
            nxt = pos + len(cluster)
            if pos > a and self._width(a, nxt) > limit:
                parts.append((a, pos))
                a = pos
            pos = nxt
        parts.append((a, end))
        return parts

    def lines(self, width: float, size: float) -> list[Line]:
        """Lines no wider than ``width`` points at ``size``."""
        limit = width * 1000 / size
        units: list[tuple[int, int, float]] = []
        for start, end in self.segments:
            for a, b in ([(start, end)] if self._trimmed_width(start, end) <= limit
                         else self._fitted(start, end, limit)):  # fmt: skip
                units.append((a, b, self._width(a, b)))
        result: list[Line] = []
        line: list[tuple[int, int, float]] = []
        for unit in units:
            trial = [*line, unit]
            used = sum(u[2] for u in line) + self._trimmed_width(unit[0], unit[1])
            if line and used > limit:
                result.append(self._line(line[0][0], line[-1][1]))
                trial = [unit]
            line = trial
            if self.text[unit[0] : unit[1]].endswith("\n"):
                result.append(self._line(line[0][0], line[-1][1]))
                line = []
        if line:
            result.append(self._line(line[0][0], line[-1][1]))
        return result

    def _trimmed_width(self, start: int, end: int) -> float:
        stripped = len(self.text[start:end].rstrip())
        return self._width(start, start + stripped) if stripped else 0.0

    def _line(self, start: int, end: int) -> Line:
        end = start + len(self.text[start:end].rstrip())
        runs = self._seg_pieces(start, end)
        pieces = [self._shape(a, b) for a, b in runs]
        order = bidi.visual_order([self.levels[a] for a, _ in runs])
        shown = tuple(pieces[i] for i in order)
        return Line(self.text[start:end], shown, sum(p.shaped.width for p in shown),
                    self.level == 1)  # fmt: skip

    def _seg_pieces(self, start: int, end: int) -> list[tuple[int, int]]:
        """Pieces that never cross a segment, so a line is drawn as it was measured."""
        runs = []
        for a, b in self.segments:
            lo, hi = max(a, start), min(b, end)
            if lo < hi:
                runs.extend(self._pieces(lo, hi))
        return runs


def plain_font(text: str, script: str, bold: bool) -> str:
    """The font for Latin text reportlab sets alone: the script's own when it has every
    character (one font fewer in the PDF), else the Latin font."""
    own = face(font_name(script, bold))
    if script != "latin" and all(own.covers(ch) for ch in text if ch != "\n"):
        return own.name
    return face(font_name("latin", bold)).name


def _plain_lines(text: str, script: str, size: float, width: float, bold: bool) -> list[Line]:
    """Latin text reportlab sets alone: broken at spaces, measured by its widths, unshaped."""
    f = face(plain_font(text, script, bold))
    lines = []
    for raw in text.split("\n"):
        for line in simpleSplit(raw, f.name, size, width) if raw.strip() else []:
            advance = stringWidth(line, f.name, 1000)
            piece = Piece(f, Shaped(line, (), advance, True), False, line)
            lines.append(Line(line, (piece,), advance, False))
    return lines


#: a space between two digits: "0800 123 456", "1 000"
_NUMBER_SPACE = re.compile(r"(?<=\d) (?=\d)")


def keep_numbers_together(text: str) -> str:
    """Digits separated by single spaces (a phone number, grouped thousands) joined by no-break
    spaces: never broken across lines, and in a right-to-left paragraph one number read left to
    right (a no-break space is a common separator, which joins two numbers in the bidi
    algorithm, where a space would set the groups out right to left: "456 123 0800")."""
    return _NUMBER_SPACE.sub("\u00a0", text)


def lay_out(text: str, script: str, size: float, width: float, bold: bool = False,
            rtl: bool | None = None) -> list[Line]:  # fmt: skip
    """``text`` (line breaks kept) as lines no wider than ``width`` points; ``rtl``: the
    paragraph's direction when the document sets it (else its first strong letter's)."""
    text = keep_numbers_together(text)
    if primary_script(text) is None and not rtl:
        return _plain_lines(text, script, size, width, bold)
    return list(_laid_out(text, primary_script(text) or script, size, width, bold, rtl))


@lru_cache(maxsize=4096)
def _laid_out(text: str, script: str, size: float, width: float, bold: bool,
              rtl: bool | None = None) -> tuple[Line, ...]:  # fmt: skip
    """Lines are immutable and a day's letters share most of their sentences: laid out once
    per process (analysis, breaking, shaping), drawn as often as they are printed."""
    return tuple(Paragraph(text, script, bold, rtl).lines(width, size))
