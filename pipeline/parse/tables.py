"""Task tables: "TT | Nội dung | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian …".

The outline collects tab-separated rows (text input, and the text layer of
PDFs whose tables the ingest stage writes as tab-separated cells) into a
table node whose own text is the header row. A table is a task table when
its header names a content column and at least one of lead, units or
timeline columns (`fields.column_kind`). Each numbered row is a task with
the row's number as the last part of its id ("PL.3": row 3 of the table in
appendix PL); a row numbered with a Roman numeral and no unit cells is a
group row whose text becomes the section title of the rows after it.
"""
from __future__ import annotations

from datetime import date

from pipeline.model import Task
from pipeline.parse.fields import column_kind
from pipeline.parse.markers import roman_value
from pipeline.parse.timeline import read_timeline
from pipeline.parse.units import assign_roles

_NEEDED = {"lead", "units", "timeline"}


def _columns(header: list[str]) -> dict[int, str]:
    kinds: dict[int, str] = {}
    for index, cell in enumerate(header):
        kind = column_kind(cell)
        if kind and kind not in kinds.values():
            kinds[index] = kind
    return kinds


def table_tasks(table, ancestors: list, issued: date | None, warnings: list[str]) -> list[Task]:
    """Tasks from the rows of a task table node; [] for any other table."""
    columns = _columns(table.cells or [])
    if "content" not in columns.values() or not _NEEDED & set(columns.values()):
        return []
    path = [node.id for node in ancestors]
    section_title = ancestors[-1].text if ancestors else ""
    tasks = []
    for row in table.children:
        cells = {kind: (row.cells[index] if index < len(row.cells) else "") for index, kind in columns.items()}
        content = cells.get("content", "")
        unit_cells = [cells.get(kind, "") for kind in ("lead", "units", "support")]
        if row.label and roman_value(row.label.upper()) and not any(unit_cells):
            section_title = content
            continue
        if not content:
            continue
        task = Task(
            id=row.id,
            path=path + [row.id],
            section_title=section_title,
            text=content,
            lines=(row.first, row.last),
            page=row.page,
            part=row.part,
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
                warnings.append(f"deadline not understood: {cells['timeline']} (task {task.id})")
            task.timeline_text = timeline.text
            task.deadline, task.start = timeline.deadline, timeline.start
            task.recurrence, task.period = timeline.recurrence, timeline.period
        task.product = cells.get("product") or None
        task.budget = cells.get("budget") or None
        if not task.lead_units and not task.support_units:
            warnings.append(f"task {task.id} has no unit")
        tasks.append(task)
    return tasks
