"""The static review report: OUT_DIR/<name>.html per document and OUT_DIR/index.html.

For people who only read: the same pages as the web app, with the clerk's
corrections, without editing, scan crops or scripts, and with the style
sheet inside each file so a report can be mailed or opened from a share.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from urllib.parse import quote

from pipeline.export.files import write_atomic
from pipeline.export.folder import ReviewedDocument, ReviewedTask
from pipeline.export.formats import all_tasks
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


def write_report(out_dir: Path, documents: list[ReviewedDocument]) -> list[Path]:
    """<name>.html for each of `documents` (those of `out_dir`) and the index."""
    from jinja2 import Environment, FileSystemLoader  # only `run` writes the report; its workers do not

    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True)
    environment.filters.update(FILTERS)
    environment.globals.update(GLOBALS)
    common = {"links": ReportLinks, "editable": False, "today": date.today().isoformat(),
              "inline_css": (STATIC / "review.css").read_text(encoding="utf-8")}
    written = []
    page = environment.get_template("document.html")
    for document in documents:
        path = out_dir / f"{document.name}.html"
        write_atomic(path, page.render(document=document, rows=[(document, t) for t in document.tasks], **common))
        written.append(path)
    index = environment.get_template("report_index.html").render(documents=documents, rows=all_tasks(documents),
                                                                  **common)
    write_atomic(out_dir / INDEX, index)
    return [*written, out_dir / INDEX]
