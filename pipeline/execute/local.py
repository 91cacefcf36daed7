"""The local executor: a pool of worker processes that runs the per-document
function (jobs.process_document) under a time limit and a memory cap.

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
from collections.abc import Iterator
from multiprocessing.connection import Connection, wait

from pipeline.execute.jobs import (DEFAULT_MEMORY_LIMIT_MB, DEFAULT_TIMEOUT_SECONDS, MEMORY_ERROR, TIMEOUT_ERROR,
                                   WORKER_DIED_ERROR, Job, Outcome, StageCallback, StageStarted, process_document)

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>

def _serve(connection: Connection, memory_limit_bytes: int, runner_pid: int) -> None:
    """A worker's life: take a job, send back its outcome, until the runner hangs up."""
    os.setpgrp()
    # If the runner is killed, its workers go too rather than finish documents nobody will write. The
    # worker is told by SIGTERM and kills its whole group, so a Tesseract it started does not run on.
    signal.signal(signal.SIGTERM, _end_group)
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != runner_pid:  # it died before the line above took effect
        return
    resource.setrlimit(resource.RLIMIT_AS, (memory_limit_bytes, memory_limit_bytes))
    while True:
        try:
            job = connection.recv()
        except EOFError:
            return
        outcome = process_document(job, lambda step, label: connection.send(StageStarted(step, label)))
        # The document JSON goes after its outcome, as it is: pickled with it, it would be copied whole once
        # more, and it is the largest thing a worker holds (one item per word of a text without marks).
        document, outcome.document = outcome.document, None
        try:
            connection.send(outcome)
            if not outcome.failed:
                connection.send_bytes(document)
        except BrokenPipeError:  # the runner is gone (killed): nobody to tell
            return


def _end_group(signum, frame) -> None:
    os.killpg(0, signal.SIGKILL)


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

    def collect(self, timeout: float, on_stage: StageCallback | None) -> Outcome | None:
        """The outcome of its job if there is one by now (the job's own, or its failure)."""
        job = self.job
        while self.connection.poll():
            try:
                message = self.connection.recv()
            except EOFError:  # the worker is gone: its end of the pipe closed
                self.process.join()
                break
            if isinstance(message, StageStarted):
                if on_stage is not None:
                    on_stage(job, message.step, message.label)
                continue
            if not message.failed:
                try:
                    message.document = self.connection.recv_bytes()  # sent right after its outcome (see _serve)
                except EOFError:
                    self.process.join()
                    break
            self.job = None
            self.retired = message.error == MEMORY_ERROR
            return message
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


class LocalPool:
    """Worker processes on this machine, started as jobs come (up to `processes`) and kept for the next ones."""

    def __init__(self, processes: int = 1, timeout: float = DEFAULT_TIMEOUT_SECONDS,
                 memory_limit_mb: int = DEFAULT_MEMORY_LIMIT_MB):
        self.processes, self.timeout = processes, timeout
        self._memory_limit_bytes = memory_limit_mb << 20
        # Spawned, not forked: a worker starts clean, without the runner's open SQLite connection or threads.
        self._context = multiprocessing.get_context("spawn")
        self._pending: deque[Job] = deque()
        self._workers: list[_Worker] = []

    def submit(self, job: Job) -> None:
        self._pending.append(job)

    def outcomes(self, on_stage: StageCallback | None = None) -> Iterator[Outcome]:
        """The outcome of every job submitted, as each finishes; `on_stage` hears each stage begin.
        Left before the end, the jobs still running are killed and those waiting dropped."""
        finished = False
        try:
            while True:
                self._staff()
                busy = [worker for worker in self._workers if worker.job is not None]
                if not busy:
                    finished = True
                    return
                earliest_deadline = min(worker.deadline for worker in busy)
                wait([w.connection for w in busy] + [w.process.sentinel for w in busy],
                     timeout=max(0.0, earliest_deadline - time.monotonic()))
                for worker in busy:
                    outcome = worker.collect(self.timeout, on_stage)
                    if outcome is not None:
                        yield outcome
                # Only workers without a job: one that died after collect() looked at it still holds its
                # job, and the next look reports that job as failed rather than losing it.
                for worker in [w for w in self._workers
                               if w.job is None and (w.retired or not w.process.is_alive())]:
                    worker.stop()
                    self._workers.remove(worker)
        finally:
            if not finished:
                self._pending.clear()
                for worker in [w for w in self._workers if w.job is not None]:
                    worker.stop()
                    self._workers.remove(worker)

    def _staff(self) -> None:
        """Give each idle worker a job, starting workers while jobs wait and fewer than `processes` exist."""
        for worker in [w for w in self._workers if w.job is None and not w.process.is_alive()]:
            worker.stop()  # died between jobs
            self._workers.remove(worker)
        while self._pending:
            idle = next((w for w in self._workers if w.job is None and w.process.is_alive()), None)
            if idle is None:
                if len(self._workers) >= self.processes:
                    return
                idle = _Worker(self._context, self._memory_limit_bytes)
                self._workers.append(idle)
            idle.give(self._pending.popleft(), self.timeout)

    def close(self) -> None:
        """Stop every worker (and whatever program it runs); jobs not yet given out are dropped."""
        self._pending.clear()
        for worker in self._workers:
            worker.stop()
        self._workers = []

    def __enter__(self) -> LocalPool:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
