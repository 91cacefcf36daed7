"""Run the pipeline over an archive: parallel, resumable, one bad file never stops the run.

    with open_pool("local", processes=2) as pool:
        summary = run([Path("archive")], Path("outputs"), Path("normalized"), pool=pool)

Folders are walked recursively. Every input gets an output name that it keeps
in later runs, and a row in the manifest (pipeline.manifest); an input already
done with the same content, pipeline version and settings is skipped, so a run
that was killed is finished by running it again. plan() names, fingerprints
and skips; the documents then run in a pool of pipeline.execute (worker
processes or a Dask cluster), and this process writes each result atomically as soon as it arrives, then marks
it done. At the end tasks.csv, documents.csv and the other exports are
rebuilt from the per-document JSON, and errors.csv from the manifest, so they
never disagree or repeat a row.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import stat
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

from tqdm import tqdm

from pipeline import __version__
from pipeline.errors import InputError, PipelineError
from pipeline.execute import Job, LocalPool, Outcome, Pool, StageCallback
from pipeline.export import document_json, rebuild, write_atomic, write_csv
from pipeline.manifest import DONE, FAILED, Entry, Manifest
from pipeline.process import Options

# Extensions picked up when walking a folder; files named explicitly are read by content whatever their name.
SUPPORTED_SUFFIXES = {".txt", ".text", ".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff",
                      ".docx", ".doc", ".odt", ".rtf", ".html", ".htm", ".md", ".markdown"}
ERROR_COLUMNS = ["document", "source_path", "error", "message", "finished_at"]
MANIFEST_NAME = "manifest.sqlite"
# In a subfolder: OUT_DIR/*.json are the documents, one each.
SUMMARY_PATH = Path("run", "summary.json")
LOCK_NAME = ".run.lock"
# A document set aside: its input now fails or is gone, so it leaves the tables and exports but is kept.
STALE_FOLDER = "stale"
INPUT_MISSING_ERROR = "InputMissing"
# OUT_DIR/index.html is the report's index; a document named "index" would have its page overwritten.
RESERVED_NAMES = {"index"}


@dataclass
class Summary:
    done: list[Outcome] = field(default_factory=list)
    failed: list[Outcome] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # inputs already done in an earlier run
    # Documents of earlier runs whose input is gone, set aside by this run: failures too (the CLI exits 6),
    # though no input of this run failed.
    gone: list[Outcome] = field(default_factory=list)
    documents: int = 0  # in documents.csv: this run's and earlier runs' into the same folder
    tasks: int = 0  # in tasks.csv
    pages: int = 0  # processed in this run
    seconds: float = 0.0

    def per_minute(self, count: int) -> float:
        return count * 60 / self.seconds if self.seconds else 0.0

    def to_dict(self) -> dict:
        return {
            "pipeline_version": __version__,
            "inputs": len(self.done) + len(self.failed) + len(self.skipped),
            "done": len(self.done),
            "failed": len(self.failed),
            "skipped": len(self.skipped),
            "pages": self.pages,
            "seconds": round(self.seconds, 3),
            "documents_per_minute": round(self.per_minute(len(self.done) + len(self.failed)), 2),
            "pages_per_minute": round(self.per_minute(self.pages), 2),
            "documents_in_tables": self.documents,
            "tasks_in_tables": self.tasks,
            "failures": [{"source_path": o.job.path, "error": o.error, "message": o.message}
                         for o in self.failed + self.gone],
            "no_tasks": [o.job.path for o in self.done if not o.tasks],  # done, but no task found: not failures
        }

    def describe(self) -> str:
        lines = [f"{len(self.done)} done, {len(self.failed)} failed, {len(self.skipped)} skipped (already done) "
                 f"in {self.seconds:.1f} s: {self.per_minute(len(self.done) + len(self.failed)):.1f} documents/min, "
                 f"{self.per_minute(self.pages):.1f} pages/min; tables: {self.documents} documents, {self.tasks} tasks"]
        lines += [f"failed: {_first_line(o.message)}" for o in self.failed + self.gone]
        lines += [f"no tasks found: {o.job.path}" for o in self.done if not o.tasks]
        return "\n".join(lines)


def collect_inputs(inputs: Iterable[Path], outputs: Iterable[Path] = ()) -> list[Path]:
    """Absolute paths of the files to process: named files as given, folders walked for supported files.

    Folders in `outputs` are not walked: a run's own normalized texts are not inputs for the next.
    """
    found: dict[Path, None] = {}  # ordered and without repeats: a file may be named and inside a named folder
    skipped = {os.path.abspath(folder) for folder in outputs}
    for item in inputs:
        item = Path(os.path.abspath(item))
        if item.is_dir():
            files = _walk(item, skipped)
            if not files:
                raise InputError(f"{item}: no supported files ({', '.join(sorted(SUPPORTED_SUFFIXES))}) in this folder")
            found.update(dict.fromkeys(files))
        elif item.exists() or item.is_symlink():
            found[item] = None
        else:
            raise InputError(f"{item}: no such file or folder")
    return list(found)


def _walk(folder: Path, skipped: set[str]) -> list[Path]:
    """Supported, non-hidden files under `folder`, following symbolic links but entering each folder once."""
    files, visited = [], set()
    for root, dirs, names in os.walk(folder, followlinks=True):
        info = os.stat(root)
        if (info.st_dev, info.st_ino) in visited:  # reached again through a link: a loop or an alias
            dirs.clear()
            continue
        visited.add((info.st_dev, info.st_ino))
        dirs[:] = sorted(name for name in dirs if not name.startswith(".") and os.path.join(root, name) not in skipped)
        # A link that loops or leads nowhere is listed among the files; it is kept so it fails visibly.
        files.extend(Path(root, name) for name in names
                      if not name.startswith(".") and Path(name).suffix.lower() in SUPPORTED_SUFFIXES)
    return sorted(files)


def assign_names(paths: list[Path], known: dict[str, str], taken: Iterable[str] = ()) -> dict[Path, str]:
    """An output stem for each path: the one it already has in the manifest, else a new unused one.

    A new path gets its file's stem, or, when other inputs share that stem, the stem
    prefixed with its parent folders' names. Names in `taken` (documents already in
    the folder that the manifest does not know) and RESERVED_NAMES are never given.
    """
    names = {path: known[str(path)] for path in paths if str(path) in known}
    used = set(known.values()) | set(taken) | RESERVED_NAMES
    new = [path for path in paths if path not in names]
    stems = Counter(path.stem for path in new)
    for path in new:
        folders = [part for part in path.parent.parts if part != path.anchor]
        candidates = [path.stem] if stems[path.stem] == 1 else []
        candidates += ["-".join(folders[-depth:] + [path.stem]) for depth in (1, 2, 3) if depth <= len(folders)]
        candidates.append(f"{path.stem}-{hashlib.sha256(str(path).encode()).hexdigest()[:10]}")
        names[path] = next(name for name in candidates if name not in used)
        used.add(names[path])
    return names


def _fingerprint(path: Path) -> tuple[str, int]:
    """sha256 and size; reading a FIFO or a device would block the run, so only regular files are read."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{path}: not a regular file")
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest(), info.st_size
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None


