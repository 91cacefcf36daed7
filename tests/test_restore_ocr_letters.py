"""OCR letter misreadings the restorer undoes: marks read as capitals and digits, lost strokes, codes."""
from __future__ import annotations

import pytest

from pipeline.restore import CLEAN, LEGACY, TESSERACT, Restorer
from pipeline.restore.tokens import DIGITS, FIXED, WORD, tokenize


@pytest.fixture(scope="module")
def restorer() -> Restorer:
    return Restorer.default()


@pytest.mark.parametrize("line, kinds", [
    # A capital O beside a digit among small letters is an "ô" or "ơ" with its mark read twice.
    ("cO6ng tac MO6i", [("cO6ng", WORD), ("tac", WORD), ("MO6i", WORD)]),
    # Capitals among digits otherwise make codes.
    ("QH15 HO6 kO6", [("QH15", FIXED), ("HO6", FIXED), ("kO6", FIXED)]),
    # A leading 1 before small letters is an l; before capitals alone it numbers a code.
    ("1a (1A, 3B)", [("1a", WORD), ("1A", FIXED), ("3B", FIXED)]),
    # A letter-like digit and a unit that read as a syllable: a measure or a word, as context says.
    ("4m 6m 9h 6ha", [("4m", DIGITS), ("6m", DIGITS), ("9h", FIXED), ("6ha", FIXED)]),
])
def test_tokenize_marks_read_as_capitals_and_codes(line, kinds):
    assert [(t.text, t.kind) for t in tokenize(line)] == kinds


@pytest.mark.parametrize("ocr, gold", [
    ("tang cuOng cO6ng tac quan ly", "tăng cường công tác quản lý"),
    ("Sở Tài nguyên va MO6i trudng", "Sở Tài nguyên và Môi trường"),
    ("Cac lop hoc (1A, 2B) cua truong", "Các lớp học (1A, 2B) của trường"),
])
def test_marks_read_as_capitals_and_digits_are_undone(restorer, ocr, gold):
    assert restorer.restore_lines([ocr], LEGACY).lines == [gold]


def test_a_lost_capital_i_of_a_known_word_is_put_back(restorer):
    assert restorer.restore_lines(["Ket noi thiét bi (oT) trong nha may"], LEGACY).lines == [
        "Kết nối thiết bị (IoT) trong nhà máy"]


def test_a_capital_vowel_after_a_small_letter_is_a_misread_mark_not_a_lost_i(restorer):
    restored = restorer.restore_lines(["Quyét dinh sO 12/QD-UBND ngay 5 thang 3"], LEGACY).lines[0]
    assert restored.startswith("Quyết định số 12/QĐ-UBND")


def test_an_unknown_token_with_marks_is_read_as_a_syllable(restorer):
    # "nghèo" with a letter gained: no syllable, and no foreign word carries Vietnamese marks.
    restored = restorer.restore_lines(["han ché tai ngheéo va phat sinh ngheo"], LEGACY).lines[0]
    assert restored.split()[3] == "nghèo"


@pytest.mark.parametrize("ocr, gold", [
    ("Ban Quanly du an", "Ban Quản lý dự án"),
    ("chuyén déis6 trong cac khucéng nghiép", "chuyển đổi số trong các khu công nghiệp"),
    ("kinh phingan sach", "kinh phí ngân sách"),
])
def test_two_syllables_read_as_one_token_are_two_words(restorer, ocr, gold):
    assert restorer.restore_lines([ocr], LEGACY).lines == [gold]


def test_a_glued_word_is_reported_at_its_place_in_the_restored_line(restorer):
    result = restorer.restore_lines(["Ban Quanly du an"], LEGACY)
    items = {item.restored: item.start for item in result.items}
    assert {item.original for item in result.items} >= {"Quan", "ly"}
    assert result.lines[0][items["Quản"]:].startswith("Quản lý")
    assert result.lines[0][items["lý"]:].startswith("lý dự")


def test_foreign_names_are_not_cut_into_syllables(restorer):
    restored = restorer.restore_lines(["Viettel, MobiFone va Telecom cung cap Gigabit"], LEGACY).lines[0]
    assert restored.split()[:3] == ["Viettel,", "MobiFone", "và"]
    assert "Telecom" in restored and restored.endswith("Gigabit")


