"""Shared helpers for the parser tests: turn fixture text into model Lines."""
from __future__ import annotations

from pathlib import Path

from pipeline.model import Line

FIXTURES = Path(__file__).parent / "fixtures"


def lines_of(text: str, page_breaks: dict[int, int] | None = None) -> list[Line]:
    """Lines numbered from 1; `page_breaks` maps a line number to the page that starts there."""
    lines, page = [], 1
    for number, content in enumerate(text.split("\n"), start=1):
        if page_breaks and number in page_breaks:
            page = page_breaks[number]
        lines.append(Line(number=number, text=content, original=content, page=page))
    return lines


def fixture_lines(name: str) -> list[Line]:
    return lines_of((FIXTURES / name).read_text(encoding="utf-8"))
