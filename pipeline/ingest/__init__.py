"""Ingest: read an input file into a `Source` and numbered `Line`s.

The kind of file is decided by its first bytes, not its extension, so a scan
saved as ".txt" or a text file named ".pdf" is still read correctly.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from pipeline.errors import InputError
from pipeline.model import Line, Source

from . import ocr, pdf
from . import text as text_files

_PDF_MAGIC = b"%PDF-"
_IMAGE_MAGICS = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",  # JPEG
    b"II*\x00",  # TIFF, little-endian
    b"MM\x00*",  # TIFF, big-endian
)
# Common files people pass by mistake, named so the error says what they are.
_UNSUPPORTED_MAGICS = (
    (b"PK\x03\x04", "a ZIP archive (or .docx/.xlsx/.odt)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office file (.doc/.xls)"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"{\\rtf", "an RTF document"),
)
# A PDF header may follow a little junk (mail gateways add some); readers
# look for it in the first kilobyte.
_PDF_HEADER_WINDOW = 1024


def ingest(path: Path, jobs: int = 1) -> tuple[Source, list[Line]]:
    """Read `path` into its Source and its lines, numbered 1..N across pages.

    `jobs` bounds how many pages are OCR'd at once.
    """
    path = Path(path)
    data = _read(path)
    source = Source(path=str(path), sha256=hashlib.sha256(data).hexdigest(), kind="text")
    kind = detect_kind(data, path)
    if kind == "pdf":
        source.kind, source.pages, lines, source.scan_pages = pdf.read_pdf(path, jobs)
    elif kind == "image":
        source.kind = "image"
        pages = list(ocr.ocr_image_file(path, jobs))
        source.pages = len(pages)
        lines = [line for _, page_lines, _ in pages for line in page_lines]
        source.scan_pages = [quality for _, _, quality in pages]
    else:
        text, source.encoding = text_files.decode(data, str(path))
        lines = [Line(number=0, text=line, original=line) for line in text_files.split_lines(text)]
    # Pages are read separately; number the lines once, across the document.
    for number, line in enumerate(lines, start=1):
        line.number = number
    return source, lines


def detect_kind(data: bytes, path: Path) -> str:
    """"pdf", "image" or "text" from the file's first bytes."""
    if _PDF_MAGIC in data[:_PDF_HEADER_WINDOW]:
        return "pdf"
    if data.startswith(_IMAGE_MAGICS):
        return "image"
    for magic, description in _UNSUPPORTED_MAGICS:
        if data.startswith(magic):
            raise InputError(
                f"{path}: unsupported file type: {description}; expected text, PDF, PNG, JPEG or TIFF"
            )
    return "text"


def _read(path: Path) -> bytes:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a file")
    try:
        return path.read_bytes()
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from None
