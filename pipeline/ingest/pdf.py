"""PDF input: the text layer where it can be trusted, OCR where it cannot.

Each page is judged on its own. Its text layer is used when it reads as
Vietnamese (after converting TCVN3/VNI codes when it is in a legacy font
encoding); a page with no text, or text that is not Vietnamese (broken font
maps, an English OCR layer with the diacritics lost), is rasterized and OCR'd.

Reading order follows the layout of administrative documents: lines top to
bottom, except where the page is split in two columns (the national header,
the "Nơi nhận" / signature block); there the left column is read before the
right one and each column becomes its own block.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber
import pypdfium2
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfminer.psexceptions import PSException
from pdfplumber.utils.exceptions import PdfminerException

from pipeline.errors import InputError
from pipeline.model import Line, PageQuality

from . import columns, legacy

# Words further apart than this many font sizes on one line belong to
# different columns or table cells; justified text stretches spaces to well
# under one size.
_COLUMN_GAP_EM = 2.0
# The gutter between two columns stays at least this wide on every line.
_MIN_GUTTER_EM = 0.8
# Blank space of a full line height or more between rows starts a new block.
_BLOCK_GAP_LINES = 1.0
# Rows of a two-column band may be further apart (the header has a rule
# drawn between its rows), but a title set off below the band by a blank
# line or more is not part of it.
_BAND_ROW_GAP_LINES = 1.5
# A text layer that is not Vietnamese: few well-formed syllables, or, once
# there are enough words to tell, almost no toned letters.
_MIN_SYLLABLE_SHARE = 0.6
_MIN_TONED_SHARE = 0.15
_WORDS_TO_JUDGE_TONES = 20
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")


@dataclass
class _Row:
    """Words sharing a baseline, left to right."""

    words: list[dict]
    top: float
    bottom: float
    size: float

    @property
    def text(self) -> str:
        return " ".join(word["text"] for word in self.words)


@dataclass
class _Block:
    """Lines read together: a run of body text, one column, or a table."""

    top: float
    lines: list[str] = field(default_factory=list)


def read_pdf(path: Path, jobs: int) -> tuple[str, int, list[Line], list[PageQuality]]:
    """(kind, page count, lines numbered 0, how each OCR'd page was read) for the PDF at `path`."""
    from . import ocr  # OpenCV and Tesseract, only for the scanned pages

    text_pages, pages_to_ocr, page_count = _read_text_layers(path)
    ocr_pages = {number: (lines, quality) for number, lines, quality in
                 (ocr.ocr_pdf_pages(path, pages_to_ocr, jobs) if pages_to_ocr else ())}
    lines: list[Line] = []
    for number in range(1, page_count + 1):
        if number in ocr_pages:
            lines.extend(ocr_pages[number][0])
        else:
            lines.extend(
                Line(number=0, text=text, original=text, page=number) for text in text_pages[number]
            )
    if not pages_to_ocr:
        kind = "pdf-text"
    elif len(pages_to_ocr) == page_count:
        kind = "pdf-scan"
    else:
        kind = "pdf-mixed"
    return kind, page_count, lines, [quality for _, quality in ocr_pages.values()]


def _read_text_layers(path: Path) -> tuple[dict[int, list[str]], list[int], int]:
    text_pages: dict[int, list[str]] = {}
    pages_to_ocr: list[int] = []
    try:
        with pdfplumber.open(path) as document:
            page_count = len(document.pages)
            if page_count == 0:
                raise InputError(f"{path}: PDF has no pages")
            _check_rasterizable(path)
            for number, page in enumerate(document.pages, start=1):
                lines = page_lines(page)
                # Each page's parsed objects are cached on the document;
                # dropping them keeps a long PDF's memory flat.
                page.close()
                if lines is None:
                    pages_to_ocr.append(number)
                else:
                    text_pages[number] = lines
    except PdfminerException as error:
        raise InputError(f"{path}: {_describe_pdf_error(error.args[0] if error.args else error)}") from None
    except PSException as error:
        # A file that opens may still fail on a damaged page's content.
        raise InputError(f"{path}: {_describe_pdf_error(error)}") from None
    return text_pages, pages_to_ocr, page_count


def _check_rasterizable(path: Path) -> None:
    """Fail now, not after the text pages, if pdfium cannot open the file either."""
    try:
        pypdfium2.PdfDocument(str(path)).close()
    except pypdfium2.PdfiumError as error:
        raise InputError(f"{path}: damaged PDF: {error}") from None


def _describe_pdf_error(cause: BaseException) -> str:
    if isinstance(cause, PDFPasswordIncorrect):
        return "encrypted PDF that needs a password; save an unprotected copy and try again"
    return f"damaged or not a PDF ({type(cause).__name__}: {str(cause)[:100]})"


def page_lines(page) -> list[str] | None:
    """The page's text in reading order, or None when the page must be OCR'd."""
    words = page.extract_words(extra_attrs=["size"], keep_blank_chars=False)
    if not words:
        return None
    tables = page.find_tables()
    table_boxes = [table.bbox for table in tables]
    flow_words = [word for word in words if not any(_inside(word, box) for box in table_boxes)]
    blocks = _flow_blocks(_rows(flow_words))
    blocks += [_table_block(table) for table in tables]
    blocks.sort(key=lambda block: block.top)
    lines: list[str] = []
    for block in blocks:
        if lines and block.lines:
            lines.append("")
        lines.extend(block.lines)
    text = unicodedata.normalize("NFC", "\n".join(lines))
    encoding = legacy.detect(text)
    if encoding:
        text = legacy.to_unicode(text, encoding)
    if not _reads_as_vietnamese(text):
        return None
    return text.split("\n")


def _reads_as_vietnamese(text: str) -> bool:
    if legacy.syllable_share(text) < _MIN_SYLLABLE_SHARE:
        return False
    words = re.findall(r"[^\W\d_]+", text)
    if len(words) < _WORDS_TO_JUDGE_TONES:
        return True
    toned = sum(1 for word in words if _TONE_MARKS & set(unicodedata.normalize("NFD", word)))
    return toned / len(words) >= _MIN_TONED_SHARE


def _inside(word: dict, box: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = box
    middle_x = (word["x0"] + word["x1"]) / 2
    middle_y = (word["top"] + word["bottom"]) / 2
    return x0 <= middle_x <= x1 and top <= middle_y <= bottom


def _rows(words: list[dict]) -> list[_Row]:
    """Group words into rows: a word joins a row when it overlaps its middle."""
    rows: list[_Row] = []
    for word in sorted(words, key=lambda word: (word["top"], word["x0"])):
        middle = (word["top"] + word["bottom"]) / 2
        for row in reversed(rows[-3:]):
            if row.top <= middle <= row.bottom:
                row.words.append(word)
                row.bottom = max(row.bottom, word["bottom"])
                row.size = max(row.size, word["size"])
                break
        else:
            rows.append(_Row([word], word["top"], word["bottom"], word["size"]))
    for row in rows:
        row.words.sort(key=lambda word: word["x0"])
    return rows


def _flow_blocks(rows: list[_Row]) -> list[_Block]:
    """Body text as blocks split at wide vertical gaps; two-column bands as two blocks."""
    line_height = _median([row.bottom - row.top for row in rows]) or 1.0
    bands = {band.start: band for band in columns.find_bands(
        [columns.Row([(word["x0"], word["x1"]) for word in row.words], row.top, row.bottom,
                     _COLUMN_GAP_EM * row.size, _MIN_GUTTER_EM * row.size) for row in rows],
        _BAND_ROW_GAP_LINES * line_height)}
    blocks: list[_Block] = []
    current: _Block | None = None
    previous_bottom = None
    index = 0
    while index < len(rows):
        if index in bands:
            end = bands[index].end
            sides = _Block(rows[index].top), _Block(rows[index].top)
            for band_row in rows[index:end]:
                parts: tuple[list[str], list[str]] = ([], [])
                for word in band_row.words:
                    parts[bands[index].side((word["x0"], word["x1"]))].append(word["text"])
                for block, part in zip(sides, parts):
                    if part:
                        block.lines.append(" ".join(part))
            blocks += sides
            current = None
            previous_bottom = rows[end - 1].bottom
            index = end
            continue
        row = rows[index]
        starts_block = previous_bottom is None or row.top - previous_bottom > _BLOCK_GAP_LINES * line_height
        if current is None or starts_block:
            current = _Block(row.top)
            blocks.append(current)
        # Rows with several wide gaps are table rows without rules: keep the
        # cells apart with tabs, as a spreadsheet would.
        current.lines.append("\t".join(_segments(row)))
        previous_bottom = row.bottom
        index += 1
    return [block for block in blocks if block.lines]


def _segments(row: _Row) -> list[str]:
    segments: list[list[str]] = [[row.words[0]["text"]]]
    for left, right in zip(row.words, row.words[1:]):
        if right["x0"] - left["x1"] > _COLUMN_GAP_EM * row.size:
            segments.append([])
        segments[-1].append(right["text"])
    return [" ".join(segment) for segment in segments]


def _table_block(table) -> _Block:
    block = _Block(table.bbox[1])
    for row in table.extract():
        # None is a merged cell: kept empty so every cell stays in its column.
        cells = [" ".join((cell or "").split()) for cell in row]
        if any(cells):
            block.lines.append("\t".join(cells))
    return block


def _median(values: list[float]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[len(ordered) // 2]
