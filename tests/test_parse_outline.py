"""Section tree: markers, paragraph joining, page numbers, OCR-damaged numbering, other layouts."""
from __future__ import annotations

import pytest

from parse_helpers import codes, fixture_lines, lines_of, shared_lines
from pipeline.parse import parse
from pipeline.parse.markers import read_marker


def _find(sections, section_id):
    for section in sections:
        if section.id == section_id:
            return section
        found = _find(section.children, section_id)
        if found:
            return found
    return None


def test_wrapped_lines_join_and_page_number_is_dropped():
    # kh-267 gold, page 1 -> 2: the paragraph runs on across "2"
    result = parse(fixture_lines("parse-kh-267-gold.txt"))
    paragraph = _find(result.sections, "II.1.p1")
    assert paragraph.title.startswith("Nâng cao hiệu quả công tác thông tin đối ngoại trên địa bàn tỉnh. Gắn kết chặt chẽ")
    assert "đối ngoại Nhân dân. Phát huy sức mạnh" in paragraph.title
    assert paragraph.lines == (51, 61)
    assert result.line_roles[57] == "page-number"


def test_heading_title_wrapped_over_two_lines():
    result = parse(fixture_lines("parse-kh-267-gold.txt"))
    group = _find(result.sections, "III.1")
    assert group.title == "Công tác quán triệt, tuyên truyền, phổ biến thông tin và triển khai thực hiện Nghị quyết"
    assert group.lines == (86, 87)


@pytest.mark.shared
def test_one_paragraph_per_line_is_not_joined():
    result = parse(shared_lines("308"))
    assert _find(result.sections, "I.1").title == "Mục đích"
    assert _find(result.sections, "I.1.p1").title.startswith("Thành phố Hà Nội là đơn vị đi đầu")


@pytest.mark.shared
def test_subnumbered_items_nest_under_their_number():
    result = parse(shared_lines("308"))
    group = _find(result.sections, "II.1")
    assert [child.id for child in group.children] == ["II.1.1", "II.1.2"]
    assert [child.kind for child in _find(result.sections, "II.1.1").children] == ["field", "field", "field"]


@pytest.mark.shared
def test_ocr_page_layout_of_a_dev_plan():
    # kh-141 as OCR'd with the Vietnamese model: page-wrapped, headers of the two columns merged,
    # "II." read as "I." and "III." as "HI."
    result = parse(shared_lines("141", "ocr-vie.txt"))
    assert [s.id for s in result.sections if s.kind == "roman"] == ["I", "II", "III", "IV"]
    assert ("numeral_fixed", 46) in codes(result)
    assert [t.id for t in result.tasks][:4] == ["III.1", "III.2", "III.3", "III.4-1"]
    gold_ids = [t.id for t in parse(shared_lines("141")).tasks]
    assert [t.id for t in result.tasks] == gold_ids


def test_letters_follow_the_vietnamese_alphabet():
    text = "III. NHIỆM VỤ\n1. Nhóm\na) Một.\nb) Hai.\nc) Ba.\nd) Bốn.\nd) Năm, OCR dropped the bar of đ.\ne) Sáu.\ng) Bảy.\n"
    result = parse(lines_of(text))
    assert [c.label for c in _find(result.sections, "III.1").children] == ["a", "b", "c", "d", "đ", "e", "g"]
    assert ("items_out_of_order", 9) not in codes(result)


def test_out_of_order_items_are_reported():
    result = parse(lines_of("I. MỤC ĐÍCH\n1. Một.\n3. Ba.\na) x.\nc) y.\n"))
    assert ("items_out_of_order", 3) in codes(result)
    assert ("items_out_of_order", 5) in codes(result)


def test_digit_misread_in_an_item_number_is_repaired():
    result = parse(lines_of("VI. TỔ CHỨC THỰC HIỆN\n1. Một.\n2. Hai.\n3. Ba.\n4. Bốn.\n9. Năm.\n6. Sáu.\n"))
    assert [c.label for c in _find(result.sections, "VI").children] == ["1", "2", "3", "4", "5", "6"]
    assert ("item_number_fixed", 6) in codes(result)


