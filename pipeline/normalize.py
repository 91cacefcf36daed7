"""Normalize restored text: NFC, one tone-mark placement style, tidy spacing.

Line count is preserved (line N in is line N out) so every later reference to
a line number still points at the same text. Quotes are kept as written:
straight and curly quotes both occur in real documents and mean the same.
"""
from __future__ import annotations

import unicodedata

import regex

from pipeline.vietnamese import MODERN, looks_like_syllable, restyle

_WORD = regex.compile(r"\p{L}[\p{L}\p{M}]*")
_SPACES = regex.compile(r"[ \u00a0\u2000-\u200a\u202f]+")
_SPACE_BEFORE_PUNCTUATION = regex.compile(r"(?<=\S) +(?=[,;:!?)\]]|\.(?:\s|$))")
_SPACE_AFTER_OPENING = regex.compile(r"(?<=[(\[]) +")
# "Điều 1,Khoản 2" -> "Điều 1, Khoản 2", but "21,10" and "8:30" stay as they are.
_MISSING_SPACE_AFTER = regex.compile(r"(?<=[\p{L}\d][,;]|\p{L}:)(?=\p{L})")
_INVISIBLE = regex.compile(r"[\u200b\u200c\u200d\ufeff\u00ad]")


def normalize_line(line: str, style: str = MODERN) -> str:
    line = unicodedata.normalize("NFC", _INVISIBLE.sub("", line))
    line = _WORD.sub(lambda m: restyle(m[0], style) if looks_like_syllable(m[0]) else m[0], line)
    # Tabs separate table cells; only runs of spaces are collapsed.
    indent = len(line) - len(line.lstrip(" "))
    body = _SPACES.sub(" ", line[indent:]).rstrip()
    body = _SPACE_BEFORE_PUNCTUATION.sub("", body)
    body = _SPACE_AFTER_OPENING.sub("", body)
    body = _MISSING_SPACE_AFTER.sub(" ", body)
    return line[:indent] + body if body else ""


def normalize_lines(lines: list[str], style: str = MODERN) -> list[str]:
    return [normalize_line(line, style) for line in lines]
