"""Restoration speed on one core, side by side with an earlier restorer in the same run.

For each input set of bench/restore.py and the seed, the dev documents are
restored by the restorer of git revision --baseline (bench/restore.py's
`baseline_restore`: a child process on a `git archive` of it) and by this
restorer, each starting from a freshly loaded model, one after the other.
Over --rounds rounds the fastest of each is kept, since the machine is shared.
It prints words per CPU second, model load time, peak memory and whether both
restorers gave the same output (lines, and the reported words' places and
confidences). The baseline defaults to bench/restore.py's.

    python bench/restore_speed.py [--shared ../shared] [--baseline REV] [--rounds N]
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

from restore import BASELINE, REPO, SETS, baseline_restore, input_text

from pipeline.restore import Restorer


def restore_here(texts: dict[str, str]) -> dict:
    """The figures and output `baseline_restore` gives, for this restorer, in this process."""
    began = time.perf_counter()
    restorer = Restorer()
    out = {"load": time.perf_counter() - began, "seconds": 0.0, "words": 0}
    for key, text in texts.items():
        started = time.process_time()
        result = restorer.restore_text(text)
        out["seconds"] += time.process_time() - started
        out["words"] += result.tokens
        out[key] = {"lines": result.lines, "items": [[i.line, i.start, i.confidence] for i in result.items]}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--baseline", default=BASELINE, help="git revision of the restorer to compare with "
                        "(HEAD: the last commit, to check a change keeps the output)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    docs = sorted(p for p in (args.shared / "eval" / "dev").iterdir() if p.is_dir())
    sets = {name: {doc.name: input_text(doc, name) for doc in docs} for name in SETS}
    sets["seed"] = {"kh-267": (args.shared / "seed" / "kh-267-ocr.txt").read_text(encoding="utf-8")}

    print(f"words per CPU second, one core, fastest of {args.rounds} rounds; before = {args.baseline}")
    print(f"{'set':10s} {'words':>7s} {'before':>8s} {'after':>8s} {'ratio':>6s}  output")
    loads = {"before": [], "after": []}
    peak_before = 0.0
    totals = {"before": [0, 0.0], "after": [0, 0.0]}
    for name, texts in sets.items():
        best = {}
        for _ in range(args.rounds):
            for run, restore in (("before", lambda: baseline_restore(args.baseline, texts)),
                                 ("after", lambda: restore_here(texts))):
                out = restore()
                loads[run].append(out["load"])
                if run == "before":
                    peak_before = max(peak_before, out["peak_mb"])
                if run not in best or out["seconds"] < best[run]["seconds"]:
                    best[run] = out
        before, after = best["before"], best["after"]
        differing = [key for key in texts if before[key] != after[key]]
        for run in totals:
            totals[run][0] += best[run]["words"]
            totals[run][1] += best[run]["seconds"]
        rates = [best[run]["words"] / best[run]["seconds"] for run in ("before", "after")]
        print(f"{name:10s} {after['words']:7,d} {rates[0]:8,.0f} {rates[1]:8,.0f} {rates[1] / rates[0]:5.2f}x  "
              + ("identical" if not differing else f"differs in {len(differing)} of {len(texts)} documents"), flush=True)
    rates = [totals[run][0] / totals[run][1] for run in ("before", "after")]
    print(f"{'all':10s} {totals['after'][0]:7,d} {rates[0]:8,.0f} {rates[1]:8,.0f} {rates[1] / rates[0]:5.2f}x")
    peak_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"model load (wall, fastest): before {min(loads['before']):.2f} s, after {min(loads['after']):.2f} s")
    print(f"peak memory: before {peak_before:.0f} MB (child process), after {peak_after:.0f} MB (this process, all sets)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
