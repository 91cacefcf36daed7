"""Batch-run throughput: documents/min and pages/min with --jobs 1 and --jobs 2.

Builds an archive of N documents in a temporary folder, half OCR'd text and
half scanned PDFs (copies of raw/ samples and, when SHARED/eval/dev exists,
its scans and OCR texts), runs `python -m pipeline run` over the text and
the scanned halves with --jobs 1 and --jobs 2, and prints the throughput, the
speedup, and how much of the scanned documents' time is the pipeline rather
than OCR itself (rendering and Tesseract, timed on their own).

    .venv/bin/python bench/batch.py --documents 20 --shared ../shared
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.batch import SUMMARY_PATH  # noqa: E402
from pipeline.ingest import ingest  # noqa: E402


def sample_files(shared: Path) -> tuple[list[Path], list[Path]]:
    """(texts, scans) to copy into the archive."""
    dev = sorted((shared / "eval" / "dev").glob("*/")) if (shared / "eval" / "dev").is_dir() else []
    texts = [ROOT / "raw" / "kh-267-ocr.txt", *sorted((ROOT / "tests" / "fixtures").glob("*ocr*.txt"))]
    texts += [folder / name for folder in dev for name in ("ocr-eng.txt", "ocr-vie.txt") if (folder / name).exists()]
    scans = [ROOT / "raw" / "kh-267-scan.pdf", *[folder / "scan.pdf" for folder in dev if (folder / "scan.pdf").exists()]]
    return texts, scans


def build_archive(folder: Path, documents: int, shared: Path) -> dict[str, Path]:
    texts, scans = sample_files(shared)
    subsets = {"text": folder / "text", "scanned": folder / "scanned"}
    for kind, samples, count in (("text", texts, documents - documents // 2), ("scanned", scans, documents // 2)):
        subsets[kind].mkdir(parents=True)
        for number, sample in zip(range(count), itertools.cycle(samples)):
            shutil.copyfile(sample, subsets[kind] / f"{number:03d}-{sample.parent.name}-{sample.name}")
    return subsets


def timed_run(inputs: Path, out: Path, jobs: int) -> dict:
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, "-m", "pipeline", "run", str(inputs), "--out-dir", str(out / "outputs"),
         "--normalized-dir", str(out / "normalized"), "--jobs", str(jobs)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True)
    seconds = time.monotonic() - started  # the whole command: start-up and table writing included
    if completed.returncode != 0:
        sys.exit(f"the run over {inputs} failed ({completed.returncode}):\n{completed.stderr}")
    summary = json.loads((out / "outputs" / SUMMARY_PATH).read_text(encoding="utf-8"))
    return {"documents": summary["done"], "pages": summary["pages"], "seconds": seconds}


def ocr_alone(folder: Path) -> float:
    """Seconds to render and OCR every scanned document, one page at a time, in this process."""
    started = time.monotonic()
    for path in sorted(folder.iterdir()):
        ingest(path, jobs=1)
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=20, help="documents in the archive, half scanned (default 20)")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared",
                        help="the shared folder whose eval/dev scans and texts are used when present")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as work:
        work = Path(work)
        subsets = build_archive(work / "archive", args.documents, args.shared)
        results = {(kind, jobs): timed_run(folder, work / f"{kind}-{jobs}", jobs)
                   for kind, folder in subsets.items() for jobs in (1, 2)}
        ocr_seconds = ocr_alone(subsets["scanned"])

    print(f"{'documents':<10}{'jobs':>5}{'docs':>6}{'pages':>7}{'seconds':>9}{'docs/min':>10}{'pages/min':>11}")
    for kind in (*subsets, "all"):
        for jobs in (1, 2):
            parts = [results[(k, jobs)] for k in subsets] if kind == "all" else [results[(kind, jobs)]]
            docs, pages, seconds = (sum(part[key] for part in parts) for key in ("documents", "pages", "seconds"))
            print(f"{kind:<10}{jobs:>5}{docs:>6}{pages:>7}{seconds:>9.1f}{docs * 60 / seconds:>10.1f}"
                  f"{pages * 60 / seconds:>11.1f}")
    for kind in subsets:
        print(f"speedup of --jobs 2 on the {kind} documents: "
              f"{results[(kind, 1)]['seconds'] / results[(kind, 2)]['seconds']:.2f}x")
    pipeline_seconds = results[("scanned", 1)]["seconds"]
    print(f"OCR alone (render + Tesseract) on the scanned documents: {ocr_seconds:.1f} s; the --jobs 1 run took "
          f"{pipeline_seconds:.1f} s, so the pipeline beyond OCR (start-up, restoration, parsing, writing) is "
          f"{pipeline_seconds - ocr_seconds:.1f} s, {100 * (pipeline_seconds - ocr_seconds) / pipeline_seconds:.0f}%")


if __name__ == "__main__":
    main()
