"""Where documents are processed: one interface over the local worker pool and a Dask cluster.

    for outcome in execute(jobs, Executor(processes=2), on_stage=print):
        ...

- jobs.py: Job, Outcome and the per-document function every executor runs
- local.py: long-lived worker processes with a memory cap, a time limit and process-group kill
- cluster.py: the same jobs on a Dask cluster (`pip install '.[dask]'`)

The batch runner and the review app's uploads both go through execute().
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from pipeline.errors import PipelineError
from pipeline.execute.jobs import (MEMORY_ERROR, TIMEOUT_ERROR, WORKER_DIED_ERROR, Job, Outcome, StageCallback,
                                   process_document)
from pipeline.execute.local import run_in_processes

__all__ = ["EXECUTORS", "MEMORY_ERROR", "TIMEOUT_ERROR", "WORKER_DIED_ERROR", "Executor", "Job", "Outcome",
           "StageCallback", "execute", "process_document"]

EXECUTORS = ("local", "dask")
# Generous for a scan of a few hundred pages on one core; it bounds a hang, it does not judge speed.
DEFAULT_TIMEOUT_SECONDS = 900
# A document's worker peaks near 400 MB; a file that needs five times that is pathological.
DEFAULT_MEMORY_LIMIT_MB = 2048


@dataclass(frozen=True)
class Executor:
    """Where and under which limits jobs run."""

    kind: str = "local"  # one of EXECUTORS
    processes: int = 1  # documents at once
    timeout: float = DEFAULT_TIMEOUT_SECONDS  # a document not done by then fails
    memory_limit_mb: int = DEFAULT_MEMORY_LIMIT_MB  # per worker; a document needing more fails
    scheduler: str | None = None  # Dask scheduler address; None starts a local cluster

    def __post_init__(self) -> None:
        if self.kind not in EXECUTORS:
            raise PipelineError(f"unknown executor {self.kind!r}; choose from {', '.join(EXECUTORS)}")
        if self.scheduler and self.kind != "dask":
            raise PipelineError("a scheduler address needs the dask executor (--executor dask)")


def execute(jobs: Iterable[Job], executor: Executor = Executor(),
            on_stage: StageCallback | None = None) -> Iterator[Outcome]:
    """The outcome of every job, as each finishes; `on_stage` hears each document's stages begin (local only)."""
    if executor.kind == "dask":
        from pipeline.execute.cluster import run_on_dask  # dask is an optional extra

        return run_on_dask(list(jobs), executor.processes, executor.timeout, executor.memory_limit_mb,
                           executor.scheduler)
    return run_in_processes(jobs, executor.processes, executor.timeout, executor.memory_limit_mb, on_stage)
