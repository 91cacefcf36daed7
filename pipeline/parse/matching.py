"""Tolerant text matching for labels and keywords.

Restored OCR text can still carry a wrong tone mark or a dropped modifier
("Đơn vị thực hien"), so keywords are compared on folded text: diacritics
stripped, lower-cased, runs of spaces collapsed. Folding keeps one character
per input character, so an offset found in folded text is valid in the
original text too.
"""
from __future__ import annotations

import unicodedata

import regex

from pipeline.vietnamese import strip_marks


def fold(text: str) -> str:
    """"Thời gian thực hiện" -> "thoi gian thuc hien", same length as the NFC input."""
    nfc = unicodedata.normalize("NFC", text)
    return "".join(strip_marks(char)[:1] or char for char in nfc).lower()


def squash(text: str) -> str:
    """Collapse whitespace runs to one space and trim."""
    return regex.sub(r"\s+", " ", text).strip()


def upper_share(text: str) -> float:
    """Share of upper-case letters among letters: headings are written in capitals."""
    letters = [char for char in text if char.isalpha()]
    if not letters:
        return 0.0
    return sum(char.isupper() for char in letters) / len(letters)


def sentence_case(text: str) -> str:
    """"ỦY BAN NHÂN DÂN" -> "Ủy ban nhân dân"."""
    lowered = text.lower()
    return lowered[:1].upper() + lowered[1:]


def title_case(text: str) -> str:
    """"THỪA THIÊN HUẾ" -> "Thừa Thiên Huế" (place names)."""
    return " ".join(word[:1].upper() + word[1:].lower() for word in text.split())
