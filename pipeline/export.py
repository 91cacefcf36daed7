"""Write what a run produced: per-document JSON, normalized text, CSV tables.

Every file is written to a temporary name and renamed into place, so a run
killed at any moment leaves either the old file or the new one, never half
of one. The CSV tables are rebuilt from the per-document JSON files, so they
always agree with them. CSVs are UTF-8 with a BOM so Excel shows Vietnamese.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

LIST_SEPARATOR = "; "

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
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    handle = tempfile.NamedTemporaryFile(mode, dir=path.parent, prefix=f".{path.name}.", suffix=".tmp",
                                         delete=False, **({} if mode == "wb" else {"encoding": "utf-8", "newline": ""}))
    try:
        with handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, 0o644)  # temporary files are private; the outputs are for others to read
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


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
        "warnings": _joined(warning["message"] for warning in document["warnings"]),
    }


def write_csv(path: Path, rows: list[dict[str, Any]], columns: list[str]) -> None:
    frame = pd.DataFrame(rows, columns=columns)
    write_atomic(path, frame.to_csv(index=False).encode("utf-8-sig"))


def rebuild_documents_table(out_dir: Path) -> tuple[int, int]:
    """documents.csv from every per-document JSON in `out_dir`; the counts of documents and tasks."""
    documents, tasks = [], 0
    for path in sorted(out_dir.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        if "schema_version" not in document:
            continue
        tasks += len(document["tasks"])
        documents.append(document_row(path.stem, document))
    write_csv(out_dir / "documents.csv", documents, DOCUMENT_COLUMNS)
    return len(documents), tasks


def rebuild_outputs(out_dir: Path) -> tuple[int, int]:
    """Everything derived from the per-document JSON in `out_dir`, with the clerk's corrections.

    documents.csv, then tasks.csv with the corrections laid over (see pipeline.formats),
    tasks.xlsx, tasks.jsonl, deadlines.ics, and the static report: <name>.html per document
    and index.html. Returns the counts of documents and tasks.
    """
    # Imported here: both build on this module's rows and atomic writes.
    from pipeline.formats import write_exports
    from pipeline.review.report import write_report

    counts = rebuild_documents_table(out_dir)
    write_exports(out_dir)
    write_report(out_dir)
    return counts
