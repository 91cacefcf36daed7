"""Uploaded files: checked as untrusted, stored under a safe name, processed one at a time in a worker process.

Nothing about an upload is taken from the client but its bytes: the kind is
read from the content, the stored name is built from letters, digits and
dashes of the given name, and the pipeline runs in a worker process of a
local pool (pipeline.execute.LocalPool), so a hostile or huge file can neither block
nor crash the server, nor outgrow its memory cap. Uploads are recorded in
the output folder's manifest, so a restart resumes them.
"""
from __future__ import annotations

import hashlib
import queue
import sqlite3
import sys
import threading
import unicodedata
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import astuple, dataclass, fields
from pathlib import Path

import regex

from pipeline.batch import MANIFEST_NAME, RESERVED_NAMES, run
from pipeline.errors import InputError
from pipeline.execute import TIMEOUT_ERROR, LocalPool
from pipeline.export.files import write_atomic
from pipeline.ingest import detect_kind
from pipeline.ingest.text import decode
from pipeline.manifest import Manifest
from pipeline.process import STAGES, Options

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
UPLOAD_FOLDER = "uploads"
# A scan of a few dozen pages OCRs in minutes; far longer means a stuck or hostile file.
JOB_TIMEOUT_SECONDS = 30 * 60
NORMALIZED_FOLDER = "normalized"  # in UPLOAD_FOLDER: the normalized text of each upload
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
_NAME_LENGTH = 60
_IMAGE_SUFFIXES = {b"\x89PNG": ".png", b"\xff\xd8\xff": ".jpg", b"II*\x00": ".tif", b"MM\x00*": ".tif"}
# Office documents and saved web pages, by the kind ingest reads from their bytes.
_DOCUMENT_SUFFIXES = {"docx": ".docx", "doc": ".doc", "odt": ".odt", "rtf": ".rtf", "html": ".html"}


class UploadError(InputError):
    """The upload is refused; the message says why, for the clerk."""


def checked_suffix(data: bytes, filename: str) -> str:
    """The file suffix for the kind the content shows; refuses what the pipeline cannot read."""
    if not data:
        raise UploadError("tệp rỗng")
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError(f"tệp lớn hơn {MAX_UPLOAD_BYTES // 2**20} MB")
    try:
        kind = detect_kind(data, Path(filename))
        if kind == "pdf":
            return ".pdf"
        if kind == "image":
            return next(suffix for magic, suffix in _IMAGE_SUFFIXES.items() if data.startswith(magic))
        if kind in _DOCUMENT_SUFFIXES:
            return _DOCUMENT_SUFFIXES[kind]
        decode(data, filename)
    except InputError as error:
        raise UploadError(f"không đọc được tệp này: {error}") from None
    return ".md" if kind == "markdown" else ".txt"


def safe_stem(filename: str) -> str:
    """A file stem of ASCII letters, digits and dashes: "Kế hoạch 267.pdf" -> "Ke-hoach-267"."""
    stem = Path(filename.replace("\\", "/")).stem
    letters = unicodedata.normalize("NFKD", stem.replace("đ", "d").replace("Đ", "D"))
    ascii_stem = "".join(c for c in letters if not unicodedata.combining(c))
    stem = regex.sub(r"[^A-Za-z0-9_-]+", "-", ascii_stem).strip("-_")[:_NAME_LENGTH].strip("-_")
    return stem or "upload"


def free_name(stem: str, taken: set[str]) -> str:
    candidate, number = stem, 1
    while candidate in taken or candidate in RESERVED_NAMES:
        number += 1
        candidate = f"{stem}-{number}"
    return candidate


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Upload:
    """An uploaded file and its processing, as the clerk follows it; kept in OUT_DIR/manifest.sqlite."""

    id: str
    filename: str  # as the clerk named it, for display only
    name: str  # the document name in the output folder
    path: str  # the stored upload
    sha256: str
    state: str = QUEUED  # queued, running, done, failed
    stage: str = ""
    step: int = 0
    steps: int = len(STAGES) + 2  # reading, the stages, then writing the folder's tables and report
    message: str = ""

    @property
    def finished(self) -> bool:
        return self.state in (DONE, FAILED)

    @property
    def state_label(self) -> str:
        return {QUEUED: "đang chờ", RUNNING: "đang xử lý", DONE: "xong", FAILED: "lỗi"}[self.state]


_COLUMNS = [f.name for f in fields(Upload)]
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS uploads (
    id TEXT PRIMARY KEY, filename TEXT NOT NULL, name TEXT NOT NULL, path TEXT NOT NULL, sha256 TEXT NOT NULL,
    state TEXT NOT NULL, stage TEXT NOT NULL, step INTEGER NOT NULL, steps INTEGER NOT NULL, message TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (datetime('now'))
)
"""


class UploadStore:
    """The uploads table of the output folder's manifest: every upload, so a restart forgets none."""

    def __init__(self, data_dir: Path):
        self.path = data_dir / MANIFEST_NAME

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        connection = sqlite3.connect(self.path, timeout=30)
        try:
            with connection:
                connection.execute(_SCHEMA)
                yield connection
        finally:
            connection.close()

    def save(self, upload: Upload) -> None:
        with self._connect() as db:
            db.execute(f"INSERT OR REPLACE INTO uploads ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
                       astuple(upload))

    def all(self) -> list[Upload]:
        """Newest first."""
        if not self.path.exists():
            return []
        with self._connect() as db:
            rows = db.execute(f"SELECT {', '.join(_COLUMNS)} FROM uploads ORDER BY created_at DESC, rowid DESC")
            return [Upload(*row) for row in rows]