def test_item_number_whose_dot_ocr_dropped():
    # kh-556 scanned: "5. Sở Khoa học và Công nghệ" read as "5 Sở Khoa học và Công nghệ".
    marker = read_marker("5 Sở Khoa học và Công nghệ")
    assert (marker.kind, marker.label, marker.rest) == ("number", "5", "Sở Khoa học và Công nghệ")
    assert read_marker("15 tháng 6 năm 2023 của Bộ Chính trị") is None
    assert read_marker("2 Ủy ban nhân dân tỉnh ban hành Kế hoạch triển khai thực hiện cụ thể như sau, gồm các nội dung") is None


def test_roman_numerals_as_ocr_writes_them():
    assert read_marker("Ill. NHIEM VU, GIAI PHAP").label == "III"
    assert read_marker("HI. NHIỆM VỤ, GIẢI PHÁP").label == "III"
    assert read_marker("H. NỘI DUNG").label == "II"
    assert read_marker("_ IV. TỔ CHỨC THỰC HIỆN").label == "IV"
    assert read_marker("II MỤC TIÊU").label == "II"
    assert read_marker("I.MỤC ĐÍCH, YÊU CÂU").label == "I"
    assert read_marker("1. MỤC ĐÍCH").kind == "number"
    assert read_marker("Hà Nội, ngày 20 tháng 11 năm 2025") is None
    result = parse(lines_of("I. MỤC ĐÍCH\nx.\nII. MỤC TIÊU\ny.\nVv. TỔ CHỨC THỰC HIỆN\nz.\n"))
    assert [s.id for s in result.sections] == ["I", "II", "III"]


def test_hyphen_at_a_line_start_inside_a_paragraph_is_not_a_bullet():
    text = (
        "I. MỤC TIÊU\n"
        "- Đẩy mạnh tuyên truyền quảng bá hình ảnh địa phương, góp phần phát triển kinh tế\n"
        "- xã hội của tỉnh và thực hiện thắng lợi Nghị quyết Đại hội lần thứ XIII của Đảng.\n"
        "- Trên cơ sở những nội dung định hướng của Thành phố nêu tại Kế hoạch này, tổ chức\n"
        "-Chương trình chuyển đổi số của Thành phố.\n"
    )
    bullets = _find(parse(lines_of(text)).sections, "I").children
    assert len(bullets) == 2
    assert bullets[0].title.endswith("kinh tế - xã hội của tỉnh và thực hiện thắng lợi Nghị quyết Đại hội lần thứ XIII của Đảng.")


def test_closing_paragraphs_belong_to_no_item():
    result = parse(fixture_lines("parse-kh-267-gold.txt"))
    closing = [s for s in result.sections if s.kind == "paragraph" and s.title.startswith(("Trên đây", "Trong quá trình"))]
    assert len(closing) == 2
    assert "Trên đây là" not in next(t for t in result.tasks if t.id == "IV.2").text


def test_law_layout_gives_chapters_articles_clauses_points():
    text = (
        "Chương I\nQUY ĐỊNH CHUNG\nĐiều 1. Phạm vi điều chỉnh\n1. Quy chế này quy định việc phối hợp.\n"
        "a) Cơ quan nhà nước;\nb) Tổ chức chính trị.\n2. Đối tượng áp dụng.\nĐiều 2. Nguyên tắc\n"
        "Chương II\nNỘI DUNG PHỐI HỢP\nĐiều 3. Trách nhiệm\n"
    )
    result = parse(lines_of(text))
    assert [s.id for s in result.sections] == ["Ch.I", "Ch.II"]
    article = _find(result.sections, "Đ1")
    assert [c.id for c in article.children] == ["Đ1.1", "Đ1.2"]
    assert [c.id for c in _find(result.sections, "Đ1.1").children] == ["Đ1.1.a", "Đ1.1.b"]


@pytest.mark.shared
def test_tab_separated_rows_become_a_table_node():
    result = parse(shared_lines("310"))
    table = _find(result.sections, "PL").children[-1]
    assert table.kind == "table"
    assert table.title.startswith("TT | Nội dung/nhiệm vụ | Cơ quan chủ trì")
    assert [row.id for row in table.children] == ["PL.1", "PL.2", "PL.3", "PL.4", "PL.5", "PL.6"]
