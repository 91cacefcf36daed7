"""Benchmark scan reading end to end on the dev documents, against plain Tesseract and OCRmyPDF.

For each document in ../shared/eval/dev/ and each of scan.pdf and scan-hard.pdf
(clean flatbed scans; turned, skewed, sealed, photographed ones): syllable
accuracy (scored by the shared score_restore.py) and seconds per page of
  - this pipeline: ingest (page preparation + OCR), restored and normalized,
  - each page rasterized in grey at 300 dpi and read by plain `tesseract -l vie`,
  - `ocrmypdf --rotate-pages --deskew --clean -l vie` (Debian's; bench only), its sidecar text,
all in one run; and task agreement: the share of gold.txt's task ids found
from the restored scan, and of those, how many have gold's deadline and lead units.

Usage: python bench/ocr.py [--jobs N] [--scans scan.pdf scan-hard.pdf] [--readers pipeline plain ocrmypdf]
                           [DOC_SLUG ...]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
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
from pipeline.searchable_pdf import searchable_pdf  # noqa: E402

DEV = ROOT.parent / "shared" / "eval" / "dev"
READERS = ("pipeline", "plain", "ocrmypdf")
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
    """The baseline: each page rendered in grey at 300 dpi through `tesseract -l vie`, its plain text as is."""
    document = pypdfium2.PdfDocument(str(scan))
    pngs = []
    for number in range(1, len(document) + 1):
        image = document[number - 1].render(scale=ocr.RENDER_DPI / 72, grayscale=True).to_pil()
        image.info["dpi"] = (ocr.RENDER_DPI, ocr.RENDER_DPI)
        pngs.append(ocr.encode_for_tesseract(image))
    environment = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def read(png: bytes) -> str:
        return subprocess.run(["tesseract", "stdin", "stdout", "-l", "vie"], input=png, capture_output=True,
                              env=environment, check=True).stdout.decode("utf-8")

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return "\n".join(pool.map(read, pngs)).split("\n")


def ocrmypdf(scan: Path, jobs: int) -> list[str] | None:
    """The anchor a user would pick: `ocrmypdf --rotate-pages --deskew --clean -l vie`, its sidecar text."""
    if not shutil.which("ocrmypdf"):
        return None
    with tempfile.TemporaryDirectory() as folder:
        sidecar = Path(folder) / "out.txt"
        subprocess.run(["ocrmypdf", "--rotate-pages", "--deskew", "--clean", "-l", "vie", "--jobs", str(jobs),
                        "--sidecar", str(sidecar), "--output-type", "pdf", "--quiet", str(scan),
                        str(Path(folder) / "out.pdf")], check=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"})
        return sidecar.read_text(encoding="utf-8").replace("\f", "\n").split("\n")


def round_trip(doc: Document) -> None:
    """Print how much of the normalized text pdftotext finds in the searchable PDF."""
    with tempfile.TemporaryDirectory() as folder:
        normalized = Path(folder) / "normalized.txt"
        normalized.write_text(doc.text, encoding="utf-8")
        pdf = Path(folder) / "searchable.pdf"
        started = clock()
        pdf.write_bytes(searchable_pdf(doc))
        wall, cpu = since(started)
        found = {}
        for mode in ([], ["-raw"]):
            text = subprocess.run(["pdftotext", *mode, "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                                  text=True, check=True).stdout
            found[" ".join(mode) or "default"] = score(normalized, text.split("\n"))
        print(f"  searchable PDF {pdf.stat().st_size / 1e6:.1f} MB, {cpu / doc.source.pages:.2f} CPU s/page; pdftotext "
              + ", ".join(f"{mode} {value:.4f}" for mode, value in found.items()) + " of the normalized text",
              flush=True)


def clock() -> tuple[float, float]:
    """Wall seconds, and CPU seconds of this process and its children (Tesseract, OCRmyPDF):
    on a machine shared with other jobs, CPU time is the steadier measure of cost."""
    times = os.times()
    return time.perf_counter(), times.user + times.system + times.children_user + times.children_system


def since(start: tuple[float, float]) -> tuple[float, float]:
    now = clock()
    return now[0] - start[0], now[1] - start[1]


def agreement(count: int, out_of: int) -> float:
    return count / out_of if out_of else 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("docs", nargs="*", help="document slugs (default: all)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--scans", nargs="+", default=["scan.pdf", "scan-hard.pdf"], help="which scans to read")
    parser.add_argument("--searchable", action="store_true",
                        help="also make the searchable PDF of each restored scan and score what pdftotext gets from "
                             "it (default mode and -raw) against the normalized text")
    parser.add_argument("--readers", nargs="+", choices=READERS, default=list(READERS),
                        help="which readers to run (OCRmyPDF is slow: it can be run apart on a few documents)")
    args = parser.parse_args()
    docs = [DEV / slug for slug in args.docs] or sorted(path for path in DEV.iterdir() if path.is_dir())
    print(f"tesseract {'.'.join(map(str, tesseract.version()))}, ingest OCR languages {'+'.join(ocr.languages())}")
    with_ocrmypdf = "ocrmypdf" in args.readers and shutil.which("ocrmypdf") is not None
    if "ocrmypdf" in args.readers and not with_ocrmypdf:
        print("OCRmyPDF is MISSING: its column is left out (install it for the bench: apt-get install ocrmypdf)")
    for scan_name in args.scans:
        print(f"\n== {scan_name}: syllable accuracy (CPU s/page); ingest = our OCR before restoration; "
              f"tasks = share of gold task ids found, and of their deadline and lead unit where found")
        print(f"{'document':24} {'pages':>5} {'ingest':>7} {'restored':>14} {'plain tess.':>14} {'ocrmypdf':>14}"
              f" {'ids':>6} {'deadline':>8} {'lead':>6}")
        totals = {"pages": 0, "tokens": 0, "errors": {}, "seconds": {}, "tasks": 0, "found": 0, "deadline": 0,
                  "lead": 0}
        for doc in docs:
            gold = doc / "gold.txt"
            scan = doc / scan_name
            gold_doc = process_file(gold)
            accuracy, seconds = {}, {}
            scanned = None
            if "pipeline" in args.readers:
                started = clock()
                source, scan_lines = ingest(scan, jobs=args.jobs)
                seconds["ingest"] = since(started)
                ocr_text = [line.text for line in scan_lines]  # restore rewrites the lines in place
                scanned = normalize(restore(Document(source=source, lines=scan_lines)))
                seconds["restored"] = since(started)
                accuracy["ingest"] = score(gold, ocr_text)
                accuracy["restored"] = score(gold, [line.text for line in scanned.lines])
                if args.searchable:
                    round_trip(scanned)
                scanned = structure(scanned)
            if "plain" in args.readers:
                started = clock()
                plain = plain_tesseract(scan, args.jobs)
                seconds["plain"] = since(started)
                accuracy["plain"] = score(gold, plain)
            if with_ocrmypdf:
                started = clock()
                text = ocrmypdf(scan, args.jobs)
                seconds["ocrmypdf"] = since(started)
                accuracy["ocrmypdf"] = score(gold, text)
            pages = len(pypdfium2.PdfDocument(str(scan)))
            tokens = len(gold.read_text(encoding="utf-8").split())
            totals["pages"] += pages
            totals["tokens"] += tokens
            for name, value in accuracy.items():
                totals["errors"][name] = totals["errors"].get(name, 0.0) + (1 - value) * tokens
            for name, (wall, cpu) in seconds.items():
                total_wall, total_cpu = totals["seconds"].get(name, (0.0, 0.0))
                totals["seconds"][name] = (total_wall + wall, total_cpu + cpu)
            found = {task.id: task for task in scanned.tasks} if scanned else {}
            shared = [task for task in gold_doc.tasks if task.id in found]
            deadline = sum(task.deadline == found[task.id].deadline for task in shared)
            lead = sum(task.lead_units == found[task.id].lead_units for task in shared)
            totals["tasks"] += len(gold_doc.tasks)
            totals["found"] += len(shared)
            totals["deadline"] += deadline
            totals["lead"] += lead

            def cell(name: str) -> str:
                if name not in accuracy:
                    return f"{'-':>14}"
                return f"{accuracy[name]:.4f} ({seconds[name][1] / pages:4.2f})".rjust(14)

            quality = scanned.source.scan_pages if scanned else []
            print(f"{doc.name:24} {pages:5} {accuracy.get('ingest', 0):7.4f} {cell('restored')} {cell('plain')}"
                  f" {cell('ocrmypdf')} {agreement(len(shared), len(gold_doc.tasks)):6.3f}"
                  f" {agreement(deadline, len(shared)):8.3f} {agreement(lead, len(shared)):6.3f}"
                  f"  flagged pages {sum(page.flagged for page in quality)},"
                  f" turned {[page.page for page in quality if page.rotation]}", flush=True)
        pages = totals["pages"] or 1
        overall = {name: 1 - errors / totals["tokens"] for name, errors in totals["errors"].items()}
        print(f"{scan_name} overall (weighted by words): " + ", ".join(f"{name} {value:.4f}" for name, value in overall.items()))
        seconds = totals["seconds"]
        for kind, index in (("CPU", 1), ("wall", 0)):
            ratio = (f"; against plain: ingest {seconds['ingest'][index] / seconds['plain'][index]:.2f}x, "
                     f"ingest+restore+normalize {seconds['restored'][index] / seconds['plain'][index]:.2f}x"
                     if "plain" in seconds and "ingest" in seconds else "")
            print(f"{scan_name} {kind} seconds per page over {pages} pages (jobs={args.jobs}): "
                  + ", ".join(f"{name} {value[index] / pages:.2f}" for name, value in seconds.items()) + ratio)
        print(f"{scan_name} tasks: ids found {agreement(totals['found'], totals['tasks']):.3f} "
              f"({totals['found']}/{totals['tasks']}), deadline {agreement(totals['deadline'], totals['found']):.3f},"
              f" lead {agreement(totals['lead'], totals['found']):.3f}", flush=True)


if __name__ == "__main__":
    main()