class Uploads:
    """Uploads waiting and in work, one at a time (OCR already keeps a core busy), each run like a batch
    input of one file (pipeline.batch.run): in a worker process under the memory cap and time limit, killed
    with its whole process group, recorded in the manifest, under the output folder's lock."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.folder = data_dir / UPLOAD_FOLDER
        self.store = UploadStore(data_dir)
        self._lock = threading.Lock()
        self._queue: queue.Queue[Upload] = queue.Queue()
        self._resume()
        threading.Thread(target=self._work, name="upload-worker", daemon=True).start()

    def _resume(self) -> None:
        """Uploads a restart interrupted are queued again; one whose file is gone fails, and a failed upload's
        file is removed (it made no document)."""
        try:
            uploads = self.store.all()
        except sqlite3.Error as error:  # a read-only folder: documents can be read, nothing uploaded
            print(f"warning: uploads are unavailable: {self.store.path}: {error}", file=sys.stderr)
            return
        for upload in reversed(uploads):
            if upload.state in (QUEUED, RUNNING) and Path(upload.path).is_file():
                upload.state, upload.stage, upload.step = QUEUED, "", 0
                self.store.save(upload)
                self._queue.put(upload)
            elif upload.state in (QUEUED, RUNNING):
                self._fail(upload, "máy chủ khởi động lại và tệp tải lên không còn")
            elif upload.state == FAILED:
                Path(upload.path).unlink(missing_ok=True)

    def submit(self, data: bytes, filename: str, documents: dict[str, str]) -> Upload:
        """Store a checked upload under a free name and queue it; the same content already here (a document,
        by `documents`: name -> sha256 of its input, or an upload in work) is that one, not another."""
        suffix = checked_suffix(data, filename)
        digest = sha256(data)
        with self._lock:
            uploads = self.store.all()
            same = next((u for u in uploads if u.sha256 == digest and not u.finished), None)
            if same is not None:
                return same
            self.folder.mkdir(parents=True, exist_ok=True)
            taken = (set(documents) | set(manifest_names(self.data_dir)) | {u.name for u in uploads}
                     | {p.stem for p in self.folder.iterdir()})
            name = free_name(safe_stem(filename), taken)
            path = self.folder / f"{name}{suffix}"
            upload = Upload(id=uuid.uuid4().hex, filename=Path(filename.replace("\\", "/")).name, name=name,
                            path=str(path), sha256=digest)
            write_atomic(path, data)
            self.store.save(upload)
        self._queue.put(upload)
        return upload

    def get(self, upload_id: str) -> Upload | None:
        return next((u for u in self.recent() if u.id == upload_id), None)

    def recent(self) -> list[Upload]:
        try:
            return self.store.all()
        except sqlite3.Error:  # a read-only folder whose manifest has no uploads table: there are none
            return []

    def _work(self) -> None:
        while True:
            upload = self._queue.get()
            upload.state = RUNNING
            self.store.save(upload)
            try:
                self._run(upload)
            except Exception as error:  # the worker thread must outlive any one upload
                self._fail(upload, f"lỗi không lường trước: {error}")

    def _run(self, upload: Upload) -> None:
        def on_stage(job, step: int, label: str) -> None:
            upload.step, upload.stage = step, label
            self.store.save(upload)

        with LocalPool(timeout=JOB_TIMEOUT_SECONDS) as pool:
            summary = run([Path(upload.path)], self.data_dir, self.folder / NORMALIZED_FOLDER, Options(), pool,
                          log=sys.stderr, on_stage=on_stage, wait_for_folder=True)
        if summary.failed:
            outcome = summary.failed[0]
            # The machine's reason (English, for logs) stays after a Vietnamese sentence the clerk reads.
            message = (f"quá {JOB_TIMEOUT_SECONDS // 60} phút, đã dừng" if outcome.error == TIMEOUT_ERROR
                       else f"không xử lý được tệp này ({outcome.message or outcome.error})")
            self._fail(upload, message)
            return
        upload.name = manifest_names(self.data_dir).get(upload.path, upload.name)
        upload.state, upload.step, upload.stage = DONE, upload.steps, ""
        self.store.save(upload)

    def _fail(self, upload: Upload, message: str) -> None:
        upload.state, upload.message = FAILED, message
        self.store.save(upload)
        Path(upload.path).unlink(missing_ok=True)


def manifest_names(data_dir: Path) -> dict[str, str]:
    """Source path -> document name, of every document the folder's manifest records."""
    if not (data_dir / MANIFEST_NAME).exists():
        return {}
    with Manifest(data_dir / MANIFEST_NAME) as manifest:
        return {source: entry.name for source, entry in manifest.entries().items()}
