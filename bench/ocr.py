"""Benchmark ingest end to end on the dev documents, against plain `tesseract -l vie`.

For each document in ../shared/eval/dev/: syllable accuracy (scored by the
shared score_restore.py) of
  - text.pdf through ingest (text layer),
  - scan.pdf through ingest (OCR as the product does it), then restored and normalized,
  - scan.pdf rasterized at 300 dpi and read by plain `tesseract -l vie`,
with seconds per page for both OCR runs; and the share of gold.txt's task ids
that parsing text.pdf and the restored scan finds.

Usage: python bench/ocr.py [--jobs N] [DOC_SLUG ...]
"""
from __future__ import annotations

import argparse
import os
import json
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pypdfium2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline._exec import tesseract  # noqa: E402
from pipeline.ingest import ingest, ocr  # noqa: E402
from pipeline.model import Document  # noqa: E402
from pipeline.process import normalize, process_file, restore, structure  # noqa: E402

DEV = ROOT.parent / "shared" / "eval" / "dev"
SCORER = ROOT.parent / "shared" / "eval" / "score_restore.py"


def score(gold: Path, lines: list[str]) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as hypothesis:
        hypothesis.write("\n".join(lines))
    result = subprocess.run(
        [sys.executable, str(SCORER), str(gold), hypothesis.name, "--json"], capture_output=True, text=True, check=True
    )
    Path(hypothesis.name).unlink()
    return json.loads(result.stdout)["syllable_accuracy"]


def plain_tesseract(scan: Path, jobs: int) -> list[str]:
    """The baseline: each page at 300 dpi through `tesseract -l vie`, its plain text output as is."""
    document = pypdfium2.PdfDocument(str(scan))
    pngs = [ocr.encode_png(ocr.render(document, number, scan)) for number in range(1, len(document) + 1)]
    environment = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def read(png: bytes) -> str:
        return subprocess.run(["tesseract", "stdin", "stdout", "-l", "vie"], input=png, capture_output=True,
                              env=environment, check=True).stdout.decode("utf-8")

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return "\n".join(pool.map(read, pngs)).split("\n")


def task_ids(doc: Document) -> set[str]:
    return {task.id for task in doc.tasks}


def agreement(gold: set[str], found: set[str]) -> float:
    return len(gold & found) / len(gold) if gold else 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("docs", nargs="*", help="document slugs (default: all)")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    docs = [DEV / slug for slug in args.docs] or sorted(path for path in DEV.iterdir() if path.is_dir())
    print(f"tesseract {'.'.join(map(str, tesseract.version()))}, ingest OCR languages {'+'.join(ocr.languages())}")
    print(f"{'document':24} {'pages':>5} {'text.pdf':>8} {'ingest':>7} {'restored':>8} {'s/page':>6} {'plain':>7} "
          f"{'s/page':>6} {'tasks':>5} {'text.pdf':>8} {'scan':>6}")
    totals = {"pages": 0, "ingest_seconds": 0.0, "plain_seconds": 0.0, "tokens": 0, "errors": {}, "tasks": 0,
              "text_tasks": 0, "scan_tasks": 0}
    for doc in docs:
        gold = doc / "gold.txt"
        gold_tasks = task_ids(process_file(gold))
        _, text_lines = ingest(doc / "text.pdf")
        text_accuracy = score(gold, [line.text for line in text_lines])
        text_tasks = task_ids(process_file(doc / "text.pdf"))
        started = time.perf_counter()
        source, scan_lines = ingest(doc / "scan.pdf", jobs=args.jobs)
        ingest_seconds = time.perf_counter() - started
        ingest_accuracy = score(gold, [line.text for line in scan_lines])
        scanned = structure(normalize(restore(Document(source=source, lines=scan_lines))))
        restored_accuracy = score(gold, [line.text for line in scanned.lines])
        scan_tasks = task_ids(scanned)
        started = time.perf_counter()
        plain_lines = plain_tesseract(doc / "scan.pdf", args.jobs)
        plain_seconds = time.perf_counter() - started
        plain_accuracy = score(gold, plain_lines)
        pages = source.pages
        totals["pages"] += pages
        totals["ingest_seconds"] += ingest_seconds
        totals["plain_seconds"] += plain_seconds
        tokens = len(gold.read_text(encoding="utf-8").split())
        totals["tokens"] += tokens
        for name, accuracy in (("ingest", ingest_accuracy), ("restored", restored_accuracy), ("plain", plain_accuracy)):
            totals["errors"][name] = totals["errors"].get(name, 0.0) + (1 - accuracy) * tokens
        totals["tasks"] += len(gold_tasks)
        totals["text_tasks"] += len(gold_tasks & text_tasks)
        totals["scan_tasks"] += len(gold_tasks & scan_tasks)
        print(
            f"{doc.name:24} {pages:5} {text_accuracy:8.4f} {ingest_accuracy:7.4f} {restored_accuracy:8.4f}"
            f" {ingest_seconds / pages:6.2f} {plain_accuracy:7.4f} {plain_seconds / pages:6.2f} {len(gold_tasks):5}"
            f" {agreement(gold_tasks, text_tasks):8.3f} {agreement(gold_tasks, scan_tasks):6.3f}",
            flush=True,
        )
    pages = totals["pages"] or 1
    overall = {name: 1 - errors / totals["tokens"] for name, errors in totals["errors"].items()}
    print(f"overall (weighted by words): ingest {overall['ingest']:.4f}, restored {overall['restored']:.4f}, "
          f"plain tesseract {overall['plain']:.4f}; task ids found: text.pdf "
          f"{totals['text_tasks'] / max(totals['tasks'], 1):.3f}, scan {totals['scan_tasks'] / max(totals['tasks'], 1):.3f}")
    print(f"seconds per page over {pages} pages: ingest {totals['ingest_seconds'] / pages:.2f},"
          f" plain {totals['plain_seconds'] / pages:.2f} (jobs={args.jobs})")


if __name__ == "__main__":
    main()
