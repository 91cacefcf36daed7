"""OCR of scanned pages: PDF pages rasterized with pdfium, and image files.

Each page is first prepared (pipeline.ingest.prepare: turned upright,
straightened, seals and shadows removed, photos flattened), then read.
Pages are streamed: at most `jobs` + 1 pages are held (as PNG bytes) at a
time, whatever the length of the document, and up to `jobs` Tesseract
processes run side by side.
"""
from __future__ import annotations

import collections
import io
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pypdfium2
import regex
from PIL import Image, ImageSequence, UnidentifiedImageError

from pipeline._exec import tesseract
from pipeline.errors import InputError
from pipeline.ingest import columns, hocr
from pipeline.ingest.grid import Grid, find_grid
from pipeline.ingest.prepare import ANALYSIS_DPI, grey_without_colour_ink, has_colour_ink, prepare
from pipeline.model import Line, PageQuality, WordReadings

RENDER_DPI = 300
# A PDF page is a scan when one image covers this share of it; the image's own resolution is kept
# in the rendered page's info under SCAN_DPI.
SCAN_PAGE_SHARE = 0.5
SCAN_DPI = "scan_dpi"
# A dense page takes a few seconds; minutes means Tesseract is stuck.
PAGE_TIMEOUT_SECONDS = 300
# `vie` alone: adding Tesseract's script model `Vietnamese` gains 0.2-0.3 points of syllable
# accuracy after restoration on the dev scans but costs 30 % more time a page (bench/ocr.py).
_REQUIRED_LANGUAGE = "vie"
_SUPPORTED_IMAGE_FORMATS = {"PNG", "JPEG", "MPO", "TIFF"}
# Below this mean word confidence a page is flagged for a clerk: clean scans read 0.90-0.97.
LOW_PAGE_CONFIDENCE = 0.80
# Letters scanned smaller than prepare.MIN_LETTER_HEIGHT (150 dpi, a phone photo) keep too few pixels
# for their tone marks: Tesseract reads "biến" for "biển" and "đế" for "để" and is no less sure of
# them. No word of such a page is taken as more certain than this, so the restorer (which decides
# words read below 0.95 by their context, pipeline.restore.DOUBTFUL_WORD) weighs every one.
SMALL_LETTERS_CONFIDENCE = 0.9
# An image file that does not say its resolution is taken to be a 300 dpi scan; the letter
# height check in `prepare` enlarges it when it is smaller.
DEFAULT_IMAGE_DPI = 300

OcrPage = tuple[int, list[Line], PageQuality]


def languages() -> list[str]:
    tesseract.check([_REQUIRED_LANGUAGE])
    return [_REQUIRED_LANGUAGE]


def ocr_pdf_pages(path: Path, page_numbers: list[int], jobs: int) -> Iterator[OcrPage]:
    """(page number, lines, quality) for each 1-based page in `page_numbers`, in order."""
    langs = languages()
    try:
        document = pypdfium2.PdfDocument(str(path))
    except pypdfium2.PdfiumError as error:
        raise InputError(f"{path}: damaged PDF: {error}") from None
    try:
        images = ((number, render(document, number, path)) for number in page_numbers)
        yield from _ocr_stream(images, jobs, langs, f"{path}")
    finally:
        document.close()


def ocr_image_file(path: Path, jobs: int) -> Iterator[OcrPage]:
    """(page number, lines, quality) for each frame of a PNG, JPEG or (multi-page) TIFF."""
    langs = languages()
    try:
        image = Image.open(path)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise InputError(f"{path}: unreadable image: {error}") from None
    with image:
        if image.format not in _SUPPORTED_IMAGE_FORMATS:
            raise InputError(f"{path}: unsupported image format {image.format}; expected PNG, JPEG or TIFF")
        frames = (
            (number, grey_without_colour_ink(load_frame(frame, path, number), f"{path} page {number}"))
            for number, frame in enumerate(ImageSequence.Iterator(image), start=1)
        )
        yield from _ocr_stream(frames, jobs, langs, f"{path}")


