"""Task structure scores: dev-wild annotations, and KH dev agreement across text sources.

dev-wild (../shared/eval/dev-wild, rules in its README): each document goes
through the real ingest (text.txt for markdown sources, or with --form source
the markdown page source.md itself, with --form docx or html text.txt made a
Word file or web page whose tables have no borders; source.pdf for the
Công báo PDFs),
normalize and parse, without restoration (the texts are
clean). Each annotated task is matched to a parsed task on its id or on its
`starts` words, then five checks are made:
  found       a parsed task matched
  lead        same set of lead units (case and whitespace folded, one name
              containing the other counts, a leading "Đề nghị"/"Giao" dropped,
              abbreviations such as UBND expanded on both sides)
  support     same set of support units, the same way
  deadline    same ISO date (null = null)
  recurrence  same cadence: "annual" (a yearly or half-yearly period),
              "continuous", or none
Only annotated tasks count (they cover the document's `scope`); parsed tasks
outside them are listed as "extra" for information. A task not found fails
all five checks. The score is passed checks / checks, per document, micro
(all checks pooled) and macro (mean of documents). For comparison with
earlier figures, "one-check" also prints the micro score where a task not
found counts as a single failed check. Each document's number, date and
signer's name are compared with the annotation too ("document fields").

KH dev (../shared/eval/dev): gold.txt parsed as it is against ocr-eng.txt
restored, and against text.pdf through ingest. Agreement is the share of
task ids, out of the ids found on either side, present on both sides with
the same deadline and the same lead units. Restored OCR is cached in the
system temp folder, keyed on the OCR text and the restorer's source.

    .venv/bin/python bench/structure.py [--wild-only | --dev-only] [--form text|source|docx|html] [--show DOC] [--verbose]
"""
from __future__ import annotations

import argparse
import hashlib
import html
import json
import tempfile
import time
import unicodedata
from pathlib import Path

import docx
import regex

from pipeline.model import Document, Line
from pipeline.parse.units import expand
from pipeline.process import Options, normalize, read, structure

SHARED = Path(__file__).resolve().parents[2] / "shared" / "eval"
CHECKS = ("found", "lead", "support", "deadline", "recurrence")
NO_RESTORE = Options(restore=False)


def _squash(text: str) -> str:
    return regex.sub(r"\s+", " ", unicodedata.normalize("NFC", text or "")).strip()


def _unit_key(unit: str) -> str:
    """Case and whitespace folded, a leading "Đề nghị"/"Giao" dropped, abbreviations expanded with the
    product's gazetteer ("UBND tỉnh" and "Ủy ban nhân dân tỉnh" are the same unit)."""
    unit = _squash(expand(unit)).casefold().strip(" ,;.:")
    return regex.sub(r"^(?:đề nghị|giao)\s+", "", unit)


def _same_units(gold: list[str], found: list[str]) -> bool:
    gold_keys = [_unit_key(u) for u in gold if _unit_key(u)]
    found_keys = [_unit_key(u) for u in found if _unit_key(u)]

    def near(a: str, b: str) -> bool:
        return a in b or b in a

    return all(any(near(g, f) for f in found_keys) for g in gold_keys) and all(
        any(near(f, g) for g in gold_keys) for f in found_keys
    )


def _cadence(recurrence: str | None, period: str | None) -> str | None:
    if recurrence == "continuous":
        return "continuous"
    if recurrence == "annual" or (recurrence == "periodic" and period in ("year", "half-year")):
        return "annual"
    return recurrence and f"{recurrence}:{period}"


def _parse_path(path: Path) -> Document:
    doc = read(path, NO_RESTORE)
    return structure(normalize(doc, NO_RESTORE), NO_RESTORE)


def _parse_text(text: str) -> Document:
    lines = [Line(number=i, text=t, original=t) for i, t in enumerate(text.split("\n"), start=1)]
    from pipeline.model import Source

    doc = Document(source=Source(path="-", sha256="", kind="text"), lines=lines)
    return structure(normalize(doc, NO_RESTORE), NO_RESTORE)


