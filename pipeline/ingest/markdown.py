"""Markdown pages (.md, .markdown): the document as a clerk would type it.

markdown-it-py reads the blocks (headings, lists, paragraphs, pipe tables)
and the inline markup (emphasis, links, escapes, images), which is dropped;
raw HTML keeps its text (lxml), <br> breaking lines and tables as rows. Then:

* hard-wrapped lines are joined, one paragraph per line. Where a page
  separates its paragraphs by blank lines, a paragraph is one line; where it
  has none, a new paragraph starts after a line ending a sentence (. ; : ! ?)
  when the next line opens like one (capital, number, bracket, bullet), and
  at bold headings;
* a table becomes one line per row, cells separated by a TAB, as the parser
  reads tables. Pages converted from legal portals draw tables as a lone `|`
  line between cells and two of them between rows; GFM tables are read too;
* the site around the document is cut: the document starts at the national
  header (CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM) and, after its last Nơi nhận
  block, ends where the page names the document again as a title or lists
  related documents. A page without a national header is kept whole.
"""
from __future__ import annotations

import lxml.html
import regex
from lxml import etree
from markdown_it import MarkdownIt
from markdown_it.token import Token

from pipeline.errors import InputError

from .text import split_lines

SUFFIXES = (".md", ".markdown")

_PARSER = MarkdownIt("commonmark").enable("table")
# "1." "-" "+" opening a line are read as text: a wrapped line may start with them ("... đến năm" / "2030.",
# "kinh tế" / "- xã hội"), and where a typed list item starts is decided like any paragraph's start.
_LIST_MARKER = regex.compile(r"^( {0,3})(\p{N}{1,9}[.)]|[-+])(?=\s|$)", regex.MULTILINE)
_TABLE_RULE = "|"
_HEADING = regex.compile(r"#{1,6}\s+\S")

# Emphasis the page's converter left unparsed ("**Điều 3. **Các", "*Chú thích: *"); "(*)" marks a note.
_STRAY_EMPHASIS = regex.compile(r"(?<!\()\*{1,3}(?!\))")
_DECORATIVE_RULE = regex.compile(r"\s*[-–—_=]{3,}\s*")
_SPACES = regex.compile(r"[ \t\u00a0]+")
_SENTENCE_END = regex.compile(r"[.;:!?]\W*$")
_PARAGRAPH_OPENING = regex.compile(r"^(?:[\p{Lu}\p{N}(\[\"“'‘+–—-]|\p{Ll}\))")
_NUMBERING = regex.compile(r"^(?:\p{N}+(?:\.\p{N}+)*[.)]|[\p{Ll}đ]\)|[IVXLC]+\.|[-+–])(?:\s|$)")
_SUBITEM_OPENING = regex.compile(r"^(?:[\p{Ll}đ]\)|[-+])\s+\p{Lu}")
_INLINE_TAGS = {"<br>": "hardbreak", "<b>": "strong_open", "<strong>": "strong_open", "</b>": "strong_close",
                "</strong>": "strong_close"}
_HTML_BLOCKS = {"p", "div", "li", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "center", "blockquote"}
# A line holding only an item's number ("**1.**") belongs to the text after it.
_BARE_NUMBERING = regex.compile(r"^(?:\p{N}+(?:\.\p{N}+)*[.)]?|[\p{Ll}đ]\)|[IVXLC]+\.?|Điều \p{N}+\.?)$")
# In capitals: the body may name the country ("Quốc khánh nước Cộng hòa xã hội chủ nghĩa Việt Nam").
_MOTTO = regex.compile(r"CỘNG\s+HÒA\s+XÃ\s+HỘI\s+CHỦ\s+NGHĨA\s+VIỆT\s+NAM")
_ISSUER_LINES = 3
_RECIPIENTS = regex.compile(r"^Nơi\s+nhận\b", regex.IGNORECASE)
_NUMBER = regex.compile(r"^Số\s*:\s*(\S+/\S+)")
_RELATED_DOCUMENTS = regex.compile(r"^(văn bản|tài liệu)( \w+)? (liên quan|khác|cùng \w+)", regex.IGNORECASE)
# Content sniffing for text not named .md: a GFM table's rule row, or this many `|` or bold lines.
_MARKDOWN_EVIDENCE = 3
_TABLE_DELIMITER = regex.compile(rb"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)+\|?\s*$")
_BOLD_LINE = regex.compile(rb"^\s*\*\*[^*\s][^*]*\*\*\s*$")
# Blank lines this often between text lines mean the page separates its paragraphs by them.
_BLANK_LINE_SHARE = 0.1


