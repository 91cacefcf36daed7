"""Restoration speed on one core, side by side with an earlier restorer in the same run.

For each input set of bench/restore.py and the seed, the dev documents are
restored by the restorer of git revision --baseline (a `git archive` of it) and
by this restorer (the working tree), each in a fresh child process running the
same code (bench/restore.py's `restore_in_child`) from a freshly loaded model.
The two alternate, which goes first swapping each round, and over --rounds
rounds the fastest of each is kept, since the machine is shared: the baseline
HEAD reads about 1.00x. It prints words per CPU second, model load time, peak
memory of the child processes and whether both restorers gave the same output
(lines, and the reported words' places and confidences). The baseline defaults
to bench/restore.py's.

    python bench/restore_speed.py [--shared ../shared] [--baseline REV] [--rounds N] [--sets ocr-eng,seed]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from restore import BASELINE, REPO, SETS, checkout, input_text, restore_in_child


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--baseline", default=BASELINE, help="git revision of the restorer to compare with "
                        "(HEAD: the last commit, to check a change keeps the output)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sets", default=",".join((*SETS, "seed")),
                        help="input sets to time, of %(default)s ('all' is then the chosen ones together)")
    args = parser.parse_args()
    chosen = args.sets.split(",")
    unknown = set(chosen) - {*SETS, "seed"}
    if unknown:
        parser.error(f"unknown sets: {', '.join(sorted(unknown))}")
    docs = sorted(p for p in (args.shared / "eval" / "dev").iterdir() if p.is_dir())
    sets = {name: {doc.name: input_text(doc, name) for doc in docs} for name in SETS if name in chosen}
    if "seed" in chosen:
        sets["seed"] = {"kh-267": (args.shared / "seed" / "kh-267-ocr.txt").read_text(encoding="utf-8")}

    print(f"words per CPU second, one core, fastest of {args.rounds} rounds; before = {args.baseline}")
    print(f"{'set':10s} {'words':>7s} {'before':>8s} {'after':>8s} {'ratio':>6s}  output")
    loads = {"before": [], "after": []}
    peaks = {"before": 0.0, "after": 0.0}
    totals = {"before": [0, 0.0], "after": [0, 0.0]}
    with checkout(args.baseline) as baseline_code:
        code = {"before": baseline_code, "after": REPO}
        for name, texts in sets.items():
            best = {}
            for round_number in range(args.rounds):
                for run in ("before", "after") if round_number % 2 == 0 else ("after", "before"):
                    out = restore_in_child(code[run], texts)
                    loads[run].append(out["load"])
                    peaks[run] = max(peaks[run], out["peak_mb"])
                    if run not in best or out["seconds"] < best[run]["seconds"]:
                        best[run] = out
            before, after = best["before"], best["after"]
            differing = [key for key in texts if before[key] != after[key]]
            for run in totals:
                totals[run][0] += best[run]["words"]
                totals[run][1] += best[run]["seconds"]
            rates = [best[run]["words"] / best[run]["seconds"] for run in ("before", "after")]
            print(f"{name:10s} {after['words']:7,d} {rates[0]:8,.0f} {rates[1]:8,.0f} {rates[1] / rates[0]:5.2f}x  "
                  + ("identical" if not differing else f"differs in {len(differing)} of {len(texts)} documents"),
                  flush=True)
    rates = [totals[run][0] / totals[run][1] for run in ("before", "after")]
    print(f"{'all':10s} {totals['after'][0]:7,d} {rates[0]:8,.0f} {rates[1]:8,.0f} {rates[1] / rates[0]:5.2f}x")
    print(f"model load (wall, fastest): before {min(loads['before']):.2f} s, after {min(loads['after']):.2f} s")
    print(f"peak memory (child process, largest set): before {peaks['before']:.0f} MB, after {peaks['after']:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
