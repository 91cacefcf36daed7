"""The static review report: OUT_DIR/<name>.html per document and OUT_DIR/index.html.

For people who only read: the same pages as the web app, with the clerk's
corrections, without editing, scan crops or scripts, and with the style
sheet inside each file so a report can be mailed or opened from a share.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import quote

from pipeline.export.files import write_atomic
from pipeline.export.folder import ReviewedDocument, ReviewedTask
from pipeline.export.formats import all_tasks
from pipeline.export.lines import ReviewLine, each_review_line
from pipeline.export.pages import FILTERS, GLOBALS, STATIC, TEMPLATES

INDEX = "index.html"


class ReportLinks:
    @staticmethod
    def home() -> str:
        return INDEX

    @staticmethod
    def tasks() -> str:
        return f"{INDEX}#tasks"

    @staticmethod
    def document(name: str) -> str:
        return quote(f"{name}.html")

    @staticmethod
    def lines(name: str, task: ReviewedTask) -> str:
        return f"{quote(name)}.html#{task.first_line_anchor}"

    @staticmethod
    def crop(document: ReviewedDocument, line) -> None:
        return None


class Report:
    """The report's pages, written one at a time: a page is written as it is rendered, its lines made
    as the page reaches them (see StreamedDocument)."""

    def __init__(self, out_dir: Path):
        from jinja2 import Environment, FileSystemLoader  # only `run` writes the report; its workers do not

        self.out_dir = out_dir
        environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True)
        environment.filters.update(FILTERS)
        environment.globals.update(GLOBALS)
        self._common = {"links": ReportLinks, "editable": False, "today": date.today().isoformat(),
                        "inline_css": (STATIC / "review.css").read_text(encoding="utf-8")}
        self._page = environment.get_template("document.html")
        self._index = environment.get_template("report_index.html")

    def write_page(self, document: ReviewedDocument) -> Path:
        """<name>.html for `document`."""
        path = self.out_dir / f"{document.name}.html"
        document = StreamedDocument(document.name, document.machine, document.corrections)
        write_atomic(path, self._page.generate(document=document, rows=[(document, t) for t in document.tasks],
                                               **self._common))
        return path

    def write_index(self, documents: list[ReviewedDocument]) -> Path:
        """index.html, listing `documents` (all of `out_dir`'s) and their tasks."""
        path = self.out_dir / INDEX
        write_atomic(path, self._index.generate(documents=documents, rows=all_tasks(documents), **self._common))
        return path


class StreamedDocument(ReviewedDocument):
    """A document whose `lines` are made one at a time each time they are read, for a page that
    reads them once; everything else is as ReviewedDocument has it."""

    @property
    def lines(self) -> Iterator[ReviewLine]:
        return each_review_line(self.machine, self.corrections.words)


def write_report(out_dir: Path, documents: list[ReviewedDocument]) -> list[Path]:
    """<name>.html for each of `documents` (those of `out_dir`) and the index."""
    report = Report(out_dir)
    return [*(report.write_page(document) for document in documents), report.write_index(documents)]
