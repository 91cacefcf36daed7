"""The section tree of the body text.

Lines come either wrapped at page width (OCR output, the seed gold text) or
one paragraph per line. Wrapped lines are joined back into paragraphs: a line
continues the previous one when it starts with a lower-case letter, a digit
or punctuation, or when the previous line ran to the page width without
ending a sentence. A blank line ends a paragraph unless the next line starts
in lower case (OCR puts blank lines around page breaks mid-sentence).

Each paragraph becomes one node, so every body line belongs to exactly one
node's own text:
  roman / number / subnumber / letter / bullet / subbullet / part / chapter /
  division / article / appendix  - items opened by a marker (see markers.py)
  field      - a labelled field line ("Đơn vị thực hiện: …", fields.py)
  paragraph  - an un-numbered paragraph, child of the innermost open item
  table / row - tab-separated rows (tables.py reads them)

Node ids: roman "III"; numbered and lettered items append their label to the
parent id ("III.1", "III.1.a"; "1.2." under "1." gives "II.1.2"); bullets
append "-n" ("III.4.-3" is the third "-" bullet of III.4), "+" bullets "+n";
paragraphs "pn", fields "fn", table rows the row's number cell. Parts,
chapters, divisions and articles have document-wide ids ("Ch.II", "Đ.5").
A repeated id gets a "~n" suffix.
"""
from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as default

import regex

from pipeline.model import Line
from pipeline.parse.fields import Field, read_field
from pipeline.parse.markers import LETTERS, Marker, read_marker, roman_value, to_roman
from pipeline.parse.matching import fold, squash

_TERMINAL = tuple(".;:!?")
# Digits OCR confuses in item numbers: an item written "9." where "5." is due is item 5.
_DIGIT_MISREADS = {"5": ("9", "6", "3"), "3": ("8", "5"), "8": ("3", "6"), "6": ("8", "5"), "1": ("7",), "7": ("1",)}
_NAMED_PREFIX = {"part": "P", "chapter": "Ch", "division": "M", "article": "Đ"}
# Closing paragraphs of the body belong to no item, though they follow the last one.
_CLOSING_RE = regex.compile(
    r"^(?:tren day \S{1,3} |trong qua trinh (?:thuc hien|trien khai|to chuc)|ke hoach nay thay the|"
    r"(?:uy ban nhan dan|ubnd)(?: (?:tinh|thanh pho|huyen|quan|thi xa|xa|phuong))?[^.;:]{0,30}? (?:yeu cau|de nghi|giao) )"
)


# Real documents nest a handful of levels. Deeper items are kept as siblings at this depth, so every
# walk of the outline, and the nested sections of the JSON, stay far from Python's recursion limit.
MAX_DEPTH = 32


@dataclass
class Node:
    kind: str
    label: str
    id: str
    text: str
    first: int
    last: int
    page: int | None = None
    rank: int = 99
    field: Field | None = None
    cells: list[str] | None = None
    children: list[Node] = default(default_factory=list)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Outline:
    roots: list[Node]
    warnings: list[str]


def wrap_width(lines: list[Line]) -> int:
    """The page width the text was wrapped at, estimated from line lengths."""
    lengths = sorted(len(line.text.strip()) for line in lines if line.text.strip())
    if not lengths:
        return 0
    return lengths[int(len(lengths) * 0.9) - (1 if len(lengths) >= 10 else 0)]


def _soft_start(text: str) -> bool:
    return not text[:1].isupper()


