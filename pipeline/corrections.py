"""The clerk's corrections, in `corrections.sqlite` beside the per-document JSON.

Kept apart from the machine result so a re-run never loses them and both
can be shown. Each save is its own transaction, committed before the
request returns. A correction equal to the machine value is no correction:
saving it removes the row.

Every correction is kept with the sha256 of the input it was made on, and
applies only to a document read from that same input: a name that comes to
stand for other content does not inherit them. (Rows saved before the sha256
was kept have none and apply by name.) A word correction is also tied to a
line, the word's offset in that line's restored text and the word the machine
wrote there; when a re-run changes that word the correction no longer applies
(see documents.py).
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

STORE_NAME = "corrections.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS word_corrections (
    document TEXT NOT NULL,
    line INTEGER NOT NULL,
    start INTEGER NOT NULL,
    machine TEXT NOT NULL,
    corrected TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    PRIMARY KEY (document, line, start)
);
CREATE TABLE IF NOT EXISTS task_corrections (
    document TEXT NOT NULL,
    task_id TEXT NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,  -- JSON: a string, a list of strings or null
    saved_at TEXT NOT NULL,
    PRIMARY KEY (document, task_id, field)
);
"""
_TABLES = ("word_corrections", "task_corrections")


@dataclass(frozen=True)
class WordCorrection:
    line: int
    start: int
    machine: str
    corrected: str


@dataclass
class DocumentCorrections:
    words: dict[tuple[int, int], WordCorrection] = field(default_factory=dict)
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)  # task id -> field -> corrected value

    @property
    def count(self) -> int:
        return len(self.words) + sum(len(fields) for fields in self.tasks.values())


class CorrectionStore:
    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / STORE_NAME

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        connection = sqlite3.connect(self.path, timeout=10)
        try:
            with connection:  # commits, or rolls back on error
                connection.executescript(_SCHEMA)
                for table in _TABLES:
                    if "sha256" not in {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}:
                        connection.execute(f"ALTER TABLE {table} ADD COLUMN sha256 TEXT")
                yield connection
        finally:
            connection.close()

    def save_word(self, document: str, line: int, start: int, machine: str, corrected: str, *,
                  sha256: str | None = None) -> None:
        self._save("word_corrections", {"document": document, "line": line, "start": start},
                   {"machine": machine, "corrected": corrected}, corrected == machine, sha256)

    def save_task_field(self, document: str, task_id: str, name: str, value: Any, machine: Any, *,
                        sha256: str | None = None) -> None:
        self._save("task_corrections", {"document": document, "task_id": task_id, "field": name},
                   {"value": json.dumps(value, ensure_ascii=False)}, value == machine, sha256)

    def _save(self, table: str, key: dict[str, Any], values: dict[str, Any], is_machine: bool,
              sha256: str | None) -> None:
        """Store one correction under `key` (its table's primary key); one equal to the machine's removes it."""
        with self._connect() as db:
            if is_machine:
                db.execute(f"DELETE FROM {table} WHERE {' AND '.join(f'{column} = ?' for column in key)}",
                           tuple(key.values()))
                return
            row = {**key, **values, "saved_at": _now(), "sha256": sha256}
            db.execute(f"INSERT OR REPLACE INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                       tuple(row.values()))

    def for_document(self, document: str, sha256: str | None) -> DocumentCorrections:
        """The corrections that apply to `document` read from the input with this sha256."""
        return applying(self._read(document), document, sha256)

    def all(self) -> dict[tuple[str, str | None], DocumentCorrections]:
        """Corrections by (document, sha256 of the input they were made on); see applying()."""
        return self._read(None)

    def _read(self, document: str | None) -> dict[tuple[str, str | None], DocumentCorrections]:
        """Corrections of one document or all; reading never creates the store."""
        if not self.path.exists():
            return {}
        where, params = ("WHERE document = ?", (document,)) if document is not None else ("", ())
        found: dict[tuple[str, str | None], DocumentCorrections] = {}
        with self._connect() as db:
            for name, sha256, line, start, machine, corrected in db.execute(
                    f"SELECT document, sha256, line, start, machine, corrected FROM word_corrections {where}", params):
                found.setdefault((name, sha256), DocumentCorrections()).words[(line, start)] = WordCorrection(
                    line, start, machine, corrected)
            for name, sha256, task_id, field_name, value in db.execute(
                    f"SELECT document, sha256, task_id, field, value FROM task_corrections {where}", params):
                found.setdefault((name, sha256), DocumentCorrections()).tasks.setdefault(task_id, {})[field_name] = (
                    json.loads(value))
        return found


def applying(found: dict[tuple[str, str | None], DocumentCorrections], document: str,
             sha256: str | None) -> DocumentCorrections:
    """Of `found` (CorrectionStore.all()), those made on this document from this input, and those saved before
    the input was recorded (no sha256)."""
    exact = found.get((document, sha256), DocumentCorrections())
    legacy = found.get((document, None), DocumentCorrections()) if sha256 is not None else DocumentCorrections()
    tasks = {task_id: {**legacy.tasks.get(task_id, {}), **exact.tasks.get(task_id, {})}
             for task_id in legacy.tasks.keys() | exact.tasks.keys()}
    return DocumentCorrections(words={**legacy.words, **exact.words}, tasks=tasks)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
