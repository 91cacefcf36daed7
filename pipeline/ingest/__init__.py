"""Ingest: read an input file into a `Source` and numbered `Line`s.

The kind of file is decided by its bytes, not its extension, so a scan
saved as ".txt" or a text file named ".pdf" is still read correctly: PDF,
image, Word .docx / .doc, OpenDocument .odt, RTF, a saved web page, or text.
Text named .md or .markdown is read as a Markdown page.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from pipeline.errors import InputError
from pipeline.model import Line, Source

# The PDF and OCR readers (pdfplumber, pdfium, OpenCV, Pillow) are imported by the inputs that need them:
# every CLI call and batch worker imports this module.
from . import html, markdown, office
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
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
)
# What a file's name promises when its bytes are none of the kinds read: said in the error, since a clerk
# goes by the name ("a.pdf: binary data, not a text file" hides that the PDF is damaged).
_NAMED_KINDS = {".pdf": "PDF", ".png": "PNG image", ".jpg": "JPEG image", ".jpeg": "JPEG image",
                ".tif": "TIFF image", ".tiff": "TIFF image"}
# A saved web page names itself near its start, after any byte order mark and comments.
_HTML_MARKERS = (b"<!doctype html", b"<html", b"<body", b"<head")
_HTML_HEADER_WINDOW = 2048
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
        from . import pdf

        source.kind, source.pages, lines, source.scan_pages = pdf.read_pdf(path, jobs)
    elif kind == "image":
        from . import ocr

        source.kind = "image"
        pages = list(ocr.ocr_image_file(path, jobs))
        source.pages = len(pages)
        lines = [line for _, page_lines, _ in pages for line in page_lines]
        source.scan_pages = [quality for _, _, quality in pages]
    elif kind in ("docx", "odt", "doc", "rtf"):
        source.kind = kind
        lines = office.read_office(path, kind, str(path))
    elif kind == "html":
        source.kind = "html"
        lines, source.encoding = html.read_html(data, str(path))
    else:
        try:
            text, source.encoding = text_files.decode(data, str(path))
        except InputError:
            named = _NAMED_KINDS.get(path.suffix.lower())
            if named:
                raise InputError(f"{path}: named {path.suffix} but not a {named}: damaged, or another kind of file") from None
            raise
        if kind == "markdown":
            source.kind = "markdown"
            text_lines = markdown.read_markdown(text, str(path))
        else:
            text_lines = text_files.split_lines(text)
        lines = [Line(number=0, text=line, original=line) for line in text_lines]
    # Pages are read separately; number the lines once, across the document.
    for number, line in enumerate(lines, start=1):
        line.number = number
    return source, lines


def detect_kind(data: bytes, path: Path) -> str:
    """"pdf", "image", "docx", "odt", "doc", "rtf", "html", "markdown" or "text" from the file's bytes.

    Markdown is text named .md or .markdown, or text drawn with markdown tables or bold lines.

    Office containers are checked here (damaged, encrypted, macros, zip bombs).
    """
    if _PDF_MAGIC in data[:_PDF_HEADER_WINDOW]:
        return "pdf"
    if data.startswith(_IMAGE_MAGICS):
        return "image"
    if data.startswith(office.ZIP_MAGIC):
        return office.zip_kind(data, str(path))
    if data.startswith(office.OLE_MAGIC):
        return office.ole_kind(data, str(path))
    if data.startswith(office.RTF_MAGIC):
        return "rtf"
    if _looks_like_html(data):
        return "html"
    for magic, description in _UNSUPPORTED_MAGICS:
        if data.startswith(magic):
            raise InputError(
                f"{path}: unsupported file type: {description}; expected text, PDF, PNG, JPEG, TIFF,"
                " Word (.docx/.doc), OpenDocument (.odt), RTF or a web page (.html)"
            )
    if path.suffix.lower() in markdown.SUFFIXES or markdown.looks_like_markdown(data):
        return "markdown"
    return "text"


def _looks_like_html(data: bytes) -> bool:
    head = data[:_HTML_HEADER_WINDOW]
    # Word's "Save as Web Page" may write UTF-16 with a byte order mark.
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("ascii", errors="ignore")
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(b"<") and any(marker in head for marker in _HTML_MARKERS)


def _read(path: Path) -> bytes:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a file")
    try:
        return path.read_bytes()
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from None
