"""Run the pipeline over many files: one bad file never stops the run.

Each document is processed on its own (in a worker process when jobs > 1);
its JSON and normalized text are written as soon as it is done. A failure is
recorded in errors.csv with its reason and the run goes on. The CSV tables
are rebuilt at the end from all per-document JSON files.
"""
from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import InputError, PipelineError
from pipeline.export import document_json, rebuild_tables, write_atomic, write_csv
from pipeline.process import Options, process_file

# Extensions picked up when walking a folder; files named explicitly are read by content whatever their name.
SUPPORTED_SUFFIXES = {".txt", ".text", ".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff"}
ERROR_COLUMNS = ["source_path", "error", "message"]


@dataclass
class Outcome:
    path: Path
    name: str
    document: str | None = None  # JSON text
    normalized: str | None = None
    error: str | None = None
    message: str | None = None


@dataclass
class Summary:
    done: list[Outcome] = field(default_factory=list)
    failed: list[Outcome] = field(default_factory=list)
    tasks: int = 0


def collect_inputs(inputs: Iterable[Path]) -> list[Path]:
    """Files to process: named files as given, folders walked for supported files."""
    found: list[Path] = []
    for item in inputs:
        if item.is_dir():
            files = sorted(p for p in item.rglob("*")
                           if p.suffix.lower() in SUPPORTED_SUFFIXES and p.is_file() and not p.name.startswith("."))
            if not files:
                raise InputError(f"{item}: no supported files (.txt, .pdf, .png, .jpg, .tif) in this folder")
            found.extend(files)
        elif item.exists():
            found.append(item)
        else:
            raise InputError(f"{item}: no such file or folder")
    return found


def output_names(paths: list[Path]) -> list[str]:
    """One output stem per input; inputs sharing a stem get their parent folders' names too."""
    stems = [p.stem for p in paths]
    names = []
    for path, stem in zip(paths, stems):
        if stems.count(stem) > 1:
            stem = "-".join(path.parent.parts[-2:] + (stem,)).replace("/", "-")
        names.append(stem)
    return names


def process_one(path: Path, name: str, options: Options) -> Outcome:
    try:
        doc = process_file(path, options)
    except PipelineError as exc:
        return Outcome(path, name, error=type(exc).__name__, message=str(exc))
    except Exception as exc:  # a bug or an unreadable file we did not foresee: record it, go on
        return Outcome(path, name, error=type(exc).__name__, message=f"{path}: {exc}")
    return Outcome(path, name, document=document_json(doc.to_dict()), normalized=doc.text + "\n")


def _outcomes(paths: list[Path], names: list[str], jobs: int, options: Options) -> Iterator[Outcome]:
    if jobs <= 1 or len(paths) == 1:
        for path, name in zip(paths, names):
            yield process_one(path, name, options)
        return
    # Documents run in parallel, so each OCRs its pages one at a time: never more busy cores than jobs.
    per_document = Options(restore=options.restore, profile=options.profile, style=options.style, jobs=1)
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from pool.map(process_one, paths, names, [per_document] * len(paths))


def run(inputs: Iterable[Path], out_dir: Path, normalized_dir: Path, options: Options = Options(),
        jobs: int = 1, log=sys.stderr) -> Summary:
    paths = collect_inputs(inputs)
    names = output_names(paths)
    summary = Summary()
    for outcome in _outcomes(paths, names, jobs, options):
        if outcome.error:
            summary.failed.append(outcome)
            print(f"FAILED {outcome.path}: {outcome.message}", file=log)
            continue
        write_atomic(normalized_dir / f"{outcome.name}.txt", outcome.normalized)
        write_atomic(out_dir / f"{outcome.name}.json", outcome.document)
        summary.done.append(outcome)
        print(f"ok     {outcome.path} -> {out_dir / outcome.name}.json", file=log)
    out_dir.mkdir(parents=True, exist_ok=True)
    _, summary.tasks = rebuild_tables(out_dir)
    errors = [{"source_path": str(o.path), "error": o.error, "message": o.message} for o in summary.failed]
    write_csv(out_dir / "errors.csv", errors, ERROR_COLUMNS)
    return summary
