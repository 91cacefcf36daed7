"""Searchable PDF: the scanned pages, upright and straight, with the restored text laid invisibly over them.

An archive of scans becomes searchable with correct diacritics: each page is
the original picture (seals and signatures included), turned and straightened
exactly as it was for OCR, and each OCR line's final text (restored and
normalized) is written in invisible ink (PDF text render mode 3) over the
line's box, stretched to its width, so selecting and searching find the words
where they stand. The font is Liberation Sans (fonts-liberation2), embedded as
a subset with its Unicode map, so copied text keeps its Vietnamese marks.
"""
from __future__ import annotations

import io
from pathlib import Path

import pypdfium2
from PIL import Image, ImageSequence
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from pipeline.errors import InputError, MissingDependencyError
from pipeline.ingest import ocr
from pipeline.ingest.prepare import apply_transform, grey_without_colour_ink, prepare
from pipeline.model import Document, Line

FONT = "LiberationSans"
_FONT_FILES = ("/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
               "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf")
# The page picture is kept at this resolution: sharp to read, a fraction of the OCR size.
PICTURE_DPI = 200
JPEG_QUALITY = 75
# Letters fill about this share of a line box's height (the box runs from accents to descenders).
FONT_SHARE_OF_BOX = 0.75


def searchable_pdf(doc: Document) -> bytes:
    """The scanned pages of `doc` (a scanned PDF or image, read by ingest and restored) with
    their final text as an invisible, selectable layer."""
    if not doc.source.scan_pages:
        raise InputError(f"{doc.source.path}: has no scanned pages; a searchable PDF is made from scans")
    _register_font()
    lines_by_page: dict[int, list[Line]] = {}
    for line in doc.lines:
        lines_by_page.setdefault(line.page, []).append(line)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pageCompression=1)
    pdf.setTitle(Path(doc.source.path).stem)
    for number, grey, colour in _pages(Path(doc.source.path), doc.source.kind, doc.source.pages):
        label = f"{doc.source.path} page {number}"
        prepared = prepare(grey, ocr.image_dpi(grey), label)
        picture = apply_transform(colour, prepared)
        width, height = (side * 72 / prepared.dpi for side in prepared.size)
        pdf.setPageSize((width, height))
        shrink = min(1.0, PICTURE_DPI / prepared.dpi)
        if shrink < 1:
            picture = picture.resize((round(picture.width * shrink), round(picture.height * shrink)),
                                     Image.Resampling.LANCZOS)
        jpeg = io.BytesIO()
        picture.save(jpeg, format="JPEG", quality=JPEG_QUALITY)
        pdf.drawImage(ImageReader(jpeg), 0, 0, width=width, height=height)
        _write_text(pdf, lines_by_page.get(number, []), prepared.dpi, height)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _register_font() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    for path in _FONT_FILES:
        if Path(path).exists():
            pdfmetrics.registerFont(TTFont(FONT, path))
            return
    raise MissingDependencyError("the Liberation Sans font is not installed; install it with: "
                                 "sudo apt-get install fonts-liberation2 (or run: make install)")


def _pages(path: Path, kind: str, count: int):
    """(number, grey page as ingest reads it, the page in colour) for each page of a scan."""
    if kind == "image":
        with Image.open(path) as image:
            for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
                colour = ocr.load_frame(frame, path, number)
                yield number, grey_without_colour_ink(colour, f"{path} page {number}"), colour
        return
    document = pypdfium2.PdfDocument(str(path))
    try:
        for number in range(1, count + 1):
            yield number, ocr.render(document, number, path), ocr.render(document, number, path, colour=True)
    finally:
        document.close()


def _write_text(pdf: canvas.Canvas, lines: list[Line], dpi: int, page_height: float) -> None:
    scale = 72 / dpi
    # Lines from a text layer (pages of a mixed PDF that were not scanned) have no box; they are
    # written down the page in order, still found by a search.
    next_free = 36.0
    for line in lines:
        text = " ".join(line.text.split())
        if not text:
            continue
        if line.bbox:
            left, top, right, bottom = (value * scale for value in line.bbox)
        else:
            left, top, right, bottom = 36.0, next_free, 36.0 + pdfmetrics.stringWidth(text, FONT, 9), next_free + 12
            next_free += 12
        size = max(1.0, (bottom - top) * FONT_SHARE_OF_BOX)
        natural = pdfmetrics.stringWidth(text, FONT, size)
        layer = pdf.beginText()
        layer.setTextRenderMode(3)  # invisible: the picture shows, the text is found and selected
        layer.setFont(FONT, size)
        layer.setHorizScale(100 * (right - left) / natural if natural else 100)
        # The baseline sits where descenders begin, about a fifth of the box above its bottom.
        layer.setTextOrigin(left, page_height - bottom + 0.2 * (bottom - top))
        layer.textOut(text)
        pdf.drawText(layer)
