"""Restoration benchmark on the dev documents, side by side with the previous restorer and pyvi.

For each input set (legacy English-model OCR, Tesseract vie OCR, gold text
stripped of marks, gold text as is), each dev document and the seed it prints
the syllable accuracy (../shared/eval/score_restore.py) of: the input as is,
the previous restorer (code and models of git revision --baseline, run in a
child process from a `git archive` of that revision), this restorer, and
pyvi's `ViUtils.add_accents` on the input stripped of marks. Then per set the
calibration of the confidences (share of words wrong below and at or above
0.8), the seed's errors by kind before and after, speed on one core, model
load time and peak memory.

    python bench/restore.py [--shared ../shared] [--sets ocr-eng,ocr-vie,stripped,gold] [--seed]
                            [--no-pyvi] [--baseline REV | --no-baseline]
"""
from __future__ import annotations

import argparse
import contextlib
import difflib
import importlib.util
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import regex

from pipeline.restore import LOW_CONFIDENCE, Restorer
from pipeline.vietnamese import strip_marks

SETS = ("ocr-eng", "ocr-vie", "stripped", "gold")
REPO = Path(__file__).resolve().parents[1]
BASELINE = "d8ee59f"  # the restorer before issue 13 (trigram LM, no document memory)
WORD = regex.compile(r"\w+")
# Unit and place names in the gold text: a unit head or place kind followed by capitalised words.
_UNITS = json.loads((REPO / "pipeline" / "parse" / "data" / "units.json").read_text(encoding="utf-8"))
_HEADS = sorted(set(_UNITS["heads"]) | {"tỉnh", "thành phố", "huyện", "thị xã", "xã", "phường", "Tỉnh ủy", "Huyện ủy"},
                key=len, reverse=True)
_NAME = regex.compile(r"(?:%s)(?:\s+(?:và\s+)?\p{Lu}[\p{L}\p{M}]*)+" % "|".join(regex.escape(h) for h in _HEADS))
KINDS = ("names the document repeats", "words a trigram cannot decide", "lost/gained letters, split words",
         "unit and place names")