def _settings(options: Options) -> str:
    """The options that change a document's output (not how many pages are OCR'd at once)."""
    settings = f"restore={options.restore} profile={options.profile} style={options.style}"
    return settings + " pdf=True" if options.pdf else settings


@contextmanager
def _exclusive(out_dir: Path, wait: bool = False) -> Iterator[None]:
    """Only one run at a time may write into an output folder; `wait` for the one writing, or refuse."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        lock = open(out_dir / LOCK_NAME, "a")
    except OSError as exc:
        raise InputError(f"{out_dir}: cannot write to this folder: {exc.strerror}") from None
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PipelineError(f"{out_dir}: another run is writing to this folder") from None
        yield


def _remove_interrupted_writes(*folders: Path) -> None:
    """Temporary files left by a run killed while writing (see export.write_atomic)."""
    for folder in folders:
        for leftover in folder.glob(".*.tmp"):
            leftover.unlink(missing_ok=True)


class Progress:
    """A progress bar on a terminal, one plain line per document otherwise."""

    def __init__(self, total: int, log: TextIO):
        self.total, self.log = total, log
        self.done = self.failed = self.pages = 0
        self.started = time.monotonic()
        self.bar = tqdm(total=total, file=log, unit="doc", dynamic_ncols=True) if log.isatty() else None

    def update(self, outcome: Outcome, out_dir: Path) -> None:
        self.failed += outcome.failed
        self.done += not outcome.failed
        self.pages += outcome.pages
        if outcome.failed:
            line = f"FAILED {_first_line(outcome.message)}"
        else:
            line = f"ok     {outcome.job.path} -> {out_dir / outcome.job.name}.json ({outcome.pages} p, {outcome.seconds:.1f} s)"
        if self.bar is None:
            print(f"[{self.done + self.failed}/{self.total}] {line}", file=self.log, flush=True)
            return
        if outcome.failed:
            self.bar.write(line, file=self.log)
        minutes = (time.monotonic() - self.started) / 60
        self.bar.set_postfix_str(f"done {self.done}, failed {self.failed}, {self.pages / minutes:.0f} pages/min",
                                 refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _first_line(message: str | None) -> str:
    lines = (message or "").strip().splitlines()
    return lines[0] if lines else ""


@dataclass
class Plan:
    """What a run will do: the jobs to process (largest first), and the inputs it already settled."""

    jobs: list[Job] = field(default_factory=list)
    sha256: dict[str, str] = field(default_factory=dict)  # by output name
    skipped: list[str] = field(default_factory=list)  # inputs done in an earlier run
    unreadable: list[Outcome] = field(default_factory=list)  # inputs that failed before any work: not files


def plan(paths: list[Path], manifest: Manifest, out_dir: Path, normalized_dir: Path, options: Options,
         processes: int, force: bool) -> Plan:
    """Name every input (keeping the names the manifest gave), fingerprint it, and skip what is done."""
    entries = manifest.entries()
    names = assign_names(paths, {source: entry.name for source, entry in entries.items()},
                         taken=(path.stem for path in out_dir.glob("*.json")))
    manifest.add_pending([Entry(str(path), names[path]) for path in paths])
    result, todo = Plan(), []  # todo: (size, name, path) of the inputs to process
    for path in paths:
        name = names[path]
        try:
            result.sha256[name], size = _fingerprint(path)
        except InputError as exc:
            result.unreadable.append(Outcome(Job(name, str(path), options), error=type(exc).__name__,
                                             message=str(exc)))
            continue
        if not force and _already_done(entries.get(str(path)), result.sha256[name], _settings(options), out_dir,
                                       normalized_dir):
            result.skipped.append(str(path))
        else:
            todo.append((size, name, str(path)))
    # Documents side by side each OCR one page at a time: never more busy cores than processes.
    document_options = replace(options, jobs=processes if len(todo) == 1 else 1)
    # Largest first, so the run does not end with one worker alone on a long scan.
    result.jobs = [Job(name, path, document_options) for _, name, path in sorted(todo, reverse=True)]
    return result


def run(inputs: Iterable[Path], out_dir: Path, normalized_dir: Path, options: Options = Options(),
        pool: Pool | None = None, *, force: bool = False, log: TextIO = sys.stderr,
        on_stage: StageCallback | None = None, wait_for_folder: bool = False) -> Summary:
    """Process every input not already done in `pool` (pipeline.execute; by default one local worker
    process with the default limits), `pool.processes` documents at once (pages too, for a lone document).

    `force` redoes inputs already done. `on_stage` hears each document's stages begin (local pool
    only). With `wait_for_folder` a run waits for another writing to `out_dir` to finish, rather than refuse.
    """
    started = time.monotonic()
    paths = collect_inputs(inputs, outputs=(out_dir, normalized_dir))
    with (nullcontext(pool) if pool else LocalPool()) as pool, _exclusive(out_dir, wait_for_folder), \
            Manifest(out_dir / MANIFEST_NAME) as manifest:
        _remove_interrupted_writes(out_dir, normalized_dir)
        work = plan(paths, manifest, out_dir, normalized_dir, options, pool.processes, force)
        summary = Summary(skipped=work.skipped)
        settings = _settings(options)
        for outcome in work.unreadable:
            _record(manifest, outcome, None, settings, out_dir, normalized_dir)
            summary.failed.append(outcome)
            print(f"FAILED {outcome.message}", file=log)
        if summary.skipped:
            print(f"{len(summary.skipped)} inputs already done, skipped (--force redoes them)", file=log)
        progress = Progress(len(work.jobs), log)
        for job in work.jobs:
            pool.submit(job)
        try:
            for outcome in pool.outcomes(on_stage):
                _record(manifest, outcome, work.sha256[outcome.job.name], settings, out_dir, normalized_dir)
                # Written: the summary keeps what it reports, not the files (a large document's JSON
                # would otherwise be held through the rebuild, and an archive's all at once).
                outcome = replace(outcome, document=None, normalized=None, pdf=None)
                (summary.failed if outcome.failed else summary.done).append(outcome)
                summary.pages += outcome.pages
                progress.update(outcome, out_dir)
        finally:
            progress.close()
        summary.gone = _set_aside_missing_inputs(manifest, out_dir, options)
        for outcome in summary.gone:
            print(f"FAILED {outcome.message}", file=log)
        summary.documents, summary.tasks = _rebuild_outputs(manifest, out_dir, log)
        summary.seconds = time.monotonic() - started
        write_atomic(out_dir / SUMMARY_PATH, document_json(summary.to_dict()))
    return summary


def _already_done(previous: Entry | None, sha256: str, settings: str, out_dir: Path, normalized_dir: Path) -> bool:
    """Done before from the same content, by this pipeline version with these settings, and its files still there."""
    return (previous is not None and previous.status == DONE and previous.sha256 == sha256
            and previous.pipeline_version == __version__ and previous.settings == settings
            and (out_dir / f"{previous.name}.json").exists() and (normalized_dir / f"{previous.name}.txt").exists())


def _record(manifest: Manifest, outcome: Outcome, sha256: str | None, settings: str, out_dir: Path,
            normalized_dir: Path) -> None:
    """Write a document's files, then mark it done (or failed) in the manifest: a kill in between only redoes it."""
    job = outcome.job
    if outcome.failed:
        _set_aside(out_dir, job.name)
    else:
        write_atomic(normalized_dir / f"{job.name}.txt", outcome.normalized)
        write_atomic(out_dir / f"{job.name}.json", outcome.document)
        if outcome.pdf:
            write_atomic(out_dir / f"{job.name}.pdf", outcome.pdf)
    manifest.record(Entry(
        source=job.path, name=job.name, sha256=sha256, pipeline_version=__version__, settings=settings,
        status=FAILED if outcome.failed else DONE, error=outcome.error, message=outcome.message,
        pages=outcome.pages, tasks=outcome.tasks, seconds=round(outcome.seconds, 3), finished_at=_now()))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _set_aside(out_dir: Path, name: str) -> None:
    """Move a document's result out of the tables and exports, into OUT_DIR/stale/, never deleting it."""
    result = out_dir / f"{name}.json"
    if not result.is_file():
        return
    stale = out_dir / STALE_FOLDER
    stale.mkdir(exist_ok=True)
    os.replace(result, stale / result.name)
    searchable = out_dir / f"{name}.pdf"  # `run --pdf` output goes with the result it was made from
    if searchable.is_file():
        os.replace(searchable, stale / searchable.name)
    (out_dir / f"{name}.html").unlink(missing_ok=True)  # its report page; the report is rebuilt without it


