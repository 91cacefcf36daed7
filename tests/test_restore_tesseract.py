"""The restorer on text read by Tesseract's Vietnamese model: mostly right, so only what is surely
wrong is changed: words that are no word at all, and the numbers of headings and items the
numbers around them contradict."""
from __future__ import annotations

from pathlib import Path

import pytest

import pipeline.restore as restore_module
from pipeline.restore import CLEAN, LEGACY, STRIPPED, TESSERACT, Restorer, _renumbered
from pipeline.restore.tokens import WORD, tokenize
from pipeline.restore.vocab import lm_key
from pipeline.vietnamese import strip_marks


@pytest.fixture(scope="module")
def restorer() -> Restorer:
    return Restorer.default()


def test_a_roman_numeral_repeated_or_merged_is_the_next_one():
    lines = ["I. MỤC ĐÍCH, YÊU CẦU", "1. Mục đích", "II. NỘI DUNG", "văn bản", "II. KINH PHÍ THỰC HIỆN",
             "IV. TỔ CHỨC THỰC HIỆN"]
    assert _renumbered(lines) == ["I. MỤC ĐÍCH, YÊU CẦU", "1. Mục đích", "II. NỘI DUNG", "văn bản",
                                  "III. KINH PHÍ THỰC HIỆN", "IV. TỔ CHỨC THỰC HIỆN"]


def test_a_roman_numeral_between_two_that_skip_it_is_the_one_skipped():
    lines = ["I. MỤC TIÊU", "I. NHIỆM VỤ", "III. GIẢI PHÁP", "_ Il. TỔ CHỨC THỰC HIỆN", "V. KINH PHÍ"]
    assert _renumbered(lines) == ["I. MỤC TIÊU", "II. NHIỆM VỤ", "III. GIẢI PHÁP", "_ IV. TỔ CHỨC THỰC HIỆN",
                                  "V. KINH PHÍ"]


def test_a_small_v_in_a_roman_numeral_is_a_v_or_the_echo_of_one():
    lines = ["I. MỤC TIÊU", "II. NHIỆM VỤ", "III. GIẢI PHÁP", "Iv. KINH PHÍ", "Vv. TỔ CHỨC THỰC HIỆN"]
    assert _renumbered(lines) == ["I. MỤC TIÊU", "II. NHIỆM VỤ", "III. GIẢI PHÁP", "IV. KINH PHÍ",
                                  "V. TỔ CHỨC THỰC HIỆN"]
    # Alone, nothing confirms it: it stays for the parser to read.
    assert _renumbered(["Vv. TỔ CHỨC THỰC HIỆN"]) == ["Vv. TỔ CHỨC THỰC HIỆN"]


def test_the_first_heading_read_keeps_its_number_when_one_before_it_was_lost():
    lines = ["II. NỘI DUNG", "II. KINH PHÍ", "IV. TỔ CHỨC THỰC HIỆN"]
    assert _renumbered(lines) == ["II. NỘI DUNG", "III. KINH PHÍ", "IV. TỔ CHỨC THỰC HIỆN"]


def test_an_item_number_between_two_that_skip_it_is_the_one_skipped():
    lines = ["3. Sở Tài chính", "4. Sở Nội vụ", "9. Sở Y tế", "6. Công an tỉnh"]
    assert _renumbered(lines) == ["3. Sở Tài chính", "4. Sở Nội vụ", "5. Sở Y tế", "6. Công an tỉnh"]


def test_a_second_item_letter_d_is_d_with_its_bar():
    lines = ["c) Ra soát", "d) Xây dựng mô hình", "d) Vận dụng", "e) Tổ chức"]
    assert _renumbered(lines) == ["c) Ra soát", "d) Xây dựng mô hình", "đ) Vận dụng", "e) Tổ chức"]


def test_an_item_letter_d_read_with_a_bar_after_c_is_d():
    lines = ["b) Rà soát", "c) Tập huấn", "đ) Chỉ đạo", "đ) Đôn đốc", "e) Báo cáo", "c) Kiểm tra", "Đ) Hướng dẫn"]
    assert _renumbered(lines) == ["b) Rà soát", "c) Tập huấn", "d) Chỉ đạo", "đ) Đôn đốc", "e) Báo cáo",
                                  "c) Kiểm tra", "D) Hướng dẫn"]