def looks_like_markdown(data: bytes) -> bool:
    """Text whose markup no typed document has: markdown table lines or lines in bold."""
    lines = data.splitlines()
    return (sum(1 for line in lines if line.strip() == b"|") >= _MARKDOWN_EVIDENCE
            or any(_TABLE_DELIMITER.match(line) for line in lines)
            or sum(1 for line in lines if _BOLD_LINE.match(line)) >= _MARKDOWN_EVIDENCE)


def read_markdown(text: str, label: str) -> list[str]:
    """The document's lines: paragraphs joined, markup dropped, table rows TAB-separated, site cut off.

    Raises InputError naming `label` when only markup is left.
    """
    source_lines = split_lines(text)
    blank = sum(1 for line in source_lines if not line.strip())
    blank_separated = blank >= _BLANK_LINE_SHARE * (len(source_lines) - blank)
    lines: list[str] = []
    for table, chunk in _segments(source_lines):
        if table:
            lines.extend("\t".join(_cell_text(cell) for cell in row) for row in chunk)
        else:
            lines.extend(_render("\n".join(chunk), blank_separated))
    lines = _document_part([line for line in lines if line.strip()])
    if not lines:
        raise InputError(f"{label}: no document text in this Markdown page, only markup")
    return lines


def _segments(lines: list[str]):
    """(False, markdown lines) and (True, rows of cells of lines) in page order.

    A converter's table: `|`, a cell's lines, `|`, the next cell ... with `|` `|` between rows.
    The table ends at a blank line, or when text follows a row as long as the two before it
    (the text after a table is not a further cell; a group row is short), or when a cell would
    hold a heading.
    """
    start = 0
    index = 0
    while index < len(lines):
        if lines[index].strip() != _TABLE_RULE:
            index += 1
            continue
        if index > start:
            yield False, lines[start:index]
        rows, index = _pipe_table(lines, index)
        if rows:
            yield True, rows
        start = index
    if start < len(lines):
        yield False, lines[start:]


def _pipe_table(lines: list[str], index: int) -> tuple[list[list[list[str]]], int]:
    """The rows of the table whose first `|` is at `index`, and the index of the first line after it."""
    rows: list[list[list[str]]] = []
    row: list[list[str]] = []
    while True:
        following = index + 1
        if following >= len(lines) or not lines[following].strip():
            break
        if lines[following].strip() == _TABLE_RULE:  # `|` `|`: a new row
            if row:
                rows.append(row)
                row = []
            elif rows:  # `|` `|` `|`: the row ended with an empty cell
                rows[-1].append([])
            index = following
            continue
        if rows and row and len(row) >= max(len(previous) for previous in rows[-2:]):
            break
        if len(row) == 2 and _RECIPIENTS.match(_clean(row[0][0]) if row[0] else ""):
            break  # Nơi nhận beside the signature: what follows is the next part (a Phụ lục), not a cell
        end = following
        while end < len(lines) and lines[end].strip() not in ("", _TABLE_RULE):
            if _HEADING.match(lines[end]):
                end = len(lines)
                break
            end += 1
        if end >= len(lines) or lines[end].strip() != _TABLE_RULE:
            break
        row.append(lines[following:end])
        index = end
    if row:
        rows.append(row)
    return rows, index + 1


