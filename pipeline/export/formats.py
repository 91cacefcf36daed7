"""Task exports for trackers, with the clerk's corrections: CSV, Excel, JSON Lines, iCalendar.

    tasks.csv      UTF-8 with a BOM; the columns of export.TASK_COLUMNS, then `corrected`; a cell that
                   would start a formula (= + - @ tab CR) starts with an apostrophe
    tasks.xlsx     sheet "tasks" (the same columns) and sheet "documents" (export.DOCUMENT_COLUMNS, then
                   `corrections`); dates are Excel dates, every text cell is text (never a formula)
    tasks.jsonl    one task a line with the same keys, lists as JSON arrays, and `schema_version`;
                   U+2028, U+2029 and U+0085 escaped so no line reader splits a record
    deadlines.ics  one VTODO per task with a deadline or a yearly due day; recurring ones repeat by an
                   RRULE; control characters dropped

Column names change only with EXPORT_SCHEMA_VERSION. Each task is exported as
the clerk left it: a field the clerk corrected replaces the machine's value,
and `corrected` names those fields.
"""
from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import regex

from pipeline.export.files import write_atomic
from pipeline.export.folder import ReviewedDocument, ReviewedTask
from pipeline.export.tables import DOCUMENT_COLUMNS, LIST_SEPARATOR, TASK_COLUMNS, csv_bytes, document_row, task_row
from pipeline.model import Task

EXPORT_SCHEMA_VERSION = "1.2"  # 1.1 added the task column `part`, 1.2 `annual_due`
EXPORT_TASK_COLUMNS = [*TASK_COLUMNS, "corrected"]
EXPORT_DOCUMENT_COLUMNS = [*DOCUMENT_COLUMNS, "corrections"]
_LIST_COLUMNS = {"activities", "lead_units", "support_units", "inferred", "corrected"}
_DATE_COLUMNS = {"deadline", "start", "issued_date"}
_XLSX_WIDTHS = {"text": 80, "section_title": 40, "lead_units": 40, "support_units": 40, "title": 60}
# RFC 5545 recurrence for each schedule the parser reads; "continuous" work has no dates to repeat.
_RRULES = {
    ("annual", None): {"freq": "yearly"},
    ("annual", "year"): {"freq": "yearly"},
    ("periodic", "week"): {"freq": "weekly"},
    ("periodic", "month"): {"freq": "monthly"},
    ("periodic", "quarter"): {"freq": "monthly", "interval": 3},
    ("periodic", "half-year"): {"freq": "monthly", "interval": 6},
    ("periodic", "year"): {"freq": "yearly"},
}
_SUMMARY_CHARACTERS = 120
_LINE_BREAK_ESCAPES = {ord(c): f"\\u{ord(c):04x}" for c in "\u2028\u2029\u0085"}
# RFC 5545 text may hold no control character but the line break (written as \n); OCR output sometimes has them.
_ICS_CONTROL = regex.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

Selection = list[tuple[ReviewedDocument, ReviewedTask]]


def all_tasks(documents: Iterable[ReviewedDocument]) -> Selection:
    return [(document, task) for document in documents for task in document.tasks]


def task_record(document: ReviewedDocument, task: ReviewedTask) -> dict[str, Any]:
    """One export row: export.task_row's columns for the effective task, and the corrected fields."""
    row = task_row(document.name, document.machine, task.effective)
    row["corrected"] = LIST_SEPARATOR.join(task.corrected)
    return row


def tasks_csv(selection: Selection, documents: Iterable[ReviewedDocument] = ()) -> bytes:
    return csv_bytes((task_record(d, t) for d, t in selection), EXPORT_TASK_COLUMNS)


def tasks_jsonl(selection: Selection, documents: Iterable[ReviewedDocument] = ()) -> bytes:
    lines = []
    for document, task in selection:
        record = task_record(document, task)
        record.update({column: getattr(task.effective, column) for column in _LIST_COLUMNS - {"corrected"}})
        record["corrected"] = task.corrected
        record["schema_version"] = EXPORT_SCHEMA_VERSION
        lines.append(_json_line(record))
    return "".join(lines).encode("utf-8")


def _json_line(record: dict[str, Any]) -> str:
    """One JSON object on one line. Readers that split lines on Unicode line breaks (JavaScript, Python's
    str.splitlines) would cut one at U+2028, U+2029 or U+0085, so those are escaped too."""
    text = json.dumps(record, ensure_ascii=False)
    return text.translate(_LINE_BREAK_ESCAPES) + "\n"


