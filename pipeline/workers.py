"""Where documents are processed: the per-document function, and a pool of
worker processes that runs it under a time limit and a memory cap.

A document that hangs, eats memory or crashes its process must cost only
itself. Each worker is a long-lived process (it loads the restoration model
once) in its own process group, so killing it takes its Tesseract children
too. A worker that overruns the time limit is killed, one that dies is
replaced, and either way the document is reported as failed and the run goes
on. Workers only compute and the runner writes every file; a worker whose
runner is killed is killed with it.
"""
from __future__ import annotations

import ctypes
import multiprocessing
import os
import resource
import signal
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.export import document_json
from pipeline.process import Options, process_file

MEMORY_ERROR = "MemoryError"
TIMEOUT_ERROR = "Timeout"
WORKER_DIED_ERROR = "WorkerDied"
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


@dataclass(frozen=True)
class Job:
    name: str  # output stem
    path: str  # the input, as an absolute path so any worker (or cluster machine) finds it
    options: Options


@dataclass
class Outcome:
    job: Job
    document: str | None = None  # the document JSON text
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


def process_document(job: Job) -> Outcome:
    """Process one input into its JSON and normalized text; any failure becomes the outcome's error."""
    started = time.monotonic()
    try:
        doc = process_file(Path(job.path), job.options)
        outcome = Outcome(job, document=document_json(doc.to_dict()), normalized=doc.text + "\n",
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


def _serve(connection: Connection, memory_limit_bytes: int, runner_pid: int) -> None:
    """A worker's life: take a job, send back its outcome, until the runner hangs up."""
    os.setpgrp()
    # If the runner is killed, its workers go too rather than finish documents nobody will write.
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != runner_pid:  # it died before the line above took effect
        return
    resource.setrlimit(resource.RLIMIT_AS, (memory_limit_bytes, memory_limit_bytes))
    while True:
        try:
            job = connection.recv()
        except EOFError:
            return
        outcome = process_document(job)
        try:
            connection.send(outcome)
        except BrokenPipeError:  # the runner is gone (killed): nobody to tell
            return


class _Worker:
    def __init__(self, context, memory_limit_bytes: int):
        self.connection, child_end = context.Pipe()
        self.process = context.Process(target=_serve, args=(child_end, memory_limit_bytes, os.getpid()),
                                       daemon=True)
        self.process.start()
        child_end.close()
        self.job: Job | None = None
        self.deadline = 0.0
        self.retired = False  # killed, dead, or not to be trusted after running out of memory

    def give(self, job: Job, timeout: float) -> None:
        self.job, self.deadline = job, time.monotonic() + timeout
        self.connection.send(job)

    def collect(self, timeout: float) -> Outcome | None:
        """The outcome of its job if there is one by now (the job's own, or its failure)."""
        job = self.job
        if self.connection.poll():
            try:
                outcome = self.connection.recv()
            except EOFError:  # the worker is gone: its end of the pipe closed
                self.process.join()
            else:
                self.job = None
                self.retired = outcome.error == MEMORY_ERROR
                return outcome
        if not self.process.is_alive():
            self.process.join()
            return self._fail(job, WORKER_DIED_ERROR,
                              f"{job.path}: the worker process {_death(self.process.exitcode)} while processing it")
        if time.monotonic() >= self.deadline:
            self.stop()
            return self._fail(job, TIMEOUT_ERROR, f"{job.path}: not finished after {timeout:g} s")
        return None

    def _fail(self, job: Job, error: str, message: str) -> Outcome:
        self.job, self.retired = None, True
        return Outcome(job, error=error, message=message)

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:  # it died already, or before it made its own group
            self.process.kill()
        self.process.join()
        self.connection.close()


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        return f"was killed by {signal.Signals(-exitcode).name}"
    return f"exited with code {exitcode}"


def run_in_processes(jobs: Iterable[Job], processes: int, timeout: float, memory_limit_mb: int) -> Iterator[Outcome]:
    """Outcomes of `jobs` as they finish, from `processes` worker processes."""
    # Spawned, not forked: a worker starts clean, without the runner's open SQLite connection or threads.
    context = multiprocessing.get_context("spawn")
    memory_limit_bytes = memory_limit_mb << 20
    pending = deque(jobs)
    workers = [_Worker(context, memory_limit_bytes) for _ in range(min(processes, len(pending)))]
    try:
        while True:
            for worker in workers:
                if worker.job is None and pending and worker.process.is_alive():
                    worker.give(pending.popleft(), timeout)
            busy = [worker for worker in workers if worker.job is not None]
            if not busy:
                return
            earliest_deadline = min(worker.deadline for worker in busy)
            wait([w.connection for w in busy] + [w.process.sentinel for w in busy],
                 timeout=max(0.0, earliest_deadline - time.monotonic()))
            for worker in busy:
                outcome = worker.collect(timeout)
                if outcome is not None:
                    yield outcome
            for worker in [w for w in workers if w.retired or not w.process.is_alive()]:
                worker.stop()
                workers.remove(worker)
                if pending:
                    workers.append(_Worker(context, memory_limit_bytes))
    finally:
        for worker in workers:
            worker.stop()
