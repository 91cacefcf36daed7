"""Web pages saved from a legal portal (.html, .htm): the document, not the site.

The charset is read from the page (byte order mark, then <meta charset> or
its http-equiv form; UTF-8, then Windows-1258 when it declares none).

The page's scripts, menus, forms (login prompts), headers, footers and asides
go first, then every block whose class or id names site furniture ("menu",
"related", "lien-quan", "quang-cao", "login" ...) unless it holds most of the
page's text. The document's body is then the smallest element that still
holds nearly all of the text that is not links: menus and "Văn bản liên
quan" lists are mostly links, a plan is mostly prose.

Inside the body every block element is one line (white space and line breaks
inside a paragraph are joined; <br> starts a new line). A table with borders,
or shaped like data (ingest/layout.py), holds data and becomes tab-separated
rows, as in the PDF and Word readers; any other table lays out the header or
the signature block and is read column by column.
"""
from __future__ import annotations

import codecs
import re
import unicodedata

import lxml.html
from lxml import etree

from pipeline.errors import InputError
from pipeline.model import Line

from .layout import shaped_like_data

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_BYTE_ORDER_MARKS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))

_DROPPED_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "button",
                 "select", "input", "textarea", "svg", "template", "object", "embed", "head")
_FURNITURE = re.compile(
    r"(^|[-_ ])(menu|menus|nav|navbar|navigation|breadcrumbs?|sidebar|footer|header-site|banner|ads?|advert\w*|"
    r"quang-?cao|qc|login|dang-?nhap|signin|register|related|lien-?quan|vb-?lien-?quan|social|share|comments?|"
    r"popup|modal|cookie|toolbar|tabs?|search|tim-?kiem|rating|tags?)($|[-_ ])", re.IGNORECASE)
# A block named like furniture is kept when it holds this share of the page's text.
_MAX_FURNITURE_SHARE = 0.5
# The body is the deepest element holding this share of the page's non-link text.
_BODY_SHARE = 0.85
# Inside the body, a list or block that is mostly links is a list of other
# documents, and a heading that names one goes with it.
_MAX_LINK_SHARE = 0.6
_FURNITURE_HEADING = re.compile(
    r"^(văn bản|tin|bài viết|tài liệu)( \w+)? (liên quan|khác|cùng \w+)|^(đăng nhập|quảng cáo|chia sẻ|tải về)\b",
    re.IGNORECASE)
_BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "blockquote", "section",
               "article", "main", "pre", "dd", "dt", "dl", "center", "address", "figure", "figcaption",
               "caption", "body", "html", "tbody", "thead", "tfoot", "hr"}
_BORDER_DRAWN = re.compile(r"border[\w-]*\s*:[^;]*\b(solid|dotted|dashed|double|groove|ridge|inset|outset)\b",
                           re.IGNORECASE)
_CSS_RULE = re.compile(r"(?:^|(?<=[{}]))([^{}]+)\{([^{}]*)\}")  # from a rule's start only: linear on long text
_CSS_CLASS = re.compile(r"\.([\w-]+)")
_SET_APART = re.compile(r"float\s*:\s*(left|right)|display\s*:\s*(block|inline-block)", re.IGNORECASE)
_REPEATED_BULLET = re.compile(r"([-–—•+*])\1+")
_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0]+")


def read_html(data: bytes, label: str) -> tuple[list[Line], str]:
    """(lines, charset) of a saved web page."""
    text, charset = _decode(data, label)
    try:
        root = lxml.html.document_fromstring(_XML_DECLARATION.sub("", text))
    except (etree.ParserError, ValueError) as error:
        raise InputError(f"{label}: not a readable web page ({str(error)[:80]})") from None
    bordered_classes = _bordered_classes(root)
    for element in list(root.iter(*_DROPPED_TAGS)):
        _drop(element)
    for comment in list(root.iter(etree.Comment, etree.ProcessingInstruction)):
        _drop(comment)
    total = len(_text(root)) or 1
    for element in list(root.iter()):
        if not isinstance(element.tag, str) or element.getparent() is None:
            continue
        names = f"{element.get('class', '')} {element.get('id', '')}"
        if _FURNITURE.search(names) and len(_text(element)) < _MAX_FURNITURE_SHARE * total:
            _drop(element)
    body = _find_body(root)
    for element in list(body.iter()):
        if isinstance(element.tag, str) and element is not body and element.getparent() is not None \
                and element.tag not in ("a", "td", "th", "tr") and _is_furniture(element):
            _drop(element)
    writer = _Writer(bordered_classes)
    writer.block(body)
    writer.flush()
    lines = writer.lines
    while lines and not lines[-1].text:
        lines.pop()
    if not any(line.text.strip() for line in lines):
        raise InputError(f"{label}: the web page holds no document text")
    return lines, charset


def _decode(data: bytes, label: str) -> tuple[str, str]:
    if not data.strip():
        raise InputError(f"{label}: empty file")
    for mark, encoding in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            return data.decode(encoding, errors="replace"), encoding
    declared = _META_CHARSET.search(data[:8192])
    candidates = [declared.group(1).decode("ascii").lower()] if declared else []
    candidates += ["utf-8", "cp1258"]
    for encoding in candidates:
        try:
            codecs.lookup(encoding)
            # Windows-1258 writes most tone marks as combining characters.
            return unicodedata.normalize("NFC", data.decode(encoding)), encoding
        except (LookupError, UnicodeDecodeError):
            continue
    raise InputError(f"{label}: web page in an unknown character set")