class _Builder:
    def __init__(self, width: int):
        self.width = width
        self.roots: list[Node] = []
        self.stack: list[Node] = []
        self.warnings: list[str] = []
        self.current: Node | None = None  # the node whose text a continuation line extends
        self.prev_line = ""
        self.gap = False  # blank line since the previous text line
        self.used_ids: set[str] = set()
        self.counters: dict[tuple[str, str], int] = {}
        self.last_label: dict[tuple[str, str], str] = {}
        self.last_roman = 0
        self.after_break = False
        self.table: Node | None = None

    # ids -----------------------------------------------------------------
    def _unique(self, candidate: str) -> str:
        result, n = candidate, 1
        while result in self.used_ids:
            n += 1
            result = f"{candidate}~{n}"
        self.used_ids.add(result)
        return result

    def _count(self, parent_id: str, kind: str) -> int:
        key = (parent_id, kind)
        self.counters[key] = self.counters.get(key, 0) + 1
        return self.counters[key]

    def _child_id(self, parent: Node | None, kind: str, label: str) -> str:
        parent_id = parent.id if parent else ""
        prefix = f"{parent_id}." if parent_id else ""
        if kind in _NAMED_PREFIX:
            return self._unique(f"{_NAMED_PREFIX[kind]}.{label}")
        if kind == "appendix":
            return self._unique(f"PL{label}" if label else "PL")
        if kind == "roman":
            return self._unique(label)
        if kind == "subnumber" and parent and parent.kind == "number" and label.startswith(parent.label + "."):
            return self._unique(f"{parent.id}.{label[len(parent.label) + 1:]}")
        if kind in ("number", "subnumber", "letter"):
            return self._unique(prefix + label)
        symbol = {"bullet": "-", "subbullet": "+", "paragraph": "p", "field": "f", "table": "table"}[kind]
        return self._unique(f"{prefix}{symbol}{self._count(parent_id, kind)}")

    # sequence checks -----------------------------------------------------
    def _check_order(self, marker: Marker, parent: Node | None, line_number: int) -> None:
        if marker.kind == "roman":
            value = roman_value(marker.label) or 0
            expected = self.last_roman + 1
            if value != expected:
                # Misreadable numerals are those made of strokes OCR miscounts: I, l, 1, |, H, v.
                # A numeral that goes backwards ("I." again where "II." is due) lost a stroke.
                if not value or marker.written != marker.label or (set(marker.written) <= set("I") and value < expected < 4):
                    self.warnings.append(
                        f"roman numeral {marker.written} read as {to_roman(expected)} at line {line_number}"
                    )
                    marker.label = to_roman(expected)
                    value = expected
                else:
                    self.warnings.append(f"items out of order at line {line_number}")
            self.last_roman = value
            return
        if marker.kind not in ("number", "letter"):
            return
        key = (parent.id if parent else "", marker.kind)
        previous = self.last_label.get(key)
        if marker.kind == "letter":
            # OCR drops the bar of "đ": a second "d" is the "đ" that follows "d".
            if previous == "d" and marker.label == "d":
                marker.label = "đ"
            expected = LETTERS[LETTERS.index(previous) + 1] if previous in LETTERS[:-1] else None
            if previous is None:
                expected = "a"
        else:
            expected = str(int(previous) + 1) if previous and previous.isdigit() else "1"
            if marker.label in _DIGIT_MISREADS.get(expected, ()):
                self.warnings.append(f"item number {marker.label} read as {expected} at line {line_number}")
                marker.label = expected
        if marker.label != expected:
            self.warnings.append(f"items out of order at line {line_number}")
        self.last_label[key] = marker.label

    # building ------------------------------------------------------------
    def _attach(self, node: Node, parent: Node | None) -> None:
        (parent.children if parent else self.roots).append(node)

    def _open(self, marker: Marker, line: Line) -> None:
        rank = marker.rank
        while self.stack and self.stack[-1].rank >= rank:
            self.stack.pop()
        if len(self.stack) >= MAX_DEPTH:
            del self.stack[MAX_DEPTH - 1:]
            warning = f"outline deeper than {MAX_DEPTH} levels: the deeper items are kept at that depth"
            if warning not in self.warnings:
                self.warnings.append(warning)
        parent = self.stack[-1] if self.stack else None
        self._check_order(marker, parent, line.number)
        found = read_field(marker.rest) if marker.kind in ("letter", "bullet", "subbullet") else None
        kind = "field" if found else marker.kind
        label = marker.label
        node = Node(
            kind=kind,
            label=label,
            id=self._child_id(parent, kind, label),
            text=marker.rest,
            first=line.number,
            last=line.number,
            page=line.page,
            rank=rank,
            field=found,
        )
        self._attach(node, parent)
        self.stack.append(node)
        self.current = node

    def _leaf(self, kind: str, text: str, line: Line, found: Field | None = None, top_level: bool = False) -> None:
        parent = None if top_level else (self.stack[-1] if self.stack else None)
        if top_level:
            self.stack.clear()
        node = Node(kind, "", self._child_id(parent, kind, ""), text, line.number, line.number, line.page, field=found)
        self._attach(node, parent)
        self.current = node

    def _continues(self, text: str, marker: Marker | None) -> bool:
        if self.current is None or self.current.kind in ("table", "row"):
            return False
        prev = self.prev_line
        full = self.width and len(prev) >= 0.7 * self.width and not prev.endswith(_TERMINAL)
        if marker is not None:
            # "kinh tế\n- xã hội": a dash that opens a lower-case fragment is a wrapped hyphen;
            # "…phục vụ\n-Chương trình": a dash glued to the word is an OCR speck, not a bullet.
            glued = marker.kind == "bullet" and text[1:2].isalpha()
            return marker.kind in ("bullet", "number", "letter") and bool(full) and (_soft_start(marker.rest) or glued)
        if _soft_start(text):
            return True
        return bool(full) and not self.gap

    def page_break(self) -> None:
        """A dropped page number or running header: the blank lines around it are not a paragraph gap."""
        self.gap = False
        self.after_break = True

    def add(self, line: Line) -> None:
        text = squash(line.text)
        if not text:
            self.gap = self.gap or not self.after_break
            return
        self.after_break = False
        if "\t" in line.text.strip() and len([c for c in line.text.split("\t") if c.strip()]) >= 2:
            self._table_row(line)
        else:
            self.table = None
            marker = read_marker(text)
            if self._continues(text, marker):
                self.current.text = f"{self.current.text} {text}".strip()
                self.current.last = line.number
                if self.current.kind == "field":
                    self.current.field = read_field(self.current.text) or self.current.field
            elif marker is not None:
                self._open(marker, line)
            else:
                found = read_field(text)
                if found:
                    self._leaf("field", text, line, found)
                else:
                    self._leaf("paragraph", text, line, top_level=bool(_CLOSING_RE.match(fold(text))))
        self.prev_line = text
        self.gap = False

    def _table_row(self, line: Line) -> None:
        cells = [squash(cell) for cell in line.text.split("\t")]
        table = self.table
        if table is None:
            parent = self.stack[-1] if self.stack else None
            table = Node("table", "", self._child_id(parent, "table", ""), " | ".join(cells), line.number, line.number, line.page, cells=cells)
            self._attach(table, parent)
            self.current = self.table = table
            return
        parent_id = table.id.rsplit(".table", 1)[0]
        number = cells[0] if cells and regex.fullmatch(r"[\dIVXivx]{1,5}\.?", cells[0]) else ""
        label = self._row_number(table, number.rstrip("."), cells, line.number)
        row_id = self._unique(f"{parent_id}.{label}" if parent_id else label) if label else self._unique(
            f"{table.id}.r{self._count(table.id, 'row')}"
        )
        row = Node("row", label, row_id, " | ".join(c for c in cells if c), line.number, line.number, line.page, cells=cells)
        table.children.append(row)
        self.current = row


    def _row_number(self, table: Node, label: str, cells: list[str], line_number: int) -> str:
        """The row's number; where OCR lost or misread it in a table numbered 1, 2, 3 … so far,
        the number the sequence expects (a scan's narrow "TT" column is often unreadable)."""
        numbers = [row.label for row in table.children]
        if not all(n == str(i) for i, n in enumerate(numbers, start=1)):
            return label
        expected = str(len(numbers) + 1)
        if label == expected or sum(bool(cell) for cell in cells[1:]) < 2:
            return label
        self.warnings.append(f"table row number {label or 'missing'} read as {expected} at line {line_number}")
        return expected