def render(document: pypdfium2.PdfDocument, number: int, path: Path, colour: bool = False) -> Image.Image:
    """The 1-based page `number` at RENDER_DPI: in grey with coloured ink (seals, signatures)
    faded out, or as it looks (`colour`)."""
    label = f"{path} page {number}"
    try:
        page = document[number - 1]
        try:
            if colour:
                image = page.render(scale=RENDER_DPI / 72).to_pil()
            # A small colour copy says whether there is coloured ink to take out; most pages have
            # none and are rendered in grey, a third of the memory.
            elif has_colour_ink(page.render(scale=ANALYSIS_DPI / 72).to_pil(), label):
                image = grey_without_colour_ink(page.render(scale=RENDER_DPI / 72).to_pil(), label, True)
            else:
                image = page.render(scale=RENDER_DPI / 72, grayscale=True).to_pil()
            scan_dpi = _scan_dpi(page)
        finally:
            page.close()
    except pypdfium2.PdfiumError as error:
        raise InputError(f"{label} cannot be rendered: {error}") from None
    image.info["dpi"] = (RENDER_DPI, RENDER_DPI)
    if scan_dpi:
        image.info[SCAN_DPI] = scan_dpi
    return image


def _scan_dpi(page: pypdfium2.PdfPage) -> float | None:
    """The resolution of the scan a page is, when an image covers most of it: rendered at
    RENDER_DPI, a 150 dpi scan has more pixels but no more detail."""
    width, height = page.get_size()
    try:
        for image in page.get_objects(filter=(pypdfium2.raw.FPDF_PAGEOBJ_IMAGE,), max_depth=1):
            left, bottom, right, top = image.get_bounds()
            if (right - left) * (top - bottom) >= SCAN_PAGE_SHARE * width * height:
                metadata = image.get_metadata()
                return float(min(metadata.horizontal_dpi, metadata.vertical_dpi)) or None
    except pypdfium2.PdfiumError:
        pass  # an image pdfium cannot describe: the page is read at the resolution it is rendered at
    return None


def load_frame(frame: Image.Image, path: Path, number: int) -> Image.Image:
    """One frame of an image file as RGB (or grey), transparency laid on white paper."""
    try:
        frame.load()
    except (OSError, Image.DecompressionBombError) as error:
        raise InputError(f"{path}: page {number}: unreadable image data: {error}") from None
    dpi = frame.info.get("dpi")
    if frame.mode in ("RGBA", "LA", "PA") or (frame.mode == "P" and "transparency" in frame.info):
        # Transparent pixels are often stored black; Tesseract must see paper.
        background = Image.new("RGBA", frame.size, "white")
        frame = Image.alpha_composite(background, frame.convert("RGBA"))
    picture = frame.convert("L" if frame.mode in ("1", "L", "I;16", "I", "F") else "RGB")
    if dpi:
        picture.info["dpi"] = dpi
    return picture


def image_dpi(image: Image.Image) -> float:
    dpi = image.info.get("dpi")
    value = float(dpi[0]) if dpi else 0.0
    # Some writers store 1 or 72 for "unknown".
    return value if value >= 100 else DEFAULT_IMAGE_DPI


def _ocr_stream(
    images: Iterable[tuple[int, Image.Image]], jobs: int, langs: list[str], label: str
) -> Iterator[OcrPage]:
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        pending: collections.deque = collections.deque()
        for number, image in images:
            page_label = f"{label} page {number}"
            # Prepared in the pool too: with jobs > 1 one page is prepared while another is read.
            pending.append((number, pool.submit(_read_page, image, number, langs, page_label)))
            del image
            while len(pending) > max(1, jobs):
                number_done, future = pending.popleft()
                yield number_done, *future.result()
        while pending:
            number_done, future = pending.popleft()
            yield number_done, *future.result()