def _drop(element) -> None:
    """Remove `element` but keep the text that follows it inside its parent."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    previous = element.getprevious()
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def _text(element) -> str:
    return _SPACES.sub(" ", element.text_content()).strip()


def _prose_length(element) -> int:
    """Text length outside links: what a document has and a menu has not."""
    links = sum(len(_text(link)) for link in element.iter("a"))
    return len(_text(element)) - links


def _is_furniture(element) -> bool:
    text = _text(element)
    if not text:
        return False
    if element.tag in ("h1", "h2", "h3", "h4", "h5", "h6", "p", "div", "span", "strong", "b") \
            and len(text) < 80 and _FURNITURE_HEADING.match(text):
        return True
    links = sum(len(_text(link)) for link in element.iter("a"))
    return links > _MAX_LINK_SHARE * len(text)


def _find_body(root):
    body = root.find("body")
    current = body if body is not None else root
    while True:
        needed = _BODY_SHARE * _prose_length(current)
        child = next((child for child in current if isinstance(child.tag, str) and _prose_length(child) >= needed), None)
        if child is None or child.tag in ("tr", "tbody", "thead", "td", "th"):
            return current
        current = child


def _visible_border(declarations: str) -> bool:
    return _BORDER_DRAWN.search(declarations) is not None


def _bordered_classes(root) -> frozenset[str]:
    """Classes that the page's style sheets give a drawn border (how word processors export tables)."""
    classes = set()
    for style in root.iter("style"):
        for selectors, declarations in _CSS_RULE.findall(style.text or ""):
            if _visible_border(declarations):
                classes.update(_CSS_CLASS.findall(selectors))
    return frozenset(classes)


def _is_data_table(table, bordered_classes: frozenset[str]) -> bool:
    border = (table.get("border") or "0").strip()
    if border not in ("", "0"):
        return True
    for element in table.iter("table", "td", "th"):
        if _visible_border(element.get("style") or ""):
            return True
        if bordered_classes.intersection((element.get("class") or "").split()):
            return True
    return False


class _Writer:
    """Lines from block elements: inline text gathers until a block boundary."""

    def __init__(self, bordered_classes: frozenset[str]):
        self.bordered_classes = bordered_classes
        self.lines: list[Line] = []
        self.buffer: list[str] = []
        self.paragraphs = 0
        self.tables = 0

    def flush(self, origin: str | None = None) -> None:
        text = _SPACES.sub(" ", "".join(self.buffer)).strip()
        self.buffer = []
        if text:
            self.lines.append(Line(number=0, text=text, original=text, origin=origin or f"p{self.paragraphs}"))
            self.paragraphs += 1

    def separate(self) -> None:
        if self.lines and self.lines[-1].text:
            self.lines.append(Line(number=0, text="", original=""))

    def block(self, element) -> None:
        if element.text:
            self.buffer.append(element.text)
        for child in element:
            if not isinstance(child.tag, str):
                pass
            elif child.tag == "br":
                self.flush()
            elif child.tag == "table":
                self.flush()
                self.table(child)
            elif child.tag in _BLOCK_TAGS:
                self.flush()
                self.block(child)
                self.flush()
            elif _SET_APART.search(child.get("style") or ""):
                # A list label set apart by style ("I." floated left of its text) is a word of its
                # own; LibreOffice 7 writes a "-" bullet twice there ("--"), which is one bullet.
                repeated = _REPEATED_BULLET.fullmatch(_text(child))
                if repeated:
                    self.buffer.append(repeated.group(1))
                else:
                    self.block(child)
                self.buffer.append(" ")
            else:
                self.block(child)
            if child.tail:
                self.buffer.append(child.tail)

    def table(self, table) -> None:
        origin = f"t{self.tables}"
        self.tables += 1
        rows = [[cell for cell in row if cell.tag in ("td", "th")] for row in table.iter("tr")
                if row.getparent() is table or row.getparent().getparent() is table]
        self.separate()
        # Each cell's lines, read once: reading a cell numbers the tables inside it.
        cell_lines = [[self._cell_lines(cell) for cell in cells] for cells in rows]
        row_texts = [[" ".join(lines) for lines in cells] for cells in cell_lines]
        if _is_data_table(table, self.bordered_classes) or shaped_like_data(row_texts):
            for index, texts in enumerate(row_texts):
                if any(texts):
                    self.lines.append(Line(number=0, text="\t".join(texts), original="\t".join(texts),
                                           origin=f"{origin}.r{index}"))
        else:
            for column in range(max((len(cells) for cells in cell_lines), default=0)):
                for index, cells in enumerate(cell_lines):
                    if column < len(cells):
                        for text in cells[column]:
                            self.lines.append(Line(number=0, text=text, original=text,
                                                   origin=f"{origin}.r{index}.c{column}"))
                self.separate()

    def _cell_lines(self, cell) -> list[str]:
        writer = _Writer(self.bordered_classes)
        writer.tables = self.tables
        writer.block(cell)
        writer.flush()
        self.tables = writer.tables
        return [line.text for line in writer.lines if line.text]