def _match(gold_tasks: list[dict], parsed) -> dict[str, object]:
    """Annotated id -> parsed task: same id and opening words first, then opening words, then id."""
    texts = {id(task): _squash(task.text) for task in parsed}
    by_id = {task.id: task for task in parsed}
    used: set[int] = set()
    matched: dict[str, object] = {}

    def opens(task, starts: str) -> bool:
        text = texts[id(task)]
        return text.startswith(starts) or starts in text[: len(starts) + 40]

    for rule in ("both", "starts", "id"):
        for gold in gold_tasks:
            if gold["id"] in matched:
                continue
            starts = _squash(gold["starts"])
            candidates = []
            if rule in ("both", "id") and gold["id"] in by_id:
                candidates = [by_id[gold["id"]]]
                if rule == "both":
                    candidates = [t for t in candidates if opens(t, starts)]
            elif rule == "starts":
                candidates = [t for t in parsed if opens(t, starts)]
            candidates = [t for t in candidates if id(t) not in used]
            if candidates:
                matched[gold["id"]] = candidates[0]
                used.add(id(candidates[0]))
    return matched


def _wild_source(doc_dir: Path, form: str) -> Path:
    """The file read for a dev-wild document: its typed text, its markdown page or its typed text made a
    Word file or a web page, else its PDF."""
    for name in (("source.md", "text.txt") if form == "source" else ("text.txt",)):
        if (doc_dir / name).exists():
            return _typed_as(doc_dir / name, doc_dir.name, form) if form in ("docx", "html") else doc_dir / name
    return doc_dir / "source.pdf"


def _typed_as(text_path: Path, name: str, form: str) -> Path:
    """The typed text as a .docx or .html file in the temp folder: a paragraph per line, each run of TAB
    rows a table without borders (header, closing and task tables alike: the hard case for a reader)."""
    lines = text_path.read_text(encoding="utf-8").split("\n")
    blocks: list[tuple[bool, list[str]]] = []  # (is a table, its lines)
    for line in lines:
        is_row = "\t" in line
        if blocks and blocks[-1][0] == is_row:
            blocks[-1][1].append(line)
        else:
            blocks.append((is_row, [line]))
    out = Path(tempfile.gettempdir()) / "structure-bench" / f"{name}.{form}"
    out.parent.mkdir(exist_ok=True)
    if form == "docx":
        document = docx.Document()
        for is_table, block in blocks:
            if not is_table:
                for line in block:
                    document.add_paragraph(line)
                continue
            rows = [line.split("\t") for line in block]
            table = document.add_table(rows=len(rows), cols=max(len(row) for row in rows))
            for row_cells, row in zip(table.rows, rows):
                for cell, text in zip(row_cells.cells, row):
                    cell.text = text
        document.save(str(out))
    else:
        body = []
        for is_table, block in blocks:
            if is_table:
                rows = "".join("<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in line.split("\t")) + "</tr>"
                               for line in block)
                body.append(f"<table>{rows}</table>")
            else:
                body.extend(f"<p>{html.escape(line)}</p>" for line in block)
        out.write_text(f'<html><head><meta charset="utf-8"></head><body>{"".join(body)}</body></html>',
                       encoding="utf-8")
    return out


