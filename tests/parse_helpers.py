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


# The evaluation documents beside the repository (../shared/eval/dev); tests reading them are
# marked `shared` and skip where the folder is absent (a fresh clone without it).
SHARED_DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev"
SHARED_DOCS = {"141": "kh-141-bacninh-2025", "159": "kh-159-cantho-2025", "172": "kh-172-hochiminh-2025",
               "308": "kh-308-hanoi-2025", "310": "kh-310-hanoi-2025", "556": "kh-556-dongthap-2025",
               "624": "kh-624-hatinh-2025"}


def shared_lines(number: str, name: str = "gold.txt") -> list[Line]:
    """Lines of a dev document (by its number, "141") from ../shared/eval/dev; skips when absent."""
    import pytest

    path = SHARED_DEV / SHARED_DOCS[number] / name
    if not path.exists():
        pytest.skip(f"{path} not available")
    return lines_of(path.read_text(encoding="utf-8"))


def codes(result) -> list[tuple[str, int | None]]:
    """(code, line) of each warning of a parse result."""
    return [(warning.code, warning.line) for warning in result.warnings]
