"""A document's lines as the clerk reviews them: words, what the restorer did, corrections.

Every word of a restored line can be corrected; the words the restorer
changed or was unsure about carry its report item (original OCR word,
confidence, alternatives). The restorer reports offsets in its own output,
before normalization tidied spacing and tone placement, so each item is
found again in the final line: among the words spelled as the item's word
(in either tone style), the one nearest its reported offset.
"""
from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from pipeline.normalize import normalize_line
from pipeline.restore import LOW_CONFIDENCE
from pipeline.restore.tokens import tokenize
from pipeline.corrections import WordCorrection
from pipeline.vietnamese import MODERN, OLD


@dataclass
class Word:
    start: int  # offset in the line's restored text
    machine: str
    restoration: dict[str, Any] | None = None  # the restorer's report item, when it has one
    corrected: str | None = None

    @property
    def text(self) -> str:
        return self.machine if self.corrected is None else self.corrected

    @property
    def changed(self) -> bool:
        return self.restoration is not None and self.restoration["original"] != self.restoration["restored"]

    @property
    def low_confidence(self) -> bool:
        return self.restoration is not None and self.restoration["confidence"] < LOW_CONFIDENCE

    @property
    def candidates(self) -> list[str]:
        """Other spellings to offer: the restorer's alternatives, then the OCR word itself."""
        if self.restoration is None:
            return []
        offered = [*self.restoration["alternatives"], self.restoration["original"], self.machine]
        return [c for c in dict.fromkeys(offered) if c != self.text]


@dataclass
class ReviewLine:
    number: int
    page: int
    original: str
    machine: str  # restored and normalized text as the pipeline wrote it
    bbox: list[int] | None
    ocr_confidence: float | None
    pieces: list[str | Word] = field(default_factory=list)  # the machine text, cut at its words

    @property
    def words(self) -> list[Word]:
        return [piece for piece in self.pieces if isinstance(piece, Word)]

    @property
    def text(self) -> str:
        return "".join(piece if isinstance(piece, str) else piece.text for piece in self.pieces)


def review_lines(document: dict[str, Any], corrections: dict[tuple[int, int], WordCorrection]
                 ) -> tuple[list[ReviewLine], list[WordCorrection]]:
    """The document's lines with restoration items and corrections placed on their words.

    Also returns the corrections that no longer fit a word (the document was
    processed again and its text changed there).
    """
    items_by_line: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for item in (document.get("restoration") or {}).get("items", []):
        items_by_line[item["line"]].append(item)
    placed: set[tuple[int, int]] = set()
    lines = []
    for raw in document.get("lines", []):
        line = ReviewLine(raw["number"], raw["page"], raw["original"], raw["text"], raw["bbox"],
                          raw["ocr_confidence"])
        words = [Word(token.start, token.text) for token in tokenize(line.machine)]
        _attach_items(words, items_by_line.get(line.number, []))
        for word in words:
            correction = corrections.get((line.number, word.start))
            if correction is not None and correction.machine == word.machine:
                word.corrected = correction.corrected
                placed.add((line.number, word.start))
        line.pieces = _cut(line.machine, words)
        lines.append(line)
    stale = [c for key, c in corrections.items() if key not in placed]
    return lines, stale


def _attach_items(words: list[Word], items: list[dict[str, Any]]) -> None:
    """Each item onto the nearest free word spelled as it (the earlier one of two as near).

    Words are looked up by spelling, and by offset within a spelling, so a line
    of n words with n items costs about n log n, not n squared.
    """
    free_by_spelling: dict[str, list[Word]] = defaultdict(list)  # in offset order; a word leaves when taken
    for word in words:
        free_by_spelling[word.machine].append(word)
    for item in sorted(items, key=lambda i: i["start"]):
        spellings = {item["restored"], normalize_line(item["restored"], MODERN), normalize_line(item["restored"], OLD)}
        best: tuple[int, int, str, int] | None = None  # distance, offset, spelling, index among its free words
        for spelling in spellings:
            free = free_by_spelling.get(spelling, [])
            index = bisect.bisect_left(free, item["start"], key=lambda w: w.start)
            for near in (index - 1, index):
                if 0 <= near < len(free):
                    candidate = (abs(free[near].start - item["start"]), free[near].start, spelling, near)
                    best = candidate if best is None or candidate < best else best
        if best is not None:
            free_by_spelling[best[2]].pop(best[3]).restoration = item


def _cut(text: str, words: list[Word]) -> list[str | Word]:
    pieces: list[str | Word] = []
    cursor = 0
    for word in words:
        if word.start > cursor:
            pieces.append(text[cursor:word.start])
        pieces.append(word)
        cursor = word.start + len(word.machine)
    if cursor < len(text):
        pieces.append(text[cursor:])
    return pieces
