"""Normalization and Vietnamese orthography helpers, on real words and lines."""
from __future__ import annotations

import unicodedata

import pytest

from pipeline.model import TokenRestoration
from pipeline.normalize import normalize_line, normalize_lines
from pipeline.process import Options, restored_text
from pipeline.vietnamese import OLD, apply_case, case_pattern, looks_like_syllable, restyle, split_tone, strip_marks


@pytest.mark.parametrize("old, modern", [
    ("hoà", "hòa"), ("thuỷ", "thủy"), ("Uỷ", "Ủy"), ("khoẻ", "khỏe"), ("hoá", "hóa"), ("tuỳ", "tùy"),
])
def test_tone_placement_styles(old, modern):
    assert restyle(old) == modern
    assert restyle(modern, OLD) == old


@pytest.mark.parametrize("word", ["thực", "quyết", "giữa", "gì", "người", "toán", "hoàng", "ngoài", "khuyến", "Đảng"])
def test_restyle_keeps_syllables_whose_placement_is_fixed(word):
    assert restyle(word) == word
    assert restyle(word, OLD) == word


def test_split_and_strip():
    assert split_tone("thực") == ("thưc", 5)
    assert split_tone("Ủy") == ("Uy", 3)
    assert strip_marks("Đơn vị thực hiện") == "Don vi thuc hien"


@pytest.mark.parametrize("word, shaped", [("UBND", False), ("KH", False), ("café", False), ("nghiêng", True), ("Quý", True)])
def test_syllable_shape(word, shaped):
    assert looks_like_syllable(word) is shaped


@pytest.mark.parametrize("token, pattern", [("MUC", "upper"), ("PiCH", "upper"), ("Thira", "title"), ("ngay", "lower"), ("A", "title")])
def test_case_pattern_survives_ocr_case_flips(token, pattern):
    assert case_pattern(token) == pattern
    assert apply_case("đích", pattern)[0] == ("đ" if pattern == "lower" else "Đ")


def test_normalize_line():
    decomposed = unicodedata.normalize("NFD", "Hoà bình")
    line = f"{decomposed}  ,thuỷ lợi ; Điều 1,Khoản 2 ( Quý III ) 21,10 kW lúc 8:30 ."
    assert normalize_line(line) == "Hòa bình, thủy lợi; Điều 1, Khoản 2 (Quý III) 21,10 kW lúc 8:30."
    assert normalize_line(line, OLD).startswith("Hoà bình, thuỷ lợi;")


def test_normalize_keeps_lines_tabs_quotes_and_indent():
    lines = ["", "1\tRà soát  văn bản\tSở Tư pháp   ", "   - “Chủ động, kịp thời”", "‘x’ \"y\""]
    assert normalize_lines(lines) == ["", "1\tRà soát văn bản\tSở Tư pháp", "   - “Chủ động, kịp thời”", "‘x’ \"y\""]


def test_normalize_leaves_foreign_words():
    assert normalize_line("café Internet IoT") == "café Internet IoT"


def _item(line: int, start: int, restored: str, alternatives: list[str] | None = None) -> TokenRestoration:
    return TokenRestoration(line=line, start=start, original=strip_marks(restored), restored=restored,
                            confidence=0.5, alternatives=alternatives or [])


def test_restoration_items_point_at_their_words_after_normalization():
    decomposed = unicodedata.normalize("NFD", "Hoà")
    lines = [f"  {decomposed}  bình\u200b ,thuỷ   lợi ( Quý III )", "Điều 1,Khoản 2"]
    words = [(1, decomposed), (1, "bình"), (1, "thuỷ"), (1, "lợi"), (1, "Quý"), (2, "Khoản")]
    items = [_item(n, lines[n - 1].index(w), w, ["thủy"] if w == "thuỷ" else None) for n, w in words]
    normalized = normalize_lines(lines, items=items)
    assert normalized == ["  Hòa bình, thủy lợi (Quý III)", "Điều 1, Khoản 2"]
    assert [(i.line, i.start, i.restored) for i in items] == [
        (1, 2, "Hòa"), (1, 6, "bình"), (1, 12, "thủy"), (1, 17, "lợi"), (1, 22, "Quý"), (2, 8, "Khoản")]
    for item in items:
        assert normalized[item.line - 1][item.start:].startswith(item.restored)
    assert items[2].alternatives == ["thủy"]


def test_old_style_moves_items_and_respells_them():
    items = [_item(1, 5, "hòa"), _item(1, 12, "thủy")]
    assert normalize_lines(["Hòa  hòa ,  thủy"], OLD, items) == ["Hoà hoà, thuỷ"]
    assert [(i.start, i.restored) for i in items] == [(4, "hoà"), (9, "thuỷ")]


def test_restored_document_items_point_into_the_final_lines(tmp_path):
    # Through the pipeline API: restore a legacy OCR text with untidy spacing, then normalize.
    source = tmp_path / "ocr.txt"
    source.write_text("Trién  khai   thuc hién Nghi quyét ,ciia Chinh phii\n   -  Hoan thanh  trong quy III .\n",
                      encoding="utf-8")
    doc = restored_text(source, Options(style=OLD))
    assert len(doc.restoration.items) > 5
    texts = {line.number: line.text for line in doc.lines}
    for item in doc.restoration.items:
        assert texts[item.line][item.start:item.start + len(item.restored)] == item.restored
