"""Formats bench: the same dev document as .docx, .doc, .odt, .rtf and web page.

For each document under ../shared/eval/dev, its gold.txt is laid out as a
clerk's Word file (scripts/office_documents.py: header and signature tables,
Word list numbering, Phụ lục task table) in a temporary folder, once in
Unicode (list numbering on the paragraphs, and again through paragraph
styles) and once with legacy-font runs (TCVN3 .VnTime/.VnTimeH halves and
whole VNI-Times paragraphs); the legacy one is converted by LibreOffice to
.doc, .odt and .rtf, and the text is also wrapped in a portal-like web page
(UTF-8 and Windows-1258) and exported as XHTML by LibreOffice. Nothing built
is kept.

Each file is read by pipeline.ingest and parsed; the figures are
- text: syllable accuracy of the extracted text against gold.txt
  (../shared/eval/score_restore.py);
- agreement: share of the tasks (union of ids from gold.txt parsed directly
  and from the file) found on both sides with the same deadline and the same
  lead units; ids, deadlines and leads also separately.

    .venv/bin/python bench/formats.py [--shared ../shared] [--docs kh-310-hanoi-2025 ...]
"""
from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

import office_documents  # noqa: E402

from pipeline.ingest import ingest  # noqa: E402
from pipeline.model import Line  # noqa: E402
from pipeline.parse import parse  # noqa: E402

FORMATS = ("docx", "docx-styles", "docx-legacy", "doc-legacy", "odt-legacy", "rtf-legacy", "html", "html-cp1258", "html-writer")


def load_scorer(shared: Path):
    spec = importlib.util.spec_from_file_location("score_restore", shared / "eval" / "score_restore.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.score


def build(gold: str, folder: Path) -> dict[str, Path]:
    files = {}
    files["docx"] = folder / "plain.docx"
    office_documents.build_docx(gold, files["docx"])
    files["docx-styles"] = folder / "styles.docx"
    office_documents.build_docx(gold, files["docx-styles"], list_styles=True)
    files["docx-legacy"] = folder / "legacy.docx"
    office_documents.build_docx(gold, files["docx-legacy"], legacy_fonts=True)
    for extension in ("doc", "odt", "rtf"):
        files[f"{extension}-legacy"] = office_documents.convert(files["docx-legacy"], extension, folder)
    files["html"] = folder / "page.html"
    files["html"].write_bytes(office_documents.build_html(gold))
    files["html-cp1258"] = folder / "page-1258.htm"
    files["html-cp1258"].write_bytes(office_documents.build_html(gold, charset="windows-1258"))
    # A page from another producer: LibreOffice's XHTML export of the Word file
    # (list labels in floated spans, table borders in the style sheet).
    files["html-writer"] = office_documents.convert(files["docx"], "html", folder)
    return files


def tasks_of(lines: list[Line]) -> dict[str, tuple[str | None, tuple[str, ...]]]:
    result = parse(lines)
    return {task.id: (task.deadline, tuple(task.lead_units)) for task in result.tasks}


def agreement(gold: dict, found: dict) -> dict[str, float]:
    union = set(gold) | set(found)
    common = set(gold) & set(found)
    if not union:
        return {"ids": 1.0, "deadline": 1.0, "lead": 1.0, "all": 1.0}
    return {
        "ids": len(common) / len(union),
        "deadline": sum(gold[i][0] == found[i][0] for i in common) / max(len(common), 1),
        "lead": sum(gold[i][1] == found[i][1] for i in common) / max(len(common), 1),
        "all": sum(gold[i] == found[i] for i in common) / len(union),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--docs", nargs="*")
    args = parser.parse_args()
    score = load_scorer(args.shared)
    dev = args.shared / "eval" / "dev"
    docs = args.docs or sorted(p.name for p in dev.iterdir() if (p / "gold.txt").exists())
    totals = {name: {"tokens": 0, "errors": 0.0, "all": 0.0, "tasks": 0, "seconds": 0.0} for name in FORMATS}
    print(f"{'document':24} {'format':12} {'tasks':>5} {'ids':>6} {'deadl':>6} {'lead':>6} {'agree':>6} {'text':>7} {'s':>5}")
    for name in docs:
        gold = (dev / name / "gold.txt").read_text(encoding="utf-8")
        gold_lines = [Line(number=i, text=t, original=t) for i, t in enumerate(gold.split("\n"), start=1)]
        gold_tasks = tasks_of(gold_lines)
        with tempfile.TemporaryDirectory(prefix="bench-formats-") as folder:
            files = build(gold, Path(folder))
            for format_name in FORMATS:
                started = time.perf_counter()
                _, lines = ingest(files[format_name])
                seconds = time.perf_counter() - started
                text = "\n".join(line.text for line in lines)
                figures = score(gold, text)
                found = agreement(gold_tasks, tasks_of(lines))
                union = len(set(gold_tasks) | set(tasks_of(lines))) or 1
                total = totals[format_name]
                total["tokens"] += figures["tokens"]
                total["errors"] += (1 - figures["syllable_accuracy"]) * figures["tokens"]
                total["all"] += found["all"] * union
                total["tasks"] += union
                total["seconds"] += seconds
                print(f"{name:24} {format_name:12} {len(gold_tasks):5} {found['ids']:6.3f} {found['deadline']:6.3f}"
                      f" {found['lead']:6.3f} {found['all']:6.3f} {figures['syllable_accuracy']:7.4f} {seconds:5.1f}",
                      flush=True)
    print("\ntotals (weighted by tasks and by tokens)")
    for format_name, total in totals.items():
        agreement_all = total["all"] / max(total["tasks"], 1)
        accuracy = 1 - total["errors"] / max(total["tokens"], 1)
        print(f"{format_name:12} agreement {agreement_all:.4f}  text accuracy {accuracy:.4f}"
              f"  ingest {total['seconds']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
