"""Names spanning several words, and short capital words that English-model OCR misreads."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import ModelError
from pipeline.restore import DATA_DIR, LEGACY, STRIPPED, Restorer
from pipeline.restore.gazetteer import Gazetteer
from pipeline.restore.channel import skeleton
from pipeline.vietnamese import strip_marks


@pytest.fixture(scope="module")
def restorer() -> Restorer:
    return Restorer.default()


@pytest.fixture
def gazetteer(tmp_path: Path) -> Gazetteer:
    path = tmp_path / "names.txt"
    names = ["Tỉnh ủy", "Bộ Chính trị", "Gia Lai", "Độc lập Tự do Hạnh phúc", "Tân Thành"]
    path.write_text("".join(f"{name}\t{strip_marks(name).lower()}\n" for name in names), encoding="utf-8")
    return Gazetteer(path)


def names(gazetteer: Gazetteer, text: str, misread: bool = True) -> list[tuple[int, tuple[str, ...]]]:
    words = text.split()
    return list(gazetteer.matches([skeleton(w) for w in words], words, misread=misread))


def test_a_name_is_found_by_its_letters(gazetteer):
    assert names(gazetteer, "Ban Tuyen giao Tinh uy") == [(3, ("tỉnh", "ủy"))]


def test_one_word_of_a_name_may_be_misread(gazetteer):
    assert names(gazetteer, "cua By Chinh tri") == [(1, ("bộ", "chính", "trị"))]
    assert names(gazetteer, "Tinh ty") == [(0, ("tỉnh", "ủy"))]
    # A longer name may be further off in one word: "Péc" for "Độc".
    assert names(gazetteer, "Pec lap Tu do Hanh phuc") == [(0, ("độc", "lập", "tự", "do", "hạnh", "phúc"))]


def test_a_misread_word_must_be_written_as_the_name_writes_it(gazetteer):
    # "tai" is one letter from "Lai", but a place name is written with a capital.
    assert names(gazetteer, "gia tai") == []
    assert names(gazetteer, "Gia Tai") == [(0, ("gia", "lai"))]
    assert names(gazetteer, "GIA TAI") == [(0, ("gia", "lai"))]


def test_a_place_name_is_read_only_where_written_with_capitals(gazetteer):
    # "tán thành" (approve) has the letters of the ward "Tân Thành".
    assert names(gazetteer, "nhat tri tan thanh") == []
    assert names(gazetteer, "phuong Tan Thanh") == [(1, ("tân", "thành"))]
    assert names(gazetteer, "PHUONG TAN THANH") == [(1, ("tân", "thành"))]


def test_too_far_or_two_words_off_is_no_name(gazetteer):
    assert names(gazetteer, "Tinh tu") == []  # two letters off in a two-word name
    assert names(gazetteer, "By Chinh tu") == []  # two words off
    assert names(gazetteer, "Tinh ty", misread=False) == []


def test_shipped_gazetteer_holds_units_provinces_and_titles():
    shipped = [line.split("\t")[0] for line in (DATA_DIR / "gazetteer.txt").read_text(encoding="utf-8").splitlines()]
    # Wards and communes of the 2025 merger too, without the word of their kind.
    for name in ("Sở Tư pháp", "Bộ Chính trị", "Lâm Đồng", "Phó Chủ tịch", "Ủy ban nhân dân", "Hoàn Kiếm",
                 "Bắc Hồng Lĩnh", "Thượng Đức"):
        assert name in shipped
    assert all(len(name.split()) >= 2 for name in shipped)


@pytest.mark.parametrize("ocr, gold", [
    # The channel alone reads "ty" as "từ" and "By" as "Ủy"; the name brings "ủy" and "Bộ".
    ("Ban Tuyen giao Tinh ty, cac s& ban nganh", "Ban Tuyên giáo Tỉnh ủy, các sở ban ngành"),
    ("Ket luan cua By Chinh tri ve cong tac", "Kết luận của Bộ Chính trị về công tác"),
    # A ward of 2025: "Linh" alone is "linh" as often as "lĩnh", "Song Tri" is "song trị" to the model.
    ("UBND cac phudng Song Tri, Bac Hong Linh", "UBND các phường Sông Trí, Bắc Hồng Lĩnh"),
    # A code of two capitals unknown to the model, between words, is a misread word ("ở" read as "G").
    ("SG Tu phap, SG Khoa hoc va Cong nghe", "Sở Tư pháp, Sở Khoa học và Công nghệ"),
    # A list of codes is left alone.
    ("Luu: VT, GD.", "Lưu: VT, GD."),
    # Short capital words misread alike do not make a heading of a sentence.
    ("cua BO trudng BO Tai chinh quy dinh", "của Bộ trưởng Bộ Tài chính quy định"),
    # An apostrophe inside a word is a horn the OCR read apart, not the end of a word.
    ("tham gia thu'c hién, t6 chu'c trién khai", "tham gia thực hiện, tổ chức triển khai"),
])
def test_names_in_legacy_ocr(restorer, ocr, gold):
    assert restorer.restore_lines([ocr], LEGACY).lines == [gold]


def test_capital_i_for_l_is_lower_case(restorer):
    restored = restorer.restore_lines(["bao ve nguon Ioi thuy san"], LEGACY).lines[0]
    assert restored.split()[3][0] == "l"


def test_headings_stay_in_capitals(restorer):
    assert restorer.restore_lines(["THANH PHO CAN THO", "Ke hoach thuc hien"], STRIPPED).lines[0] == "THÀNH PHỐ CẦN THƠ"


def test_two_letter_words_of_legacy_ocr_get_readings_one_letter_away(restorer):
    # "by" for "bộ", "ty" for "ủy": the OCR lost or changed one of two letters.
    assert "bộ" in [spelling for spelling, _, _ in restorer._ranked("by", restorer.profiles[LEGACY])]
    assert "ủy" in [spelling for spelling, _, _ in restorer._ranked("ty", restorer.profiles[LEGACY])]
    assert restorer.restore_lines(["la mot by phan quan trong"], LEGACY).lines[0].split()[2] == "bộ"


def test_a_broken_gazetteer_is_a_model_error(tmp_path):
    path = tmp_path / "names.txt"
    path.write_text("Tỉnh ủy without its letters\n", encoding="utf-8")
    with pytest.raises(ModelError, match="gazetteer"):
        Gazetteer(path)
