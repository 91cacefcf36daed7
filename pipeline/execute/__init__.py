"""Where documents are processed: one small interface over the local worker pool and a Dask cluster.

    with open_pool("local", processes=2) as pool:
        for job in jobs:
            pool.submit(job)
        for outcome in pool.outcomes(on_stage=print):
            ...

A pool takes jobs with submit(job) and gives back each job's Outcome from
outcomes() as it finishes (not in the order submitted, so that two documents
can run at once); outcomes(on_stage) tells the progress callback when a job
begins each stage. Every failure of a document (an error, the time limit, the
memory cap, a dead worker) is an Outcome too, never an exception.

- jobs.py: Job, Outcome and the per-document function every pool runs
- local.py: LocalPool, long-lived worker processes with a memory cap, a time limit and process-group kill
- cluster.py: DaskPool, the same jobs on a Dask cluster (`pip install '.[dask]'`)

The batch runner and the review app's uploads (through the batch runner) both take a pool.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from pipeline.errors import PipelineError
from pipeline.execute.jobs import (DEFAULT_MEMORY_LIMIT_MB, DEFAULT_TIMEOUT_SECONDS, MEMORY_ERROR, TIMEOUT_ERROR,
                                   WORKER_DIED_ERROR, Job, Outcome, StageCallback, process_document)
from pipeline.execute.local import LocalPool

__all__ = ["DEFAULT_MEMORY_LIMIT_MB", "DEFAULT_TIMEOUT_SECONDS", "EXECUTORS", "MEMORY_ERROR", "TIMEOUT_ERROR",
           "WORKER_DIED_ERROR", "Job", "LocalPool", "Outcome", "Pool", "StageCallback", "open_pool",
           "process_document"]

EXECUTORS = ("local", "dask")


class Pool(Protocol):
    """What the batch runner needs of an executor."""

    processes: int  # documents at once

    def submit(self, job: Job) -> None: ...

    def outcomes(self, on_stage: StageCallback | None = None) -> Iterator[Outcome]: ...

    def close(self) -> None: ...

    def __enter__(self) -> Pool: ...

    def __exit__(self, *exc_info) -> None: ...


def open_pool(executor: str = "local", processes: int = 1, timeout: float = DEFAULT_TIMEOUT_SECONDS,
              memory_limit_mb: int = DEFAULT_MEMORY_LIMIT_MB, scheduler: str | None = None) -> Pool:
    """A pool of `executor` ("local" or "dask") running `processes` documents at once; a document not done
    within `timeout` seconds, or needing more than `memory_limit_mb` per worker, fails. A Dask pool uses
    the cluster at `scheduler`, or starts a LocalCluster when None."""
    if executor not in EXECUTORS:
        raise PipelineError(f"unknown executor {executor!r}; choose from {', '.join(EXECUTORS)}")
    if executor == "dask":
        from pipeline.execute.cluster import DaskPool  # dask is an optional extra

        return DaskPool(processes, timeout, memory_limit_mb, scheduler)
    if scheduler:
        raise PipelineError("a scheduler address needs the dask executor (--executor dask)")
    return LocalPool(processes, timeout, memory_limit_mb)
