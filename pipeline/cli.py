"""Command line: `python -m pipeline {restore,parse,run}` (also installed as `vn-pipeline`).

A thin layer over pipeline.process and pipeline.batch: it reads arguments,
calls the API and turns PipelineError into a one-line message and its exit
code. Anything else that escapes is a bug and shows its traceback.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from pipeline import __version__
from pipeline.batch import run
from pipeline.errors import BatchFailures, PipelineError
from pipeline.export import document_json, write_atomic
from pipeline.process import Options, process_file, restored_text
from pipeline.restore import PROFILE_CHOICES
from pipeline.vietnamese import MODERN, OLD

STDIO = "-"


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", choices=PROFILE_CHOICES, default="auto",
                        help="what produced the text: legacy (English-model OCR), tesseract (vie OCR), clean, "
                             "stripped (no marks); default: decide from the text")
    parser.add_argument("--style", choices=(MODERN, OLD), default=MODERN,
                        help="tone-mark placement: modern 'hòa, thủy' (default) or old 'hoà, thuỷ'")
    parser.add_argument("--jobs", type=int, default=1, help="pages or documents processed at once (default 1)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline",
        description="Turn scanned or badly OCR'd Vietnamese administrative documents into clean text and task tables.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    restore = commands.add_parser("restore", help="print the restored text, one line per input line",
                                  description="Restore Vietnamese marks and OCR letter errors, then normalize. "
                                              "The output has exactly one line per input line.")
    restore.add_argument("input", help="text, PDF or image file; - reads standard input")
    restore.add_argument("-o", "--output", default=STDIO, help="output file (default: standard output)")
    _add_common(restore)

    parse = commands.add_parser("parse", help="print the document JSON: metadata, sections, tasks",
                                description="Restore (unless --no-restore), normalize and parse one document "
                                            "into the versioned document JSON.")
    parse.add_argument("input", help="text, PDF or image file; - reads standard input")
    parse.add_argument("-o", "--output", default=STDIO, help="output JSON file (default: standard output)")
    parse.add_argument("--no-restore", action="store_true", help="the text is already correct: skip restoration")
    _add_common(parse)

    batch = commands.add_parser("run", help="process files and folders into normalized/ and outputs/",
                                description="Process every input (folders are walked) and write "
                                            "NORMALIZED_DIR/<name>.txt, OUT_DIR/<name>.json, OUT_DIR/tasks.csv, "
                                            "OUT_DIR/documents.csv and OUT_DIR/errors.csv. A file that fails is "
                                            f"listed in errors.csv and the run goes on; the exit code is then "
                                            f"{BatchFailures.exit_code}.")
    batch.add_argument("inputs", nargs="*", type=Path, default=[Path("raw")], help="files or folders (default: raw/)")
    batch.add_argument("--out-dir", type=Path, default=Path("outputs"))
    batch.add_argument("--normalized-dir", type=Path, default=Path("normalized"))
    batch.add_argument("--no-restore", action="store_true", help="the texts are already correct: skip restoration")
    _add_common(batch)

    restore.set_defaults(handler=_restore)
    parse.set_defaults(handler=_parse)
    batch.set_defaults(handler=_run)
    return parser


@contextmanager
def _input_path(name: str):
    """The input as a path; standard input is spooled to a temporary file first."""
    if name != STDIO:
        yield Path(name)
        return
    with tempfile.NamedTemporaryFile(prefix="stdin-", suffix=".txt") as spool:
        spool.write(sys.stdin.buffer.read())
        spool.flush()
        yield Path(spool.name)


def _emit(text: str, output: str) -> None:
    if output == STDIO:
        sys.stdout.write(text)
    else:
        write_atomic(Path(output), text)


def _options(args: argparse.Namespace) -> Options:
    if args.jobs < 1:
        raise PipelineError(f"--jobs must be at least 1, not {args.jobs}")
    return Options(restore=not getattr(args, "no_restore", False), profile=args.profile, style=args.style,
                   jobs=args.jobs)


def _restore(args: argparse.Namespace) -> None:
    with _input_path(args.input) as path:
        doc = restored_text(path, _options(args))
    _emit(doc.text + "\n", args.output)


def _parse(args: argparse.Namespace) -> None:
    with _input_path(args.input) as path:
        doc = process_file(path, _options(args))
    if args.input == STDIO:
        doc.source.path = STDIO
    _emit(document_json(doc.to_dict()), args.output)


def _run(args: argparse.Namespace) -> None:
    summary = run(args.inputs, args.out_dir, args.normalized_dir, _options(args), jobs=args.jobs)
    print(f"{len(summary.done)} documents done, {len(summary.failed)} failed, {summary.tasks} tasks "
          f"-> {args.out_dir}/tasks.csv", file=sys.stderr)
    if summary.failed:
        raise BatchFailures(f"{len(summary.failed)} of {len(summary.done) + len(summary.failed)} documents "
                            f"failed; see {args.out_dir}/errors.csv")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.handler(args)
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 0
