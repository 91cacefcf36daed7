"""Cited documents: number, type, date."""
from __future__ import annotations

from pipeline.parse.references import find_references, type_from_number


def test_citations_with_both_date_forms():
    refs = find_references([
        "Thực hiện Kết luận số 57-KL/TW ngày 15 tháng 6 năm 2023 của Bộ Chính trị; Nghị quyết số 47/NQ-CP "
        "ngày 15/4/2024 của Chính phủ",
        "Lồng ghép, phối hợp thực hiện Quyết định số 70/2017/QĐ-UBND ngày 28 tháng 8 năm 2017 của Ủy ban nhân dân tỉnh",
    ])
    assert [(r.number, r.type, r.date) for r in refs] == [
        ("57-KL/TW", "Kết luận", "2023-06-15"),
        ("47/NQ-CP", "Nghị quyết", "2024-04-15"),
        ("70/2017/QĐ-UBND", "Quyết định", "2017-08-28"),
    ]


def test_a_document_is_reported_once_with_the_first_date_given():
    refs = find_references(["Nghị quyết 54-NQ/TW, ngày 10 tháng 12 năm 2019", "Nghị quyết 54-NQ/TW của Bộ Chính trị"])
    assert [(r.number, r.date) for r in refs] == [("54-NQ/TW", "2019-12-10")]


def test_ocr_space_after_hyphen_and_bare_so():
    refs = find_references(["quán triệt Nghị quyết số 27/NQ- TW ngày 09/11/2022", "theo số 84/KH-UBND"])
    assert [(r.number, r.type) for r in refs] == [("27/NQ-TW", "Nghị quyết"), ("84/KH-UBND", "Kế hoạch")]


def test_own_number_and_plain_numbers_are_not_citations():
    assert find_references(["Kế hoạch số 267/KH-UBND", "Luật số 15 điều", "năm 2024 số 5"], own_number="267/KH-UBND") == []


def test_type_from_number_code():
    assert type_from_number("267/KH-UBND") == "Kế hoạch"
    assert type_from_number("57-KL/TW") == "Kết luận"
    assert type_from_number("1850/QĐ-TTg") == "Quyết định"
    assert type_from_number("12/ABC") is None
