"""Task tables: "TT | Nội dung | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian …".

The outline collects tab-separated rows (text input, and the text layer of
PDFs whose tables the ingest stage writes as tab-separated cells) into a
table node whose own text is the header row; a table goes on across a page
break, its header row repeated or not. A table is a task table when its
header names a content column and at least one of lead, units or timeline
columns (`fields.column_kind`), whatever the wording.

Rows:
- a numbered row is a task, its id ending in the row's number ("PL.3"; under
  a group row "PL.II.3", numbering restarting in each group);
- a row numbered with a Roman numeral and no unit cells is a group row whose
  text becomes the section title of the rows after it;
- an unnumbered row continues the row above: a wrapped cell, or the rest of a
  row split across pages. Its cells are added to the row above, cell by
  cell. A row short of cells (the text layer drops merged cells) is aligned
  to the right, where its date and result columns are;
- an unnumbered row that brings its own date where the row above already
  has one is a sub-row: a task of its own ("PL.15b") that inherits the cells
  it leaves empty (merged cells) from the row above.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pipeline.model import DocumentWarning, Task
from pipeline.parse.fields import column_kind
from pipeline.parse.markers import roman_value
from pipeline.parse.outline import same_row as _same_row
from pipeline.parse.notices import notice
from pipeline.parse.timeline import read_timeline
from pipeline.parse.units import assign_roles

_NEEDED = {"lead", "units", "timeline"}
_UNIT_KINDS = ("lead", "units", "support")


def _columns(header: list[str]) -> dict[int, str]:
    kinds: dict[int, str] = {}
    for index, cell in enumerate(header):
        kind = column_kind(cell)
        if kind and kind not in kinds.values():
            kinds[index] = kind
    return kinds


@dataclass
class _Row:
    node: object
    id: str
    cells: dict[str, str]
    last: int


def _aligned(cells: list[str], width: int, numbered: bool) -> list[str]:
    """A row's cells in the header's columns. A numbered row short of cells lost its empty last
    cells; an unnumbered one (the rest of a row) keeps its last cells in the last columns."""
    if len(cells) >= width:
        return cells[:width]
    padding = [""] * (width - len(cells))
    return cells + padding if numbered else padding + cells


def _rows(table, columns: dict[int, str]) -> list[tuple[_Row, bool]]:
    """(row, is_group) for the table's data rows, wrapped and split rows joined, sub-rows apart."""
    width = len(table.cells or [])
    rows: list[tuple[_Row, bool]] = []
    for node in table.children:
        if not node.cells or _same_row(node.cells, table.cells):  # the header repeated on a new page
            continue
        cells = _aligned(node.cells, width, bool(node.label))
        by_kind = {kind: (cells[index] if index < len(cells) else "") for index, kind in columns.items()}
        if node.label:
            unit_cells = [by_kind.get(kind, "") for kind in _UNIT_KINDS]
            group = bool(roman_value(node.label.upper())) and not any(unit_cells)
            rows.append((_Row(node, node.id, by_kind, node.last), group))
            continue
        if not rows:
            continue
        previous, group = rows[-1]
        own_date = by_kind.get("timeline") and previous.cells.get("timeline")
        if own_date and not group:
            inherited = {kind: value or previous.cells.get(kind, "") for kind, value in by_kind.items()}
            if by_kind.get("content"):
                inherited["content"] = by_kind["content"]
            rows.append((_Row(node, f"{previous.id.rstrip('b')}b", inherited, node.last), False))
            continue
        for kind, value in by_kind.items():
            if value:
                previous.cells[kind] = f"{previous.cells.get(kind, '')} {value}".strip()
        previous.last = node.last
    return rows


def table_tasks(table, ancestors: list, issued: date | None, warnings: list[DocumentWarning]) -> list[Task]:
    """Tasks from the rows of a task table node; [] for any other table."""
    columns = _columns(table.cells or [])
    if "content" not in columns.values() or not _NEEDED & set(columns.values()):
        return []
    path = [node.id for node in ancestors]
    section_title = ancestors[-1].text if ancestors else ""
    tasks = []
    for row, group in _rows(table, columns):
        cells = row.cells
        content = cells.get("content", "")
        if group:
            section_title = content
            continue
        if not content:
            continue
        task = Task(
            id=row.id,
            path=path + [row.id],
            section_title=section_title,
            text=content,
            lines=(row.node.first, row.last),
            page=row.node.page,
            part=row.node.part,
        )
        raw_units = [(kind, cells.get(kind, "")) for kind in ("units", "lead", "support") if cells.get(kind)]
        task.units_text = "; ".join(value for _, value in raw_units) or None
        for kind, value in raw_units:
            lead, support = assign_roles(value)
            if kind == "support":
                lead, support = [], lead + support
            task.lead_units += [u for u in lead if u not in task.lead_units]
            task.support_units += [u for u in support if u not in task.support_units and u not in task.lead_units]
        if cells.get("timeline"):
            timeline = read_timeline(cells["timeline"], issued)
            if not timeline.understood:
                warnings.append(notice("deadline_not_understood", row.node.first, text=cells["timeline"], task=task.id))
            task.timeline_text = timeline.text
            task.deadline, task.start = timeline.deadline, timeline.start
            task.recurrence, task.period = timeline.recurrence, timeline.period
        task.product = cells.get("product") or None
        task.budget = cells.get("budget") or None
        if not task.lead_units and not task.support_units:
            warnings.append(notice("task_without_unit", row.node.first, task=task.id))
        tasks.append(task)
    return tasks
