"""A large document in little memory after the worker: the per-document JSON read as a stream with its
restoration items kept compactly (pipeline.export.reading), report pages written as they render, and the
tables and exports written from summaries, with the same values as reading each file whole."""
from __future__ import annotations

import csv
import html
import io
import json
import re
from dataclasses import asdict, replace
from pathlib import Path

import pytest

from pipeline.export import rebuild
from pipeline.export.folder import OutputFolder, ReviewedDocument, UnreadableDocument, read_document
from pipeline.export.lines import each_review_line, stale_corrections
from pipeline.export.reading import load_document
from pipeline.export.report import Report
from pipeline.model import Document, TokenRestoration, TokenRestorations

NAME = "kh-267-ocr"


@pytest.fixture
def data_dir(tmp_path, machine_json) -> Path:
    (tmp_path / f"{NAME}.json").write_text(machine_json, encoding="utf-8")
    return tmp_path


def _whole(path: Path) -> Document:
    """The document as json.load and Document.from_dict read the whole file."""
    return Document.from_dict(json.loads(path.read_text(encoding="utf-8")))


def test_the_streamed_read_is_the_whole_file_read_with_compact_items(data_dir):
    path = data_dir / f"{NAME}.json"
    streamed, whole = read_document(path), _whole(path)
    assert isinstance(streamed.restoration.items, TokenRestorations) and len(streamed.restoration.items) > 1000
    assert [asdict(item) for item in streamed.restoration.items] == [asdict(item) for item in whole.restoration.items]
    assert replace(streamed, restoration=replace(streamed.restoration, items=[])) == replace(
        whole, restoration=replace(whole.restoration, items=[]))


def test_items_the_compact_form_cannot_hold_exactly_are_kept_as_they_are(data_dir):
    data = json.loads((data_dir / f"{NAME}.json").read_text(encoding="utf-8"))
    items = data["restoration"]["items"]
    items[3]["confidence"] = 0.12345  # not in thousandths
    items[5]["confidence"] = 1  # an integer: the page would show "1", not "1.0"
    del items[7]["alternatives"]  # optional, as for from_dict
    path = data_dir / "odd.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    streamed = read_document(path).restoration.items
    assert isinstance(streamed, list) and all(isinstance(item, TokenRestoration) for item in streamed)
    assert [asdict(item) for item in streamed] == [asdict(item) for item in _whole(path).restoration.items]
    assert streamed[3].confidence == 0.12345 and type(streamed[5].confidence) is int and streamed[7].alternatives == []


@pytest.mark.parametrize("text, problem", [
    ('{"schema_version": "2.1", "restoration": {"items": [', "not valid JSON"),
    ("[1, 2]", "not a document"),
    ('{"schema_version": "2.1", "source": {}}', "not a document"),
])
def test_a_file_that_is_no_document_is_unreadable(tmp_path, text, problem):
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UnreadableDocument, match=problem):
        read_document(path)


def test_an_item_that_is_no_item_makes_the_file_unreadable(data_dir):
    data = json.loads((data_dir / f"{NAME}.json").read_text(encoding="utf-8"))
    data["restoration"]["items"][2] = {"line": 3}
    path = data_dir / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(UnreadableDocument, match="not a document"):
        read_document(path)


def test_holds_tells_what_reads_back_exactly():
    assert TokenRestorations.holds(3, 0, "cong", "công", 0.987, ["cộng"])
    assert not TokenRestorations.holds(3, 0, "cong", "công", 0.9871, ["cộng"])
    assert not TokenRestorations.holds(3, -1, "cong", "công", 0.987, [])
    assert not TokenRestorations.holds("3", 0, "cong", "công", 0.987, [])
    assert not TokenRestorations.holds(3, 0, "cong", "công", 0.987, None)


def _corrected(data_dir: Path) -> ReviewedDocument:
    folder = OutputFolder(data_dir)
    machine = read_document(data_dir / f"{NAME}.json")
    task = machine.tasks[2]
    line = next(line for line in machine.lines if line.number == task.lines[0])
    word = next(w for review_line in each_review_line(replace(machine, lines=[line]), {}) for w in review_line.words
                if len(w.machine) > 3 and w.machine in task.text)
    folder.corrections.save_word(NAME, line.number, word.start, word.machine, word.machine.upper(),
                                 sha256=machine.source.sha256)
    folder.corrections.save_word(NAME, 5, 999, "nothing", "stale", sha256=machine.source.sha256)
    return folder.document(NAME)


def test_lines_made_one_at_a_time_are_the_document_lines(data_dir):
    document = _corrected(data_dir)
    streamed = list(each_review_line(document.machine, document.corrections.words))
    assert [line.text for line in streamed] == [line.text for line in document.lines]
    assert [[(w.start, w.machine, w.corrected, w.restoration and asdict(w.restoration)) for w in line.words]
            for line in streamed] == [[(w.start, w.machine, w.corrected, w.restoration and asdict(w.restoration))
                                       for w in line.words] for line in document.lines]
    placed = [line for line in streamed if any(w.corrected for w in line.words)]
    assert len(placed) == 1
    assert [(c.line, c.start) for c in stale_corrections(document.machine, document.corrections.words)] == [(5, 999)]
    assert [(c.line, c.start) for c in document.stale_corrections] == [(5, 999)]


def test_a_summary_keeps_the_tasks_and_lets_go_of_the_items(data_dir):
    document = _corrected(data_dir)
    summary = document.summary()
    assert summary.machine.restoration.items == [] and summary.machine.restoration.tokens > 1000
    assert [t.effective for t in summary.tasks] == [t.effective for t in document.tasks]
    assert any(t.effective.text != t.machine.text for t in summary.tasks)  # the word correction carried
    uncorrected = OutputFolder(data_dir).document(NAME)
    uncorrected.corrections.words.clear()
    assert uncorrected.summary().machine.lines == []


def test_a_streamed_page_marks_every_item_on_its_word(data_dir):
    document = OutputFolder(data_dir).document(NAME)
    path = Report(data_dir).write_page(document)
    page = path.read_text(encoding="utf-8")
    marked = [(w.machine, w.restoration.original, str(w.restoration.confidence))
              for line in document.lines for w in line.words if w.restoration is not None]
    assert len(marked) > 1000
    found = [tuple(html.unescape(value) for value in attributes) for attributes in re.findall(r'data-machine="([^"]*)" data-original="([^"]*)" data-confidence="([^"]*)"', page)]
    assert found == marked
    assert page.count('<tr id="L') == sum(1 for line in document.machine.lines if line.original or line.text)


def test_rebuild_reads_what_the_whole_file_holds(data_dir):
    _corrected(data_dir)
    assert rebuild(data_dir, log=io.StringIO()) == (1, 14)
    document = OutputFolder(data_dir).document(NAME)
    rows = list(csv.DictReader(io.StringIO((data_dir / "tasks.csv").read_text(encoding="utf-8-sig"))))
    assert [r["text"] for r in rows] == [t.effective.text for t in document.tasks]
    (row,) = csv.DictReader(io.StringIO((data_dir / "documents.csv").read_text(encoding="utf-8-sig")))
    whole = _whole(data_dir / f"{NAME}.json")
    assert (int(row["words"]), int(row["changed_words"])) == (whole.restoration.tokens, whole.restoration.changed)
    assert "1 chỉnh sửa từ không còn khớp" in (data_dir / f"{NAME}.html").read_text(encoding="utf-8")