def build_outline(lines: list[Line], dropped: set[int]) -> Outline:
    """The tree of the body `lines`; `dropped` are page numbers and running headers among them."""
    builder = _Builder(wrap_width([line for line in lines if line.number not in dropped]))
    for line in lines:
        if line.number in dropped:
            builder.page_break()
        else:
            builder.add(line)
    return Outline(builder.roots, builder.warnings)


_PAGE_NUMBER_RE = regex.compile(r"^[-–—]?\s*(?:trang\s+)?\d{1,3}(?:\s*/\s*\d{1,3})?\s*[-–—]?$")


def dropped_lines(lines: list[Line]) -> dict[int, str]:
    """Page numbers ("2", "- 3 -", "Trang 4/9") and running headers, by line number.

    A running header is a short line repeated at the top or bottom (first or
    last two lines) of at least three pages; it can only be told when the
    lines carry page numbers. Repeated paragraph tails ("liên quan.") sit
    mid-page and are left alone.
    """
    roles: dict[int, str] = {}
    for line in lines:
        text = line.text.strip()
        if "\t" not in text and _PAGE_NUMBER_RE.match(fold(text)):
            roles[line.number] = "page-number"
    if len({line.page for line in lines}) < 3:
        return roles
    by_page: dict[int, list[Line]] = {}
    for line in lines:
        if line.text.strip() and line.number not in roles:
            by_page.setdefault(line.page, []).append(line)
    edges = {line.number for page_lines in by_page.values() for line in page_lines[:2] + page_lines[-2:]}
    pages_by_text: dict[str, set[int]] = {}
    for line in lines:
        text = squash(line.text)
        if line.number in edges and len(text) <= 60 and not read_marker(text) and not read_field(text):
            pages_by_text.setdefault(fold(text), set()).add(line.page)
    repeated = {text for text, pages in pages_by_text.items() if len(pages) >= 3}
    for line in lines:
        if line.number in edges and fold(squash(line.text)) in repeated:
            roles[line.number] = "running-header"
    return roles
