"""Command line: `python -m pipeline {restore,parse,run,serve,export}` (also installed as `vn-pipeline`).

A thin layer over pipeline.process and pipeline.batch: it reads arguments,
calls the API and turns PipelineError into a one-line message and its exit
code. Anything else that escapes is a bug and shows its traceback.
"""
from __future__ import annotations

import argparse
import signal
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline import __version__
from pipeline.errors import BatchFailures, InputError, PipelineError
from pipeline.execute import DEFAULT_MEMORY_LIMIT_MB, DEFAULT_TIMEOUT_SECONDS, EXECUTORS, open_pool
from pipeline.export import FORMATS, OutputFolder, document_json_chunks, write_output
from pipeline.export.formats import all_tasks
from pipeline.process import Options, process_file, restored_lines, restored_text
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


def _add_input_output(parser: argparse.ArgumentParser, output: str) -> None:
    parser.add_argument("input", help="text, PDF or image file; - reads standard input")
    parser.add_argument("-o", "--output", default=STDIO,
                        help=f"{output}, FIFO or terminal; - is standard output (the default)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline",
        description="Turn scanned or badly OCR'd Vietnamese administrative documents into clean text and task tables.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    restore = commands.add_parser("restore", help="print the restored text, one line per input line",
                                  description="Restore Vietnamese marks and OCR letter errors, then normalize. "
                                              "The output has exactly one line per input line.")
    _add_input_output(restore, "output file (a name ending in .pdf gets a searchable PDF of a scanned "
                               "input: its pages with the restored text laid over them)")
    _add_common(restore)

    parse = commands.add_parser("parse", help="print the document JSON: metadata, sections, tasks",
                                description="Restore (unless --no-restore), normalize and parse one document "
                                            "into the versioned document JSON.")
    _add_input_output(parse, "output JSON file")
    parse.add_argument("--no-restore", action="store_true", help="the text is already correct: skip restoration")
    _add_common(parse)

    batch = commands.add_parser("run", help="process files and folders into normalized/ and outputs/",
                                description="Process every input (folders are walked) and write "
                                            "NORMALIZED_DIR/<name>.txt, OUT_DIR/<name>.json, OUT_DIR/tasks.csv, "
                                            "OUT_DIR/documents.csv and OUT_DIR/errors.csv. A file that fails, or "
                                            "whose document an earlier run made and that is now gone, is "
                                            f"listed in errors.csv and the run goes on; the exit code is then "
                                            f"{BatchFailures.exit_code}. Inputs already done (recorded in "
                                            f"OUT_DIR/manifest.sqlite) are skipped, so running the same command "
                                            f"again finishes a run that was interrupted.")
    batch.add_argument("inputs", nargs="*", type=Path, default=[Path("raw")], help="files or folders (default: raw/)")
    batch.add_argument("--out-dir", type=Path, default=Path("outputs"))
    batch.add_argument("--normalized-dir", type=Path, default=Path("normalized"))
    batch.add_argument("--no-restore", action="store_true", help="the texts are already correct: skip restoration")
    batch.add_argument("--pdf", action="store_true",
                       help="also write OUT_DIR/<name>.pdf for scanned inputs: the pages with the restored text "
                            "laid over them, searchable and selectable")
    batch.add_argument("--force", action="store_true",
                       help="redo inputs already done (by default a re-run skips them and redoes what failed or changed)")
    batch.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_SECONDS, metavar="SECONDS",
                       help=f"a document not done by then fails (default {DEFAULT_TIMEOUT_SECONDS})")
    batch.add_argument("--memory-limit", type=int, default=DEFAULT_MEMORY_LIMIT_MB, metavar="MB",
                       help=f"memory cap of each worker process; a document needing more fails "
                            f"(default {DEFAULT_MEMORY_LIMIT_MB})")
    batch.add_argument("--executor", choices=EXECUTORS, default="local",
                       help="local worker processes (default) or a Dask cluster (needs: pip install '.[dask]')")
    batch.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                       help="the Dask scheduler to use with --executor dask (default: start a local cluster)")
    _add_common(batch)

    restore.set_defaults(handler=_restore)
    parse.set_defaults(handler=_parse)
    batch.set_defaults(handler=_run)

    serve = commands.add_parser("serve", help="the clerk review web app on http://127.0.0.1:PORT/",
                                description="Review, correct and export the documents of an output folder in a "
                                            "browser; upload new ones. Listens on 127.0.0.1 only. Corrections "
                                            "are kept in DATA/corrections.sqlite, apart from the machine result.")
    serve.add_argument("--port", type=int, default=8000, help="default 8000")
    serve.add_argument("--data", type=Path, default=Path("outputs"),
                       help="the output folder of `run` (default: outputs)")
    serve.set_defaults(handler=_serve)

    export = commands.add_parser("export", help="write the tasks, with the clerk's corrections, for trackers",
                                 description="Write the tasks of every document in DATA, with the clerk's "
                                             "corrections: tasks.csv, tasks.xlsx, tasks.jsonl or deadlines.ics "
                                             "(one to-do per dated task).")
    export.add_argument("--data", type=Path, default=Path("outputs"),
                        help="the output folder of `run` (default: outputs)")
    export.add_argument("--format", required=True, choices=list(FORMATS))
    export.add_argument("-o", "--output",
                        help="output file (default: DATA/tasks.FORMAT, or DATA/deadlines.ics)")
    export.set_defaults(handler=_export)
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