@pytest.mark.parametrize("lines", [
    ["a) Mục đích", "d) Yêu cầu", "a) Nhiệm vụ", "d) Giải pháp"],  # each d) after another letter
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


@pytest.mark.parametrize("line, restored", [
    ("Triển khai hạ tầng 5G, loT và điện toán đám mây.", "Triển khai hạ tầng 5G, IoT và điện toán đám mây."),
    ("Kết nối lnternet băng rộng đến các xã.", "Kết nối Internet băng rộng đến các xã."),
    ("Nền tảng IoøT và IøT, IơøT công nghiệp.", "Nền tảng IoT và IoT, IoT công nghiệp."),
    ("ø) Tăng cường ứng dụng công nghệ thông tin.", "g) Tăng cường ứng dụng công nghệ thông tin."),
    ("Ban chỉ đạo lên kế hoạch.", "Ban chỉ đạo lên kế hoạch."),  # a word with "l" that is a word is kept
])
def test_a_word_misread_as_tesseract_does_is_put_back_where_that_makes_a_known_word(restorer, line, restored):
    assert restorer.restore_lines([line], TESSERACT).lines == [restored]


FIXTURES = Path(__file__).parent / "fixtures"
GOLD_LINES = (FIXTURES / "restore-kh267-gold.txt").read_text(encoding="utf-8").split("\n")
LEGACY_LINES = (FIXTURES / "restore-kh267-ocr.txt").read_text(encoding="utf-8").split("\n")


def _misread(line: str) -> str:
    """Every fourth word with a letter too many: Vietnamese OCR of a poor page, marks kept."""
    return " ".join(word + "q" if number % 4 == 3 else word for number, word in enumerate(line.split(" ")))


def test_lone_letters_do_not_make_a_short_clean_line_look_like_english_model_ocr(restorer):
    line = "Sở KH&ĐT và Công ty R & D"
    restored = restorer.restore_lines([line])
    assert restored.profile != LEGACY and restored.lines == [line]


def test_the_profile_is_told_by_the_marks_and_the_syllables(restorer):
    def detect(lines):
        return restorer.detect_profile([token for line in lines for token in tokenize(line)])

    poor = [_misread(line) for line in GOLD_LINES]
    words = [t.text for line in poor for t in tokenize(line) if t.kind == WORD]
    # Fewer than 85 % of the words are syllables: no longer "mostly right", and still Vietnamese OCR.
    assert sum(lm_key(w) in restorer._syllable_set for w in words) / len(words) < 0.85
    assert detect(poor) == TESSERACT
    assert detect(GOLD_LINES) == CLEAN
    assert detect(LEGACY_LINES) == LEGACY
    assert detect([strip_marks(line) for line in GOLD_LINES]) == STRIPPED


def test_an_h_in_a_roman_numeral_is_read_as_the_sequence_needs():
    # "IH." is "II." with a speck when the heading before it was lost; "HI." after it is "III.".
    lines = ["I. MỤC ĐÍCH", "IH. ĐỐI TƯỢNG", "HI. NỘI DUNG", "IV. KINH PHÍ"]
    assert _renumbered(lines) == ["I. MỤC ĐÍCH", "II. ĐỐI TƯỢNG", "III. NỘI DUNG", "IV. KINH PHÍ"]
    # Read first, "H." may be "I." or "II." after a heading lost: the headings after it tell which,
    # and where none does it is left as read.
    assert _renumbered(["H. MỤC TIÊU", "HI. NHIỆM VỤ", "IV. KINH PHÍ"]) == ["II. MỤC TIÊU", "III. NHIỆM VỤ",
                                                                           "IV. KINH PHÍ"]
    assert _renumbered(["H. MỤC TIÊU", "H. NHIỆM VỤ", "HI. KINH PHÍ"]) == ["I. MỤC TIÊU", "II. NHIỆM VỤ",
                                                                          "III. KINH PHÍ"]
    assert _renumbered(["H. MỤC TIÊU", "Nội dung"])[0] == "H. MỤC TIÊU"
    assert _renumbered(["I. MỤC TIÊU", "H. NHIỆM VỤ", "HI. GIẢI PHÁP"]) == ["I. MỤC TIÊU", "II. NHIỆM VỤ", "III. GIẢI PHÁP"]


@pytest.mark.parametrize("line, restored", [
    ("Các cơ quan, đơn VỊ thực hiện nghiêm túc.", "Các cơ quan, đơn vị thực hiện nghiêm túc."),
    ("Tham gia bảo VỆ an ninh trật tự.", "Tham gia bảo vệ an ninh trật tự."),
    ("Khảo sát tại cơ SỞ trên địa bàn.", "Khảo sát tại cơ sở trên địa bàn."),
    ("Các cơ quan, đơn vỊ thực hiện.", "Các cơ quan, đơn vị thực hiện."),
    # Capitals that are meant: a Roman numeral, a letter that is not only bigger, a heading.
    ("Nghị quyết Đại hội khóa XI về biển.", "Nghị quyết Đại hội khóa XI về biển."),
    ("Ứng dụng AI trong quản lý.", "Ứng dụng AI trong quản lý."),
    ("KẾ HOẠCH SỬ DỤNG VỐN", "KẾ HOẠCH SỬ DỤNG VỐN"),
    ("Giao Sở Xây dựng chủ trì.", "Giao Sở Xây dựng chủ trì."),
])
def test_small_letters_tesseract_wrote_as_capitals_are_put_back(restorer, line, restored):
    assert restorer.restore_lines([line], TESSERACT).lines == [restored]
    assert restorer.restore_lines([line], CLEAN).lines == [restored]


@pytest.mark.parametrize("first, restored", [("L MỤC ĐÍCH, YÊU CẦU", "I. MỤC ĐÍCH, YÊU CẦU"),
                                              ("L.MỤC ĐÍCH, YÊU CẦU", "I.MỤC ĐÍCH, YÊU CẦU"),
                                              ("IL. MỤC ĐÍCH, YÊU CẦU", "I. MỤC ĐÍCH, YÊU CẦU")])
def test_a_first_heading_read_as_l_is_one_and_gets_its_dot(first, restored):
    # The strokes of "I." on a damaged scan: an L, with or without the dot, or the dot smeared into an L.
    lines = [first, "1. Mục đích", "H. NỘI DUNG", "HI. KINH PHÍ THỰC HIỆN"]
    assert _renumbered(lines) == [restored, "1. Mục đích", "II. NỘI DUNG", "III. KINH PHÍ THỰC HIỆN"]


@pytest.mark.parametrize("line", ["VI PHẠM HÀNH CHÍNH", "L Văn bản", "H. pylori"])
def test_lines_that_only_look_like_a_heading_number_are_kept(line):
    lines = ["I. MỤC TIÊU", line, "II. NHIỆM VỤ"]
    assert _renumbered(lines) == lines
