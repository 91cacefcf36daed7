"""The run manifest: what happened to each input, kept in OUT_DIR/manifest.sqlite.

One row per input file (its absolute path), holding the output name it was
given, the sha256 of its content and the pipeline version and settings it was
processed with, and the outcome of its latest attempt: done, or failed with
the reason. A re-run skips an input whose row is done with the same sha256,
version and settings, so it redoes exactly what failed or changed.

SQLite commits each row atomically, so a run killed at any moment leaves the
manifest as it was after the last finished document.
"""
from __future__ import annotations

import sqlite3
from dataclasses import astuple, dataclass, fields
from pathlib import Path

PENDING, DONE, FAILED = "pending", "done", "failed"

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS documents (
    source TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    sha256 TEXT,
    pipeline_version TEXT,
    settings TEXT,
    status TEXT NOT NULL CHECK (status IN ('{PENDING}', '{DONE}', '{FAILED}')),
    error TEXT,
    message TEXT,
    pages INTEGER,
    tasks INTEGER,
    seconds REAL,
    finished_at TEXT
)
"""


@dataclass
class Entry:
    source: str  # absolute path of the input
    name: str  # output stem: OUT_DIR/<name>.json, NORMALIZED_DIR/<name>.txt
    sha256: str | None = None
    pipeline_version: str | None = None
    settings: str | None = None  # the options that change the output
    status: str = PENDING
    error: str | None = None
    message: str | None = None
    pages: int | None = None
    tasks: int | None = None
    seconds: float | None = None
    finished_at: str | None = None  # UTC, ISO 8601


_COLUMNS = [f.name for f in fields(Entry)]


class Manifest:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path)
        with self._db:
            self._db.execute(_SCHEMA)

    def __enter__(self) -> Manifest:
        return self

    def __exit__(self, *exc_info) -> None:
        self._db.close()

    def entries(self) -> dict[str, Entry]:
        """Every row, by source path."""
        rows = self._db.execute(f"SELECT {', '.join(_COLUMNS)} FROM documents ORDER BY name")
        return {row[0]: Entry(*row) for row in rows}

    def add_pending(self, entries: list[Entry]) -> None:
        """Register new inputs (with the names they keep from now on) before any is processed."""
        with self._db:
            self._db.executemany(
                f"INSERT OR IGNORE INTO documents ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
                [astuple(entry) for entry in entries])

    def record(self, entry: Entry) -> None:
        with self._db:
            self._db.execute(
                f"INSERT OR REPLACE INTO documents ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
                astuple(entry))

    def with_status(self, status: str) -> list[Entry]:
        return [entry for entry in self.entries().values() if entry.status == status]
