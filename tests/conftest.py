"""Fixtures several test modules share."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.export.folder import document_json
from pipeline.process import process_file

SAMPLE = Path(__file__).resolve().parents[1] / "raw" / "kh-267-ocr.txt"


@pytest.fixture(scope="session")
def machine_json() -> str:
    """The machine result for the real sample (legacy OCR of Kế hoạch 267/KH-UBND), as written to outputs/."""
    return document_json(process_file(SAMPLE).to_dict())