def score_wild(doc_dir: Path, verbose: bool, form: str = "text") -> dict:
    annotation = json.loads((doc_dir / "tasks.json").read_text(encoding="utf-8"))
    source = _wild_source(doc_dir, form)
    doc = _parse_path(source)
    matched = _match(annotation["tasks"], doc.tasks)
    passed = dict.fromkeys(CHECKS, 0)
    failures = []
    for gold in annotation["tasks"]:
        task = matched.get(gold["id"])
        if task is None:
            failures.append(f"  {gold['id']:12} NOT FOUND  {gold['starts'][:60]}")
            continue
        results = {
            "found": True,
            "lead": _same_units(gold["lead"], task.lead_units),
            "support": _same_units(gold["support"], task.support_units),
            "deadline": gold["deadline"] == task.deadline,
            "recurrence": gold["recurrence"] == _cadence(task.recurrence, task.period),
        }
        for check, ok in results.items():
            passed[check] += ok
        if not all(results.values()):
            wrong = [c for c, ok in results.items() if not ok]
            detail = []
            if "lead" in wrong:
                detail.append(f"lead {gold['lead']} got {task.lead_units}")
            if "support" in wrong:
                detail.append(f"support {gold['support']} got {task.support_units}")
            if "deadline" in wrong:
                detail.append(f"deadline {gold['deadline']} got {task.deadline}")
            if "recurrence" in wrong:
                detail.append(f"recurrence {gold['recurrence']} got {task.recurrence}/{task.period}")
            failures.append(f"  {gold['id']:12} as {task.id:12} " + "; ".join(detail))
    total = len(annotation["tasks"])
    extra = [t.id for t in doc.tasks if t not in matched.values()]
    warnings = [getattr(w, "code", w) for w in doc.warnings]
    if verbose:
        print("\n".join(failures))
        if extra:
            print(f"  extra: {' '.join(extra[:40])}")
    fields = _document_fields(annotation["document"], doc.meta)
    if verbose and not all(fields.values()):
        print(f"  document: wrong {', '.join(name for name, ok in fields.items() if not ok)}")
    return {"tasks": total, "parsed": len(doc.tasks), "passed": passed, "checks": total * len(CHECKS),
            "extra": len(extra), "no_tasks": "no_tasks" in warnings, "fields": fields}


def _document_fields(gold: dict, meta) -> dict[str, bool]:
    """The document's number, date and signer's name as annotated. Types, titles and issuers are
    annotated as prose ("Quyết định (ban hành Kế hoạch)", "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH"): not compared."""
    return {"number": gold["number"] == meta.number, "date": gold["issued_date"] == meta.issued_date,
            "signer": _squash(gold["signer"] or "") == _squash(meta.signer.name or "")}


def run_wild(only: str | None, verbose: bool, form: str = "text") -> None:
    root = SHARED / "dev-wild"
    docs = sorted(p for p in root.iterdir() if (p / "tasks.json").exists() and (only is None or p.name == only))
    label = {"text": "dev-wild document", "source": "dev-wild, source.md"}.get(form, f"dev-wild, typed as .{form}")
    print(f"{label:26} {'gold':>4} {'parsed':>6} {'extra':>5} " + " ".join(f"{c:>10}" for c in CHECKS)
          + f" {'score':>6}")
    total_passed = total_checks = one_check_total = 0
    scores = []
    fields: dict[str, int] = {}
    started = time.time()
    for doc_dir in docs:
        row = score_wild(doc_dir, verbose, form)
        score = sum(row["passed"].values()) / row["checks"]
        scores.append(score)
        total_passed += sum(row["passed"].values())
        total_checks += row["checks"]
        one_check_total += row["checks"] - (row["tasks"] - row["passed"]["found"]) * (len(CHECKS) - 1)
        for name, ok in row["fields"].items():
            fields[name] = fields.get(name, 0) + ok
        cells = " ".join(f"{row['passed'][c]:>4}/{row['tasks']:<5}" for c in CHECKS)
        flag = "  (no_tasks warning)" if row["no_tasks"] else ""
        print(f"{doc_dir.name:26} {row['tasks']:4} {row['parsed']:6} {row['extra']:5} {cells} {score:6.3f}{flag}")
    if scores:
        print(f"micro {total_passed / total_checks:.3f} ({total_passed}/{total_checks} checks); "
              f"macro {sum(scores) / len(scores):.3f}; documents below 0.80: {sum(s < 0.8 for s in scores)}; "
              f"documents with no task found: {sum(s == 0 for s in scores)}; "
              f"one-check micro {total_passed / one_check_total:.3f}  ({time.time() - started:.1f}s)")
        print("document fields right: " + ", ".join(f"{name} {count}/{len(scores)}" for name, count in fields.items()))