def _cell_text(cell: list[str]) -> str:
    """A cell on one line: its blocks joined by spaces, decorative rules dropped."""
    text = " ".join(_render("\n".join(cell), blank_separated=True))
    return _clean(_DECORATIVE_RULE.sub(" ", text))


def _render(markdown: str, blank_separated: bool) -> list[str]:
    """Lines of text of a stretch of markdown: headings, paragraphs, GFM table rows, code lines."""
    lines: list[str] = []
    tokens = _PARSER.parse(_LIST_MARKER.sub(_escaped_marker, markdown))
    row: list[str] | None = None
    for index, token in enumerate(tokens):
        if token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and row is not None:
            lines.append("\t".join(_clean(_DECORATIVE_RULE.sub(" ", cell)) for cell in row))
            row = None
        elif token.type == "inline" and row is not None:
            row.append(" ".join(line.text for line in _inline_lines(token)))
        elif token.type == "inline":
            heading = tokens[index - 1].type == "heading_open"
            for paragraph in _paragraphs(_inline_lines(token), join_all=heading or blank_separated):
                lines.append(_clean(paragraph))
        elif token.type in ("fence", "code_block"):
            lines.extend(_clean(line) for line in split_lines(token.content))
        elif token.type == "html_block":
            lines.extend(_html_lines(token.content))
    return [line for line in lines if line.strip()]


def _html_lines(html: str) -> list[str]:
    """Text of a raw HTML block (a converter writes tables with merged cells so): a line per block or
    <br>, a table row's cells separated by TABs."""
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except etree.ParserError:
        return []
    for hidden in list(root.iter("script", "style")):
        hidden.drop_tree()
    cells = set(root.iter("td", "th"))
    for element in root.iter(etree.Element):
        if element in cells and element.getprevious() is not None:
            element.text = "\t" + (element.text or "")
        elif element.tag == "br" or element.tag in _HTML_BLOCKS:
            # Inside a cell a line break is a space: the row stays one line.
            in_cell = any(ancestor in cells for ancestor in element.iterancestors())
            element.tail = (" " if in_cell else "\n") + (element.tail or "")
    rows = (regex.sub(r"[^\S\t]+", " ", line).strip(" ") for line in root.text_content().split("\n"))
    return [regex.sub(r" ?\t ?", "\t", row) for row in rows if row.strip()]


def _escaped_marker(match: regex.Match) -> str:
    """The marker with markdown's escape ("1\\.", "\\-"), so it stays text."""
    marker = match.group(2)
    return match.group(1) + (marker[:-1] + "\\" + marker[-1] if marker[0].isdigit() else "\\" + marker)


class _SourceLine:
    """One line of a paragraph as written, with where bold starts and ends on it."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.opens_bold = False  # bold starts the line
        self.closes_bold = False  # a bold span ends the line
        self.all_bold = False  # the whole line is bold
        self.has_text = False  # more than markup so far
        self.text = ""  # the line without markup, once read


def _inline_lines(token: Token) -> list[_SourceLine]:
    lines = [_SourceLine()]
    bold = 0
    plain_text = False  # text outside bold on the current line
    for child in token.children or ():
        line = lines[-1]
        kind = child.type
        if kind == "html_inline":  # <br> breaks a line, <b> and <strong> are bold, other tags are dropped
            kind = _INLINE_TAGS.get(regex.sub(r"[\s/]*>$|\s.*", "", child.content.lower()) + ">", "")
        if kind in ("softbreak", "hardbreak"):
            line.all_bold = line.closes_bold and not plain_text
            lines.append(_SourceLine())
            plain_text = False
        elif kind == "strong_open":
            bold += 1
            line.opens_bold = line.opens_bold or not line.has_text
            line.closes_bold = False
        elif kind == "strong_close":
            bold = max(bold - 1, 0)
            line.closes_bold = True
        elif kind in ("text", "code_inline"):
            content = child.content
            stripped = content.strip()
            if not line.has_text and stripped.startswith("**"):
                line.opens_bold = True  # unparsed "**" opening the line
            words = bool(_clean(content))
            if stripped.endswith("**"):
                line.closes_bold = True
            elif words:
                line.closes_bold = False
                plain_text = plain_text or (bold == 0 and not stripped.startswith("**"))
            line.parts.append(content)
            line.has_text = line.has_text or words
    lines[-1].all_bold = lines[-1].closes_bold and not plain_text
    for line in lines:
        line.text = _clean("".join(line.parts))
    return [line for line in lines if line.text]


def _paragraphs(lines: list[_SourceLine], join_all: bool) -> list[str]:
    """Join a paragraph's written lines; without blank lines between paragraphs, find where they break."""
    paragraphs: list[list[str]] = []
    previous: _SourceLine | None = None
    for line in lines:
        if previous is not None and not (_item_break(previous, line) if join_all else _paragraph_break(previous, line)):
            paragraphs[-1].append(line.text)
        else:
            paragraphs.append([line.text])
        previous = line
    return [" ".join(paragraph) for paragraph in paragraphs]


