"""Rows of the task and document tables, and CSV as spreadsheets should receive it.

CSVs are UTF-8 with a BOM so Excel shows Vietnamese, and no cell can start a formula.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pipeline.export.files import write_atomic
from pipeline.model import Document, Task

LIST_SEPARATOR = "; "
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

TASK_COLUMNS = [
    "document", "doc_number", "task_id", "kind", "section_title", "text", "activities",
    "lead_units", "support_units", "units_text", "timeline_text", "deadline", "start",
    "recurrence", "period", "product", "budget", "first_line", "last_line", "page",
    "confidence", "inferred", "source_path", "part", "annual_due",
]
DOCUMENT_COLUMNS = [
    "document", "source_path", "sha256", "kind", "pages", "doc_type", "doc_number", "issued_date",
    "issuer", "place", "title", "signer_name", "signer_title", "signer_authority", "recipients",
    "references", "tasks", "restoration_profile", "words", "changed_words", "low_confidence_words",
    "warnings",
]


def _joined(values) -> str:
    return LIST_SEPARATOR.join(values or [])


def task_row(name: str, document: Document, task: Task) -> dict[str, Any]:
    """The row of `task`, one of `document`'s (or the clerk's corrected copy of one)."""
    return {
        "document": name,
        "doc_number": document.meta.number,
        "task_id": task.id,
        "kind": task.kind,
        "section_title": task.section_title,
        "text": task.text,
        "activities": _joined(task.activities),
        "lead_units": _joined(task.lead_units),
        "support_units": _joined(task.support_units),
        "units_text": task.units_text,
        "timeline_text": task.timeline_text,
        "deadline": task.deadline,
        "start": task.start,
        "recurrence": task.recurrence,
        "period": task.period,
        "product": task.product,
        "budget": task.budget,
        "first_line": task.lines[0],
        "last_line": task.lines[1],
        "page": task.page,
        "confidence": task.confidence,
        "inferred": _joined(task.inferred),
        "source_path": document.source.path,
        "part": task.part,
        "annual_due": task.annual_due,
    }


def document_row(name: str, document: Document) -> dict[str, Any]:
    meta, source, restoration = document.meta, document.source, document.restoration
    return {
        "document": name,
        "source_path": source.path,
        "sha256": source.sha256,
        "kind": source.kind,
        "pages": source.pages,
        "doc_type": meta.doc_type,
        "doc_number": meta.number,
        "issued_date": meta.issued_date,
        "issuer": meta.issuer,
        "place": meta.place,
        "title": meta.title,
        "signer_name": meta.signer.name,
        "signer_title": meta.signer.title,
        "signer_authority": meta.signer.authority,
        "recipients": _joined(meta.recipients),
        "references": _joined(r.number for r in meta.references),
        "tasks": len(document.tasks),
        "restoration_profile": restoration.profile if restoration else None,
        "words": restoration.tokens if restoration else None,
        "changed_words": restoration.changed if restoration else None,
        "low_confidence_words": restoration.low_confidence if restoration else None,
        "warnings": _joined(warning.message for warning in document.warnings),
    }


def csv_bytes(rows: Iterable[dict[str, Any]], columns: list[str]) -> bytes:
    """UTF-8 with a BOM (so Excel shows Vietnamese), empty cells for None, formulas neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # RFC 4180 rows, ended by CRLF; a cell holding CR or LF is quoted
    writer.writerow(columns)
    writer.writerows([_inert(row[column]) for column in columns] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def _inert(value: Any) -> Any:
    """A spreadsheet runs a cell that starts with = + - @ (or tab, CR) as a formula; OWASP's remedy is a
    leading apostrophe, which shows the text as it is."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(path: Path, rows: list[dict[str, Any]], columns: list[str]) -> None:
    write_atomic(path, csv_bytes(rows, columns))
