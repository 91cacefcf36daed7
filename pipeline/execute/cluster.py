"""Run documents on a Dask distributed cluster (`pip install .[dask]`).

The cluster runs the same per-document function as the local pool
(pipeline.execute.jobs.process_document) and sends back the same outcomes, which
the runner writes as usual: only the machine that started the run writes
files. Every worker must have this pipeline installed (the same version) and
see the inputs at the same absolute paths, e.g. on a shared folder.

Without a scheduler address a LocalCluster of worker processes is started on
this machine. Dask cannot interrupt a running task: a document that overruns
its time is reported as failed at once, and its worker is restarted when a
nanny manages it (the default for `dask worker`) so it stops using a core.
"""
from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator
from contextlib import ExitStack

from pipeline.errors import MissingDependencyError, PipelineError
from pipeline.execute.jobs import (DEFAULT_MEMORY_LIMIT_MB, DEFAULT_TIMEOUT_SECONDS, TIMEOUT_ERROR, WORKER_DIED_ERROR,
                                   Job, Outcome, StageCallback, process_document)


def _import_distributed():
    try:
        import distributed
    except ImportError:
        raise MissingDependencyError(
            "the dask executor needs dask[distributed]; install it with: pip install '.[dask]'") from None
    return distributed


class DaskPool:
    """Jobs on the Dask cluster at `scheduler`, or on a LocalCluster of `processes` started with the first job."""

    def __init__(self, processes: int = 1, timeout: float = DEFAULT_TIMEOUT_SECONDS,
                 memory_limit_mb: int = DEFAULT_MEMORY_LIMIT_MB, scheduler: str | None = None):
        self.processes, self.timeout = processes, timeout
        self._memory_limit_mb, self._scheduler = memory_limit_mb, scheduler
        self._distributed = _import_distributed()
        self._pending: deque[Job] = deque()
        self._client = None
        self._opened = ExitStack()  # the LocalCluster, if one was started, and the client

    def submit(self, job: Job) -> None:
        self._pending.append(job)

    def outcomes(self, on_stage: StageCallback | None = None) -> Iterator[Outcome]:
        """The outcome of every job submitted, as each finishes. Stages are not reported from the cluster:
        `on_stage` is never called."""
        if not self._pending:
            return
        client = self._connect()
        # No more in flight than the cluster has threads, so a task starts when it is
        # submitted and its time limit counts from there.
        slots = max(1, sum(client.nthreads().values()))
        running: dict = {}  # future -> (job, deadline)
        try:
            while self._pending or running:
                while self._pending and len(running) < slots:
                    job = self._pending.popleft()
                    future = client.submit(process_document, job, pure=False, key=f"document-{job.name}")
                    running[future] = (job, time.monotonic() + self.timeout)
                earliest_deadline = min(deadline for _, deadline in running.values())
                try:
                    finished, _ = self._distributed.wait(list(running), return_when="FIRST_COMPLETED",
                                                         timeout=max(0.01, earliest_deadline - time.monotonic()))
                except TimeoutError:
                    finished = set()
                for future in finished:
                    job, _ = running.pop(future)
                    try:
                        yield future.result()
                    except Exception as exc:  # the task's worker died, even after Dask's retries
                        yield Outcome(job, error=WORKER_DIED_ERROR, message=f"{job.path}: {type(exc).__name__}: {exc}")
                now = time.monotonic()
                for future, (job, deadline) in list(running.items()):
                    if now >= deadline:
                        del running[future]
                        _stop(client, future)
                        yield Outcome(job, error=TIMEOUT_ERROR,
                                      message=f"{job.path}: not finished after {self.timeout:g} s")
        finally:
            for future in running:  # left before the end: nothing will collect these
                _stop(client, future)
            self._pending.clear()

    def _connect(self):
        if self._client is None:
            address = self._scheduler
            if not address:
                # One single-threaded worker process per job, capped like the local pool's workers.
                cluster = self._opened.enter_context(self._distributed.LocalCluster(
                    n_workers=self.processes, threads_per_worker=1, processes=True,
                    memory_limit=f"{self._memory_limit_mb}MiB", dashboard_address=None))
                address = cluster.scheduler_address
            try:
                self._client = self._opened.enter_context(self._distributed.Client(address, timeout=30))
            except OSError as exc:
                self.close()
                raise PipelineError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        return self._client

    def close(self) -> None:
        self._pending.clear()
        self._client = None
        self._opened.close()

    def __enter__(self) -> DaskPool:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _stop(client, future) -> None:
    """Forget an overrunning task and restart the worker stuck in it, if a nanny can."""
    workers = [worker for worker, keys in client.processing().items() if future.key in keys]
    future.cancel()
    if workers:
        client.restart_workers(workers, raise_for_error=False)
