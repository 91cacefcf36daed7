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
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from pipeline.errors import MissingDependencyError, PipelineError
from pipeline.execute.jobs import TIMEOUT_ERROR, WORKER_DIED_ERROR, Job, Outcome, process_document


def _import_distributed():
    try:
        import distributed
    except ImportError:
        raise MissingDependencyError(
            "the dask executor needs dask[distributed]; install it with: pip install '.[dask]'") from None
    return distributed


@contextmanager
def _scheduler_address(distributed, scheduler: str | None, processes: int, memory_limit_mb: int):
    if scheduler:
        yield scheduler
        return
    # One single-threaded worker process per job, capped like the local pool's workers.
    with distributed.LocalCluster(n_workers=processes, threads_per_worker=1, processes=True,
                                  memory_limit=f"{memory_limit_mb}MiB", dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def run_on_dask(jobs: Iterable[Job], processes: int, timeout: float, memory_limit_mb: int,
                scheduler: str | None) -> Iterator[Outcome]:
    """Outcomes of `jobs` as they finish on the cluster at `scheduler` (or a LocalCluster of `processes`)."""
    distributed = _import_distributed()
    pending = deque(jobs)
    if not pending:
        return
    with _scheduler_address(distributed, scheduler, processes, memory_limit_mb) as address:
        try:
            client = distributed.Client(address, timeout=30)
        except OSError as exc:
            raise PipelineError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        with client:
            # No more in flight than the cluster has threads, so a task starts when it is
            # submitted and its time limit counts from there.
            slots = max(1, sum(client.nthreads().values()))
            running: dict = {}  # future -> (job, deadline)
            while pending or running:
                while pending and len(running) < slots:
                    job = pending.popleft()
                    future = client.submit(process_document, job, pure=False, key=f"document-{job.name}")
                    running[future] = (job, time.monotonic() + timeout)
                earliest_deadline = min(deadline for _, deadline in running.values())
                try:
                    finished, _ = distributed.wait(list(running), return_when="FIRST_COMPLETED",
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
                        yield Outcome(job, error=TIMEOUT_ERROR, message=f"{job.path}: not finished after {timeout:g} s")


def _stop(client, future) -> None:
    """Forget an overrunning task and restart the worker stuck in it, if a nanny can."""
    workers = [worker for worker, keys in client.processing().items() if future.key in keys]
    future.cancel()
    if workers:
        client.restart_workers(workers, raise_for_error=False)
