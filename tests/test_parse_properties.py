"""Property tests: the parser never raises and never loses a line.

Accounting rule (see pipeline/parse/__init__.py): every non-blank input line
lies within the `lines` range of some section node, or has a role in
`result.line_roles` (header, recipients, signature, page-number,
running-header).
"""
from __future__ import annotations

import pytest

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parse_helpers import fixture_lines, shared_lines, lines_of
from pipeline.model import Line
from pipeline.parse import parse

# Pieces of real lines, so that generated documents exercise headers, markers, fields, tables and closings.
PIECES = [
    "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "TỈNH THỪA THIÊN HUẾ Độc lập - Tự do - Hạnh phúc",
    "Số: 267/KH-UBND Thừa Thiên Huế, ngày 27 tháng 6 năm 2024", "KẾ HOẠCH", "QUYẾT ĐỊNH", "Về việc",
    "I. MỤC ĐÍCH, YÊU CẦU", "III. NHIỆM VỤ, GIẢI PHÁP", "IV. TỔ CHỨC THỰC HIỆN", "Ill.", "HI.", "Vv. TO CHUC",
    "1.", "2.", "9.", "1.1.", "a)", "b)", "d)", "đ)", "-", "+", "•", "-Chương", "Chương II", "Điều 3.", "Phần I",
    "PHỤ LỤC", "Đơn vị thực hiện:", "Thời gian thực hiện:", "Đơn vị chủ trì:", "Đơn vị phối hợp:", "Nhiệm vụ:",
    "Sở Thông tin và Truyền thông chủ trì, phối hợp với", "các sở, ban, ngành", "UBND các huyện, thị xã, thành phố",
    "Căn cứ hướng dẫn của", "Quý 3/2024.", "thường xuyên", "định kỳ hằng năm", "trước ngày 25 tháng 12",
    "Kết luận số 57-KL/TW ngày 15/6/2023", "Nơi nhận:", "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH",
    "Nguyễn Thanh Bình", "- Lưu: VT, GD.", "2", "- 3 -", "TT\tNội dung\tCơ quan chủ trì\tThời gian", "1\tx\tSở Y tế\tQuý 9/2024",
    "Trên đây là Kế hoạch", "tình hình mới.", "của", "quý IV năm 2025", ":", ";", "(", ")", "", " ",
]

line_text = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(PIECES), max_size=5).map(" ".join),
    st.sampled_from(PIECES),
)


def _accounted(result, lines: list[Line]) -> list[int]:
    ranges = []

    def collect(sections):
        for section in sections:
            ranges.append(section.lines)
            collect(section.children)

    collect(result.sections)
    missing = []
    for line in lines:
        if not line.text.strip():
            continue
        if line.number in result.line_roles:
            continue
        if not any(first <= line.number <= last for first, last in ranges):
            missing.append(line.number)
    return missing


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(line_text, max_size=40))
def test_never_raises_and_accounts_for_every_line(texts):
    lines = lines_of("\n".join(text.replace("\n", " ") for text in texts)) if texts else []
    result = parse(lines)
    assert _accounted(result, lines) == []
    for task in result.tasks:
        assert task.lines[0] <= task.lines[1]
        assert task.deadline is None or len(task.deadline) == 10
        assert 0.0 < task.confidence <= 1.0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=12), st.data())
def test_pages_and_running_headers_are_accounted_for(pages, data):
    texts = [data.draw(line_text) for _ in pages]
    lines = [Line(number=i + 1, text=t.replace("\n", " "), original=t, page=p) for i, (t, p) in enumerate(zip(texts, sorted(pages)))]
    result = parse(lines)
    assert _accounted(result, lines) == []


def test_empty_and_blank_inputs():
    assert parse([]).tasks == []
    result = parse(lines_of("\n\n   \n"))
    assert (result.sections, result.tasks, result.line_roles) == ([], [], {})


def test_every_line_of_the_seed_is_accounted_for():
    for name in ("parse-kh-267-gold.txt", "parse-kh-267-restored-ocr.txt"):
        lines = fixture_lines(name)
        assert _accounted(parse(lines), lines) == [], name


@pytest.mark.shared
def test_every_line_of_the_dev_documents_is_accounted_for():
    for number, name in (("141", "gold.txt"), ("310", "gold.txt"), ("141", "ocr-vie.txt")):
        lines = shared_lines(number, name)
        assert _accounted(parse(lines), lines) == [], (number, name)


def test_running_header_repeated_on_pages_is_dropped():
    lines = []
    for page in (1, 2, 3):
        for text in ("UBND TỈNH THỪA THIÊN HUẾ - KẾ HOẠCH 267", f"Nội dung trang {page} của kế hoạch."):
            lines.append(Line(number=len(lines) + 1, text=text, original=text, page=page))
    result = parse(lines)
    assert [result.line_roles.get(n) for n in (1, 3, 5)] == ["running-header"] * 3


def test_repeated_paragraph_tail_mid_page_is_not_a_running_header():
    # kh-141 text.pdf: "liên quan." ends a field line on pages 4, 5 and 6
    lines = []
    for page in (4, 5, 6):
        for text in ("- Tổ chức tập huấn, bồi dưỡng.", "Đơn vị phối hợp: Các cơ quan, đơn vị, địa phương", "liên quan.",
                     "Thời gian thực hiện: Thường xuyên.", "- Nâng cao kiến thức."):
            lines.append(Line(number=len(lines) + 1, text=text, original=text, page=page))
    assert "running-header" not in parse(lines).line_roles.values()


def test_a_line_that_only_looks_like_a_closing_block_after_an_attachment_heading_is_kept():
    # Found by the property above: "TL.A…" reads as a signature's authority, yet no closing block follows.
    lines = lines_of("PHU LUC TL.Aẞ\nH TL.Aẞ")
    assert _accounted(parse(lines), lines) == []