def test_a_digit_and_a_unit_are_a_word_or_a_measure_as_context_says(restorer):
    word, measure = restorer.restore_lines(["xay dung cudc song 4m no, hanh phic", "Tuong rao cao 4m, dai 20 m"],
                                           LEGACY).lines
    assert word == "xây dựng cuộc sống ấm no, hạnh phúc"
    assert measure.startswith("Tường rào cao 4m,")


@pytest.mark.parametrize("profile", [TESSERACT, CLEAN])
def test_a_known_mixed_case_word_with_its_capital_i_read_as_l_is_put_back_in_any_ocr(restorer, profile):
    assert restorer.restore_lines(["mở rộng hạ tầng 5G và các giải pháp loT tại các khu"], profile).lines == [
        "mở rộng hạ tầng 5G và các giải pháp IoT tại các khu"]


def test_underscores_english_model_ocr_made_of_table_rules_and_specks_are_dropped(restorer):
    lines = ["_ Hinh thic khen thudng phu hop", "Ban Quan ly cac khu céng_ | Cong Thuong", "theo nghiép vu__|chuyén mén"]
    assert restorer.restore_lines(lines, LEGACY).lines == [
        "Hình thức khen thưởng phù hợp", "Ban Quản lý các khu công | Công Thương", "theo nghiệp vụ chuyên môn"]


def test_underscores_tesseract_made_of_table_rules_and_specks_are_dropped(restorer):
    lines = ["_ đạo, hướng dẫn về công tác", "các khu công_ | Sở Công Thương"]
    assert restorer.restore_lines(lines, TESSERACT).lines == ["đạo, hướng dẫn về công tác", "các khu công | Sở Công Thương"]


def test_form_blanks_and_underscores_inside_words_and_addresses_are_kept(restorer):
    line = "Họ và tên: ________ tệp bao_cao.docx tại http://so.gov.vn/van_ban_"
    assert restorer.restore_lines([line], CLEAN).lines == [line]


def test_a_word_with_a_capital_o_for_a_small_marked_o_is_no_word_in_capitals(restorer):
    # "NOi" is "Nội" with its "ộ" read as a capital O: no heading, so "SO" beside it is "Sở", not "SỞ".
    assert restorer.restore_lines(["3. SO NOi vu chu tri, phdi hop vdi cac co quan"], LEGACY).lines == [
        "3. Sở Nội vụ chủ trì, phối hợp với các cơ quan"]


def test_a_capital_letter_split_from_its_word_is_joined_back(restorer):
    result = restorer.restore_lines(["Triển khai thực hiện N ghị quyết số 12/NQ-CP của Chính phủ"], TESSERACT)
    assert result.lines == ["Triển khai thực hiện Nghị quyết số 12/NQ-CP của Chính phủ"]
    assert [(item.original, item.restored, item.start) for item in result.items] == [("N ghị", "Nghị", 21)]
    assert result.changed == 1


def test_a_capital_letter_split_from_a_word_without_marks_is_joined_back(restorer):
    # "ghi" is a word of its own (to write), yet "Nghị" beats a made-up "Nữ" or "Nợ" before it.
    assert restorer.restore_lines(["Trién khai thuc hién N ghi quyét s6 12/NQ-CP"], LEGACY).lines == [
        "Triển khai thực hiện Nghị quyết số 12/NQ-CP"]


def test_a_capital_letter_that_is_a_label_stays_apart_from_the_word_after_it(restorer):
    line = "Nhóm C hạng 2 và phụ lục B kèm theo"
    assert restorer.restore_lines([line], TESSERACT).lines == [line]


def test_a_known_code_with_small_letters_after_its_capitals_is_kept(restorer):
    # "TTr" (thường trực), "TTg" (Thủ tướng) are no syllable in any case: OCR printed them so.
    restored = restorer.restore_lines(["- TTr Tinh ty, TTr HDND tinh; TTg Chinh phu;"], LEGACY).lines[0]
    assert restored.startswith("- TTr ") and ", TTr HĐND tỉnh; TTg " in restored
