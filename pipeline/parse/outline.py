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

from pipeline.model import DocumentWarning, Line
from pipeline.parse.fields import Field, bare_label, read_field
from pipeline.parse.markers import LETTERS, Marker, read_marker, roman_value, to_roman
from pipeline.parse.matching import fold, squash
from pipeline.parse.notices import notice

_TERMINAL = tuple(".;:!?")
_ROW_NUMBER_RE = regex.compile(r"[\dIVXivx]{1,5}\.?")
# Digits OCR confuses in item numbers: an item written "9." where "5." is due is item 5.
_DIGIT_MISREADS = {"5": ("9", "6", "3"), "3": ("8", "5"), "8": ("3", "6"), "6": ("8", "5"), "1": ("7",), "7": ("1",)}
_NAMED_PREFIX = {"part": "P.", "chapter": "Ch.", "division": "M.", "article": "Đ"}
# Closing paragraphs of the body belong to no item, though they follow the last one.
_CLOSING_RE = regex.compile(
    r"^(?:tren day \S{1,3} |trong qua trinh (?:thuc hien|trien khai|to chuc)|ke hoach nay thay the|"
    r"(?:chu tich )?(?:uy ban nhan dan|ubnd)(?: (?:tinh|thanh pho|huyen|quan|thi xa|xa|phuong))?[^.;:]{0,30}? (?:yeu cau|de nghi|giao) |"
    r"yeu cau (?:giam doc|thu truong|chu tich|cac) )"
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
    part: str | None = None  # the attachment the node belongs to ("Kế hoạch", "Phụ lục"); None in the main text
    children: list[Node] = default(default_factory=list)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Part:
    """An attachment after the main text ("KẾ HOẠCH … (Ban hành kèm theo …)", "PHỤ LỤC")."""

    name: str  # its type: "Kế hoạch", "Chương trình hành động", "Phụ lục" …
    title: str
    line: int  # the line of its type heading
    page: int | None = None
    appendix: bool = False
    label: str = ""  # "I" of "PHỤ LỤC I"


@dataclass
class Outline:
    roots: list[Node]
    warnings: list[DocumentWarning]


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
        self.warnings: list[DocumentWarning] = []
        self.current: Node | None = None  # the node whose text a continuation line extends
        self.prev_line = ""
        self.gap = False  # blank line since the previous text line
        self.used_ids: set[str] = set()
        self.counters: dict[tuple[str, str], int] = {}
        self.last_label: dict[tuple[str, str], str] = {}
        self.last_roman = 0
        self.after_break = False
        self.table: Node | None = None
        self.last_table: Node | None = None  # a table may go on after a page break
        self.table_groups: dict[str, str] = {}  # table id -> its current group row ("II")
        self.guessed_rows: dict[str, tuple[Node, DocumentWarning]] = {}  # table id -> row numbered by the sequence
        self.part: str | None = None

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
        if kind == "part" and len(label) == 1 and label.isalpha():  # "B": ids below it keep the letter ("B.IV.1.đ")
            return self._unique(label)
        if kind in _NAMED_PREFIX:
            return self._unique(f"{_NAMED_PREFIX[kind]}{label}")
        if kind == "appendix":
            return self._unique(f"PL{label}" if label else "PL")
        if kind == "roman":
            lettered = parent is not None and parent.kind == "part" and parent.id.isalpha()
            return self._unique(f"{parent.id}.{label}" if lettered else label)
        if kind == "subnumber" and parent and parent.kind == "number" and label.startswith(parent.label + "."):
            return self._unique(f"{parent.id}.{label[len(parent.label) + 1:]}")
        if kind in ("number", "subnumber", "letter"):
            return self._unique(prefix + label)
        symbol = {"bullet": "-", "subbullet": "+", "paragraph": "p", "field": "f", "table": "table"}[kind]
        if kind in ("bullet", "subbullet"):  # "V.9-3": bullets hang on their item's id without a dot
            return self._unique(f"{parent_id}{symbol}{self._count(parent_id, kind)}")
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
                    self.warnings.append(notice("numeral_fixed", line_number, written=marker.written,
                                                read=to_roman(expected)))
                    marker.label = to_roman(expected)
                    value = expected
                else:
                    self.warnings.append(notice("items_out_of_order", line_number))
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
                self.warnings.append(notice("item_number_fixed", line_number, written=marker.label, read=expected))
                marker.label = expected
        if marker.label != expected:
            self.warnings.append(notice("items_out_of_order", line_number))
        self.last_label[key] = marker.label

    # building ------------------------------------------------------------
    def _attach(self, node: Node, parent: Node | None) -> None:
        node.part = self.part
        (parent.children if parent else self.roots).append(node)

    def start_part(self, part: Part) -> None:
        """An attachment begins: its numbering starts afresh; ids stay unique across parts.
        An appendix opens an "appendix" node ("PL") that holds its tables."""
        self.part = part.name
        self.stack, self.current, self.table, self.last_table = [], None, None, None
        self.last_roman, self.last_label, self.prev_line, self.gap = 0, {}, "", False
        if part.appendix:
            marker = Marker("appendix", part.label, part.name, part.title)
            self._open(marker, Line(number=part.line, text=part.title, original=part.title, page=part.page))

    def _open(self, marker: Marker, line: Line) -> None:
        if marker.kind in ("appendix", "part", "chapter", "division", "article", "roman", "number"):
            self.last_table = None
        rank = marker.rank
        while self.stack and self.stack[-1].rank >= rank:
            self.stack.pop()
        if len(self.stack) >= MAX_DEPTH:
            del self.stack[MAX_DEPTH - 1:]
            if not any(warning.code == "outline_too_deep" for warning in self.warnings):
                self.warnings.append(notice("outline_too_deep", line.number, depth=MAX_DEPTH))
        parent = self.stack[-1] if self.stack else None
        self._check_order(marker, parent, line.number)
        # "2. Cơ quan chủ trì: Bộ Tư pháp." under "Điều 2." is a field line of the article's task.
        fielded = marker.kind in ("letter", "bullet", "subbullet") or (
            marker.kind == "number" and parent is not None and parent.kind == "article")
        found = read_field(marker.rest) if fielded else None
        if not fielded and marker.kind == "number":  # "3. Thời gian thực hiện: Tháng 12/2013."
            found = read_field(marker.rest)
            found = found if found and found.kind in ("lead", "support", "units", "timeline") else None
        # "2. Cơ quan chủ trì, phối hợp" / "a) Cơ quan chủ trì" / "- Bộ Quốc phòng.": a label alone on its line
        # heads a field whose value is the list below it.
        found = found or (bare_label(marker.rest) if marker.kind in ("number", "letter") else None)
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
        elif kind == "field" and self._closes_bullet(parent):
            # "- Phối hợp …: Trong đó:" / "+ Sở A: …" / "+ Sở B: …" / "Thời gian thực hiện: …": a field line
            # after several "+" lines without fields of their own is the date of the "-" bullet they detail.
            self.stack.pop()
            parent = self.stack[-1]
        node = Node(kind, "", self._child_id(parent, kind, ""), text, line.number, line.number, line.page, field=found)
        self._attach(node, parent)
        self.current = node

    def _closes_bullet(self, parent: Node | None) -> bool:
        if parent is None or parent.kind != "subbullet" or len(self.stack) < 2 or self.stack[-2].kind != "bullet":
            return False
        details = [child for child in self.stack[-2].children if child.kind == "subbullet"]
        return len(details) >= 2 and not any(child.kind == "field" for node in details for child in node.children)

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
        filled = len([c for c in line.text.split("\t") if c.strip()])
        # A row with a single filled cell ("\t\t\tthe rest of a wrapped cell") belongs to the table above.
        if "\t" in line.text.strip(" ") and (filled >= 2 or (filled and self.last_table is not None)):
            self._table_row(line)
        elif self.table is not None and _ROW_NUMBER_RE.fullmatch(text):
            # A row's number on a line of its own (its other cells empty, trailing tabs trimmed).
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
        last = self.last_table
        if table is None and last is not None and (same_row(cells, last.cells) or not _looks_like_header(cells)):
            # The table goes on after a page break: its header row repeated, or straight on with rows.
            table = self.table = last
        if table is None:
            parent = self.stack[-1] if self.stack else None
            table = Node("table", "", self._child_id(parent, "table", ""), " | ".join(cells), line.number, line.number, line.page, cells=cells)
            self._attach(table, parent)
            self.current = self.table = self.last_table = table
            return
        table.last = line.number
        if same_row(cells, table.cells):
            row = Node("row", "", self._unique(f"{table.id}.h"), " | ".join(cells), line.number, line.number,
                       line.page, cells=cells)
            row.part = self.part
            table.children.append(row)
            self.current = row
            return
        parent_id = table.id.rsplit(".table", 1)[0]
        number = cells[0] if cells and _ROW_NUMBER_RE.fullmatch(cells[0]) else ""
        self._unguess(table, number.rstrip("."))
        label = self._row_number(table, number.rstrip("."), cells, line.number)
        if label and roman_value(label.upper()):
            self.table_groups[table.id] = label.upper()
            row_id = self._unique(f"{parent_id}.{label.upper()}" if parent_id else label.upper())
        elif label:
            group = self.table_groups.get(table.id)
            stem = ".".join(part for part in (parent_id, group, label) if part)
            row_id = self._unique(stem)
        else:
            row_id = self._unique(f"{table.id}.r{self._count(table.id, 'row')}")
        row = Node("row", label, row_id, " | ".join(c for c in cells if c), line.number, line.number, line.page, cells=cells)
        row.part = self.part
        table.children.append(row)
        if label and label != number.rstrip("."):
            self.guessed_rows[table.id] = (row, self.warnings[-1])
        self.current = row

    def _row_number(self, table: Node, label: str, cells: list[str], line_number: int) -> str:
        """The row's number; where OCR lost or misread it in a table numbered 1, 2, 3 … so far,
        the number the sequence expects (a scan's narrow "TT" column is often unreadable).
        A row that is short of cells, or whose text cell opens in lower case, continues the row above."""
        numbers = [row.label for row in table.children if row.label]
        if not all(n == str(i) for i, n in enumerate(numbers, start=1)):
            return label
        expected = str(len(numbers) + 1)
        if label == expected or sum(bool(cell) for cell in cells[1:]) < 2:
            return label
        if len(cells) < len(table.cells or []) or len(cells[0]) > 3 or not cells[1][:1].isupper():
            return label
        self.warnings.append(notice("table_row_number_fixed", line_number, written=label or "…", read=expected))
        return expected

    def _unguess(self, table: Node, written: str) -> None:
        """The number the sequence gave a row without one, written on a later line of that row (a
        number printed in the middle of a row that wraps over several lines): the row had its number."""
        if not written or table.id not in self.guessed_rows:
            return
        node, warning = self.guessed_rows.pop(table.id)
        if node.label != written or [row for row in table.children if row.label][-1] is not node:
            return
        self.used_ids.discard(node.id)
        node.label, node.id = "", self._unique(f"{table.id}.r{self._count(table.id, 'row')}")
        self.warnings.remove(warning)


def same_row(cells: list[str], other: list[str] | None) -> bool:
    return bool(other) and [fold(c) for c in cells if c] == [fold(c) for c in other if c]


def _looks_like_header(cells: list[str]) -> bool:
    """A header row names columns ("TT", "Nội dung", "Cơ quan chủ trì"); a data row opens with its number."""
    return not _ROW_NUMBER_RE.fullmatch(cells[0] or "") and sum(bool(c) for c in cells) >= 2


def build_outline(lines: list[Line], dropped: set[int], parts: dict[int, Part] | None = None) -> Outline:
    """The tree of the body `lines`; `dropped` are page numbers and running headers among them;
    `parts` maps the first body line of each attachment to its description."""
    builder = _Builder(wrap_width([line for line in lines if line.number not in dropped]))
    parts = parts or {}
    for line in lines:
        if line.number in parts:
            builder.start_part(parts[line.number])
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
