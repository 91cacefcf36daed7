"""Uploaded files: checked as untrusted, stored under a safe name, processed one at a time in a child process.

Nothing about an upload is taken from the client but its bytes: the kind is
read from the content, the stored name is built from letters, digits and
dashes of the given name, and the pipeline runs in a separate process (see
worker.py) so a hostile or huge file can neither block nor crash the server.
"""
from __future__ import annotations

import hashlib
import json
import queue
import subprocess
import sys
import tempfile
import threading
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path

import regex

from pipeline.errors import InputError
from pipeline.ingest import detect_kind
from pipeline.ingest.text import decode

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
UPLOAD_FOLDER = "uploads"
# A scan of a few dozen pages OCRs in minutes; far longer means a stuck or hostile file.
JOB_TIMEOUT_SECONDS = 30 * 60
# The static report of the folder is index.html.
_RESERVED_NAMES = {"index"}
_NAME_LENGTH = 60
_IMAGE_SUFFIXES = {b"\x89PNG": ".png", b"\xff\xd8\xff": ".jpg", b"II*\x00": ".tif", b"MM\x00*": ".tif"}


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
        decode(data, filename)
    except InputError as error:
        raise UploadError(f"không đọc được tệp này: {error}") from None
    return ".txt"


def safe_stem(filename: str) -> str:
    """A file stem of ASCII letters, digits and dashes: "Kế hoạch 267.pdf" -> "Ke-hoach-267"."""
    stem = Path(filename.replace("\\", "/")).stem
    letters = unicodedata.normalize("NFKD", stem.replace("đ", "d").replace("Đ", "D"))
    ascii_stem = "".join(c for c in letters if not unicodedata.combining(c))
    stem = regex.sub(r"[^A-Za-z0-9_-]+", "-", ascii_stem).strip("-_")[:_NAME_LENGTH].strip("-_")
    return stem or "upload"


def free_name(stem: str, taken: set[str]) -> str:
    candidate, number = stem, 1
    while candidate in taken or candidate in _RESERVED_NAMES:
        number += 1
        candidate = f"{stem}-{number}"
    return candidate


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Job:
    id: str
    filename: str  # as the clerk named it, for display only
    name: str  # the document name in the output folder
    path: Path  # the stored upload
    state: str = "queued"  # queued, running, done, failed
    stage: str = ""
    step: int = 0
    steps: int = 1
    message: str = ""

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")

    @property
    def state_label(self) -> str:
        return {"queued": "đang chờ", "running": "đang xử lý", "done": "xong", "failed": "lỗi"}[self.state]


class Jobs:
    """Uploads waiting and in work; one at a time, since OCR already keeps a core busy."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.folder = data_dir / UPLOAD_FOLDER
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._queue: queue.Queue[Job] = queue.Queue()
        threading.Thread(target=self._work, name="upload-worker", daemon=True).start()

    def submit(self, data: bytes, filename: str, taken: set[str]) -> Job:
        """Store a checked upload under a free name and queue it. `taken`: names already in the folder."""
        suffix = checked_suffix(data, filename)
        self.folder.mkdir(parents=True, exist_ok=True)
        with self._lock:
            busy = {job.name for job in self._jobs.values()} | {p.stem for p in self.folder.iterdir()}
            name = free_name(safe_stem(filename), taken | busy)
            path = self.folder / f"{name}{suffix}"
            path.write_bytes(data)
            job = Job(id=uuid.uuid4().hex, filename=Path(filename.replace("\\", "/")).name, name=name, path=path)
            self._jobs[job.id] = job
        self._queue.put(job)
        return job

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def recent(self) -> list[Job]:
        return list(self._jobs.values())[::-1]

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            job.state = "running"
            try:
                self._run(job)
            except Exception as error:  # the worker thread must outlive any one upload
                job.state, job.message = "failed", f"lỗi không lường trước: {error}"

    def _run(self, job: Job) -> None:
        command = [sys.executable, "-m", "pipeline.review.worker", str(job.path), str(self.data_dir), job.name]
        timed_out = threading.Event()
        # stderr goes to a file: a pipe left unread while progress is read could fill and stall the child.
        with tempfile.TemporaryFile() as errors, subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=errors, text=True, encoding="utf-8") as process:
            timer = threading.Timer(JOB_TIMEOUT_SECONDS, lambda: (timed_out.set(), process.kill()))
            timer.start()
            try:
                for line in process.stdout:
                    event = json.loads(line)
                    if "stage" in event:
                        job.stage, job.step, job.steps = event["stage"], event["step"], event["steps"]
                    elif "error" in event:
                        job.message = event["error"]
                process.wait()
            finally:
                timer.cancel()
            errors.seek(0)
            last_error = (errors.read().decode("utf-8", "replace").strip().splitlines() or [""])[-1]
        if process.returncode == 0:
            job.state, job.step = "done", job.steps
            return
        job.state = "failed"
        if timed_out.is_set():
            job.message = f"quá {JOB_TIMEOUT_SECONDS // 60} phút, đã dừng"
        elif not job.message:
            job.message = last_error or f"dừng với mã {process.returncode}"
