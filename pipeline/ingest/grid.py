"""Ruled tables on scanned pages: find the grid, so OCR words can be put in their cells.

Tesseract reads a ruled table as loose lines that run across cells, which
loses which text belongs to which column. A task table ("TT | Nội dung |
Cơ quan chủ trì | …") is drawn with ruling lines, and those are easy to see
in the page image: long runs of dark pixels, far longer than any letter
stroke. Their positions give the column and row boundaries; each OCR word
then goes to the cell its centre falls in, and the table is written as one
tab-separated line per row, as the text layer of a PDF gives it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

DARK = 128
# A ruling line is a dark run this long (share of the page side); letter strokes are a few
# percent of the page height at most. Rotated scans shorten vertical runs, so the bar is low.
MIN_RULE = 0.025
MIN_COLUMNS = 3  # a grid with fewer columns is a box or a frame, not a table
MIN_ROWS = 3  # rules: a header row and one row at least
# A horizontal rule is a dark run this long (share of the page width): on a page left with a
# quarter of a degree of tilt a full-width rule still keeps such a run within one pixel row.
MIN_HORIZONTAL_RULE = 0.1
# A table spans most of the text width: a stamp box ("ĐẾN", a received date), a signature
# frame or a boxed note beside the header is far narrower.
MIN_TABLE_WIDTH = 0.4
# Rules this near the picture's edge are its border (a photo's background, a scanner's lid).
EDGE = 0.01
SHRINK = 3


@dataclass
class Grid:
    columns: list[float]  # x of each vertical rule, left to right
    rows: list[float]  # y of each horizontal rule, top to bottom

    @property
    def box(self) -> tuple[float, float, float, float]:
        return self.columns[0], self.rows[0], self.columns[-1], self.rows[-1]

    def contains(self, x: float, y: float) -> bool:
        left, top, right, bottom = self.box
        return left <= x <= right and top <= y <= bottom

    def cell(self, x: float, y: float) -> tuple[int, int]:
        """(row, column) of the cell holding the point, counted from 0."""
        return (int(np.searchsorted(self.rows, y)) - 1, int(np.searchsorted(self.columns, x)) - 1)


def _longest_runs(dark: np.ndarray) -> np.ndarray:
    """The longest run of True along axis 0, for each position of axis 1."""
    counts = np.cumsum(dark, axis=0, dtype=np.int16)
    # At each pixel, the count reached at the last light pixel above it: subtracting it
    # restarts the count at every gap, which leaves the length of the current run.
    restart = np.maximum.accumulate(np.where(dark, 0, counts), axis=0)
    return (counts - restart).max(axis=0)


def _rules(dark: np.ndarray, min_length: float) -> list[float]:
    """Centres of the ruling lines across axis 1: neighbouring positions with long runs, merged."""
    runs = _longest_runs(dark)
    margin = round(EDGE * len(runs))
    runs[:margin] = runs[len(runs) - margin:] = 0
    positions = np.flatnonzero(runs >= min_length)
    if not len(positions):
        return []
    groups = np.split(positions, np.flatnonzero(np.diff(positions) > 1) + 1)
    return [float(group.mean()) for group in groups]


def find_grid(image: Image.Image) -> Grid | None:
    """The ruled table on a page, if it has one."""
    gray = np.asarray(image if image.mode == "L" else image.convert("L"))
    # Looked for at a third of the resolution, keeping a pixel dark when any pixel it stands
    # for is: thin rules survive, and the work and memory are a ninth (pages are streamed).
    height, width = (side - side % SHRINK for side in gray.shape)
    dark = (gray[:height, :width] < DARK).reshape(height // SHRINK, SHRINK, width // SHRINK, SHRINK).any(axis=(1, 3))
    columns = _rules(dark, MIN_RULE * dark.shape[0])
    rows = _rules(dark.T, MIN_HORIZONTAL_RULE * dark.shape[1])
    if len(columns) < MIN_COLUMNS or len(rows) < MIN_ROWS:
        return None
    if columns[-1] - columns[0] < MIN_TABLE_WIDTH * dark.shape[1]:
        return None
    return Grid(columns=[SHRINK * x + 1 for x in columns], rows=[SHRINK * y + 1 for y in rows])
