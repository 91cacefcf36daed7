"""Word .docx: the body's paragraphs and tables in order, as lines.

- A paragraph is one line (a manual line break inside it starts another),
  with the label Word draws for its automatic list numbering ("I.", "1.",
  "a)", "-") written in front: that numbering is the document's outline.
- A table with visible borders, or shaped like data (ingest/layout.py), holds
  data (a Phụ lục task table): each row becomes one line of tab-separated
  cells, as the PDF text reader writes tables. Any other table only lays out
  the page (the national header: issuer | Quốc hiệu, number | place and date;
  the signature block): it is read column by column, each column as its own
  block.
- Text boxes, footnotes, comments and deleted revisions are left out, so
  they never get mixed into the body.
- Each run is converted from its font's legacy encoding (TCVN3 .VnTime,
  VNI-Times) to Unicode; one paragraph may mix such runs with Unicode ones.
- Every line records where it came from (`Line.origin`).
"""
from __future__ import annotations

import itertools
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from lxml import etree

from pipeline.errors import InputError
from pipeline.model import Line

from . import legacy
from .layout import shaped_like_data

_NO_BORDER = {"nil", "none"}
# Containers whose runs belong to the paragraph's text.
_TRANSPARENT = {qn(tag) for tag in ("w:hyperlink", "w:smartTag", "w:customXml", "w:ins", "w:fldSimple",
                                    "w:sdt", "w:sdtContent", "w:moveTo", "w:bdo", "w:dir")}
_BREAK_TYPES_NEW_LINE = {None, "textWrapping"}
_SOFT_HYPHEN = "\u00ad"
_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
# Symbol-font bullets drawn from the private use area, as Word stores them.
_PRIVATE_BULLETS = {0x2D: "-", 0x2B: "+", 0xB7: "•", 0xA7: "•", 0xD8: "•", 0xFC: "•", 0x76: "•"}


def read_docx(path: Path, label: str) -> list[Line]:
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as error:
        raise InputError(f"{label}: damaged Word document ({type(error).__name__}: {str(error)[:80]})") from None
    return _Reader(document).read()


@dataclass
class _Level:
    start: int
    format: str
    text: str


@dataclass
class _Styles:
    """What a paragraph or run inherits from its style: font and list numbering."""

    based_on: dict[str, str] = field(default_factory=dict)
    fonts: dict[str, str] = field(default_factory=dict)
    numbering: dict[str, tuple[str | None, int | None]] = field(default_factory=dict)
    borders: dict[str, bool] = field(default_factory=dict)
    default_paragraph: str | None = None
    default_font: str | None = None

    def chain(self, style_id: str | None):
        seen = set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            yield style_id
            style_id = self.based_on.get(style_id)

    def font(self, style_id: str | None) -> str | None:
        return next((self.fonts[s] for s in self.chain(style_id) if s in self.fonts), None)

    def list_of(self, style_id: str | None) -> tuple[str | None, int | None]:
        return next((self.numbering[s] for s in self.chain(style_id) if s in self.numbering), (None, None))

    def has_borders(self, style_id: str | None) -> bool:
        return next((self.borders[s] for s in self.chain(style_id) if s in self.borders), False)


def _attr(element, path: str, name: str = "w:val") -> str | None:
    found = element.find(path, _NS) if element is not None else None
    return found.get(qn(name)) if found is not None else None


_NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}


def _run_font(rpr) -> str | None:
    fonts = rpr.find("w:rFonts", _NS) if rpr is not None else None
    if fonts is None:
        return None
    # Legacy codes are above 0x7F, the range Word draws with the hAnsi font.
    return fonts.get(qn("w:hAnsi")) or fonts.get(qn("w:ascii"))


def _borders_visible(borders) -> bool | None:
    if borders is None:
        return None
    return any(side.get(qn("w:val")) not in _NO_BORDER for side in borders)


def _read_styles(document) -> _Styles:
    styles = _Styles()
    root = document.styles.element
    styles.default_font = _run_font(root.find("w:docDefaults/w:rPrDefault/w:rPr", _NS))
    for style in root.findall("w:style", _NS):
        style_id = style.get(qn("w:styleId"))
        based_on = _attr(style, "w:basedOn")
        if based_on:
            styles.based_on[style_id] = based_on
        font = _run_font(style.find("w:rPr", _NS))
        if font:
            styles.fonts[style_id] = font
        num_pr = style.find("w:pPr/w:numPr", _NS)
        if num_pr is not None:
            level = _attr(num_pr, "w:ilvl")
            styles.numbering[style_id] = (_attr(num_pr, "w:numId"), int(level) if level else None)
        visible = _borders_visible(style.find("w:tblPr/w:tblBorders", _NS))
        if visible is not None:
            styles.borders[style_id] = visible
        if style.get(qn("w:type")) == "paragraph" and style.get(qn("w:default")) in ("1", "true"):
            styles.default_paragraph = style_id
    return styles


