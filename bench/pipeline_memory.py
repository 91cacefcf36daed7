"""Peak memory of a large document through the whole pipeline: `parse` and `run` on unpunctuated text.

A batch worker has a memory cap (pipeline.execute.DEFAULT_MEMORY_LIMIT_MB); a text without marks or
punctuation has a restoration item for nearly every word, the worst case for the document's size.
The bench writes 1 and 5 MB of such text (bench/stress.py's write_text) and runs `python -m pipeline
parse FILE -o OUT.json` and `python -m pipeline run FILE` on each, one at a time, printing the maximum
resident set size (the largest process of the command, as `/usr/bin/time -v` reports it), the peak of
the command's own process (for `run`, the parent that writes the results and rebuilds the tables and
report, apart from its workers) and the CPU seconds of the command and its children. With --baseline
REV each command is run with that revision's pipeline too, in the same run, and the two JSON outputs
are compared byte for byte, and for `run` the tables, exports and report pages too (EXPORTS).

    python bench/pipeline_memory.py [--shared ../shared] [--sizes 1,5] [--commands parse,run] [--baseline REV]
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from stress import write_text

REPO = Path(__file__).resolve().parents[1]
RUN_TIMEOUT_SECONDS = 7200
# What `run` derives from the JSON and writes the same each time (deadlines.ics and tasks.xlsx carry the time
# they were written).
EXPORTS = ("documents.csv", "tasks.csv", "tasks.jsonl", "index.html")


def measure(code: Path, command: str, text: Path, out: Path) -> tuple[float, float, float, int, Path]:
    """(peak MB of the largest process, peak MB of the command's own process, CPU seconds, exit status,
    the document JSON written) of one command run with the pipeline in `code`. A `run` whose worker
    passes its memory cap exits with 6 and writes no JSON."""
    out.mkdir(parents=True, exist_ok=True)
    if command == "parse":
        result = out / f"{text.stem}.json"
        arguments = ["parse", str(text), "-o", str(result)]
    else:
        result = out / "outputs" / f"{text.stem}.json"
        # A time limit no run reaches on a busy machine: the figures are of memory.
        arguments = ["run", str(text), "--out-dir", str(out / "outputs"), "--normalized-dir", str(out / "normalized"),
                     "--force", "--timeout", str(RUN_TIMEOUT_SECONDS)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    process = subprocess.Popen(["nice", sys.executable, "-m", "pipeline", *arguments], cwd=code,
                               env={**os.environ, "PYTHONPATH": str(code)}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    # `run`'s own process (the parent of its workers) is told apart by its high-water mark, read until it ends.
    own_peak = 0.0
    while process.poll() is None:
        own_peak = max(own_peak, _high_water_mark_mb(process.pid))
        time.sleep(0.05)
    status = process.returncode
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # ru_maxrss of the children is the largest of any child waited for so far: each command runs in a
    # fresh `measure_one` process so that figure is this command's alone.
    return after.ru_maxrss / 1024, own_peak, seconds, status, result


def _high_water_mark_mb(pid: int) -> float:
    """VmHWM, the peak resident size so far, of a running process; 0 once it has ended."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    return next((int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM:")), 0.0)


def measure_one(code: Path, command: str, text: Path, out: Path) -> tuple[float, float, float, int, Path]:
    child = subprocess.run([sys.executable, __file__, "--child", str(code), command, str(text), str(out)],
                           check=True, capture_output=True, text=True)
    peak, own_peak, seconds, status, result = child.stdout.split()
    return float(peak), float(own_peak), float(seconds), int(status), Path(result)


def outcome(status: int) -> str:
    return "" if status == 0 else f"  FAILED (exit {status})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--sizes", default="1,5", help="megabytes, comma-separated")
    parser.add_argument("--commands", default="parse,run", help="pipeline commands, comma-separated")
    parser.add_argument("--baseline", help="git revision whose pipeline is measured too")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        code, command, text, out = args.child
        print(*measure(Path(code), command, Path(text), Path(out)))
        return 0
    corpus = args.shared / "corpus" / "legal-vi.txt.xz"
    print(f"{'MB':>5s} {'command':8s} {'peak MB':>8s} {'own MB':>8s} {'CPU s':>8s}  revision")
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        if args.baseline:
            baseline = folder / "baseline"
            baseline.mkdir()
            archive = subprocess.run(["git", "-C", str(REPO), "archive", args.baseline, "pipeline"], check=True,
                                     capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", str(baseline)], input=archive, check=True)
        for megabytes in (float(s) for s in args.sizes.split(",")):
            text = folder / f"text-{megabytes:g}mb.txt"
            write_text(corpus, megabytes, False, text)
            for command in args.commands.split(","):
                peak, own_peak, seconds, status, result = measure_one(REPO, command, text, folder / "work" / command)
                print(f"{megabytes:5g} {command:8s} {peak:8.0f} {own_peak:8.0f} {seconds:8.1f}  "
                      f"working tree{outcome(status)}", flush=True)
                if args.baseline:
                    peak, own_peak, seconds, status, before = measure_one(baseline, command, text,
                                                                          folder / "base" / command)
                    same = ""
                    if before.exists() and result.exists():
                        same = " (same JSON)" if before.read_bytes() == result.read_bytes() else " (JSON DIFFERS)"
                    if command == "run" and before.exists() and result.exists():
                        names = [*EXPORTS, f"{text.stem}.html"]
                        differ = [name for name in names
                                  if (before.parent / name).read_bytes() != (result.parent / name).read_bytes()]
                        same += f" (exports differ: {', '.join(differ)})" if differ else " (same exports)"
                    print(f"{'':5s} {'':8s} {peak:8.0f} {own_peak:8.0f} {seconds:8.1f}  "
                          f"{args.baseline}{same}{outcome(status)}", flush=True)
            text.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
