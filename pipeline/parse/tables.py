"""Task tables: "TT | Nội dung | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian …".

The outline collects tab-separated rows (text input, and the text layer of
PDFs whose tables the ingest stage writes as tab-separated cells) into a
table node whose own text is the header row; a table goes on across a page
break, its header row repeated or not. A table is a task table when its
header names a content column and at least one of lead, units or timeline
columns (`fields.column_kind`), whatever the wording.

Rows:
- the header may run over several lines ("Cơ quan" / "chủ trì"); they are
  joined cell by cell;
- a numbered row is a task, its id ending in the row's number ("PL.3"; under
  a group row "PL.II.3", numbering restarting in each group);
- a row numbered with a Roman numeral and no unit cells is a group row whose
  text becomes the section title of the rows after it;
- a text layer may give each printed line of a row as a line of its own,
  merged cells empty, the number printed in the middle of the row. The lines
  between two numbers are split where a line looks most like the top of a row
  (its cells open in upper case, the cells above ended a sentence), and each
  row's lines are joined cell by cell: wrapped cells, and the rest of a row
  split across pages;
- a line that opens with its own date under a row that has one is a sub-row:
  a task of its own ("PL.15b") that inherits the cells it leaves empty
  (merged cells) from the row above.
"""
from __future__ import annotations

from dataclasses import dataclass

from pipeline.model import Task
from pipeline.parse.fields import Field, column_kind
from pipeline.parse.markers import roman_value
from pipeline.parse.outline import Node
from pipeline.parse.outline import same_row as _same_row

_NEEDED = {"lead", "units", "timeline"}
_UNIT_KINDS = ("lead", "units", "support")
_FIELD_KINDS = ("units", "lead", "support", "timeline", "product", "budget")  # the cells a row's task is filled from
_TERMINAL = tuple(".;:!?")
_NUMBER_WEIGHT = 2  # the line holding the row's number, as likely a top line as two fresh cells
_HEADER_WORDS = 4  # a header cell's line ("Cơ quan", "chủ trì") is a few words


def _columns(header: list[str]) -> dict[int, str]:
    kinds: dict[int, str] = {}
    for index, cell in enumerate(header):
        kind = column_kind(cell)
        if kind and kind not in kinds.values():
            kinds[index] = kind
    return kinds


def _header(table) -> tuple[list[str], list[list[str]]]:
    """The header row, its lines joined cell by cell when it is written over several lines
    ("Cơ quan" / "chủ trì"), and those lines (a page may repeat them)."""
    header, lines = list(table.cells or []), [table.cells or []]
    for node in table.children:
        if node.label or not node.cells or _same_row(node.cells, header):
            break
        if not any(node.cells):
            continue
        joined = [f"{old} {new}".strip() for old, new in zip(header + [""] * len(node.cells), node.cells)]
        joined += header[len(joined):]
        short = all(len(cell.split()) <= _HEADER_WORDS for cell in node.cells)
        changed = any(column_kind(new) != column_kind(old) for old, new in zip(header + [""] * len(joined), joined))
        # "nhiệm vụ" under "Nội dung" goes on with a header cell; "Nhiệm vụ chung" is a group title.
        goes_on = all(cell[0].islower() for cell in node.cells if cell)
        if not (short and (changed or goes_on)):
            break
        header = joined
        lines.append(node.cells)
    return header, lines


@dataclass
class _Row:
    node: Node
    id: str
    cells: dict[str, str]
    first: int
    last: int
    page: int | None


def _aligned(cells: list[str], width: int, numbered: bool) -> list[str]:
    """A line's cells in the header's columns. A line short of cells lost its empty last cells
    (trailing tabs are trimmed), unless it is unnumbered and yet has text in the number column:
    then it lost its first cells (a text layer that drops merged cells) and its cells are the last ones."""
    if len(cells) >= width or numbered or not cells[0]:
        return cells
    return [""] * (width - len(cells)) + cells


def _opening(cells: dict[str, str], before: dict[str, str]) -> int:
    """How much a line looks like the top line of a row, given the text of the row above so far:
    each cell opening in upper case counts (twice where the cell above ended a sentence or was
    empty), each cell opening in lower case (a wrapped cell going on) counts against."""
    score = 0
    for kind, value in cells.items():
        if kind == "number" or not value:
            continue
        if value[0].islower():
            score -= 1
            continue
        above = before.get(kind, "")
        score += 2 if not above or above.endswith(_TERMINAL) else 1
    return score


def _clean_top(cells: dict[str, str]) -> bool:
    """A line whose cells all open in upper case, as the top line of a row does."""
    values = [value for kind, value in cells.items() if kind != "number" and value]
    return bool(values) and not any(value[0].islower() for value in values)


