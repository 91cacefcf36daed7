"""Archive runs: walking folders, broken inputs, resuming after a kill, fault isolation, the Dask engine."""
from __future__ import annotations

import fcntl
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import distributed  # the dask executor's tests need it: a test dependency, never skipped
import psutil
import pytest

from pipeline.batch import LOCK_NAME, MANIFEST_NAME, SUMMARY_PATH, assign_names, collect_inputs, run
from pipeline.errors import BatchFailures, PipelineError
from pipeline.execute import Job, open_pool
from pipeline.process import Options

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
SMALL = FIXTURES / "restore-kh267-ocr.txt"  # restored and parsed in well under a second
SCAN = ROOT / "raw" / "kh-267-scan.pdf"
QUIET = open(os.devnull, "w")


def cli(*args: str, path: str | None = None, **popen) -> subprocess.Popen:
    """`run` in a subprocess; `path` is put first on its PATH."""
    search = f"{path}:{os.environ['PATH']}" if path else os.environ["PATH"]
    return subprocess.Popen([sys.executable, "-m", "pipeline", "run", *args], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT), "PATH": search},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen)


def finish(process: subprocess.Popen) -> tuple[int, str]:
    _, stderr = process.communicate(timeout=300)
    return process.returncode, stderr.decode()


def copies(folder: Path, count: int, source: Path = SMALL) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"doc-{number:02d}.txt" for number in range(count)]
    for path in paths:
        path.write_bytes(source.read_bytes())
    return paths


