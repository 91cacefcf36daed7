"""Normalization and Vietnamese orthography helpers, on real words and lines."""
from __future__ import annotations

import unicodedata

import pytest

from pipeline.normalize import normalize_line, normalize_lines
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