def _row_starts(lines: list[tuple[object, dict[str, str]]]) -> list[int]:
    """Where each numbered row begins. A number printed in the middle of its row (the cell is
    centred on a row that wraps over many lines) leaves the row's top lines above it: the row
    begins at the line between the two numbers that looks most like a top line, the number's
    own line counting a little more unless the number stands alone on it."""
    anchors = [index for index, (node, _) in enumerate(lines) if node.label]
    starts = [0] if anchors else []
    for above, anchor in zip(anchors, anchors[1:]):
        before: dict[str, str] = {}  # each column's last text in the row above so far
        for _, cells in lines[starts[-1]:above + 1]:
            before.update((kind, value) for kind, value in cells.items() if value)
        best, best_score = anchor, None
        for at in range(above + 1, anchor + 1):
            cells = lines[at][1]
            alone = not any(value for kind, value in cells.items() if kind != "number")
            score = _opening(cells, before) + (_NUMBER_WEIGHT if at == anchor and not alone else 0)
            if best_score is None or score >= best_score:  # a tie goes to the later line
                best, best_score = at, score
            before.update((kind, value) for kind, value in cells.items() if value)
        starts.append(best)
    return starts


def _rows(table, header_lines: list[list[str]], columns: dict[int, str]) -> list[tuple[_Row, bool]]:
    """(row, is_group) for the table's data rows, wrapped and split rows joined, sub-rows apart.

    The text layer of a ruled table may give each printed line of a row as a row of its own:
    its lines are joined back, cell by cell, into the row that the number belongs to."""
    width = max(len(line) for line in header_lines)
    lines = []
    for node in table.children:
        if not node.cells or not any(node.cells) or any(_same_row(node.cells, line) for line in header_lines):
            continue  # an empty line, or the header repeated on a new page
        cells = _aligned(node.cells, width, bool(node.label))
        lines.append((node, {kind: (cells[index] if index < len(cells) else "") for index, kind in columns.items()}))
    rows: list[tuple[_Row, bool]] = []
    starts = _row_starts(lines)
    for begin, end in zip(starts, starts[1:] + [len(lines)]):
        anchor = next(node for node, _ in lines[begin:end] if node.label)
        top = lines[begin][0]
        row = current = _Row(anchor, anchor.id, {}, top.first, top.last, top.page)
        sub_rows = []
        for node, by_kind in lines[begin:end]:
            if node.first > anchor.first and _sub_row(by_kind, current.cells):
                # A sub-row with its own date: a task of its own that inherits the merged cells it leaves empty.
                inherited = {kind: value or current.cells.get(kind, "") for kind, value in by_kind.items()}
                if by_kind.get("content"):
                    inherited["content"] = by_kind["content"]
                current = _Row(node, f"{current.id.rstrip('b')}b", inherited, node.first, node.last, node.page)
                sub_rows.append(current)
                continue
            for kind, value in by_kind.items():
                if value:
                    current.cells[kind] = f"{current.cells.get(kind, '')} {value}".strip()
            current.last = node.last
        group = bool(roman_value(anchor.label.upper())) and not any(row.cells.get(kind) for kind in _UNIT_KINDS)
        rows.append((row, group))
        rows += [(sub_row, False) for sub_row in sub_rows]
    return rows


def _sub_row(cells: dict[str, str], above: dict[str, str]) -> bool:
    """A line that opens with its own date under a row that has one already (not a date wrapped
    over two lines, "Năm 2026 –" / "2030")."""
    date_above = above.get("timeline", "")
    return bool(cells.get("timeline") and date_above and not date_above.endswith(("-", "–", ","))
                and _clean_top(cells))


@dataclass
class TableTask:
    """A task row before it is filled: the task, its unit, timeline, product and budget cells as
    fields (labelled by their header cell), and the row as a node of its content text."""

    task: Task
    fields: list[Field]
    node: Node


def table_tasks(table: Node, ancestors: list[Node]) -> list[TableTask]:
    """The task rows of a task table node; [] for any other table. tasks.py fills them as it fills prose items."""
    header, header_lines = _header(table)
    columns = _columns(header)
    if "content" not in columns.values() or not _NEEDED & set(columns.values()):
        return []
    labels = {kind: header[index] for index, kind in columns.items()}
    path = [node.id for node in ancestors]
    section_title = ancestors[-1].text if ancestors else ""
    rows = []
    for row, group in _rows(table, header_lines, columns):
        content = row.cells.get("content", "")
        if group:
            section_title = content
            continue
        if not content:
            continue
        part = row.node.part
        task = Task(id=row.id, path=path + [row.id], section_title=section_title, text=content,
                    lines=(row.first, row.last), page=row.page, part=part)
        fields = [Field(kind, labels[kind], row.cells[kind]) for kind in _FIELD_KINDS if row.cells.get(kind)]
        node = Node("row", row.node.label, row.id, content, row.first, row.last, row.page, part=part)
        rows.append(TableTask(task, fields, node))
    return rows
