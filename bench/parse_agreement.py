"""Parser agreement: gold text vs restored OCR of the same document.

For each document under ../shared/eval/dev (or the folder given), parse
gold.txt and the restored ocr-eng.txt and compare the task ids and, for the
ids both sides found, the deadlines. Prints one row per document and the
totals. When the restorer (pipeline.restore.restore_text) is not available or
fails, only the gold-side figures are printed. `--raw` parses the OCR file
as it is, which suits the Vietnamese-model OCR (ocr-vie.txt): it measures the
parser on page-wrapped OCR layout without the restorer in the loop.

    .venv/bin/python bench/parse_agreement.py [DEV_DIR] [--ocr ocr-eng.txt] [--raw]
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from pipeline.model import Line
from pipeline.parse import parse

try:
    from pipeline.restore import restore_text
except ImportError:  # the restorer lands separately; gold-side figures still mean something
    restore_text = None

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev"


def _parse_text(text: str):
    lines = [Line(number=i, text=t, original=t) for i, t in enumerate(text.split("\n"), start=1)]
    return parse(lines)


def _deadlines(result) -> dict[str, str | None]:
    return {task.id: task.deadline for task in result.tasks}


def compare(gold_text: str, ocr_text: str | None, restore: bool) -> dict:
    gold = _parse_text(gold_text)
    row = {
        "gold_tasks": len(gold.tasks),
        "gold_with_unit": sum(bool(t.lead_units or t.support_units) for t in gold.tasks),
        "gold_with_deadline": sum(t.deadline is not None for t in gold.tasks),
        "gold_warnings": len(gold.warnings),
    }
    if ocr_text is None:
        return row
    ocr = _parse_text("\n".join(restore_text(ocr_text).lines) if restore else ocr_text)
    gold_deadlines, ocr_deadlines = _deadlines(gold), _deadlines(ocr)
    common = set(gold_deadlines) & set(ocr_deadlines)
    union = set(gold_deadlines) | set(ocr_deadlines)
    row.update(
        ocr_tasks=len(ocr.tasks),
        same_ids=len(common),
        id_agreement=len(common) / len(union) if union else 1.0,
        deadline_agreement=(
            sum(gold_deadlines[i] == ocr_deadlines[i] for i in common) / len(common) if common else 1.0
        ),
        missing=sorted(set(gold_deadlines) - common),
        extra=sorted(set(ocr_deadlines) - common),
        meta_same=(gold.meta.number, gold.meta.issued_date) == (ocr.meta.number, ocr.meta.issued_date),
    )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dev_dir", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--ocr", default="ocr-eng.txt", help="OCR file name inside each document folder")
    parser.add_argument("--raw", action="store_true", help="parse the OCR text without restoring it")
    args = parser.parse_args()
    docs = sorted(path for path in args.dev_dir.iterdir() if (path / "gold.txt").exists())
    use_ocr = args.raw or restore_text is not None
    if use_ocr and not args.raw:
        try:
            restore_text("Kế hoạch")
        except Exception as error:  # the restorer is developed in parallel; report and fall back
            print(f"restorer failed ({type(error).__name__}: {error}): gold-side figures only")
            use_ocr = False
    elif not use_ocr:
        print("pipeline.restore.restore_text not available: gold-side figures only")
    header = f"{'document':28} {'gold':>5} {'unit':>5} {'dl':>4}"
    if use_ocr:
        header += f" {'ocr':>5} {'same':>5} {'ids':>6} {'dl-agr':>7} {'meta':>5}  missing / extra"
    print(header)
    totals = {"gold": 0, "ocr": 0, "same": 0, "union": 0, "dl_same": 0}
    started = time.time()
    for doc in docs:
        gold_text = (doc / "gold.txt").read_text(encoding="utf-8")
        ocr_path = doc / args.ocr
        ocr_text = ocr_path.read_text(encoding="utf-8") if use_ocr and ocr_path.exists() else None
        row = compare(gold_text, ocr_text, restore=not args.raw)
        line = f"{doc.name:28} {row['gold_tasks']:5} {row['gold_with_unit']:5} {row['gold_with_deadline']:4}"
        totals["gold"] += row["gold_tasks"]
        if "ocr_tasks" in row:
            line += (
                f" {row['ocr_tasks']:5} {row['same_ids']:5} {row['id_agreement']:6.2f} {row['deadline_agreement']:7.2f}"
                f" {'yes' if row['meta_same'] else 'no':>5}  {','.join(row['missing'][:6])} / {','.join(row['extra'][:6])}"
            )
            totals["ocr"] += row["ocr_tasks"]
            totals["same"] += row["same_ids"]
            totals["union"] += row["gold_tasks"] + row["ocr_tasks"] - row["same_ids"]
            totals["dl_same"] += round(row["deadline_agreement"] * row["same_ids"])
        print(line)
    summary = f"total gold tasks {totals['gold']}"
    if totals["union"]:
        summary += (
            f"; ocr tasks {totals['ocr']}; task-id agreement {totals['same'] / totals['union']:.3f}"
            f"; deadline agreement on shared ids {totals['dl_same'] / max(totals['same'], 1):.3f}"
        )
    print(f"{summary}  ({time.time() - started:.1f}s)")


if __name__ == "__main__":
    main()
