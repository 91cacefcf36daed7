"""A text restored as it is read: each line given once no later clause can reach it (Restorer.restore_stream),
and `pipeline restore` writing the lines as they come, with the text restored_text's document has."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import pipeline.restore as restore_module
from pipeline.process import Options, restored_lines, restored_text
from pipeline.restore import Restorer

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "raw" / "kh-267-ocr.txt"


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return SAMPLE.read_text(encoding="utf-8").split("\n")


def test_the_stream_is_restore_lines_line_by_line(lines):
    whole = Restorer.default().restore_lines(lines)
    profile, restored = Restorer.default().restore_stream(lines)
    restored = list(restored)
    assert profile == whole.profile
    assert [line.text for line in restored] == whole.lines
    assert sum(line.tokens for line in restored) == whole.tokens and sum(line.changed for line in restored) == whole.changed
    streamed_items = [item for line in restored for item in line.items]
    # The compact items keep confidences to three places.
    assert [(i.line, i.start, i.original, i.restored, round(i.confidence, 3)) for i in streamed_items] == [
        (i.line, i.start, i.original, i.restored, i.confidence) for i in whole.items]
    for number, line in enumerate(restored, start=1):
        assert {item.line for item in line.items} <= {number}


def test_small_blocks_give_every_word_a_decision_on_its_own_line(lines, monkeypatch):
    """Lines written between blocks: a clause that runs over a block's last line still has its words there."""
    whole = Restorer.default().restore_lines(lines)
    monkeypatch.setattr(restore_module, "BLOCK_TOKENS", 40)
    profile, restored = Restorer().restore_stream(lines)
    restored = list(restored)
    assert len(restored) == len(lines)
    assert sum(line.tokens for line in restored) == whole.tokens
    assert [len(line.text) > 0 for line in restored] == [len(line) > 0 for line in lines]
    for number, line in enumerate(restored, start=1):
        assert {item.line for item in line.items} <= {number}
        assert line.items == sorted(line.items, key=lambda item: item.start)
    # Most lines read the same whatever the blocks: the document memory reaches across them.
    same = sum(a.text == b for a, b in zip(restored, whole.lines))
    assert same >= 0.9 * len(lines)


def test_restored_lines_are_the_restored_documents(tmp_path):
    options = Options(style="old")
    assert list(restored_lines(SAMPLE, options)) == [line.text for line in restored_text(SAMPLE, options).lines]
    assert list(restored_lines(SAMPLE, Options(restore=False))) == [
        line.text for line in restored_text(SAMPLE, Options(restore=False)).lines]


@pytest.mark.slow
def test_pipeline_restore_writes_the_documents_text(tmp_path):
    out = tmp_path / "restored.txt"
    result = subprocess.run([sys.executable, "-m", "pipeline", "restore", str(SAMPLE), "-o", str(out)],
                            capture_output=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert result.returncode == 0, result.stderr.decode()
    assert out.read_text(encoding="utf-8") == restored_text(SAMPLE).text + "\n"