def _restored(ocr_text: str) -> str:
    from pipeline import restore as restore_package

    source_hash = hashlib.sha256()
    for path in sorted(Path(restore_package.__file__).parent.rglob("*.py")):
        source_hash.update(path.read_bytes())
    key = hashlib.sha256(ocr_text.encode() + source_hash.digest()).hexdigest()[:24]
    cache = Path(tempfile.gettempdir()) / "vn-pipeline-bench-restored" / f"{key}.txt"
    if cache.exists():
        return cache.read_text(encoding="utf-8")
    text = "\n".join(restore_package.restore_text(ocr_text).lines)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(text, encoding="utf-8")
    return text


def _agreement(gold: Document, other: Document) -> tuple[int, int, list[str]]:
    gold_tasks = {t.id: t for t in gold.tasks}
    other_tasks = {t.id: t for t in other.tasks}
    union = set(gold_tasks) | set(other_tasks)
    agreeing, differing = 0, []
    for task_id in sorted(union):
        a, b = gold_tasks.get(task_id), other_tasks.get(task_id)
        if a and b and a.deadline == b.deadline and a.lead_units == b.lead_units:
            agreeing += 1
        else:
            differing.append(task_id if a and b else f"{task_id}{'-' if a else '+'}")
    return agreeing, len(union), differing


def run_dev(verbose: bool) -> None:
    root = SHARED / "dev"
    docs = sorted(p for p in root.iterdir() if (p / "gold.txt").exists())
    print(f"{'KH dev document':26} {'gold':>4} {'ocr':>4} {'agree':>6} {'pdf':>4} {'agree':>6}")
    totals = {"ocr": [0, 0], "pdf": [0, 0]}
    started = time.time()
    for doc_dir in docs:
        gold = _parse_text((doc_dir / "gold.txt").read_text(encoding="utf-8"))
        ocr = _parse_text(_restored((doc_dir / "ocr-eng.txt").read_text(encoding="utf-8")))
        pdf = _parse_path(doc_dir / "text.pdf")
        cells = []
        for name, other in (("ocr", ocr), ("pdf", pdf)):
            agreeing, union, differing = _agreement(gold, other)
            totals[name][0] += agreeing
            totals[name][1] += union
            cells.append(f"{len(other.tasks):4} {agreeing / union if union else 1:6.3f}")
            if verbose and differing:
                print(f"  {name} differs: {' '.join(differing[:30])}")
        print(f"{doc_dir.name:26} {len(gold.tasks):4} {' '.join(cells)}")
    for name, (agreeing, union) in totals.items():
        print(f"gold vs {'restored ocr-eng' if name == 'ocr' else 'text.pdf'}: {agreeing / union:.3f} ({agreeing}/{union})")
    print(f"({time.time() - started:.1f}s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wild-only", action="store_true")
    parser.add_argument("--dev-only", action="store_true")
    parser.add_argument("--show", metavar="DOC", help="one dev-wild document, with its failed checks")
    parser.add_argument("--verbose", action="store_true", help="list failed checks and differing ids")
    parser.add_argument("--form", choices=("text", "source", "docx", "html"), default="text",
                        help="dev-wild markdown documents as typed text.txt (default), as the page source.md, "
                             "or their text.txt made a Word file or a web page with borderless tables")
    args = parser.parse_args()
    if not SHARED.exists():
        raise SystemExit(f"{SHARED} not found: the evaluation data is not beside this worktree")
    if not args.dev_only:
        run_wild(args.show, args.verbose or bool(args.show), args.form)
    if not args.wild_only and not args.show:
        print()
        run_dev(args.verbose)


if __name__ == "__main__":
    main()