def _read_page(image: Image.Image, number: int, langs: list[str], label: str) -> tuple[list[Line], PageQuality]:
    prepared = prepare(image, image_dpi(image), label, image.info.get(SCAN_DPI))
    del image
    grid = find_grid(prepared.image)
    encoded = encode_for_tesseract(prepared.image)
    del prepared.image  # held only as bytes while Tesseract reads it: pages are streamed
    lines = _ocr_image(encoded, number, langs, label, grid)
    confidences = [value for line in lines for value in line.word_confidences or []]
    confidence = round(sum(confidences) / len(confidences), 3) if confidences else None
    if prepared.small_letters:
        for line in lines:
            if line.word_confidences:
                line.word_confidences = [min(value, SMALL_LETTERS_CONFIDENCE) for value in line.word_confidences]
    quality = PageQuality(page=number, rotation=prepared.rotation, skew=prepared.skew, confidence=confidence,
                          flagged=confidence is not None and confidence < LOW_PAGE_CONFIDENCE)
    return lines, quality


def encode_for_tesseract(image: Image.Image) -> bytes:
    """The page as BMP: it only crosses a pipe to Tesseract, and unlike PNG it costs no
    compression time (a tenth of a second a page); unlike PNM it keeps the resolution."""
    buffer = io.BytesIO()
    dpi = image.info.get("dpi")
    options = {"dpi": tuple(round(float(value)) for value in dpi)} if dpi else {}
    image.save(buffer, format="BMP", **options)
    return buffer.getvalue()


def _ocr_image(image: bytes, page: int, langs: list[str], label: str, grid: Grid | None) -> list[Line]:
    hocr_page = tesseract.image_to_hocr(image, languages=langs, label=label, timeout=PAGE_TIMEOUT_SECONDS)
    return lines_from_hocr(hocr_page, page, grid, label)


# A table's ruling lines read as characters of their own.
_RULE_READ_AS_TEXT = regex.compile(r"[|¦\[\]!]+")
# A table row's number read into its first word (pipeline.ingest.ocr._numbered_rows).
_GLUED_NUMBER = regex.compile(r"(\d{1,3})\p{Lu}")
_GLUED_SYMBOL = regex.compile(r"([^\p{L}\p{N}\s(\[\"“'‘-])\p{Lu}")
# A gap this wide (share of the page width) between two words of one OCR line separates two
# columns: the header's "ỦY BAN NHÂN DÂN | CỘNG HÒA XÃ HỘI..." or "Nơi nhận: | KT. CHỦ TỊCH".
COLUMN_GAP = 0.05
# The gutter of a two-column band stays this many letter heights wide on each of its lines; lines
# further apart than this many line heights (a title set off below the letterhead) are not in one band.
MIN_GUTTER_HEIGHTS = 0.8
BAND_LINE_GAP_HEIGHTS = 1.5
# A band is unfolded when at least this many of its lines are split by its gutter; one split
# line alone is as likely a line with a wide space in it.
MIN_SPLIT_LINES = 2
# A ruled grid is read as a table when this many of its rows have text in this many cells.
MIN_TABLE_ROWS = 2
MIN_FILLED_CELLS = 2

# (text, confidence, box, readings of its characters: pipeline.ingest.hocr.HocrWord)
Word = tuple[str, float, tuple[int, int, int, int], WordReadings | None]


