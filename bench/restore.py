"""Restoration benchmark on the dev documents, side by side with the peer pyvi.

For each input set (legacy English-model OCR, Tesseract vie OCR, gold text
stripped of marks, gold text as is) and each dev document it prints the
syllable accuracy (../shared/eval/score_restore.py) of: the input as is,
this restorer, and pyvi's `ViUtils.add_accents` on the input stripped of
marks. Then speed on one core and peak memory.

    python bench/restore.py [--shared ../shared] [--sets ocr-eng,ocr-vie,stripped,gold] [--no-pyvi]
"""
from __future__ import annotations

import argparse
import importlib.util
import resource
import sys
import time
from pathlib import Path

from pipeline.restore import Restorer
from pipeline.vietnamese import strip_marks

SETS = ("ocr-eng", "ocr-vie", "stripped", "gold")


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--no-pyvi", action="store_true")
    parser.add_argument("--seed", action="store_true", help="also the seed sample kh-267")
    parser.add_argument("--profile", default="auto", help="force a restoration profile instead of detecting it")
    args = parser.parse_args()
    score = load_scorer(args.shared)
    docs = sorted(p for p in (args.shared / "eval" / "dev").iterdir() if p.is_dir())

    began = time.perf_counter()
    restorer = Restorer()
    load_seconds = time.perf_counter() - began
    restore_seconds = 0.0
    restored_syllables = 0

    header = f"{'set':10s} {'document':26s} {'tokens':>6s} {'input':>7s} {'restored':>8s} {'pyvi':>7s}  profile"
    print(header)
    print("-" * len(header))
    cases = [(name, doc.name, lambda d=doc, n=name: input_text(d, n), doc / "gold.txt")
             for name in args.sets.split(",") for doc in docs]
    if args.seed:
        seed = args.shared / "seed"
        cases.append(("seed", "kh-267", lambda: (seed / "kh-267-ocr.txt").read_text(encoding="utf-8"), seed / "kh-267-gold.txt"))
    totals: dict[str, list[float]] = {}
    for name, label, read, gold_path in cases:
        gold = gold_path.read_text(encoding="utf-8")
        text = read()
        started = time.process_time()
        result = restorer.restore_text(text, args.profile)
        restore_seconds += time.process_time() - started
        restored_syllables += result.tokens
        hypothesis = "\n".join(result.lines)
        figures = [score(gold, text), score(gold, hypothesis)]
        if not args.no_pyvi:
            figures.append(score(gold, pyvi_restore(text)))
        tokens = figures[0]["tokens"]
        accuracies = [f["syllable_accuracy"] for f in figures]
        row = totals.setdefault(name, [0.0] * (len(accuracies) + 1))
        row[0] += tokens
        for i, accuracy in enumerate(accuracies):
            row[i + 1] += (1 - accuracy) * tokens
        shown = " ".join(f"{a:7.4f}" for a in accuracies)
        print(f"{name:10s} {label:26s} {tokens:6d} {shown}  {result.profile}")
    print("-" * len(header))
    for name, (tokens, *errors) in totals.items():
        shown = " ".join(f"{1 - e / tokens:7.4f}" for e in errors)
        print(f"{name:10s} {'OVERALL':26s} {int(tokens):6d} {shown}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nmodel load {load_seconds:.2f} s; restore {restored_syllables / restore_seconds:,.0f} words per CPU second, one core "
          f"({restored_syllables:,} words in {restore_seconds:.1f} s); peak memory {peak_mb:.0f} MB (process, including pyvi)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