class _Numbering:
    """Word's list counters, advanced paragraph by paragraph as Word draws them."""

    def __init__(self, document):
        self.levels: dict[str, dict[int, _Level]] = {}
        self.starts: dict[str, dict[int, int]] = {}
        self.counters: dict[str, list[int | None]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError):
            return
        abstract = {}
        for definition in root.findall("w:abstractNum", _NS):
            levels = {}
            for level in definition.findall("w:lvl", _NS):
                levels[int(level.get(qn("w:ilvl"), "0"))] = _Level(
                    start=int(_attr(level, "w:start") or 0), format=_attr(level, "w:numFmt") or "decimal",
                    text=_attr(level, "w:lvlText") or "")
            abstract[definition.get(qn("w:abstractNumId"))] = levels
        for num in root.findall("w:num", _NS):
            num_id = num.get(qn("w:numId"))
            self.levels[num_id] = abstract.get(_attr(num, "w:abstractNumId"), {})
            self.starts[num_id] = {
                int(override.get(qn("w:ilvl"), "0")): int(_attr(override, "w:startOverride"))
                for override in num.findall("w:lvlOverride", _NS) if _attr(override, "w:startOverride")}

    def label(self, num_id: str | None, level: int) -> str:
        levels = self.levels.get(num_id or "")
        if not levels or level not in levels:
            return ""
        counters = self.counters.setdefault(num_id, [None] * 10)
        start = self._start(num_id, level)
        counters[level] = start if counters[level] is None else counters[level] + 1
        for deeper in range(level + 1, len(counters)):
            counters[deeper] = None
        definition = levels[level]
        if definition.format == "none":
            return ""
        if definition.format == "bullet":
            return _bullet(definition.text)
        text = definition.text
        for shown in range(level, -1, -1):
            value = counters[shown] if counters[shown] is not None else self._start(num_id, shown)
            shown_format = levels[shown].format if shown in levels else "decimal"
            text = text.replace(f"%{shown + 1}", _format_number(value, shown_format))
        return text

    def _start(self, num_id: str, level: int) -> int:
        if level in self.starts[num_id]:
            return self.starts[num_id][level]
        return self.levels[num_id][level].start if level in self.levels[num_id] else 1


def _bullet(text: str) -> str:
    if not text:
        return ""
    code = ord(text[0])
    if 0xF000 <= code <= 0xF0FF:
        return _PRIVATE_BULLETS.get(code - 0xF000, "•")
    if text[0] == "o":  # Courier "o", Word's second-level bullet
        return "+"
    return text[0] if text[0] in "-–—+*•·" else "•"


def _format_number(value: int, number_format: str) -> str:
    if number_format in ("upperRoman", "lowerRoman"):
        roman = ""
        for amount, letters in _ROMAN:
            count, value = divmod(value, amount)
            roman += letters * count
        return roman if number_format == "upperRoman" else roman.lower()
    if number_format in ("upperLetter", "lowerLetter"):
        letter = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1) if value > 0 else ""
        return letter.upper() if number_format == "upperLetter" else letter
    if number_format == "decimalZero":
        return f"{value:02d}"
    return str(value)


