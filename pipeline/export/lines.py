"""A document's lines as the clerk reviews them: words, what the restorer did, corrections.

Every word of a restored line can be corrected; the words the restorer
changed or was unsure about carry its report item (original OCR word,
confidence, alternatives), found by its offset in the normalized line.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from pipeline.corrections import WordCorrection
from pipeline.model import Document, Line, TokenRestoration, item_lines
from pipeline.restore import LOW_CONFIDENCE
from pipeline.restore.tokens import tokenize


@dataclass
class Word:
    start: int  # offset in the line's restored text
    machine: str
    restoration: TokenRestoration | None = None  # the restorer's report item, when it has one
    corrected: str | None = None

    @property
    def text(self) -> str:
        return self.machine if self.corrected is None else self.corrected

    @property
    def changed(self) -> bool:
        return self.restoration is not None and self.restoration.original != self.restoration.restored

    @property
    def low_confidence(self) -> bool:
        return self.restoration is not None and self.restoration.confidence < LOW_CONFIDENCE

    @property
    def candidates(self) -> list[str]:
        """Other spellings to offer: the restorer's alternatives, then the OCR word itself."""
        if self.restoration is None:
            return []
        offered = [*self.restoration.alternatives, self.restoration.original, self.machine]
        return [c for c in dict.fromkeys(offered) if c != self.text]


@dataclass
class ReviewLine:
    number: int
    page: int
    original: str
    machine: str  # restored and normalized text as the pipeline wrote it
    bbox: tuple[int, int, int, int] | None
    ocr_confidence: float | None
    pieces: list[str | Word] = field(default_factory=list)  # the machine text, cut at its words

    @property
    def words(self) -> list[Word]:
        return [piece for piece in self.pieces if isinstance(piece, Word)]

    @property
    def text(self) -> str:
        return "".join(piece if isinstance(piece, str) else piece.text for piece in self.pieces)


def each_review_line(document: Document, corrections: dict[tuple[int, int], WordCorrection]) -> Iterator[ReviewLine]:
    """The document's lines with restoration items and corrections placed on their words, made one at
    a time: a page written as they come never holds a word object for every word of a long document."""
    items = document.restoration.items if document.restoration else []
    positions = _positions_by_line(items)
    for raw in document.lines:
        yield _review_line(raw, [items[index] for index in positions.get(raw.number, ())], corrections)


def stale_corrections(document: Document, corrections: dict[tuple[int, int], WordCorrection]) -> list[WordCorrection]:
    """The corrections that no longer fit a word (the document was processed again and its text
    changed there); only the lines corrected are looked at."""
    corrected = {number for number, _ in corrections}
    return _unplaced([_review_line(raw, [], corrections) for raw in document.lines if raw.number in corrected],
                     corrections)


def _review_line(raw: Line, items: list[TokenRestoration], corrections: dict[tuple[int, int], WordCorrection]
                 ) -> ReviewLine:
    line = ReviewLine(raw.number, raw.page, raw.original, raw.text, raw.bbox, raw.ocr_confidence)
    words = [Word(token.start, token.text) for token in tokenize(line.machine)]
    _attach_items(words, items)
    for word in words:
        correction = corrections.get((line.number, word.start))
        if correction is not None and correction.machine == word.machine:
            word.corrected = correction.corrected
    line.pieces = _cut(line.machine, words)
    return line


def _unplaced(lines: list[ReviewLine], corrections: dict[tuple[int, int], WordCorrection]) -> list[WordCorrection]:
    placed = {(line.number, word.start) for line in lines for word in line.words if word.corrected is not None}
    return [c for key, c in corrections.items() if key not in placed]


def _positions_by_line(items: Sequence[TokenRestoration]) -> dict[int, range | list[int]]:
    """Line number -> the positions of its items in `items`, in order; a run of positions as a range
    (the restorer gives items line by line), so a million items need no million numbers."""
    positions: dict[int, range | list[int]] = {}
    for index, number in enumerate(item_lines(items)):
        found = positions.get(number)
        if found is None:
            positions[number] = range(index, index + 1)
        elif isinstance(found, range) and found.stop == index:
            positions[number] = range(found.start, index + 1)
        else:
            positions[number] = [*found, index]
    return positions


def _attach_items(words: list[Word], items: list[TokenRestoration]) -> None:
    """Each item onto the word at its offset: normalize keeps the restorer's offsets true."""
    word_at = {word.start: word for word in words}
    for item in items:
        word = word_at.get(item.start)
        if word is not None and word.machine == item.restored:
            word.restoration = item


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
