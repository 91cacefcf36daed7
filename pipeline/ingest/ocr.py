"""OCR of scanned pages: PDF pages rasterized with pdfium, and image files.

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
from PIL import Image, ImageSequence, UnidentifiedImageError

from pipeline._exec import tesseract
from pipeline.errors import InputError
from pipeline.model import Line

RENDER_DPI = 300
# A dense page takes a few seconds; minutes means Tesseract is stuck.
PAGE_TIMEOUT_SECONDS = 300
_REQUIRED_LANGUAGE = "vie"
# Tesseract's script model for Vietnamese; read together with `vie` it is
# measurably more accurate on the dev scans (see bench/ocr.py).
_OPTIONAL_LANGUAGE = "Vietnamese"
_SUPPORTED_IMAGE_FORMATS = {"PNG", "JPEG", "MPO", "TIFF"}


def languages() -> list[str]:
    tesseract.check([_REQUIRED_LANGUAGE])
    if _OPTIONAL_LANGUAGE in tesseract.installed_languages():
        return [_REQUIRED_LANGUAGE, _OPTIONAL_LANGUAGE]
    return [_REQUIRED_LANGUAGE]


def ocr_pdf_pages(path: Path, page_numbers: list[int], jobs: int) -> Iterator[tuple[int, list[Line]]]:
    """(page number, lines) for each 1-based page in `page_numbers`, in order."""
    langs = languages()
    try:
        document = pypdfium2.PdfDocument(str(path))
    except pypdfium2.PdfiumError as error:
        raise InputError(f"{path}: damaged PDF: {error}") from None
    try:
        images = ((number, _render(document, number, path)) for number in page_numbers)
        yield from _ocr_stream(images, jobs, langs, f"{path}")
    finally:
        document.close()


def ocr_image_file(path: Path, jobs: int) -> Iterator[tuple[int, list[Line]]]:
    """(page number, lines) for each frame of a PNG, JPEG or (multi-page) TIFF."""
    langs = languages()
    try:
        image = Image.open(path)
    except (UnidentifiedImageError, OSError) as error:
        raise InputError(f"{path}: unreadable image: {error}") from None
    with image:
        if image.format not in _SUPPORTED_IMAGE_FORMATS:
            raise InputError(f"{path}: unsupported image format {image.format}; expected PNG, JPEG or TIFF")
        frames = (
            (number, _load_frame(frame, path, number))
            for number, frame in enumerate(ImageSequence.Iterator(image), start=1)
        )
        yield from _ocr_stream(frames, jobs, langs, f"{path}")


def _render(document: pypdfium2.PdfDocument, number: int, path: Path) -> Image.Image:
    try:
        page = document[number - 1]
        try:
            image = page.render(scale=RENDER_DPI / 72, grayscale=True).to_pil()
        finally:
            page.close()
    except pypdfium2.PdfiumError as error:
        raise InputError(f"{path}: page {number} cannot be rendered: {error}") from None
    image.info["dpi"] = (RENDER_DPI, RENDER_DPI)
    return image


def _load_frame(frame: Image.Image, path: Path, number: int) -> Image.Image:
    try:
        frame.load()
    except (OSError, Image.DecompressionBombError) as error:
        raise InputError(f"{path}: page {number}: unreadable image data: {error}") from None
    dpi = frame.info.get("dpi")
    if frame.mode in ("RGBA", "LA", "PA") or (frame.mode == "P" and "transparency" in frame.info):
        # Transparent pixels are often stored black; Tesseract must see paper.
        background = Image.new("RGBA", frame.size, "white")
        frame = Image.alpha_composite(background, frame.convert("RGBA"))
    gray = frame.convert("L")
    if dpi:
        gray.info["dpi"] = dpi
    return gray


def _ocr_stream(
    images: Iterable[tuple[int, Image.Image]], jobs: int, langs: list[str], label: str
) -> Iterator[tuple[int, list[Line]]]:
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        pending: collections.deque = collections.deque()
        for number, image in images:
            png = _encode_png(image)
            del image
            page_label = f"{label} page {number}"
            pending.append((number, pool.submit(_ocr_png, png, number, langs, page_label)))
            while len(pending) > max(1, jobs):
                number_done, future = pending.popleft()
                yield number_done, future.result()
        while pending:
            number_done, future = pending.popleft()
            yield number_done, future.result()


def _encode_png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    dpi = image.info.get("dpi")
    # Fast compression: the bytes only cross a pipe to Tesseract.
    options = {"compress_level": 1}
    if dpi:
        options["dpi"] = tuple(round(float(value)) for value in dpi)
    image.save(buffer, format="PNG", **options)
    return buffer.getvalue()


def _ocr_png(png: bytes, page: int, langs: list[str], label: str) -> list[Line]:
    tsv = tesseract.image_to_tsv(png, languages=langs, label=label, timeout=PAGE_TIMEOUT_SECONDS)
    return lines_from_tsv(tsv, page)


def lines_from_tsv(tsv: str, page: int) -> list[Line]:
    """Tesseract TSV to one Line per text line, with a blank Line between paragraphs.

    Lines are numbered 0 here; the document is numbered once all pages are in.
    """
    words_by_line: dict[tuple[int, int, int], list[tuple[str, float, tuple[int, int, int, int]]]] = {}
    for row in tsv.splitlines()[1:]:
        fields = row.split("\t")
        if len(fields) != 12 or fields[0] != "5":
            continue
        text = fields[11].strip()
        if not text:
            continue
        block, paragraph, line = int(fields[2]), int(fields[3]), int(fields[4])
        left, top, width, height = (int(value) for value in fields[6:10])
        confidence = max(0.0, float(fields[10])) / 100
        words_by_line.setdefault((block, paragraph, line), []).append(
            (text, confidence, (left, top, left + width, top + height))
        )
    lines: list[Line] = []
    previous_paragraph = None
    for (block, paragraph, _), words in words_by_line.items():
        if previous_paragraph is not None and (block, paragraph) != previous_paragraph:
            lines.append(Line(number=0, text="", original="", page=page))
        previous_paragraph = (block, paragraph)
        text = " ".join(word for word, _, _ in words)
        confidences = [round(confidence, 3) for _, confidence, _ in words]
        boxes = [box for _, _, box in words]
        bbox = (
            min(box[0] for box in boxes),
            min(box[1] for box in boxes),
            max(box[2] for box in boxes),
            max(box[3] for box in boxes),
        )
        lines.append(
            Line(
                number=0,
                text=text,
                original=text,
                page=page,
                bbox=bbox,
                ocr_confidence=round(sum(confidences) / len(confidences), 3),
                word_confidences=confidences,
            )
        )
    return lines