@pytest.fixture(scope="module")
def huge_text(tmp_path_factory) -> Path:
    """50 MB of real OCR text: restoring it would take the better part of an hour and gigabytes."""
    path = tmp_path_factory.mktemp("huge") / "huge.txt"
    sample = SMALL.read_bytes()
    path.write_bytes((sample * (50 * 2**20 // len(sample) + 1))[:50 * 2**20])
    return path


def manifest_statuses(out: Path) -> dict[str, str]:
    with sqlite3.connect(out / MANIFEST_NAME, timeout=10) as db:
        return dict(db.execute("SELECT name, status FROM documents"))


def test_walk_is_recursive_sorted_and_survives_a_symlink_loop(tmp_path):
    (tmp_path / "b" / "c").mkdir(parents=True)
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "normalized").mkdir()
    for name in ["b/c/z.pdf", "b/a.TXT", "Kế hoạch số 1.txt", ".secret.txt", ".hidden/x.txt", "notes.xlsx",
                 "normalized/from-last-run.txt"]:
        (tmp_path / name).write_text("x")
    (tmp_path / "b" / "c" / "back").symlink_to(tmp_path, target_is_directory=True)  # a real loop
    found = collect_inputs([tmp_path], outputs=[tmp_path / "normalized"])
    assert found == [tmp_path / "Kế hoạch số 1.txt", tmp_path / "b" / "a.TXT", tmp_path / "b" / "c" / "z.pdf"]


def test_output_names_stay_stable_when_the_archive_grows(tmp_path):
    first = assign_names([tmp_path / "2024" / "kh.txt"], {})
    assert first == {tmp_path / "2024" / "kh.txt": "kh"}
    known = {str(path): name for path, name in first.items()}
    grown = assign_names([tmp_path / "2024" / "kh.txt", tmp_path / "2025" / "kh.txt"], known)
    assert grown == {tmp_path / "2024" / "kh.txt": "kh", tmp_path / "2025" / "kh.txt": "2025-kh"}


@pytest.mark.slow
def test_broken_inputs_are_listed_and_the_good_ones_done(tmp_path, huge_text):
    archive = tmp_path / "archive"
    good = copies(archive / "2024", 2)
    (archive / "Kế hoạch số 267 năm 2024.txt").write_bytes(SMALL.read_bytes())
    (archive / "empty.txt").write_bytes(b"")
    (archive / "junk.txt").write_bytes(os.urandom(4096))
    (archive / "truncated.pdf").write_bytes(SCAN.read_bytes()[:20_000])
    os.link(huge_text, archive / "huge.txt")
    (archive / "loop.txt").symlink_to("loop.txt")
    (archive / "2024" / "up").symlink_to("..", target_is_directory=True)
    out, normalized = tmp_path / "outputs", tmp_path / "normalized"
    returncode, stderr = finish(cli(str(archive), "--out-dir", str(out), "--normalized-dir", str(normalized),
                                    "--jobs", "2", "--memory-limit", "1024", "--timeout", "60"))
    assert returncode == BatchFailures.exit_code, stderr
    expected = sorted([path.stem for path in good] + ["Kế hoạch số 267 năm 2024"])
    assert sorted(path.stem for path in out.glob("*.json")) == expected
    assert sorted(path.stem for path in normalized.glob("*.txt")) == expected
    errors = pd.read_csv(out / "errors.csv", encoding="utf-8-sig")
    assert sorted(errors["document"]) == ["empty", "huge", "junk", "loop", "truncated"]
    assert errors.set_index("document").loc["huge", "error"] == "MemoryError"
    assert errors["message"].notna().all()
    assert len(pd.read_csv(out / "documents.csv", encoding="utf-8-sig")) == 3
    summary = json.loads((out / SUMMARY_PATH).read_text(encoding="utf-8"))
    assert (summary["done"], summary["failed"], summary["skipped"]) == (3, 5, 0)
    assert "Traceback" not in stderr


@pytest.mark.slow
def test_killed_run_resumes_without_redoing_or_duplicating(tmp_path):
    inputs = copies(tmp_path / "in", 12)
    out, normalized = tmp_path / "outputs", tmp_path / "normalized"
    args = [str(tmp_path / "in"), "--out-dir", str(out), "--normalized-dir", str(normalized)]
    first = cli(*args, "--jobs", "1")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            statuses = list(manifest_statuses(out).values()) if (out / MANIFEST_NAME).exists() else []
        except sqlite3.OperationalError:  # the run has made the file but not yet its table
            statuses = []
        if "done" in statuses and "pending" in statuses:
            break
        assert first.poll() is None, "the run finished before it could be killed"
        time.sleep(0.05)
    workers = psutil.Process(first.pid).children()
    first.send_signal(signal.SIGKILL)
    first.wait()
    _, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive, "workers outlived their killed run"
    done_before = {name for name, status in manifest_statuses(out).items() if status == "done"}
    assert 0 < len(done_before) < len(inputs)
    for path in out.glob("*.json"):  # whatever was written is whole
        json.loads(path.read_text(encoding="utf-8"))

    returncode, stderr = finish(cli(*args, "--jobs", "2"))
    assert returncode == 0, stderr
    summary = json.loads((out / SUMMARY_PATH).read_text(encoding="utf-8"))
    assert summary["skipped"] == len(done_before)
    assert summary["done"] == len(inputs) - len(done_before)
    assert set(manifest_statuses(out).values()) == {"done"}
    tasks = pd.read_csv(out / "tasks.csv", encoding="utf-8-sig")
    documents = pd.read_csv(out / "documents.csv", encoding="utf-8-sig")
    assert sorted(documents["document"]) == [path.stem for path in inputs]
    assert not tasks.duplicated(["document", "task_id"]).any()
    assert len(tasks) == len(inputs) * documents["tasks"].iloc[0]
    assert not list(out.glob(".*.tmp"))


@pytest.mark.slow
def test_changed_inputs_are_redone_and_force_redoes_all(tmp_path):
    first, second = copies(tmp_path / "in", 2)
    out, normalized = tmp_path / "outputs", tmp_path / "normalized"
    summary = run([tmp_path / "in"], out, normalized, log=QUIET)
    assert len(summary.done) == 2
    second.write_bytes(second.read_bytes().replace(b"267", b"268"))
    summary = run([tmp_path / "in"], out, normalized, log=QUIET)
    assert [o.job.path for o in summary.done] == [str(second)] and summary.skipped == [str(first)]
    assert "268/KH-UBND" in (out / "doc-01.json").read_text(encoding="utf-8")
    summary = run([tmp_path / "in"], out, normalized, Options(restore=False), log=QUIET)
    assert len(summary.done) == 2, "other settings make other outputs"
    assert len(run([tmp_path / "in"], out, normalized, Options(restore=False), force=True, log=QUIET).done) == 2


@pytest.mark.slow
def test_a_document_over_time_fails_alone(tmp_path, huge_text):
    # The limit is far above what the small document needs on a busy machine (a fresh worker included),
    # and far below what the huge one does.
    good = copies(tmp_path / "in", 1)
    with open_pool(timeout=30, memory_limit_mb=4096) as pool:
        summary = run([huge_text, *good], tmp_path / "o", tmp_path / "n", pool=pool, log=QUIET)
    assert [o.job.path for o in summary.done] == [str(good[0])]
    assert [(o.error, "not finished after 30 s" in o.message) for o in summary.failed] == [("Timeout", True)]


@pytest.mark.slow
def test_a_worker_killed_midway_fails_only_its_document(tmp_path, huge_text):
    archive = tmp_path / "in"
    copies(archive, 2)
    os.link(huge_text, archive / "a-huge.txt")  # first in order: the lone worker takes it first
    out = tmp_path / "outputs"
    run_process = cli(str(archive), "--out-dir", str(out), "--normalized-dir", str(tmp_path / "n"),
                      "--memory-limit", "4096")
    runner = psutil.Process(run_process.pid)
    deadline = time.monotonic() + 60
    busy = []
    # Kill the worker once it is well into the huge file: it has used a few seconds of CPU.
    while not busy and time.monotonic() < deadline:
        workers = [p for p in runner.children() if "spawn_main" in " ".join(p.cmdline())]
        busy = [p for p in workers if sum(p.cpu_times()[:2]) > 3]
        time.sleep(0.1)
    assert busy, "no worker took the huge file"
    busy[0].kill()
    returncode, stderr = finish(run_process)
    assert returncode == BatchFailures.exit_code, stderr
    errors = pd.read_csv(out / "errors.csv", encoding="utf-8-sig")
    assert list(errors["document"]) == ["a-huge"]
    assert errors["error"][0] == "WorkerDied" and "SIGKILL" in errors["message"][0]
    assert sorted(p.stem for p in out.glob("doc-*.json")) == ["doc-00", "doc-01"]


@pytest.mark.slow
def test_dask_gives_the_same_documents_as_local_processes(tmp_path):
    inputs = [SMALL, FIXTURES / "parse-kh-267-gold.txt", FIXTURES / "parse-kh-267-restored-ocr.txt"]
    with open_pool("local", processes=2) as pool:
        local = run(inputs, tmp_path / "local", tmp_path / "local-n", pool=pool, log=QUIET)
    with distributed.LocalCluster(processes=False, n_workers=1, threads_per_worker=2,
                                  dashboard_address=None) as cluster, \
            open_pool("dask", processes=2, scheduler=cluster.scheduler_address) as pool:
        dask = run(inputs, tmp_path / "dask", tmp_path / "dask-n", pool=pool, log=QUIET)
    assert len(local.done) == len(dask.done) == 3 and not dask.failed
    for path in inputs:
        assert (tmp_path / "dask" / f"{path.stem}.json").read_bytes() == \
               (tmp_path / "local" / f"{path.stem}.json").read_bytes()
    assert (tmp_path / "dask" / "tasks.csv").read_bytes() == (tmp_path / "local" / "tasks.csv").read_bytes()


@pytest.mark.slow
def test_dask_starts_its_own_local_cluster(tmp_path):
    returncode, stderr = finish(cli(str(SMALL), "--out-dir", str(tmp_path / "o"), "--normalized-dir",
                                    str(tmp_path / "n"), "--executor", "dask", "--jobs", "2"))
    assert returncode == 0, stderr
    assert (tmp_path / "o" / f"{SMALL.stem}.json").exists()


def test_one_run_at_a_time_per_output_folder(tmp_path):
    (tmp_path / "o").mkdir()
    with open(tmp_path / "o" / LOCK_NAME, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with pytest.raises(PipelineError, match="another run"):
            run([SMALL], tmp_path / "o", tmp_path / "n", log=QUIET)


@pytest.mark.parametrize("args, message", [
    (["--timeout", "0"], "--timeout"),
    (["--memory-limit", "-5"], "--memory-limit"),
    (["--scheduler", "tcp://127.0.0.1:8786"], "--executor dask"),
])
def test_bad_run_options_get_one_line_errors(tmp_path, args, message):
    returncode, stderr = finish(cli(str(SMALL), "--out-dir", str(tmp_path / "o"), *args))
    assert returncode == PipelineError.exit_code
    assert stderr.startswith("error: ") and message in stderr and len(stderr.strip().splitlines()) == 1


def run_folder(tmp_path: Path, *inputs: Path) -> tuple[int, str]:
    return finish(cli(*map(str, inputs), "--out-dir", str(tmp_path / "outputs"),
                      "--normalized-dir", str(tmp_path / "normalized")))


@pytest.mark.slow
def test_a_document_already_in_the_folder_is_never_overwritten(tmp_path):
    out = tmp_path / "outputs"
    out.mkdir()
    uploaded = out / "doc-00.json"  # written by an upload or by `parse -o`, not by this run
    [source] = copies(tmp_path / "in", 1)
    returncode, stderr = run_folder(tmp_path, source)
    assert returncode == 0, stderr
    first = (out / "doc-00.json").read_bytes()
    (out / "doc-00.json").rename(tmp_path / "kept.json")
    (out / "manifest.sqlite").unlink()  # the folder no longer knows who wrote what ...
    uploaded.write_bytes(first.replace(b'"kind": "text"', b'"kind": "text" '))
    returncode, stderr = run_folder(tmp_path, source)
    assert returncode == 0, stderr
    assert uploaded.read_bytes() != first  # ... and still does not overwrite it
    assert sorted(p.name for p in out.glob("*.json")) == ["doc-00.json", "in-doc-00.json"]


@pytest.mark.slow
def test_an_input_named_index_keeps_its_report_page(tmp_path):
    source = tmp_path / "in" / "index.txt"
    source.parent.mkdir()
    source.write_bytes(SMALL.read_bytes())
    returncode, stderr = run_folder(tmp_path, source)
    assert returncode == 0, stderr
    out = tmp_path / "outputs"
    assert [p.name for p in out.glob("*.json")] == ["in-index.json"]
    assert "in-index.html" in (out / "index.html").read_text(encoding="utf-8")
    assert "Kế hoạch" in (out / "in-index.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_document_that_now_fails_or_whose_input_is_gone_leaves_every_export(tmp_path):
    inputs = copies(tmp_path / "in", 3)
    returncode, stderr = run_folder(tmp_path, tmp_path / "in")
    assert returncode == 0, stderr
    out = tmp_path / "outputs"
    before = {p.name: p.read_bytes() for p in out.glob("doc-0[12].json")}
    inputs[1].write_bytes(b"")  # now fails
    inputs[2].unlink()  # gone
    returncode, stderr = run_folder(tmp_path, tmp_path / "in")
    assert returncode == BatchFailures.exit_code, stderr
    assert [p.name for p in out.glob("*.json")] == ["doc-00.json"]
    assert {p.name: p.read_bytes() for p in (out / "stale").iterdir()} == before  # set aside, not lost
    assert set(pd.read_csv(out / "tasks.csv", encoding="utf-8-sig")["document"]) == {"doc-00"}
    assert set(pd.read_csv(out / "documents.csv", encoding="utf-8-sig")["document"]) == {"doc-00"}
    assert {json.loads(line)["document"] for line in (out / "tasks.jsonl").read_text().splitlines()} == {"doc-00"}
    assert set(pd.read_excel(out / "tasks.xlsx")["document"]) == {"doc-00"}
    assert b"doc-01" not in (out / "deadlines.ics").read_bytes() and b"doc-02" not in (out / "deadlines.ics").read_bytes()
    assert not (out / "doc-01.html").exists() and "doc-02" not in (out / "index.html").read_text(encoding="utf-8")
    errors = pd.read_csv(out / "errors.csv", encoding="utf-8-sig").set_index("document")
    assert sorted(errors.index) == ["doc-01", "doc-02"]
    assert errors.loc["doc-02", "error"] == "InputMissing"


@pytest.mark.slow
def test_a_broken_json_in_the_folder_is_skipped_with_a_warning(tmp_path):
    out = tmp_path / "outputs"
    out.mkdir()
    (out / "broken.json").write_text('{"schema_version": "1.1", "tasks": [', encoding="utf-8")
    (out / "list.json").write_text("[1, 2]", encoding="utf-8")
    returncode, stderr = run_folder(tmp_path, SMALL)
    assert returncode == 0, stderr
    assert "warning: skipped" in stderr and "broken.json" in stderr and "list.json" in stderr
    assert "Traceback" not in stderr
    assert len(pd.read_csv(out / "documents.csv", encoding="utf-8-sig")) == 1
    export = subprocess.run([sys.executable, "-m", "pipeline", "export", "--data", str(out), "--format", "csv"],
                            cwd=ROOT, capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert export.returncode == 0, export.stderr.decode()
    assert b"warning: skipped" in export.stderr and b"broken.json" in export.stderr


def test_an_output_folder_that_cannot_be_written_is_an_input_error(tmp_path):
    (tmp_path / "outputs").write_text("a file where the folder should be")
    returncode, stderr = run_folder(tmp_path, SMALL)
    assert returncode == 3, stderr
    assert stderr.startswith("error: ") and len(stderr.strip().splitlines()) == 1


# A stand-in for Tesseract that never finishes a page and ignores every signal it can: only a kill of its
# process group ends it. It writes its pid where the test finds it.
STUCK_TESSERACT = """#!/bin/sh
case "$1" in
  --version) echo "tesseract 5.3.0"; exit 0 ;;
  --list-langs) printf 'List of available languages (2):\\nvie\\nVietnamese\\n'; exit 0 ;;
esac
trap '' HUP INT TERM
echo $$ > "$(dirname "$0")/pid"
exec sleep 600
"""


@pytest.mark.slow
@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_killed_run_leaves_no_worker_and_no_tesseract(tmp_path, signal_number):
    programs = tmp_path / "bin"
    programs.mkdir()
    (programs / "tesseract").write_text(STUCK_TESSERACT)
    (programs / "tesseract").chmod(0o755)
    run_process = cli(str(SCAN), "--out-dir", str(tmp_path / "o"), "--normalized-dir", str(tmp_path / "n"),
                      path=str(programs))
    for _ in range(600):  # until the worker has started Tesseract on a page
        if (programs / "pid").exists() and (programs / "pid").read_text().strip():
            break
        time.sleep(0.1)
    tesseract = psutil.Process(int((programs / "pid").read_text()))
    family = [tesseract, *psutil.Process(run_process.pid).children(recursive=True)]
    run_process.send_signal(signal_number)
    run_process.communicate(timeout=60)
    _, alive = psutil.wait_procs(family, timeout=30)
    for process in alive:
        process.kill()
    assert alive == []


@pytest.mark.slow
def test_a_run_whose_only_change_is_a_gone_input_exits_with_batch_failures(tmp_path):
    inputs = copies(tmp_path / "in", 2)
    returncode, stderr = run_folder(tmp_path, tmp_path / "in")
    assert returncode == 0, stderr
    inputs[1].unlink()
    returncode, stderr = run_folder(tmp_path, tmp_path / "in")
    assert returncode == BatchFailures.exit_code, stderr
    assert "1 earlier documents set aside, their input gone" in stderr and "no longer there" in stderr
    out = tmp_path / "outputs"
    summary = json.loads((out / "run" / "summary.json").read_text(encoding="utf-8"))
    assert (summary["failed"], summary["skipped"]) == (0, 1)
    assert [f["error"] for f in summary["failures"]] == ["InputMissing"]
    assert [p.name for p in (out / "stale").iterdir()] == ["doc-01.json"]
    # Set aside once: the next run has nothing new to report, the document stays listed in errors.csv.
    returncode, stderr = run_folder(tmp_path, tmp_path / "in")
    assert returncode == 0, stderr
    assert list(pd.read_csv(out / "errors.csv", encoding="utf-8-sig")["document"]) == ["doc-01"]


@pytest.mark.slow
def test_the_summary_keeps_what_it_reports_not_the_files_written(tmp_path):
    """A document's JSON and text are written as it arrives; held in the summary, a large one's would
    stay in memory through the rebuild (and an archive's all at once)."""
    copies(tmp_path / "in", 2)
    out = tmp_path / "outputs"
    summary = run([tmp_path / "in"], out, tmp_path / "normalized", log=QUIET)
    assert [(o.document, o.normalized, o.pdf) for o in summary.done] == [(None, None, None)] * 2
    assert sorted(o.job.name for o in summary.done) == ["doc-00", "doc-01"]
    assert all(o.tasks > 0 and o.pages == 1 for o in summary.done)
    assert json.loads((out / "doc-00.json").read_text(encoding="utf-8"))["tasks"]