def lines_from_hocr(hocr_page: str, page: int, grid: Grid | None = None, label: str = "") -> list[Line]:
    """Tesseract hOCR to one Line per text line, with a blank Line between paragraphs.

    Where consecutive OCR lines run across two columns (letterhead, signature block), the left
    column is given first and the right one after it, as a reader and the text layer of a PDF
    give them. The words inside a ruled table (`grid`) become one tab-separated line per table
    row, in the table's place. Lines are numbered 0 here; the document is numbered once all
    pages are in. Each Line keeps its words' confidences and the other readings Tesseract weighed
    for their characters (`Line.word_readings`). `label` names the page in error messages.
    """
    page_width, words = hocr.page_words(hocr_page, label)
    words_by_line: dict[tuple[str, str, str], list[Word]] = {}
    for word in words:
        words_by_line.setdefault(word.line, []).append((word.text, word.confidence, word.box, word.readings))
    ordered = list(words_by_line.items())
    table: list[Line] = []
    if grid:
        kept, table = _take_table(ordered, grid, page)
        # Ruling lines with text in hardly any of their cells are a box or a form, not a table:
        # read in Tesseract's own order, the page is no worse than plain reading.
        filled = sum(sum(bool(cell.strip()) for cell in row.text.split("\t")) >= MIN_FILLED_CELLS for row in table)
        if filled >= MIN_TABLE_ROWS:
            ordered = kept
        else:
            grid, table = None, []
    above = [item for item in ordered if not grid or item[1][0][2][1] < grid.box[1]]
    below = [item for item in ordered if grid and item[1][0][2][1] >= grid.box[1]]
    blocks = [[_line(words, page) for words in group]
              for group in _paragraphs_in_column_order(above, page_width)]
    if table:
        blocks.append(table)
    blocks += [[_line(words, page) for words in group]
               for group in _paragraphs_in_column_order(below, page_width)]
    lines: list[Line] = []
    for block in blocks:
        if lines:
            lines.append(Line(number=0, text="", original="", page=page))
        lines.extend(block)
    return lines


def _take_table(lines: list[tuple[tuple[str, str, str], list[Word]]], grid: Grid, page: int):
    """The OCR lines without the words inside the grid, and one tab-separated Line per table row."""
    cells: dict[tuple[int, int], list[tuple[int, Word]]] = {}
    outside = []
    for order, (key, words) in enumerate(lines):
        kept = []
        for word in words:
            left, top, right, bottom = word[2]
            x, y = (left + right) / 2, (top + bottom) / 2
            if grid.contains(x, y):
                cells.setdefault(grid.cell(x, y), []).append((order, word))
            else:
                kept.append(word)
        if kept:
            outside.append((key, kept))
    rows = []
    table = [[_reading_order([word for _, word in cells.get((row, column), []) if not _RULE_READ_AS_TEXT.fullmatch(word[0])])
              for column in range(len(grid.columns) - 1)]
             for row in sorted({r for r, _ in cells})]
    for columns in _numbered_rows(table):
        words = [word for column in columns for word in column]
        text = "\t".join(" ".join(word[0] for word in column) for column in columns)
        confidences = [round(word[1], 3) for word in words]
        rows.append(Line(number=0, text=text, original=text, page=page, bbox=_span(word[2] for word in words),
                         ocr_confidence=round(sum(confidences) / len(confidences), 3), word_confidences=confidences,
                         word_readings=_word_readings(words)))
    return outside, rows


def _reading_order(words: list[Word]) -> list[Word]:
    """A cell's words line by line, top to bottom, each line left to right.

    Tesseract's own line order can interleave the lines of neighbouring cells, so the lines
    are rebuilt from the word boxes: a word starts a new line when its centre lies lower than
    half a word height below the current line's first word.
    """
    if not words:
        return []
    height = sorted(word[2][3] - word[2][1] for word in words)[len(words) // 2]
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w[2][1] + w[2][3]) / 2):
        centre = (word[2][1] + word[2][3]) / 2
        if lines and centre - (lines[-1][0][2][1] + lines[-1][0][2][3]) / 2 <= height / 2:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [word for line in lines for word in sorted(line, key=lambda w: w[2][0])]


