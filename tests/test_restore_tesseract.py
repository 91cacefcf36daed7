"""The restorer on text read by Tesseract's Vietnamese model: mostly right, so only what is surely
wrong is changed: words that are no word at all, and the numbers of headings and items the
numbers around them contradict."""
from __future__ import annotations

import pytest

import pipeline.restore as restore_module
from pipeline.restore import CLEAN, TESSERACT, Restorer, _renumbered


@pytest.fixture(scope="module")
def restorer() -> Restorer:
    return Restorer.default()


def test_a_roman_numeral_repeated_or_merged_is_the_next_one():
    lines = ["I. MỤC ĐÍCH, YÊU CẦU", "1. Mục đích", "II. NỘI DUNG", "văn bản", "II. KINH PHÍ THỰC HIỆN",
             "HI. TỔ CHỨC THỰC HIỆN"]
    assert _renumbered(lines) == ["I. MỤC ĐÍCH, YÊU CẦU", "1. Mục đích", "II. NỘI DUNG", "văn bản",
                                  "III. KINH PHÍ THỰC HIỆN", "IV. TỔ CHỨC THỰC HIỆN"]


def test_a_roman_numeral_between_two_that_skip_it_is_the_one_skipped():
    lines = ["I. MỤC TIÊU", "I. NHIỆM VỤ", "III. GIẢI PHÁP", "_ Il. TỔ CHỨC THỰC HIỆN", "V. KINH PHÍ"]
    assert _renumbered(lines) == ["I. MỤC TIÊU", "II. NHIỆM VỤ", "III. GIẢI PHÁP", "_ IV. TỔ CHỨC THỰC HIỆN",
                                  "V. KINH PHÍ"]


def test_the_first_heading_read_keeps_its_number_when_one_before_it_was_lost():
    lines = ["II. NỘI DUNG", "II. KINH PHÍ", "IV. TỔ CHỨC THỰC HIỆN"]
    assert _renumbered(lines) == ["II. NỘI DUNG", "III. KINH PHÍ", "IV. TỔ CHỨC THỰC HIỆN"]


def test_an_item_number_between_two_that_skip_it_is_the_one_skipped():
    lines = ["3. Sở Tài chính", "4. Sở Nội vụ", "9. Sở Y tế", "6. Công an tỉnh"]
    assert _renumbered(lines) == ["3. Sở Tài chính", "4. Sở Nội vụ", "5. Sở Y tế", "6. Công an tỉnh"]


@pytest.mark.parametrize("lines", [
    ["1. Mục đích", "2. Yêu cầu", "1. Nhiệm vụ", "3. Giải pháp"],  # a list started again
    ["4. Sở Nội vụ", "4. Sở Y tế", "4. Công an tỉnh"],  # items numbered alike on purpose
    ["I. MỤC ĐÍCH", "II. NỘI DUNG", "III. TỔ CHỨC", "I. PHỤ LỤC", "II. BẢNG"],  # numbering started again
    ["Ngày 9. Tháng 5", "15 tháng 6 năm 2025"],  # no numbered item
])
def test_numbers_that_agree_with_their_neighbours_are_kept(lines):
    assert _renumbered(lines) == lines


def test_a_misread_section_number_is_put_back_by_the_restorer(restorer):
    lines = ["I. MỤC ĐÍCH, YÊU CẦU", "Nội dung.", "II. NỘI DUNG", "Nội dung.", "II. TỔ CHỨC THỰC HIỆN"]
    result = restorer.restore_lines(lines, CLEAN)
    assert result.lines[4] == "III. TỔ CHỨC THỰC HIỆN"
    assert result.lines[:4] == lines[:4]


def test_a_word_that_is_no_word_needs_less_certainty_to_change_than_a_word(restorer, monkeypatch):
    # Clean text sure enough of nothing: only a token that is no syllable and no word is changed.
    monkeypatch.setitem(restore_module.CHANGE_THRESHOLD, CLEAN, 1.01)
    assert restorer.restore_lines(["Huyện đã glao lại cho xã."], CLEAN).lines == ["Huyện đã giao lại cho xã."]
    assert restorer.restore_lines(["tuyên truyền vê công tác"], CLEAN).lines == ["tuyên truyền vê công tác"]
    monkeypatch.setattr(restore_module, "UNKNOWN_CHANGE_THRESHOLD", 1.01)
    assert restorer.restore_lines(["Huyện đã glao lại cho xã."], CLEAN).lines == ["Huyện đã glao lại cho xã."]


@pytest.mark.parametrize("line", [
    "Người dân dùng Zalo và Facebook để phản ánh.",
    "Ứng dụng IoT trong quản lý đô thị.",
    "Xã Ea Kly, huyện Krông Pắc.",
])
def test_names_and_foreign_words_in_clean_text_are_kept(restorer, line):
    assert restorer.restore_lines([line], CLEAN).lines == [line]