# openpyxl and icalendar are imported by the writers that use them: the batch workers and most CLI
# commands import this module and write neither format.
def tasks_xlsx(selection: Selection, documents: Iterable[ReviewedDocument]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    tasks_sheet = workbook.active
    tasks_sheet.title = "tasks"
    _fill_sheet(tasks_sheet, EXPORT_TASK_COLUMNS, [task_record(d, t) for d, t in selection])
    documents_sheet = workbook.create_sheet("documents")
    rows = [{**document_row(d.name, d.machine), "corrections": d.corrections.count} for d in documents]
    _fill_sheet(documents_sheet, EXPORT_DOCUMENT_COLUMNS, rows)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _fill_sheet(sheet, columns: list[str], rows: list[dict[str, Any]]) -> None:
    from openpyxl.utils import get_column_letter

    sheet.append(columns)
    for row in rows:
        sheet.append([_xlsx_value(column, row[column]) for column in columns])
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if cell.data_type == "f":  # text from a scan that starts with "=" is still text
                cell.data_type = "s"
            elif cell.is_date:
                cell.number_format = "yyyy-mm-dd"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _XLSX_WIDTHS.get(column, 14)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions


def _xlsx_value(column: str, value: Any) -> Any:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None:
        return None
    if column in _DATE_COLUMNS:
        return date.fromisoformat(value)
    if isinstance(value, str):
        # XML cannot hold most control characters; OCR output sometimes has them.
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def deadlines_ics(selection: Selection, documents: Iterable[ReviewedDocument] = ()) -> bytes:
    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//vn-directives-pipeline//clerk review//VI")
    calendar.add("version", "2.0")
    stamp = datetime.now(timezone.utc)
    for document, task in selection:
        todo = _todo(document, task, stamp)
        if todo is not None:
            calendar.add_component(todo)
    return calendar.to_ical()


def _todo(document: ReviewedDocument, task: ReviewedTask, stamp: datetime):
    """The task's to-do (an icalendar.Todo), or None when it has no day to be done by."""
    import icalendar

    values = task.effective
    if values.deadline:
        due = date.fromisoformat(values.deadline)
    elif values.annual_due and values.recurrence == "annual":
        # "trước ngày 01 tháng 12 hằng năm": a to-do every year from the first such day after the issue date
        issued = document.machine.meta.issued_date
        due = values.yearly_due_from(date.fromisoformat(issued) if issued else stamp.date())
    else:
        return None
    todo = icalendar.Todo()
    # Stable across exports, so a calendar that imports the file again updates instead of duplicating.
    todo.add("uid", f"{document.machine.source.sha256[:16]}-{values.id}@vn-directives-pipeline")
    todo.add("dtstamp", stamp)
    summary = " ".join(_ics_text(values.text).split())
    if len(summary) > _SUMMARY_CHARACTERS:
        summary = summary[:_SUMMARY_CHARACTERS - 1].rstrip() + "…"
    todo.add("summary", f"[{values.id}] {summary}")
    todo.add("description", _ics_text(_description(document, values)))
    todo.add("due", due)
    rrule = _RRULES.get((values.recurrence, values.period))
    if rrule:
        # A repeating to-do needs a start; the first occurrence runs from its start (or its day) to the deadline.
        todo.add("dtstart", date.fromisoformat(values.start) if values.start else due)
        todo.add("rrule", rrule)
    todo.add("status", "NEEDS-ACTION")
    return todo


def _ics_text(text: str) -> str:
    return _ICS_CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _description(document: ReviewedDocument, values: Task) -> str:
    first, last = values.lines
    parts = [values.text]
    if values.lead_units:
        parts.append("Chủ trì: " + LIST_SEPARATOR.join(values.lead_units))
    if values.support_units:
        parts.append("Phối hợp: " + LIST_SEPARATOR.join(values.support_units))
    if values.timeline_text:
        parts.append("Thời hạn: " + values.timeline_text)
    number = document.machine.meta.number or document.name
    parts.append(f"Văn bản {number} ({document.name}), dòng {first}–{last}")
    return "\n".join(parts)


@dataclass(frozen=True)
class Format:
    name: str  # as the CLI's --format and the web app's /export/<name> say it
    file_name: str  # in the output folder, and offered for download
    media_type: str
    label: str  # on the web app's export buttons
    writer: Callable[[Selection, list[ReviewedDocument]], bytes]  # the selected tasks, of these documents


# The one list of exports: the CLI, `run` and the web app all read it. In the order the web app offers them.
FORMATS = {format.name: format for format in (
    Format("xlsx", "tasks.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "Excel (.xlsx)", tasks_xlsx),
    Format("csv", "tasks.csv", "text/csv; charset=utf-8", "CSV", tasks_csv),
    Format("jsonl", "tasks.jsonl", "application/x-ndjson; charset=utf-8", "JSON Lines", tasks_jsonl),
    Format("ics", "deadlines.ics", "text/calendar; charset=utf-8", "Lịch hạn (.ics)", deadlines_ics),
)}


def write_exports(out_dir: Path, documents: list[ReviewedDocument]) -> list[Path]:
    """Write every export of every task of `documents` (those of `out_dir`), corrections included."""
    selection = all_tasks(documents)
    written = []
    for export in FORMATS.values():
        write_atomic(out_dir / export.file_name, export.writer(selection, documents))
        written.append(out_dir / export.file_name)
    return written