def _numbered_rows(table: list[list[list[Word]]]) -> list[list[list[Word]]]:
    """The table's rows (each a list of cells, each a list of words) with the row numbers Tesseract
    read into the next cell put back. A narrow first column's number is often read as part of the
    cell's first word: "1Tổ chức ..." as it is, or the digit as a symbol ("+Khảo sát", "¿Doanh
    nghiệp"). A symbol's digit is the one the numbers of the rows around it leave: the number after
    the row above's, or before the row below's, counted over the rows between."""
    rows = [[list(cell) for cell in row] for row in table]
    lost = []  # rows whose number was read as a symbol
    for index, row in enumerate(rows):
        if len(row) < 2 or row[0] or not row[1]:
            continue
        text, confidence, box, _ = row[1][0]
        if text.isdigit() and len(text) <= 3 and len(row[1]) > 1 and row[1][1][0][:1].isupper():
            row[0] = [row[1].pop(0)]
        elif glued := _GLUED_NUMBER.match(text):
            row[0] = [(glued[1], confidence, box, None)]
            row[1][0] = (text[glued.end(1):], confidence, box, None)
        elif glued := _GLUED_SYMBOL.match(text):
            row[1][0] = (text[glued.end(1):], confidence, box, None)
            lost.append(index)
    numbers = [int(row[0][0][0]) if len(row) > 1 and len(row[0]) == 1 and row[0][0][0].isdigit() else None
               for row in rows]
    for index in lost:
        guesses = set()
        for step in (-1, 1):
            other = index + step
            while 0 <= other < len(rows) and other in lost:
                other += step
            if 0 <= other < len(rows) and numbers[other] is not None:
                guesses.add(numbers[other] + index - other)
        if len(guesses) == 1 and (guess := guesses.pop()) > 0:
            box = rows[index][1][0][2]
            rows[index][0] = [(str(guess), rows[index][1][0][1], box, None)]
    return rows


def _span(boxes) -> tuple[int, int, int, int]:
    boxes = list(boxes)
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _line(words: list[Word], page: int) -> Line:
    text = " ".join(word[0] for word in words)
    confidences = [round(word[1], 3) for word in words]
    boxes = [word[2] for word in words]
    bbox = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
    return Line(number=0, text=text, original=text, page=page, bbox=bbox,
                ocr_confidence=round(sum(confidences) / len(confidences), 3), word_confidences=confidences,
                word_readings=_word_readings(words))


def _word_readings(words: list[Word]) -> list | None:
    readings = [word[3] for word in words]
    return readings if any(readings) else None


def _row(words: list[Word], page_width: int) -> columns.Row:
    boxes = sorted(word[2] for word in words)
    height = sorted(box[3] - box[1] for box in boxes)[len(boxes) // 2]
    return columns.Row([(box[0], box[2]) for box in boxes], min(box[1] for box in boxes),
                       max(box[3] for box in boxes), page_width * COLUMN_GAP, MIN_GUTTER_HEIGHTS * height)


def _paragraphs_in_column_order(lines: list[tuple[tuple[str, str, str], list[Word]]], page_width: int):
    """Groups of word lists, one group per output paragraph: a two-column band (pipeline.ingest.columns)
    as its left column then its right one, every other line in Tesseract's own paragraphs and order."""
    rows = [_row(words, page_width) for _, words in lines]
    heights = sorted(row.bottom - row.top for row in rows)
    line_gap = BAND_LINE_GAP_HEIGHTS * heights[len(heights) // 2] if heights else 0
    bands = {}
    for band in columns.find_bands(rows, line_gap):
        split = [len({band.side(span) for span in rows[at].spans}) == 2 for at in range(band.start, band.end)]
        if sum(split) < MIN_SPLIT_LINES:
            continue
        # The last lines of a paragraph begun above the band ("... định kỳ báo | cáo UBND tỉnh.") sit
        # on one side of its gutter, but stay with their paragraph.
        start = band.start
        while not split[start - band.start] and start > 0 and lines[start][0][:2] == lines[start - 1][0][:2]:
            start += 1
        bands[start] = columns.Band(start, band.end, band.gutter)
    index = 0
    while index < len(lines):
        band = bands.get(index)
        if band:
            sides: tuple[list[list[Word]], list[list[Word]]] = ([], [])
            for _, words in lines[band.start:band.end]:
                parts: tuple[list[Word], list[Word]] = ([], [])
                for word in sorted(words, key=lambda word: word[2][0]):
                    parts[band.side((word[2][0], word[2][2]))].append(word)
                for side, part in zip(sides, parts):
                    if part:
                        side.append(part)
            yield from (side for side in sides if side)
            index = band.end
            continue
        # Not in a band: Tesseract's own paragraph, in its order.
        key = lines[index][0][:2]
        group = []
        while index < len(lines) and lines[index][0][:2] == key and (not group or index not in bands):
            group.append(lines[index][1])
            index += 1
        yield group
