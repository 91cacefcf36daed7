"""Split OCR lines into the pieces the restorer may rewrite and those it keeps.

OCR of Vietnamese with an English model leaves junk inside words ("ne“}ng",
"ngﬁ", "¢)"), digits for letters ("S6" for "Số") and capitals inside codes
("70/2017/QD-UBND"). A token keeps its character span in the line so the
restored line is the original line with only the word spans replaced:
spacing, punctuation and line breaks survive untouched.
"""
from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

import regex

from pipeline.vietnamese import case_pattern, looks_like_syllable

# Symbols an English OCR model emits for Vietnamese marks; inside a word they are part of it
# (an apostrophe for a horn: "thu'c" is "thực", one word).
OCR_JUNK = "’‘“”}{|¢€¥`^~°§*&@'"
_JUNK_CLASS = regex.escape(OCR_JUNK)
# A question mark inside a word is the English model's guess at a horn with a mark ("cht?c" for "chức",
# "ct?" for "cử"): between two letters, or after letters where no question ends (a small letter or a
# comma follows). Elsewhere it is punctuation, kept out of the word.
INNER_JUNK = "?"
# A run of letters, digits and junk, with internal apostrophes; edges are trimmed below.
_PIECE_CHARS = rf"[\p{{L}}\p{{M}}\p{{N}}{_JUNK_CLASS}]+"
_PIECE = regex.compile(rf"{_PIECE_CHARS}(?:(?<=\p{{L}})\?(?=\p{{L}}){_PIECE_CHARS})*(?:(?<=\p{{L}})\?(?=[ \t]+\p{{Ll}}|[,;:)]))?")
# The e-mail's local part is matched from the start of its run only: unanchored, a long run without "@"
# would be rescanned from every position in it (quadratic on a line of 100,000 letters).
_URL_OR_EMAIL = regex.compile(r"(?:https?://|www\.)\S+|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_ROMAN = regex.compile(r"(?=[IVXLC])M*(?:C[MD]|D?C{0,3})(?:X[CL]|L?X{0,3})(?:I[XV]|V?I{0,3})")
_MISREAD_ROMAN = regex.compile(r"(?=.*[IVX])[IVXHlv1]{2,5}")
_EDGE_QUOTES = "’‘“”`'\""
# Digits that English OCR writes for letters: "S6" = "Số", "x4" = "xã", "1a" = "là", "ph01" = "phối".
_LETTER_DIGITS = set("013469")
# The letters those digits stand for, as the channel reads them ("3" is an "ã" or "à" as often as "4").
DIGIT_LETTERS = str.maketrans({"6": "o", "0": "o", "9": "o", "1": "l", "3": "a", "4": "a"})
# The case of a token is asked for several times per word, and documents repeat their words.
token_case = functools.lru_cache(maxsize=1 << 16)(case_pattern)
_CODE_JOINT_BEFORE = regex.compile(r"[\p{L}\p{N}][-./]")
_CODE_JOINT_AFTER = regex.compile(r"[-./][\p{L}\p{N}]")
_JOINED_CODES = regex.compile(r"\p{Lu}+(?:&\p{Lu}+)+")
_UNITS = {"h", "m", "g", "t", "ha", "km", "kg", "cm", "mm", "ml", "kw", "mw"}  # "9h", "6m": a measure
_LIGATURES = {"ﬁ": "fi", "ﬂ": "fl", "ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl"}

WORD = "word"  # may be rewritten
ABBREVIATION = "abbreviation"  # all-capital code part: UBND, QD; only its Đ may be restored
FIXED = "fixed"  # numbers, Roman numerals, URLs: never changed
DIGITS = "digits"  # "6", "16", "4m": a number or measure, or in English-model OCR a short word ("ở", "lộ", "âm")
SYMBOL = "symbol"  # "&", "¢", "@" alone: a symbol, or in English-model OCR the word "ở"
# Symbols English-model OCR writes for a whole short word, standing alone between words.
WORD_SYMBOLS = set("&¢@")


@dataclass
class Token:
    start: int
    end: int
    text: str
    kind: str
    after_colon: bool = False  # a label's colon before it: its capital opens a sentence ("Thời gian: Tháng 12")
    glued: bool = False  # the second of two words the OCR read as one ("Quanly"): written back after a space


def clean_junk(word: str) -> str:
    """The word without OCR junk symbols and ligatures, for looking up candidates."""
    for ligature, letters in _LIGATURES.items():
        word = word.replace(ligature, letters)
    return "".join(c for c in word if c not in OCR_JUNK and c not in INNER_JUNK)


@functools.lru_cache(maxsize=1 << 16)  # a text repeats its words
def _classify(piece: str, at_line_start: bool, followed_by: str) -> str:
    letters = [c for c in piece if c.isalpha()]
    if not letters:
        if piece in WORD_SYMBOLS:
            return SYMBOL
        return DIGITS if len(piece) <= 2 and all(c in _LETTER_DIGITS for c in piece) else FIXED
    digits = [c for c in piece if c.isdigit()]
    if digits:
        # A syllable misread with digits: at most two letter-like digits, no capital after the first
        # letter, and in front only "1" (for "l") or one digit before lower-case letters ("6n" for
        # "ổn", "4p" for "áp"). Other mixes are codes and names: QH15, 4G, H5N1.
        # A leading "1" is an "l", but before capital letters alone it numbers a code ("1A", "3B").
        leading = not piece[0].isdigit() or (piece[0] == "1" and not (piece[1:].isalpha() and piece[1:].isupper())) or (
            len(digits) == 1 and piece[1:].islower() and piece[1:] not in _UNITS)
        misread = (len(digits) <= 2 and all(d in _LETTER_DIGITS for d in digits) and len(letters) <= 6
                   and _small_after_first(letters) and leading)
        if not misread and _measure_or_syllable(piece):
            return DIGITS
        return WORD if misread else FIXED
    if at_line_start and followed_by == ")" and len(piece) == 1:
        return FIXED  # a list item's letter: "d)" is not the word "ở"
    if at_line_start and followed_by == "." and (_ROMAN.fullmatch(piece) or _MISREAD_ROMAN.fullmatch(piece)):
        return FIXED  # a section number, even as OCR misreads it ("Il.", "Vv."): the parser reads those
    cleaned = clean_junk(piece)
    if len(cleaned) > 1 and cleaned.isupper() and not looks_like_syllable(cleaned):
        return ABBREVIATION
    if _JOINED_CODES.fullmatch(piece):
        return ABBREVIATION  # "O&M", "R&D": an ampersand between capitals joins codes, whatever they spell
    if not cleaned.isascii() and any(unicodedata.category(c) == "Lo" for c in cleaned):
        return FIXED  # another script entirely
    return WORD


def _measure_or_syllable(piece: str) -> bool:
    """A letter-like digit before a unit that together read as a syllable: a measure, or a short word the
    English model wrote with a digit ("4m" for "âm", "6m" for "ốm"); the words around it tell which."""
    return (piece[0] in _LETTER_DIGITS and piece[1:] in _UNITS
            and looks_like_syllable(piece.translate(DIGIT_LETTERS)))


def _small_after_first(letters: list[str]) -> bool:
    """Whether the letters after the first are small, but for a capital O the English model writes for
    an "ô" or "ơ" beside the digit it reads the mark as ("cO6ng" for "công", "MO6i" for "Môi"): a
    syllable, where a capital among digits is otherwise a code's ("QH15", "H5N1")."""
    rest = letters[1:]
    return not any(c.isupper() for c in rest) or (
        any(c.islower() for c in rest) and all(c == "O" for c in rest if c.isupper()))


def _joined(line: str, start: int, end: int) -> bool:
    """Whether the piece at start:end is joined to a letter or digit by a hyphen, dot or slash, as the
    parts of a code are."""
    before, after = line[max(0, start - 2):start], line[end:end + 2]
    return bool(_CODE_JOINT_BEFORE.fullmatch(before) or _CODE_JOINT_AFTER.fullmatch(after))


def tokenize(line: str) -> list[Token]:
    protected = [(m.start(), m.end()) for m in _URL_OR_EMAIL.finditer(line)]
    tokens = [Token(s, e, line[s:e], FIXED) for s, e in protected]
    at_line_start = True  # until a piece is preceded by more than list-marker characters
    for match in _PIECE.finditer(line):
        start, end = match.span()
        if protected and any(s <= start < e for s, e in protected):
            continue
        while start < end and line[start] in _EDGE_QUOTES:
            start += 1
        while end > start and line[end - 1] in _EDGE_QUOTES:
            end -= 1
        if start == end:
            continue
        piece = line[start:end]
        at_line_start = at_line_start and not line[:start].strip(" -+•")
        followed_by = line[end:end + 1]
        kind = _classify(piece, at_line_start, followed_by)
        if kind == WORD and len(piece) == 1 and piece.isupper() and _joined(line, start, end):
            kind = FIXED  # a capital letter of a code: "V-10b", "P.KT"
        tokens.append(Token(start, end, piece, kind))
    if protected:
        tokens.sort(key=lambda t: t.start)
    return tokens
