"""Restoration of long text without punctuation: time and peak memory must grow linearly.

Text with no clause end is the restorer's worst case: the language model's
context never restarts. The bench takes corpus paragraphs, strips their marks
and punctuation (so every word is to be restored and the whole text is one
clause), writes 1, 5 and 20 MB of it (lines of 12 words, or one single line
with --one-line) and restores each size in a fresh process on one core,
printing CPU seconds and the process's peak memory. The restorer is used as a
caller that writes each line out uses it (Restorer.restore_stream): the peak
holds the model, the text's lines and the restorer's work, not a restored copy.
With --command the CLI, `python -m pipeline restore FILE -o OUT`, is measured
too. With --baseline REV each size is restored by that revision's restorer
too (bench/restore.py's `baseline_restore`, whose peak memory includes the
text and lines it is given and returns as JSON).

    python bench/stress.py [--shared ../shared] [--sizes 1,5,20] [--one-line] [--command] [--baseline REV]
"""
from __future__ import annotations

import argparse
import json
import lzma
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import regex

from pipeline.vietnamese import strip_marks

WORDS_PER_LINE = 12


def write_text(corpus: Path, megabytes: float, one_line: bool, out: Path) -> int:
    """Unpunctuated text of the given size from the corpus; returns the number of words written."""
    budget = int(megabytes * 1_000_000)
    words: list[str] = []
    size = 0
    while size < budget:  # the corpus is read again from the start if one pass is not enough
        with lzma.open(corpus, "rt", encoding="utf-8") as paragraphs:
            for paragraph in paragraphs:
                for word in regex.findall(r"\p{L}+", strip_marks(paragraph)):
                    words.append(word)
                    size += len(word.encode("utf-8")) + 1
                if size >= budget:
                    break
    separator = " " if one_line else "\n"
    lines = [" ".join(words[i:i + WORDS_PER_LINE]) for i in range(0, len(words), WORDS_PER_LINE)]
    out.write_text(separator.join(lines), encoding="utf-8")
    return len(words)


def peak_mb() -> float:
    """This process's peak resident memory (MB) since it started its program (VmHWM). Not ru_maxrss:
    Linux carries a parent's peak over into its child across exec, and the parent here held the
    text it wrote (467 MB for 20 MB of text, whatever the restorer took)."""
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024


def restore_one(path: Path) -> None:
    """Child process: restore one file as a caller that writes each line out does (Restorer.restore_stream),
    and print the figures as JSON."""
    from pipeline.restore import Restorer

    restorer = Restorer()
    lines = path.read_text(encoding="utf-8").split("\n")
    began = time.process_time()
    profile, restored = restorer.restore_stream(lines)
    tokens = items = 0
    for line in restored:
        tokens += line.tokens
        items += len(line.items)
    seconds = time.process_time() - began
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb(), "tokens": tokens, "profile": profile, "items": items}))


def restore_command(path: Path) -> None:
    """Child process: run `python -m pipeline restore FILE -o OUT` and print its peak memory (MB) and CPU
    seconds; this process waits for no other child, so the peak is the command's own."""
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([sys.executable, "-m", "pipeline", "restore", str(path), "-o", str(Path(folder) / "out.txt")],
                       check=True, cwd=Path(__file__).resolve().parents[1])
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    parser.add_argument("--sizes", default="1,5,20", help="megabytes, comma-separated")
    parser.add_argument("--one-line", action="store_true", help="the whole text on one line")
    parser.add_argument("--baseline", help="git revision whose restorer is measured too")
    parser.add_argument("--command", action="store_true", help="also time `python -m pipeline restore FILE -o OUT`")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--command-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        restore_one(args.child)
        return 0
    if args.command_child:
        restore_command(args.command_child)
        return 0
    if args.baseline:
        from restore import baseline_restore
    corpus = args.shared / "corpus" / "legal-vi.txt.xz"
    print(f"{'MB':>5s} {'words':>10s} {'CPU s':>8s} {'s/MB':>7s} {'words/s':>9s} {'peak MB':>8s} {'items':>10s}  profile")
    if args.baseline:
        print(f"{'':5s} {'':10s} {'CPU s':>8s} {'':7s} {'words/s':>9s} {'peak MB':>8s}  restorer of {args.baseline}")
    with tempfile.TemporaryDirectory() as folder:
        for megabytes in (float(s) for s in args.sizes.split(",")):
            path = Path(folder) / f"{megabytes:g}mb.txt"
            words = write_text(corpus, megabytes, args.one_line, path)
            child = subprocess.run([sys.executable, __file__, "--child", str(path)], capture_output=True, text=True)
            if child.returncode != 0:
                print(f"{megabytes:5g} failed: {child.stderr.strip().splitlines()[-1:]}")
                continue
            figures = json.loads(child.stdout)
            print(f"{megabytes:5g} {words:10,d} {figures['seconds']:8.1f} {figures['seconds'] / megabytes:7.1f} "
                  f"{figures['tokens'] / figures['seconds']:9,.0f} {figures['peak_mb']:8.0f} {figures['items']:10,d}  "
                  f"{figures['profile']}", flush=True)
            if args.command:
                child = subprocess.run([sys.executable, __file__, "--command-child", str(path)], capture_output=True,
                                       text=True, check=True)
                peak, seconds = (float(figure) for figure in child.stdout.split())
                print(f"{'':5s} {'':10s} {seconds:8.1f} {'':7s} {words / seconds:9,.0f} {peak:8.0f}  "
                      f"python -m pipeline restore (ingest, restore, normalize, write)", flush=True)
            if args.baseline:
                before = baseline_restore(args.baseline, {"text": path.read_text(encoding="utf-8")})
                print(f"{'':5s} {'':10s} {before['seconds']:8.1f} {'':7s} {before['words'] / before['seconds']:9,.0f} "
                      f"{before['peak_mb']:8.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