def _emit(text: str | Iterable[str], output: str) -> None:
    write_output(output, text)


def _options(args: argparse.Namespace) -> Options:
    if args.jobs < 1:
        raise PipelineError(f"--jobs must be at least 1, not {args.jobs}")
    return Options(restore=not getattr(args, "no_restore", False), profile=args.profile, style=args.style,
                   jobs=args.jobs, pdf=getattr(args, "pdf", False))


def _restore(args: argparse.Namespace) -> None:
    with _input_path(args.input) as path:
        if args.output.lower().endswith(".pdf"):
            from pipeline.searchable_pdf import searchable_pdf  # reportlab only when asked for

            write_output(args.output, searchable_pdf(restored_text(path, _options(args))))
            return
        lines = restored_lines(path, _options(args))
    _emit(_text_of(lines), args.output)


def _text_of(lines: Iterable[str]) -> Iterator[str]:
    """The document's text, "\\n".join(lines) + "\\n", in pieces as the lines come."""
    for number, line in enumerate(lines):
        yield "\n" + line if number else line
    yield "\n"


def _parse(args: argparse.Namespace) -> None:
    with _input_path(args.input) as path:
        doc = process_file(path, _options(args))
    if args.input == STDIO:
        doc.source.path = STDIO
    _emit(document_json_chunks(doc.to_dict(streamed=True)), args.output)


def _run(args: argparse.Namespace) -> None:
    options = _options(args)
    if args.timeout <= 0:
        raise PipelineError(f"--timeout must be a positive number of seconds, not {args.timeout:g}")
    if args.memory_limit <= 0:
        raise PipelineError(f"--memory-limit must be a positive number of megabytes, not {args.memory_limit}")
    from pipeline.batch import run  # the batch runner and its progress bar, for this command only

    with open_pool(args.executor, args.jobs, args.timeout, args.memory_limit, args.scheduler) as pool:
        summary = run(args.inputs, args.out_dir, args.normalized_dir, options, pool, force=args.force)
    print(summary.describe(), file=sys.stderr)
    if summary.failed or summary.gone:
        inputs = len(summary.done) + len(summary.failed) + len(summary.skipped)
        gone = f"; {len(summary.gone)} earlier documents set aside, their input gone" if summary.gone else ""
        raise BatchFailures(f"{len(summary.failed)} of {inputs} documents failed{gone}; see {args.out_dir}/errors.csv")


def _serve(args: argparse.Namespace) -> None:
    # Imported here: the other commands do without the web app and Flask.
    from pipeline.review.app import serve

    serve(args.data, args.port)


def _export(args: argparse.Namespace) -> None:
    if not args.data.is_dir():
        raise InputError(f"{args.data}: no such folder")
    folder = OutputFolder(args.data)
    documents = folder.documents()
    for problem in folder.unreadable.values():
        print(f"warning: skipped {problem}", file=sys.stderr)
    if not documents:
        raise InputError(f"{args.data}: no processed documents (*.json) in this folder; "
                         f"run `python -m pipeline run` first")
    selection = all_tasks(documents)
    export = FORMATS[args.format]
    output = args.output or args.data / export.file_name
    write_output(output, export.writer(selection, documents))
    print(f"{len(selection)} tasks from {len(documents)} documents -> {output}", file=sys.stderr)


def _terminate(signum, frame) -> None:
    # As an exception, so a run stops its workers and releases its folder on the way out.
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        args.handler(args)
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 0
