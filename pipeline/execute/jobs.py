"""A job (one input to process) and its outcome, and the per-document function every executor runs."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.export.folder import document_json_bytes
from pipeline.process import Options, ProgressCallback, process_file

# Generous for a scan of a few hundred pages on one core; it bounds a hang, it does not judge speed.
DEFAULT_TIMEOUT_SECONDS = 900
# A usual document's worker peaks near 200 MB and 5 MB of text without punctuation near 500 MB (bench/pipeline_memory.py);
# a file that needs four times that is pathological.
DEFAULT_MEMORY_LIMIT_MB = 2048
MEMORY_ERROR = "MemoryError"
TIMEOUT_ERROR = "Timeout"
WORKER_DIED_ERROR = "WorkerDied"


@dataclass(frozen=True)
class Job:
    name: str  # output stem
    path: str  # the input, as an absolute path so any worker (or cluster machine) finds it
    options: Options


@dataclass
class Outcome:
    job: Job
    document: bytes | None = None  # the document JSON, UTF-8
    normalized: str | None = None
    pdf: bytes | None = None  # the searchable PDF, when asked for and the document is a scan
    pages: int = 0
    tasks: int = 0
    seconds: float = 0.0
    error: str | None = None  # exception class name, or one of the *_ERROR names above
    message: str | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


@dataclass(frozen=True)
class StageStarted:
    """Sent by a worker before its outcome: the job has begun a stage (process.STAGES)."""

    step: int
    label: str


# Told (job, step, label) when a worker starts a stage of a job.
StageCallback = Callable[[Job, int, str], None]


def process_document(job: Job, progress: ProgressCallback | None = None) -> Outcome:
    """Process one input into its JSON and normalized text; any failure becomes the outcome's error."""
    started = time.monotonic()
    try:
        doc = process_file(Path(job.path), job.options, progress)
        outcome = Outcome(job, document=document_json_bytes(doc.to_dict(streamed=True)), normalized=doc.text + "\n",
                          pages=doc.source.pages, tasks=len(doc.tasks))
        if job.options.pdf and doc.source.scan_pages:
            from pipeline.searchable_pdf import searchable_pdf  # reportlab only when asked for

            outcome.pdf = searchable_pdf(doc)
    except PipelineError as exc:
        outcome = Outcome(job, error=type(exc).__name__, message=str(exc))
    except MemoryError:
        outcome = Outcome(job, error=MEMORY_ERROR, message=f"{job.path}: ran out of memory")
    except Exception as exc:  # a bug or an unreadable file we did not foresee: record it, go on
        outcome = Outcome(job, error=type(exc).__name__, message=f"{job.path}: {exc}")
    outcome.seconds = time.monotonic() - started
    return outcome
