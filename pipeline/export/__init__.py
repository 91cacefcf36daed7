"""Everything written from the per-document JSON: tables, tracker exports, the static report.

    files.py    atomic writes, and streams for `-o`
    tables.py   task and document rows; CSV
    folder.py   an output folder's documents with the clerk's corrections laid over (pipeline.corrections)
    lines.py    each line's words with what the restorer did to them
    formats.py  FORMATS: the tracker exports (csv, xlsx, jsonl, ics), read by the CLI, `run` and the web app
    report.py   the static HTML report
    pages.py    what the HTML templates share, here and in the web app

rebuild() refreshes everything derived in an output folder; it never imports
the web app (pipeline.review) or Flask.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from pipeline.export.files import write_atomic, write_output
from pipeline.export.folder import OutputFolder, document_json, document_json_bytes, document_json_chunks
from pipeline.export.formats import FORMATS, write_exports
from pipeline.export.report import Report
from pipeline.export.tables import DOCUMENT_COLUMNS, document_row, write_csv

__all__ = ["FORMATS", "OutputFolder", "document_json", "document_json_bytes", "document_json_chunks", "rebuild",
           "write_atomic", "write_csv", "write_output"]


def rebuild(out_dir: Path, log: TextIO = sys.stderr) -> tuple[int, int]:
    """Everything derived from the per-document JSON in `out_dir`, with the clerk's corrections.

    documents.csv, then tasks.csv with the corrections laid over (see formats.py),
    tasks.xlsx, tasks.jsonl, deadlines.ics, and the static report: <name>.html per document
    and index.html. A *.json that is not a document is skipped with a warning on `log`.
    Returns the counts of documents and tasks.
    """
    folder = OutputFolder(out_dir)
    report = Report(out_dir)
    # One document's lines and restoration items are held at a time: its page is written as soon as it
    # is read, and the tables, exports and index are written from the documents' summaries.
    documents = []
    for document in folder.each_document():
        report.write_page(document)
        documents.append(document.summary())
    for problem in folder.unreadable.values():
        print(f"warning: skipped {problem}", file=log)
    write_csv(out_dir / "documents.csv", [document_row(d.name, d.machine) for d in documents], DOCUMENT_COLUMNS)
    write_exports(out_dir, documents)
    report.write_index(documents)
    return len(documents), sum(len(d.machine.tasks) for d in documents)
