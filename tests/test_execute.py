"""The executor interface: a pool takes jobs with submit() and gives their outcomes back from outcomes()."""
from __future__ import annotations

import json
import os
from pathlib import Path

import psutil
import pytest

from pipeline.errors import PipelineError
from pipeline.execute import Job, LocalPool, open_pool
from pipeline.execute.jobs import WORKER_DIED_ERROR
from pipeline.execute.local import _Worker
from pipeline.process import Options

SMALL = Path(__file__).parent / "fixtures" / "restore-kh267-ocr.txt"


def _job(name: str) -> Job:
    return Job(name, str(SMALL), Options(restore=False))


def _workers() -> set[int]:
    """This test process's live worker processes (spawned children, not the resource tracker)."""
    return {child.pid for child in psutil.Process(os.getpid()).children()
            if child.status() != psutil.STATUS_ZOMBIE and "spawn_main" in " ".join(child.cmdline())}


@pytest.mark.slow
def test_a_local_pool_keeps_its_worker_for_the_next_jobs_and_reports_stages():
    stages = []
    with LocalPool() as pool:
        pool.submit(_job("a"))
        [first] = pool.outcomes(lambda job, step, label: stages.append((job.name, step)))
        workers = _workers()
        pool.submit(_job("b"))
        [second] = pool.outcomes()
        assert _workers() == workers and len(workers) == 1  # the same process took the second job
    assert _workers() == set()  # closing the pool ends its worker
    assert (first.job.name, second.job.name) == ("a", "b") and not first.failed and not second.failed
    assert first.document == second.document and first.tasks > 0
    # The JSON comes apart from the outcome's pickle (pipeline.execute.local._serve), whole.
    assert len(json.loads(first.document)["tasks"]) == first.tasks
    assert [name for name, _ in stages] and {name for name, _ in stages} == {"a"}
    assert [step for _, step in stages] == sorted(step for _, step in stages)


class _Enough(Exception):
    pass


def _stop_at_first_stage(job, step, label):
    raise _Enough


@pytest.mark.slow
def test_leaving_outcomes_early_kills_the_running_job_and_drops_the_waiting_ones():
    with LocalPool() as pool:
        pool.submit(_job("running"))
        pool.submit(_job("waiting"))
        with pytest.raises(_Enough):
            list(pool.outcomes(_stop_at_first_stage))
        assert _workers() == set()
        assert list(pool.outcomes()) == []  # a later caller is not handed the abandoned jobs' outcomes


@pytest.mark.slow
def test_a_worker_that_dies_just_after_a_look_still_fails_its_job(monkeypatch):
    # The race a loaded machine makes: collect() finds the worker alive and without news, then it dies
    # before the pool sweeps out dead workers. The job must still come back, as failed.
    real_collect = _Worker.collect
    looked = []

    def collect_then_die(self, timeout, on_stage):
        if not looked:
            looked.append(self.job.name)
            os.killpg(self.process.pid, 9)
            self.process.join()
            return None
        return real_collect(self, timeout, on_stage)

    monkeypatch.setattr(_Worker, "collect", collect_then_die)
    with LocalPool() as pool:
        pool.submit(Job("a", str(SMALL), Options()))
        outcomes = list(pool.outcomes())
    assert looked == ["a"]
    assert [(o.job.name, o.error) for o in outcomes] == [("a", WORKER_DIED_ERROR)]
    assert "SIGKILL" in outcomes[0].message


@pytest.mark.parametrize("kind, scheduler, message", [
    ("threads", None, "unknown executor"),
    ("local", "tcp://127.0.0.1:8786", "needs the dask executor"),
])
def test_open_pool_refuses_what_it_cannot_run(kind, scheduler, message):
    with pytest.raises(PipelineError, match=message):
        open_pool(kind, scheduler=scheduler)
