"""The scanned image of one OCR'd line, cut from its page by the line's box.

Only for scans (OCR'd PDF pages and image files) still found at the path the
result recorded, with the same content: a file changed since would give the
wrong picture. Pages are rendered at half the OCR resolution, enough to read,
and the last few are kept since a clerk reads a page's lines in turn.
"""
from __future__ import annotations

import functools
import hashlib
import io
import threading
from pathlib import Path

import pypdfium2
from PIL import Image

from pipeline.ingest.ocr import RENDER_DPI, image_dpi, load_frame, render
from pipeline.ingest.prepare import grey_without_colour_ink, prepare
from pipeline.model import Document

CROP_DPI = RENDER_DPI // 2
MARGIN = 8  # pixels around the line's box, so accents above and below are not cut
_SCAN_KINDS = {"pdf-scan", "pdf-mixed", "image"}
_PAGES_KEPT = 4
# pdfium is not thread-safe and the server answers requests on several threads.
_render_lock = threading.Lock()


def has_crop(source_kind: str, bbox: tuple[int, int, int, int] | None) -> bool:
    return bbox is not None and source_kind in _SCAN_KINDS


def line_crop_png(document: Document, number: int) -> bytes | None:
    """PNG of line `number`'s image, or None when there is none to show."""
    line = next((line for line in document.lines if line.number == number), None)
    if line is None or not has_crop(document.source.kind, line.bbox):
        return None
    source = Path(document.source.path)
    try:
        stat = source.stat()
    except OSError:
        return None
    with _render_lock:
        page = _page_image(str(source), stat.st_mtime_ns, stat.st_size, document.source.sha256,
                           document.source.kind == "image", line.page)
    if page is None:
        return None
    scale = page.info["scale"]
    x0, y0, x1, y1 = (round(v * scale) for v in line.bbox)
    crop = page.crop((max(0, x0 - MARGIN), max(0, y0 - MARGIN), min(page.width, x1 + MARGIN),
                      min(page.height, y1 + MARGIN)))
    buffer = io.BytesIO()
    crop.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


@functools.lru_cache(maxsize=_PAGES_KEPT)
def _page_image(path: str, mtime_ns: int, size: int, sha256: str, is_image: bool, page: int) -> Image.Image | None:
    """The page as a grayscale image, with info["scale"] from OCR box pixels to its pixels.

    Cached by path, modification time and size, so an edited file is read again.
    """
    data = Path(path).read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        return None
    label = f"{path} page {page}"
    if is_image:
        with Image.open(io.BytesIO(data)) as image:
            image.seek(page - 1)
            rendered = grey_without_colour_ink(load_frame(image, Path(path), page), label)
    else:
        document = pypdfium2.PdfDocument(data)
        try:
            rendered = render(document, page, Path(path))
        finally:
            document.close()
    # The boxes are in the page as OCR read it: turned upright, straightened, maybe enlarged.
    prepared = prepare(rendered, image_dpi(rendered), label)
    scale = CROP_DPI / prepared.dpi
    shown = prepared.image.resize((round(prepared.image.width * scale), round(prepared.image.height * scale)))
    shown.info["scale"] = scale
    return shown
