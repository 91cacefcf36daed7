"""Write what a run produced: per-document JSON, normalized text, CSV tables.

Every file is written to a temporary name and renamed into place, so a run
killed at any moment leaves either the old file or the new one, never half
of one. The CSV tables are rebuilt from the per-document JSON files, so they
always agree with them. CSVs are UTF-8 with a BOM so Excel shows Vietnamese, and no
cell can start a formula.
"""
from __future__ import annotations

import csv
import io
import json
import os
import stat
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from pipeline.errors import InputError

LIST_SEPARATOR = "; "
STDOUT = "-"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

TASK_COLUMNS = [
    "document", "doc_number", "task_id", "kind", "section_title", "text", "activities",
    "lead_units", "support_units", "units_text", "timeline_text", "deadline", "start",
    "recurrence", "period", "product", "budget", "first_line", "last_line", "page",
    "confidence", "inferred", "source_path",
]
DOCUMENT_COLUMNS = [
    "document", "source_path", "sha256", "kind", "pages", "doc_type", "doc_number", "issued_date",
    "issuer", "place", "title", "signer_name", "signer_title", "signer_authority", "recipients",
    "references", "tasks", "restoration_profile", "words", "changed_words", "low_confidence_words",
    "warnings",
]


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write `path` whole or not at all: a temporary file beside it, renamed over it.

    A symbolic link is followed, so its target gets the new content and the link
    stays. Only a regular file (or nothing) is ever replaced; anything else at the
    path, or a folder that cannot be written, is an InputError saying so.
    """
    path = Path(os.path.realpath(path)) if os.path.islink(path) else Path(path)
    existing = _existing(path)
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        what = "a folder" if stat.S_ISDIR(existing.st_mode) else "not a regular file"
        raise InputError(f"{path}: {what}; not replacing it")
    payload = data if isinstance(data, bytes) else data.encode("utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # A short temporary name: one built from a long output name would itself be too long.
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".tmp")
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror}") from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        # Temporary files are private; outputs are for others to read, and a replaced file keeps its mode.
        os.chmod(temporary, stat.S_IMODE(existing.st_mode) if existing is not None else 0o644)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise InputError(f"{path}: cannot write: {exc.strerror}") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_output(target: str | Path, data: str | bytes) -> None:
    """What `-o TARGET` means: "-" is standard output; a FIFO or a character device
    (a terminal, a pipe, a null device) is written into as a stream; anything else
    is written atomically (write_atomic), following a symbolic link to its target."""
    payload = data if isinstance(data, bytes) else data.encode("utf-8")
    if str(target) == STDOUT:
        sys.stdout.flush()
        sys.stdout.buffer.write(payload)
        sys.stdout.buffer.flush()
        return
    existing = _existing(Path(target))
    if existing is None or not (stat.S_ISFIFO(existing.st_mode) or stat.S_ISCHR(existing.st_mode)):
        write_atomic(Path(target), payload)
        return
    try:
        # Never created or truncated: the stream is there already and is not ours.
        descriptor = os.open(target, os.O_WRONLY)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(payload)
    except OSError as exc:
        raise InputError(f"{target}: cannot write: {exc.strerror}") from None


def _existing(path: Path) -> os.stat_result | None:
    """What is at `path` (following links), None when nothing is; an unreachable path is an InputError."""
    try:
        return os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror}") from None


class UnreadableDocument(InputError):
    """A *.json in an output folder that is not a document result; it is skipped with a warning."""


_DOCUMENT_PARTS = {"schema_version": str, "source": dict, "document": dict, "sections": list, "tasks": list,
                   "warnings": list}


def read_document(path: Path) -> dict[str, Any]:
    """A per-document JSON file; UnreadableDocument when it is broken or not one."""
    try:
        document = json.loads(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise UnreadableDocument(f"{path}: cannot read: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UnreadableDocument(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(document, dict) or any(not isinstance(document.get(key), kind)
                                             for key, kind in _DOCUMENT_PARTS.items()):
        raise UnreadableDocument(f"{path}: not a document result of this pipeline")
    return document


def document_json(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _joined(values) -> str:
    return LIST_SEPARATOR.join(values or [])


def task_rows(name: str, document: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for task in document["tasks"]:
        rows.append({
            "document": name,
            "doc_number": document["document"]["number"],
            "task_id": task["id"],
            "kind": task["kind"],
            "section_title": task["section_title"],
            "text": task["text"],
            "activities": _joined(task["activities"]),
            "lead_units": _joined(task["lead_units"]),
            "support_units": _joined(task["support_units"]),
            "units_text": task["units_text"],
            "timeline_text": task["timeline_text"],
            "deadline": task["deadline"],
            "start": task["start"],
            "recurrence": task["recurrence"],
            "period": task["period"],
            "product": task["product"],
            "budget": task["budget"],
            "first_line": task["lines"][0],
            "last_line": task["lines"][1],
            "page": task["page"],
            "confidence": task["confidence"],
            "inferred": _joined(task["inferred"]),
            "source_path": document["source"]["path"],
        })
    return rows


def document_row(name: str, document: dict[str, Any]) -> dict[str, Any]:
    meta, source = document["document"], document["source"]
    restoration = document.get("restoration") or {}
    return {
        "document": name,
        "source_path": source["path"],
        "sha256": source["sha256"],
        "kind": source["kind"],
        "pages": source["pages"],
        "doc_type": meta["doc_type"],
        "doc_number": meta["number"],
        "issued_date": meta["issued_date"],
        "issuer": meta["issuer"],
        "place": meta["place"],
        "title": meta["title"],
        "signer_name": meta["signer"]["name"],
        "signer_title": meta["signer"]["title"],
        "signer_authority": meta["signer"]["authority"],
        "recipients": _joined(meta["recipients"]),
        "references": _joined(r["number"] for r in meta["references"]),
        "tasks": len(document["tasks"]),
        "restoration_profile": restoration.get("profile"),
        "words": restoration.get("tokens"),
        "changed_words": restoration.get("changed"),
        "low_confidence_words": restoration.get("low_confidence"),
        "warnings": _joined(document["warnings"]),
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


def rebuild_outputs(out_dir: Path, log: TextIO = sys.stderr) -> tuple[int, int]:
    """Everything derived from the per-document JSON in `out_dir`, with the clerk's corrections.

    documents.csv, then tasks.csv with the corrections laid over (see pipeline.formats),
    tasks.xlsx, tasks.jsonl, deadlines.ics, and the static report: <name>.html per document
    and index.html. A *.json that is not a document is skipped with a warning on `log`.
    Returns the counts of documents and tasks.
    """
    # Imported here: both build on this module's rows and atomic writes.
    from pipeline.formats import write_exports
    from pipeline.review.documents import OutputFolder
    from pipeline.review.report import write_report

    folder = OutputFolder(out_dir)
    documents = folder.documents()
    for problem in folder.unreadable.values():
        print(f"warning: skipped {problem}", file=log)
    write_csv(out_dir / "documents.csv", [document_row(d.name, d.machine) for d in documents], DOCUMENT_COLUMNS)
    write_exports(out_dir, documents)
    write_report(out_dir, documents)
    return len(documents), sum(len(d.machine["tasks"]) for d in documents)