def load_scorer(shared: Path):
    spec = importlib.util.spec_from_file_location("score_restore", shared / "eval" / "score_restore.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.score


def input_text(doc: Path, name: str) -> str:
    if name == "stripped":
        return strip_marks((doc / "gold.txt").read_text(encoding="utf-8"))
    if name == "gold":
        return (doc / "gold.txt").read_text(encoding="utf-8")
    return (doc / f"{name}.txt").read_text(encoding="utf-8")


def pyvi_restore(text: str) -> str:
    from pyvi import ViUtils

    def accents(piece: str) -> str:
        try:
            return ViUtils.add_accents(piece)
        except KeyError:  # pyvi fails on some capital sequences ("DDJ"); give it word by word, then leave it
            if " " not in piece:
                return piece
            return " ".join(accents(word) for word in piece.split(" "))

    return "\n".join(accents(strip_marks(line)) if line.strip() else line for line in text.split("\n"))


_RESTORE_CHILD = """
import json, sys, time
from pipeline.restore import Restorer
began = time.perf_counter()
restorer = Restorer()
out = {"load": time.perf_counter() - began, "seconds": 0.0, "words": 0}
for key, text in json.load(sys.stdin).items():
    started = time.process_time()
    result = restorer.restore_text(text)
    out["seconds"] += time.process_time() - started
    out["words"] += result.tokens
    out[key] = {"lines": result.lines, "items": [[i.line, i.start, i.confidence] for i in result.items]}
# VmHWM, not ru_maxrss: Linux carries the parent's peak over into a child across exec.
with open("/proc/self/status", encoding="ascii") as status:
    out["peak_mb"] = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
json.dump(out, sys.stdout)
"""


@contextlib.contextmanager
def checkout(revision: str) -> Iterator[Path]:
    """A temporary folder holding the pipeline package (code and models) of a git revision."""
    with tempfile.TemporaryDirectory() as folder:
        archive = subprocess.run(["git", "-C", str(REPO), "archive", revision, "pipeline"], check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
        yield Path(folder)


def restore_in_child(code: Path, texts: dict[str, str]) -> dict[str, dict]:
    """Restore the texts in a fresh child process with the pipeline package found in folder `code`
    (REPO: this restorer), from a freshly loaded model."""
    child = subprocess.run([sys.executable, "-c", _RESTORE_CHILD], input=json.dumps(texts), text=True,
                           capture_output=True, cwd=code, check=True)
    return json.loads(child.stdout)


def baseline_restore(revision: str, texts: dict[str, str]) -> dict[str, dict]:
    """Restore the texts with the code and models of an earlier revision, in a child process."""
    with checkout(revision) as folder:
        return restore_in_child(folder, texts)


def word_confidences(lines: list[str], items: list[tuple[int, int, float]]) -> list[float]:
    """The confidence of every word of the restored text, in order: reported items carry theirs,
    the others were kept or changed at or above the reporting threshold."""
    reported = {(line, start): confidence for line, start, confidence in items}
    return [reported.get((number, match.start()), 1.0)
            for number, line in enumerate(lines, start=1) for match in WORD.finditer(line)]


def calibration(gold: str, lines: list[str], items: list[tuple[int, int, float]]) -> tuple[int, int, int, int]:
    """(words below 0.8, of them wrong, words at or above, of them wrong), words aligned over the document."""
    gold_words = WORD.findall(gold)
    words = [m[0] for line in lines for m in WORD.finditer(line)]
    confidences = word_confidences(lines, items)
    right = [False] * len(words)
    matcher = difflib.SequenceMatcher(a=gold_words, b=words, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            right[block.b + k] = True
    low = [c < LOW_CONFIDENCE for c in confidences]
    return (sum(low), sum(l and not r for l, r in zip(low, right)),
            len(low) - sum(low), sum(not l and not r for l, r in zip(low, right)))


def error_kinds(gold: str, ocr: str, restored: str) -> dict[str, int]:
    """The seed's remaining errors by kind. Its OCR and gold lines correspond one to one."""
    counts = dict.fromkeys(KINDS, 0)
    gold_lines, ocr_lines, restored_lines = gold.split("\n"), ocr.split("\n"), restored.split("\n")
    capitalised = {}
    for line in gold_lines:
        for match in list(WORD.finditer(line))[1:]:
            if match[0][0].isupper() and not match[0].isupper():
                capitalised[match[0]] = capitalised.get(match[0], 0) + 1
    for gold_line, ocr_line, restored_line in zip(gold_lines, ocr_lines, restored_lines):
        gold_matches = list(WORD.finditer(gold_line))
        gold_words = [m[0] for m in gold_matches]
        in_name = [any(n.start() <= m.start() < n.end() for n in _NAME.finditer(gold_line)) for m in gold_matches]
        ocr_skeletons = [strip_marks(w).lower() for w in WORD.findall(ocr_line)]
        # Which gold words the OCR read with the right letters (only marks lost).
        letters_right = [False] * len(gold_words)
        skeletons = [strip_marks(w).lower() for w in gold_words]
        for block in difflib.SequenceMatcher(a=skeletons, b=ocr_skeletons, autojunk=False).get_matching_blocks():
            for k in range(block.size):
                letters_right[block.a + k] = True
        matcher = difflib.SequenceMatcher(a=gold_words, b=WORD.findall(restored_line), autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            for i in range(i1, i2) if i2 > i1 else [min(i1, len(gold_words) - 1)]:
                if i < 0:
                    continue
                word = gold_words[i]
                if in_name[i]:
                    kind = KINDS[3]
                elif i > 0 and word[0].isupper() and capitalised.get(word, 0) >= 2:
                    kind = KINDS[0]
                elif not letters_right[i]:
                    kind = KINDS[2]
                else:
                    kind = KINDS[1]
                counts[kind] += 1
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--no-pyvi", action="store_true")
    parser.add_argument("--seed", action="store_true", help="also the seed sample kh-267")
    parser.add_argument("--baseline", default=BASELINE, help="git revision of the restorer to compare with")
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    score = load_scorer(args.shared)
    docs = sorted(p for p in (args.shared / "eval" / "dev").iterdir() if p.is_dir())

    cases = [(name, doc.name, input_text(doc, name), (doc / "gold.txt").read_text(encoding="utf-8"))
             for name in args.sets.split(",") for doc in docs]
    if args.seed:
        seed = args.shared / "seed"
        cases.append(("seed", "kh-267", (seed / "kh-267-ocr.txt").read_text(encoding="utf-8"),
                      (seed / "kh-267-gold.txt").read_text(encoding="utf-8")))
    old = {} if args.no_baseline else baseline_restore(args.baseline, {f"{n}/{l}": t for n, l, t, _ in cases})

    began = time.perf_counter()
    restorer = Restorer()
    load_seconds = time.perf_counter() - began
    restore_seconds = 0.0
    restored_words = 0

    columns = ["input"] + ([] if args.no_baseline else ["before"]) + ["restored"] + ([] if args.no_pyvi else ["pyvi"])
    header = f"{'set':10s} {'document':26s} {'tokens':>6s} " + " ".join(f"{c:>8s}" for c in columns) + "  profile"
    print(header)
    print("-" * len(header))
    totals: dict[str, list[float]] = {}
    calibrated: dict[tuple[str, str], list[int]] = {}
    below_input: list[str] = []
    seed_kinds: dict[str, dict[str, int]] = {}
    for name, label, text, gold in cases:
        started = time.process_time()
        result = restorer.restore_text(text)
        restore_seconds += time.process_time() - started
        restored_words += result.tokens
        hypotheses = [text]
        runs = {}
        if old:
            before = old[f"{name}/{label}"]
            hypotheses.append("\n".join(before["lines"]))
            runs["before"] = (before["lines"], before["items"])
        hypotheses.append("\n".join(result.lines))
        runs["restored"] = (result.lines, [(i.line, i.start, i.confidence) for i in result.items])
        if not args.no_pyvi:
            hypotheses.append(pyvi_restore(text))
        accuracies = [score(gold, h)["syllable_accuracy"] for h in hypotheses]
        tokens = score(gold, text)["tokens"]
        row = totals.setdefault(name, [0.0] * (len(accuracies) + 1))
        row[0] += tokens
        for i, accuracy in enumerate(accuracies):
            row[i + 1] += (1 - accuracy) * tokens
        restored_accuracy = accuracies[columns.index("restored")]
        if name == "ocr-vie" and restored_accuracy < accuracies[0]:
            below_input.append(label)
        for run, (lines, items) in runs.items():
            figures = calibration(gold, lines, items)
            kept = calibrated.setdefault((name, run), [0, 0, 0, 0])
            for i, figure in enumerate(figures):
                kept[i] += figure
            if name == "seed":
                seed_kinds[run] = error_kinds(gold, text, "\n".join(lines))
        shown = " ".join(f"{a:8.4f}" for a in accuracies)
        print(f"{name:10s} {label:26s} {tokens:6d} {shown}  {result.profile}", flush=True)
    print("-" * len(header))
    for name, (tokens, *errors) in totals.items():
        shown = " ".join(f"{1 - e / tokens:8.4f}" for e in errors)
        restored_errors = errors[columns.index("restored")]
        print(f"{name:10s} {'OVERALL':26s} {int(tokens):6d} {shown}  ({restored_errors:.0f} errors restored)")
    if "ocr-vie" in totals:
        print(f"ocr-vie documents restored below their input: {', '.join(below_input) or 'none'}")

    print(f"\ncalibration: words below {LOW_CONFIDENCE} (share wrong) | at or above (share wrong)")
    for (name, run), (low, low_wrong, high, high_wrong) in calibrated.items():
        print(f"  {name:10s} {run:9s} {low:6d} ({low_wrong / max(low, 1):.3f}) | {high:6d} ({high_wrong / max(high, 1):.4f})")
    if seed_kinds:
        print("\nseed errors by kind: " + " | ".join(seed_kinds))
        for kind in KINDS:
            print(f"  {kind:34s} " + " | ".join(f"{counts[kind]:6d}" for counts in seed_kinds.values()))
        print(f"  {'all':34s} " + " | ".join(f"{sum(counts.values()):6d}" for counts in seed_kinds.values()))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if old:
        print(f"\nbefore:   model load {old['load']:.2f} s; restore {old['words'] / old['seconds']:,.0f} words per CPU second, "
              f"one core ({old['words']:,} words in {old['seconds']:.1f} s); peak memory {old['peak_mb']:.0f} MB")
    print(f"restored: model load {load_seconds:.2f} s; restore {restored_words / restore_seconds:,.0f} words per CPU second, "
          f"one core ({restored_words:,} words in {restore_seconds:.1f} s); peak memory {peak_mb:.0f} MB (process, with pyvi)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