class _Reader:
    def __init__(self, document):
        self.document = document
        self.styles = _read_styles(document)
        self.numbering = _Numbering(document)
        self.lines: list[Line] = []
        self.paragraphs = itertools.count()
        self.tables = itertools.count()

    def read(self) -> list[Line]:
        for element in self._blocks(self.document.element.body):
            if element.tag == qn("w:p"):
                origin = f"p{next(self.paragraphs)}"
                self._add(self._paragraph_lines(element), origin)
            else:
                self._table(element, f"t{next(self.tables)}")
        while self.lines and not self.lines[-1].text:
            self.lines.pop()
        return self.lines

    def _blocks(self, container):
        """Paragraphs and tables of a body or cell, looking through content controls."""
        for child in container:
            if child.tag in (qn("w:p"), qn("w:tbl")):
                yield child
            elif child.tag in (qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml")):
                yield from self._blocks(child)

    def _add(self, texts: list[str], origin: str) -> None:
        self.lines.extend(Line(number=0, text=text, original=text, origin=origin) for text in texts)

    def _separate(self) -> None:
        """A blank line before a block (a table column, a table), as between PDF blocks."""
        if self.lines and self.lines[-1].text:
            self.lines.append(Line(number=0, text="", original=""))

    def _table(self, table, origin: str) -> None:
        rows = [self._cells(row) for row in table.findall("w:tr", _NS)]
        self._separate()
        # Each cell's lines, read once whichever way the table is written out.
        cell_lines = [[[text for text in self._cell_lines(cell) if text.strip()] for cell in cells] for cells in rows]
        row_texts = [[" ".join(lines) for lines in cells] for cells in cell_lines]
        if self._has_borders(table) or shaped_like_data(row_texts):
            for row_index, texts in enumerate(row_texts):
                if any(texts):
                    self._add(["\t".join(texts)], f"{origin}.r{row_index}")
        else:
            columns = max((len(cells) for cells in cell_lines), default=0)
            for column in range(columns):
                for row_index, cells in enumerate(cell_lines):
                    if column < len(cells):
                        self._add(cells[column], f"{origin}.r{row_index}.c{column}")
                self._separate()
        self._separate()

    def _cells(self, row) -> list:
        cells = []
        for cell in row:
            if cell.tag == qn("w:tc"):
                cells.append(cell)
            elif cell.tag in (qn("w:sdt"), qn("w:customXml")):
                cells.extend(cell.iter(qn("w:tc")))
        return cells

    def _cell_lines(self, cell) -> list[str]:
        # A cell continuing a vertical merge repeats nothing; its text is in the first cell.
        if _attr(cell, "w:tcPr/w:vMerge") is None and cell.find("w:tcPr/w:vMerge", _NS) is not None:
            return []
        texts: list[str] = []
        for element in self._blocks(cell):
            if element.tag == qn("w:p"):
                texts.extend(self._paragraph_lines(element))
            else:
                for row in element.findall("w:tr", _NS):
                    texts.append(" ".join(" ".join(self._cell_lines(c)) for c in self._cells(row)))
        return texts

    def _has_borders(self, table) -> bool:
        own = _borders_visible(table.find("w:tblPr/w:tblBorders", _NS))
        if own is None:
            own = self.styles.has_borders(_attr(table, "w:tblPr/w:tblStyle"))
        if own:
            return True
        return any(_borders_visible(borders) for borders in table.iter(qn("w:tcBorders")))

    def _paragraph_lines(self, paragraph) -> list[str]:
        style_id = _attr(paragraph, "w:pPr/w:pStyle") or self.styles.default_paragraph
        pieces: list[tuple[str | None, str]] = []
        paragraph_font = self.styles.font(style_id) or self.styles.default_font
        self._collect(paragraph, paragraph_font, pieces)
        text = "".join(
            legacy.run_to_unicode("".join(piece for _, piece in group), font)
            for font, group in itertools.groupby(pieces, key=lambda piece: piece[0])).replace(_SOFT_HYPHEN, "")
        label = self._label(paragraph, style_id)
        if label:
            text = f"{label} {text.lstrip()}"
        return [unicodedata.normalize("NFC", line).rstrip() for line in text.split("\n")]

    def _label(self, paragraph, style_id: str | None) -> str:
        num_pr = paragraph.find("w:pPr/w:numPr", _NS)
        style_num, style_level = self.styles.list_of(style_id)
        num_id = _attr(num_pr, "w:numId") if num_pr is not None else None
        level = _attr(num_pr, "w:ilvl") if num_pr is not None else None
        num_id = num_id or style_num
        if not num_id or num_id == "0":
            return ""
        return self.numbering.label(num_id, int(level) if level else (style_level or 0))

    def _collect(self, element, paragraph_font: str | None, pieces: list) -> None:
        for child in element:
            if child.tag == qn("w:r"):
                rpr = child.find("w:rPr", _NS)
                font = _run_font(rpr) or self.styles.font(_attr(rpr, "w:rStyle")) or paragraph_font
                for part in child:
                    text = _run_part_text(part)
                    if text:
                        pieces.append((font, text))
            elif child.tag in _TRANSPARENT:
                self._collect(child, paragraph_font, pieces)


def _run_part_text(part) -> str:
    tag = part.tag
    if tag == qn("w:t"):
        return part.text or ""
    if tag in (qn("w:tab"), qn("w:ptab")):
        return "\t"
    if tag == qn("w:br"):
        return "\n" if part.get(qn("w:type")) in _BREAK_TYPES_NEW_LINE else ""
    if tag == qn("w:cr"):
        return "\n"
    if tag == qn("w:noBreakHyphen"):
        return "-"
    if tag == qn("w:softHyphen"):
        # TCVN3 "ư" is code 0xAD, the soft hyphen, which converters write as
        # this element; outside a TCVN3 run it is dropped like any soft hyphen.
        return _SOFT_HYPHEN
    # Drawings and text boxes, footnote marks, field codes, deleted text: not body text.
    return ""
