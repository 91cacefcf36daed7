"""A large document through the pipeline in little memory: restoration items kept compactly in the
Document (pipeline.model.TokenRestorations), normalized a spelling at a time, and the JSON written as
a stream, with the same bytes as before."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict, replace
from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.export import document_json, document_json_bytes, document_json_chunks, write_atomic
from pipeline.model import Document, RestorationReport, TokenRestoration, TokenRestorations
from pipeline.normalize import normalize_lines
from pipeline.process import process_file
from pipeline.vietnamese import OLD

REPO = Path(__file__).resolve().parents[1]


def _compact(items: list[TokenRestoration]) -> TokenRestorations:
    compact = TokenRestorations()
    for item in items:
        compact.append(item.line, item.start, item.original, item.restored, item.confidence, item.alternatives)
    return compact


@pytest.fixture(scope="module")
def document() -> Document:
    return process_file(REPO / "raw" / "kh-267-ocr.txt")


def test_the_pipeline_keeps_the_items_compact_and_writes_them_as_a_list_would(document):
    assert isinstance(document.restoration.items, TokenRestorations) and len(document.restoration.items) > 100
    as_list = replace(document, restoration=replace(document.restoration, items=list(document.restoration.items)))
    assert document.to_dict() == as_list.to_dict()
    assert document.to_dict()["restoration"]["items"][0] == asdict(document.restoration.items[0])


def test_the_streamed_json_is_byte_for_byte_json_dumps(document):
    expected = json.dumps(document.to_dict(), ensure_ascii=False, indent=2) + "\n"
    assert "".join(document_json_chunks(document.to_dict(streamed=True))) == expected
    assert document_json_bytes(document.to_dict(streamed=True)) == expected.encode("utf-8")
    assert document_json(document.to_dict()) == expected


def test_the_document_round_trips_through_its_json(document):
    data = json.loads(document_json_bytes(document.to_dict(streamed=True)))
    again = Document.from_dict(data)
    assert isinstance(again.restoration.items[0], TokenRestoration)
    assert list(again.restoration.items) == list(document.restoration.items)
    assert json.loads(document_json(again.to_dict())) == data


def test_a_report_without_items_streams_an_empty_list(document):
    empty = replace(document, restoration=RestorationReport(profile="clean", tokens=3, items=TokenRestorations()))
    text = "".join(document_json_chunks(empty.to_dict(streamed=True)))
    assert json.loads(text)["restoration"] == {"profile": "clean", "tokens": 3, "changed": 0, "low_confidence": 0,
                                               "items": []}
    assert text == document_json(empty.to_dict())


def test_compact_items_are_moved_and_respelled_as_listed_ones_are():
    lines = ["Hòa  hòa ,  thủy", "  Quý   III , hòa"]
    # Out of line order on purpose: they are still found on their lines.
    listed = [TokenRestoration(2, 2, "Quy", "Quý", 0.5, ["Qúy"]), TokenRestoration(1, 5, "hoa", "hòa", 0.9, ["hóa"]),
              TokenRestoration(1, 12, "thuy", "thủy", 0.4, []), TokenRestoration(2, 14, "hoa", "hòa", 0.9, ["hóa"])]
    compact = _compact(listed)
    assert normalize_lines(lines, OLD, compact) == normalize_lines(lines, OLD, listed) == ["Hoà hoà, thuỷ",
                                                                                          "  Quý III, hoà"]
    assert list(compact) == listed
    assert [(i.line, i.start, i.restored, i.alternatives) for i in compact] == [
        (2, 2, "Quý", ["Quý"]), (1, 4, "hoà", ["hoá"]), (1, 9, "thuỷ", []), (2, 11, "hoà", ["hoá"])]


def test_parse_writes_the_same_bytes_as_the_api(document, tmp_path):
    out = tmp_path / "kh-267.json"
    subprocess.run([sys.executable, "-m", "pipeline", "parse", str(REPO / "raw" / "kh-267-ocr.txt"), "-o", str(out)],
                   cwd=REPO, check=True, capture_output=True)
    assert out.read_bytes() == document_json(document.to_dict()).encode("utf-8")


def test_a_stream_that_fails_midway_leaves_the_previous_file_whole(tmp_path):
    path = tmp_path / "doc.json"
    write_atomic(path, "old\n")

    def pieces():
        yield "x" * 200_000  # more than one batch reaches the temporary file before the failure
        raise InputError("broken")

    with pytest.raises(InputError):
        write_atomic(path, pieces())
    assert path.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["doc.json"]
    write_atomic(path, iter(["{", "}\n"]))
    assert path.read_text() == "{}\n"
