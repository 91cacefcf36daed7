"""Normalize restored text: NFC, one tone-mark placement style, tidy spacing.

Line count is preserved (line N in is line N out) so every later reference to
a line number still points at the same text. Quotes are kept as written:
straight and curly quotes both occur in real documents and mean the same.

Every rewrite keeps track of where each character came from, so the
restorer's report items (TokenRestoration.start) can be moved to the same
word in the normalized line.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence

import regex

from pipeline.model import TokenRestoration, TokenRestorations, item_lines
from pipeline.vietnamese import MODERN, looks_like_syllable, restyle

_WORD = regex.compile(r"\p{L}[\p{L}\p{M}]*")
_GRAPHEME = regex.compile(r"\X")
_SPACES = regex.compile(r"[ \u00a0\u2000-\u200a\u202f]+")
_SPACE_BEFORE_PUNCTUATION = regex.compile(r"(?<=\S) +(?=[,;:!?)\]]|\.(?:\s|$))")
_SPACE_AFTER_OPENING = regex.compile(r"(?<=[(\[]) +")
# "Điều 1,Khoản 2" -> "Điều 1, Khoản 2", but "21,10" and "8:30" stay as they are.
_MISSING_SPACE_AFTER = regex.compile(r"(?<=[\p{L}\d][,;]|\p{L}:)(?=\p{L})")
_INVISIBLE = regex.compile(r"[\u200b\u200c\u200d\ufeff\u00ad]")
_ADDED = -1  # origin of a character normalization inserted


class _Tracked:
    """A line being rewritten, with the offset in the input line of each of its characters."""

    def __init__(self, text: str):
        self.text = text
        self.origin = list(range(len(text)))

    def sub(self, pattern: regex.Pattern, replace: Callable[[regex.Match], str]) -> None:
        pieces, origin, cursor = [], [], 0
        for match in pattern.finditer(self.text):
            start, end = match.span()
            new = replace(match)
            pieces.append(self.text[cursor:start])
            origin.extend(self.origin[cursor:start])
            pieces.append(new)
            if len(new) == end - start:  # letter for letter (tone placement): each keeps its origin
                origin.extend(self.origin[start:end])
            elif new:  # a run of spaces made one keeps the first one's origin
                origin.extend([self.origin[start] if start < end else _ADDED] + [_ADDED] * (len(new) - 1))
            cursor = end
        pieces.append(self.text[cursor:])
        origin.extend(self.origin[cursor:])
        self.text, self.origin = "".join(pieces), origin

    def keep(self, start: int, end: int) -> None:
        self.text, self.origin = self.text[start:end], self.origin[start:end]

    def offsets(self, length: int) -> list[int]:
        """For each offset of the input line, the offset of the same character in the output
        (or of the next character kept, when normalization dropped it)."""
        mapped = [-1] * (length + 1)
        for position, source in enumerate(self.origin):
            if source != _ADDED and mapped[source] < 0:
                mapped[source] = position
        mapped[length] = len(self.text)
        for source in range(length - 1, -1, -1):
            if mapped[source] < 0:
                mapped[source] = mapped[source + 1]
        return mapped


def _restyle(word: regex.Match, style: str) -> str:
    return restyle(word[0], style) if looks_like_syllable(word[0]) else word[0]


def _restyle_words(text: str, style: str) -> str:
    return _WORD.sub(lambda m: _restyle(m, style), text)


def _normalize(line: str, style: str) -> _Tracked:
    tracked = _Tracked(line)
    tracked.sub(_INVISIBLE, lambda m: "")
    if not unicodedata.is_normalized("NFC", tracked.text):
        tracked.sub(_GRAPHEME, lambda m: unicodedata.normalize("NFC", m[0]))
    tracked.sub(_WORD, lambda m: _restyle(m, style))
    # Tabs separate table cells; only runs of spaces are collapsed.
    indent = len(tracked.text) - len(tracked.text.lstrip(" "))
    body = _Tracked(tracked.text[indent:])
    body.sub(_SPACES, lambda m: " ")
    body.keep(0, len(body.text.rstrip()))
    body.sub(_SPACE_BEFORE_PUNCTUATION, lambda m: "")
    body.sub(_SPACE_AFTER_OPENING, lambda m: "")
    body.sub(_MISSING_SPACE_AFTER, lambda m: " ")
    if not body.text:
        tracked.keep(0, 0)
        return tracked
    tracked.text = tracked.text[:indent] + body.text
    tracked.origin = tracked.origin[:indent] + [
        _ADDED if source == _ADDED else tracked.origin[indent + source] for source in body.origin]
    return tracked


def normalize_line(line: str, style: str = MODERN) -> str:
    return _normalize(line, style).text


def normalize_lines(lines: list[str], style: str = MODERN,
                    items: TokenRestorations | Sequence[TokenRestoration] = ()) -> list[str]:
    """The lines normalized. Restoration items on them (1-based `line`) are moved to point at the
    same word in the normalized line, spelled as it is there."""
    compact = isinstance(items, TokenRestorations)
    line_of = item_lines(items)
    # The restorer gives items line by line, so one pass over the lines finds each line's items in turn.
    order = range(len(items))
    if any(line_of[index] > line_of[index + 1] for index in range(len(items) - 1)):
        order = sorted(order, key=line_of.__getitem__)
    result, cursor = [], 0
    for number, line in enumerate(lines, start=1):
        tracked = _normalize(line, style)
        result.append(tracked.text)
        if cursor < len(order) and line_of[order[cursor]] == number:
            offsets = tracked.offsets(len(line))
            while cursor < len(order) and line_of[order[cursor]] == number:
                index = order[cursor]
                if compact:
                    items.move(index, offsets[min(items.start_of(index), len(line))])
                else:
                    items[index].start = offsets[min(items[index].start, len(line))]
                cursor += 1
    if compact:  # each distinct spelling once: a text without marks has an item for nearly every word
        items.respell(lambda word: _restyle_words(word, style))
    else:
        for item in items:
            item.restored = _restyle_words(item.restored, style)
            item.alternatives = [_restyle_words(a, style) for a in item.alternatives]
    return result
