"""Peak memory of a large document through the whole pipeline: `parse` and `run` on unpunctuated text.

A batch worker has a memory cap (pipeline.execute.DEFAULT_MEMORY_LIMIT_MB); a text without marks or
punctuation has a restoration item for nearly every word, the worst case for the document's size.
The bench writes 1 and 5 MB of such text (bench/stress.py's write_text) and runs `python -m pipeline
parse FILE -o OUT.json` and `python -m pipeline run FILE` on each, one at a time, printing the maximum
resident set size (the largest process of the command, as `/usr/bin/time -v` reports it) and the CPU
seconds of the command and its children. With --baseline REV each command is run with that revision's
pipeline too, in the same run, and the two JSON outputs are compared byte for byte.

    python bench/pipeline_memory.py [--shared ../shared] [--sizes 1,5] [--commands parse,run] [--baseline REV]
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

from stress import write_text

REPO = Path(__file__).resolve().parents[1]


def measure(code: Path, command: str, text: Path, out: Path) -> tuple[float, float, int, Path]:
    """(peak MB, CPU seconds, exit status, the document JSON written) of one command run with the
    pipeline in `code`. A `run` whose worker passes its memory cap exits with 6 and writes no JSON."""
    out.mkdir(parents=True, exist_ok=True)
    if command == "parse":
        result = out / f"{text.stem}.json"
        arguments = ["parse", str(text), "-o", str(result)]
    else:
        result = out / "outputs" / f"{text.stem}.json"
        arguments = ["run", str(text), "--out-dir", str(out / "outputs"), "--normalized-dir", str(out / "normalized"),
                     "--force"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    status = subprocess.run(["nice", sys.executable, "-m", "pipeline", *arguments], cwd=code,
                            env={**os.environ, "PYTHONPATH": str(code)}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL).returncode
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # ru_maxrss of the children is the largest of any child waited for so far: each command runs in a
    # fresh `measure_one` process so that figure is this command's alone.
    return after.ru_maxrss / 1024, seconds, status, result


def measure_one(code: Path, command: str, text: Path, out: Path) -> tuple[float, float, int, Path]:
    child = subprocess.run([sys.executable, __file__, "--child", str(code), command, str(text), str(out)],
                           check=True, capture_output=True, text=True)
    peak, seconds, status, result = child.stdout.split()
    return float(peak), float(seconds), int(status), Path(result)


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
    print(f"{'MB':>5s} {'command':8s} {'peak MB':>8s} {'CPU s':>8s}  revision")
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
                peak, seconds, status, result = measure_one(REPO, command, text, folder / "work" / command)
                print(f"{megabytes:5g} {command:8s} {peak:8.0f} {seconds:8.1f}  working tree{outcome(status)}",
                      flush=True)
                if args.baseline:
                    peak, seconds, status, before = measure_one(baseline, command, text, folder / "base" / command)
                    same = ""
                    if before.exists() and result.exists():
                        same = " (same JSON)" if before.read_bytes() == result.read_bytes() else " (JSON DIFFERS)"
                    print(f"{'':5s} {'':8s} {peak:8.0f} {seconds:8.1f}  {args.baseline}{same}{outcome(status)}",
                          flush=True)
            text.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