def _heading_break(previous: _SourceLine, line: _SourceLine) -> bool:
    """After a bold line alone ("**KẾ HOẠCH**"), and before a bold opening that starts an item or a title
    or follows a finished sentence."""
    if _BARE_NUMBERING.match(previous.text):
        return False
    if previous.all_bold:
        return True
    return line.opens_bold and (bool(_SENTENCE_END.search(previous.text)) or bool(_NUMBERING.match(line.text))
                                or _capitals(line.text))


def _item_break(previous: _SourceLine, line: _SourceLine) -> bool:
    """Inside a paragraph the page set apart: headings, and numbered or bulleted items after a finished line."""
    return _heading_break(previous, line) or bool(_SENTENCE_END.search(previous.text) and _NUMBERING.match(line.text))


def _paragraph_break(previous: _SourceLine, line: _SourceLine) -> bool:
    """Where a page without blank lines starts a new paragraph inside a block of written lines."""
    if _heading_break(previous, line):
        return True
    if _BARE_NUMBERING.match(previous.text):
        return False
    text = line.text
    if _SENTENCE_END.search(previous.text) and _PARAGRAPH_OPENING.match(text):
        return True
    # Under a numbered heading without a full stop ("a) Đến năm 2026"), a lettered or bulleted item.
    if _NUMBERING.match(previous.text) and _SUBITEM_OPENING.match(text):
        return True
    # A title in capitals ends where ordinary text starts ("... CỦA ĐẢNG" / "THỦ TƯỚNG CHÍNH PHỦ điện:").
    return _capitals(previous.text) and not _capitals(text) and bool(regex.search(r"\p{Ll}", text))


def _capitals(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 8 and not any(ch.islower() for ch in letters)


def _clean(text: str) -> str:
    return _SPACES.sub(" ", _STRAY_EMPHASIS.sub("", text)).strip()


def _document_part(lines: list[str]) -> list[str]:
    """The lines from the national header to the end of the document, without the site around them."""
    start = next((i for i, line in enumerate(lines) if _MOTTO.search(line)), None)
    if start is None:
        return lines
    # A header typed on its own lines puts the issuing body (in capitals, a line or two) above the motto.
    if _MOTTO.match(lines[start]):
        issuer = start
        while issuer > max(start - _ISSUER_LINES, 0) and _capitals(lines[issuer - 1]) and "\t" not in lines[issuer - 1]:
            issuer -= 1
        start = issuer
    lines = lines[start:]
    number = next((m.group(1) for line in lines[:6] for cell in line.split("\t") if (m := _NUMBER.match(cell))),
                  None)
    last_recipients = max((i for i, line in enumerate(lines) if _RECIPIENTS.match(line)), default=None)
    if last_recipients is None:
        return lines
    for index in range(last_recipients + 1, len(lines)):
        line = lines[index]
        names_document = number and regex.match(rf"^\p{{Lu}}[\p{{L}} ]{{1,30}} {regex.escape(number)}\b", line)
        if names_document or _RELATED_DOCUMENTS.match(line):
            return lines[:index]
    return lines
