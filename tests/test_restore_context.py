"""Choices the context decides: which reading of an OCR word the clause around it wants."""
from __future__ import annotations

import pytest

from pipeline.restore import LEGACY, Restorer


@pytest.fixture(scope="module")
def restorer() -> Restorer:
    return Restorer.default()


def test_a_word_with_both_syllables_misread_is_within_reach(restorer):
    # "bi dung": neither syllable reads as "bồi dưỡng" before context; the pair is the seventh reading
    # the word before fits, and "tập huấn bồi dưỡng nghiệp vụ" is what the clause wants.
    restored = restorer.restore_lines(["to chitc tap huan bi dung nghiép vu cho can bd"], LEGACY).lines[0]
    assert restored == "tổ chức tập huấn bồi dưỡng nghiệp vụ cho cán bộ"


@pytest.mark.parametrize("ocr, gold", [
    # English-model OCR writes "cơ" as "CO": a C and an O are only bigger than c and o, so the capitals
    # say nothing, and the corpus writes "cơ" in small letters.
    ("Ké hoach nay duoc gui dén cac CO quan lién quan", "Kế hoạch này được gửi đến các cơ quan liên quan"),
    # A capitalised word after it makes a name: "SO" keeps the capital of "Sở".
    ("Cac xa phéi hop voi SO Tu phap trién khai", "Các xã phối hợp với Sở Tư pháp triển khai"),
])
def test_capitals_only_bigger_than_small_letters_take_the_case_of_the_word(restorer, ocr, gold):
    assert restorer.restore_lines([ocr], LEGACY).lines[0] == gold


def test_a_sentence_goes_on_over_a_blank_line_when_the_next_line_opens_in_small_letters(restorer):
    # OCR leaves blank lines inside sentences: "môi" / blank / "trường" is one clause, and
    # "ô nhiễm môi trường" is what it wants; read apart, "mdi" alone is "mới" and "truong" "trong".
    lines = ["gay t6n hai dén tai nguyén, 6 nhiém mdi", "", "truong, suy gidm da dang sinh hoc."]
    assert restorer.restore_lines(lines, LEGACY).lines == [
        "gây tổn hại đến tài nguyên, ô nhiễm môi", "", "trường, suy giảm đa dạng sinh học."]


def test_a_blank_line_before_a_capital_still_ends_the_clause():
    # A heading and the paragraph after it are separate contexts: the clause before the blank line
    # does not reach into the next one.
    clauses = Restorer._clauses(["KE HOACH", "", "Thuc hién Nghi quyét"], [])
    assert [[index for index, _ in clause] for clause in clauses] == [[0, 0], [2, 2, 2, 2]]
