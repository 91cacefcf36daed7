"""Vietnamese orthography: tone marks, their placement, letter case.

A syllable is written as base letters (with vowel modifiers: ă â ê ô ơ ư đ)
plus at most one tone mark placed on one vowel. Restoration and
normalization both need to take a syllable apart and put it back together
in one placement style, so that logic lives here once.
"""
from __future__ import annotations

import unicodedata

import regex

# Combining tone marks in the conventional order: ngang (none), huyền, sắc, hỏi, ngã, nặng.
TONE_MARKS = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
_TONE_INDEX = {mark: i for i, mark in enumerate(TONE_MARKS) if mark}
_MODIFIED_VOWELS = set("ăâêôơư")
_VOWELS = set("aăâeêioôơuưy")

# The letters of one syllable with its marks stripped: optional onset, 1-3 vowels, optional coda.
_SYLLABLE_SHAPE = regex.compile(r"(?:ngh|ng|gh|gi|kh|nh|ph|qu|th|tr|ch|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?")

MODERN = "modern"  # hòa, thủy: what current legal text mostly writes
OLD = "old"  # hoà, thuỷ


def strip_marks(text: str) -> str:
    """Base Latin letters only: no tone, no vowel modifier, đ -> d. Keeps case."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return bare.replace("đ", "d").replace("Đ", "D")


def looks_like_syllable(word: str) -> bool:
    """Whether a word has the letter shape of one Vietnamese syllable (UBND, KH, café do not)."""
    return bool(_SYLLABLE_SHAPE.fullmatch(strip_marks(word).lower()))


def split_tone(syllable: str) -> tuple[str, int]:
    """("thực") -> ("thưc", 5): the syllable without its tone, and the tone index."""
    tone = 0
    kept = []
    for char in unicodedata.normalize("NFD", syllable):
        if char in _TONE_INDEX:
            tone = _TONE_INDEX[char]
        else:
            kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept)), tone


def _tone_position(toneless: str, style: str) -> int | None:
    """Index of the vowel that carries the tone in a lowercase toneless syllable."""
    positions = [i for i, c in enumerate(toneless) if c in _VOWELS]
    if not positions:
        return None
    # "qu" and "gi" before another vowel are part of the onset, not the rhyme.
    if len(positions) > 1 and positions[0] == 1 and toneless[:2] in ("qu", "gi"):
        positions = positions[1:]
    modified = [i for i in positions if toneless[i] in _MODIFIED_VOWELS]
    if modified:
        return modified[-1]
    if len(positions) == 1:
        return positions[0]
    if positions[-1] < len(toneless) - 1:  # closed syllable: "toán", "hoàng"
        return positions[-1]
    if len(positions) >= 3:  # "ngoài", "xoáy"
        return positions[1]
    if style == OLD and toneless[positions[0]:positions[0] + 2] in ("oa", "oe", "uy"):
        return positions[1]
    return positions[0]


def place_tone(toneless: str, tone: int, style: str = MODERN) -> str:
    """Put a tone on a toneless syllable, keeping the case of each letter."""
    if tone == 0:
        return toneless
    position = _tone_position(toneless.lower(), style)
    if position is None:
        return toneless
    chars = list(toneless)
    chars[position] = unicodedata.normalize("NFC", chars[position] + TONE_MARKS[tone])
    return "".join(chars)


def restyle(syllable: str, style: str = MODERN) -> str:
    """Rewrite a syllable with its tone in the given placement style."""
    toneless, tone = split_tone(syllable)
    if tone == 0:
        return unicodedata.normalize("NFC", syllable)
    return place_tone(toneless, tone, style)


def case_pattern(token: str) -> str:
    """"upper", "title" or "lower", from the letters of a token."""
    letters = [c for c in token if c.isalpha()]
    if not letters:
        return "lower"
    # OCR flips the case of single letters inside capital headings ("MUC PiCH"), so go by majority.
    if len(letters) > 1 and sum(c.isupper() for c in letters) >= 0.6 * len(letters):
        return "upper"
    if letters[0].isupper():
        return "title"
    return "lower"


def apply_case(word: str, pattern: str) -> str:
    if pattern == "upper":
        return word.upper()
    if pattern == "title":
        return word[:1].upper() + word[1:]
    return word