def _set_aside_missing_inputs(manifest: Manifest, out_dir: Path, options: Options) -> list[Outcome]:
    """A document whose input is gone no longer stands for anything on disk: failed, and set aside.
    Returns the documents set aside now (those set aside by an earlier run stay listed in errors.csv)."""
    gone = []
    for entry in manifest.with_status(DONE):
        if not os.path.lexists(entry.source):
            _set_aside(out_dir, entry.name)
            outcome = Outcome(Job(entry.name, entry.source, options), error=INPUT_MISSING_ERROR,
                              message=f"{entry.source}: the input is no longer there")
            manifest.record(replace(entry, status=FAILED, error=outcome.error, message=outcome.message,
                                    finished_at=_now()))
            gone.append(outcome)
    return gone


def _rebuild_outputs(manifest: Manifest, out_dir: Path, log: TextIO) -> tuple[int, int]:
    """The tables and exports from all per-document JSON (export.rebuild); errors.csv from the manifest."""
    counts = rebuild(out_dir, log)
    errors = [{"document": entry.name, "source_path": entry.source, "error": entry.error, "message": entry.message,
               "finished_at": entry.finished_at} for entry in manifest.with_status(FAILED)]
    # Listed apart from failures: the document was read, but a clerk must enter its tasks by hand.
    errors += [{"document": entry.name, "source_path": entry.source, "error": "no_tasks", "message": "no tasks found",
                "finished_at": entry.finished_at} for entry in manifest.with_status(DONE) if not entry.tasks]
    write_csv(out_dir / "errors.csv", errors, ERROR_COLUMNS)
    return counts
