"""Two-column bands: the letterhead and the signature block of an administrative document.

A Vietnamese directive opens with two columns side by side (the issuing body and the number
on the left; "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", the motto, place and date on the right) and
closes with another ("Nơi nhận:" and its list on the left, the signature on the right). Read
row by row, the columns interleave; a reader takes the left column first, then the right one.
The PDF text layer (pdf.py) and OCR (ocr.py) both give rows of word boxes and both ask this
module where such bands are.

A band grows from a row split by exactly one gap wide enough to separate columns, down and
then up over the rows near enough to it that leave that gutter free. A word reaching into the
gutter narrows it from its side; the band ends where the gutter would close, or at a row on
one side of it that lies too far from the band. A row with several wide gaps is a row of an unruled table, or a header with a
stamp box between its columns: it starts no band.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    """One line of words: each word's horizontal extent, left to right, and the line's vertical
    extent. `column_gap` and `min_gutter` are in the same unit, set by the reader from the
    row's letter size or the page width."""

    spans: list[tuple[float, float]]
    top: float
    bottom: float
    column_gap: float  # a gap between two words at least this wide separates columns
    min_gutter: float  # a band's gutter stays at least this wide on this row


@dataclass(frozen=True)
class Band:
    start: int  # index of its first row
    end: int  # one past its last row
    gutter: tuple[float, float]  # the x range no word of the band's rows covers

    def side(self, span: tuple[float, float]) -> int:
        """0 for a word left of the gutter, 1 for one right of it."""
        return 0 if span[1] <= self.gutter[0] else 1


def column_gaps(row: Row) -> list[tuple[float, float]]:
    """The gaps of the row wide enough to separate columns, as (left word's end, right word's start)."""
    return [(left[1], right[0]) for left, right in zip(row.spans, row.spans[1:])
            if right[0] - left[1] >= row.column_gap]


def find_bands(rows: list[Row], max_row_gap: float) -> list[Band]:
    """The two-column bands among `rows` (in reading order), top to bottom, none overlapping.

    `max_row_gap`: rows further apart than this (bottom of one to top of the next) are not in
    one band: a title set off below the letterhead by a blank line is not part of it.
    """
    bands: list[Band] = []
    lowest_start = 0
    index = 0
    while index < len(rows):
        gaps = column_gaps(rows[index])
        if len(gaps) != 1:
            index += 1
            continue
        band = _grow(rows, index, gaps[0], max_row_gap, lowest_start)
        bands.append(band)
        lowest_start = index = band.end
    return bands


def _grow(rows: list[Row], seed: int, gutter: tuple[float, float], max_row_gap: float, lowest_start: int) -> Band:
    end = seed + 1
    while end < len(rows):
        narrowed = _joined(rows[end], rows[end].top - rows[end - 1].bottom, gutter, max_row_gap)
        if narrowed is None:
            break
        gutter, end = narrowed, end + 1
    start = seed
    while start > lowest_start:
        narrowed = _joined(rows[start - 1], rows[start].top - rows[start - 1].bottom, gutter, max_row_gap)
        if narrowed is None:
            break
        gutter, start = narrowed, start - 1
    return Band(start, end, gutter)


def _joined(row: Row, distance: float, gutter: tuple[float, float], max_row_gap: float) -> tuple[float, float] | None:
    """The band's gutter narrowed to `row`, when the row belongs to the band: it leaves the gutter
    free, and it is near the band or has words on both sides of the gutter (the number and date
    row of a letterhead may sit well below the motto, below the rules drawn under it)."""
    narrowed = _free_span(row, gutter)
    if narrowed is None:
        return None
    straddles = row.spans[0][1] <= narrowed[0] and row.spans[-1][0] >= narrowed[1]
    return narrowed if distance <= max_row_gap or straddles else None


def _free_span(row: Row, gutter: tuple[float, float]) -> tuple[float, float] | None:
    """The part of `gutter` no word of the row covers, if it is still wide enough to be one."""
    low, high = gutter
    for x0, x1 in row.spans:
        if x1 <= low or x0 >= high:
            continue
        # A word inside the gutter narrows it from the side it is nearer to.
        if x0 - low < high - x1:
            low = x1
        else:
            high = x0
    if high - low < row.min_gutter:
        return None
    return low, high
