"""Header and closing blocks: metadata, signer, recipients, and the roles of their lines."""
from __future__ import annotations

import pytest

from parse_helpers import fixture_lines, lines_of, shared_lines
from pipeline.parse import parse

# The first lines of kh-267 as the legacy OCR wrote them, diacritics restored: two columns merged.
MERGED_HEADER = """UY BAN NHAN DAN CONG HOA XA HOI CHU NGHIA VIET NAM

TiNH THUA THIEN HUE Péc lap - T do - Hanh phic
S6: 267/KH-UBND Thira Thién Hué, ngay 27 thang 6 nim 2024
KE HOACH

Trién khai thuc hién Nghi quyét so 47/NQ-CP ngay 15/4/2024 ciia Chinh phii

I. MUC DICH, YEU CAU
"""


def test_merged_two_column_header_from_legacy_ocr():
    meta = parse(lines_of(MERGED_HEADER)).meta
    assert meta.number == "267/KH-UBND"
    assert meta.doc_type == "Kế hoạch"
    assert meta.issued_date == "2024-06-27"
    assert meta.issuer == "Ủy ban nhân dân tỉnh Thua Thien Hue"
    assert meta.title.startswith("Trién khai thuc hién")


@pytest.mark.shared
def test_one_field_per_line_header_of_a_dev_plan():
    result = parse(shared_lines("141"))
    meta = result.meta
    assert (meta.number, meta.doc_type, meta.issued_date, meta.place) == ("141/KH-UBND", "Kế hoạch", "2025-11-20", "Bắc Ninh")
    assert meta.issuer == "Ủy ban nhân dân tỉnh Bắc Ninh"
    assert meta.title == (
        "NÂNG CAO NĂNG LỰC CHO ĐỘI NGŨ CÁN BỘ, CÔNG CHỨC XÂY DỰNG CHÍNH SÁCH, PHÁP LUẬT TRÊN ĐỊA BÀN TỈNH GIAI ĐOẠN 2026 - 2030"
    )
    assert (meta.signer.name, meta.signer.title, meta.signer.authority) == ("Phạm Văn Thịnh", "Phó Chủ tịch", "KT.")
    assert meta.recipients[0] == "Bộ Tư pháp (b/c)"
    assert meta.recipients[-1] == "Lưu: VT, NC"
    assert [result.line_roles[n] for n in (1, 3, 7, 8)] == ["header"] * 4
    assert result.line_roles[108] == "recipients"
    assert [result.line_roles[n] for n in (117, 118, 119, 120)] == ["signature"] * 4


@pytest.mark.shared
def test_body_resumes_after_the_signature_for_an_appendix():
    result = parse(shared_lines("310"))
    assert result.meta.signer.name == "Trương Việt Dũng"
    appendix = result.sections[-1]
    assert (appendix.kind, appendix.id, appendix.lines) == ("appendix", "PL", (99, 99))


def test_number_code_gives_the_type_without_a_type_line():
    text = "UBND TỈNH ĐỒNG THÁP\nSố: 12/QĐ-UBND\nĐồng Tháp, ngày 3 tháng 1 năm 2025\n\nĐiều 1. Ban hành kèm theo Quyết định này.\n"
    meta = parse(lines_of(text)).meta
    assert (meta.number, meta.doc_type, meta.issued_date) == ("12/QĐ-UBND", "Quyết định", "2025-01-03")
    assert meta.issuer == "Ủy ban nhân dân tỉnh Đồng Tháp"


def test_decision_header_with_authority_line_after_the_title():
    text = (
        "ỦY BAN NHÂN DÂN\nTỈNH NGHỆ AN\nSố: 35/2024/QĐ-UBND\nNghệ An, ngày 5 tháng 9 năm 2024\n"
        "QUYẾT ĐỊNH\nVề việc ban hành Quy chế phối hợp\nỦY BAN NHÂN DÂN TỈNH NGHỆ AN\n"
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;\nQUYẾT ĐỊNH:\n"
        "Điều 1. Ban hành kèm theo Quyết định này Quy chế.\nĐiều 2. Quyết định có hiệu lực kể từ ngày ký.\n"
        "Nơi nhận:\n- Như Điều 2;\n- Lưu: VT.\nTM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nNguyễn Đức Trung\n"
    )
    result = parse(lines_of(text))
    assert result.meta.doc_type == "Quyết định"
    assert result.meta.title == "Về việc ban hành Quy chế phối hợp"
    assert (result.meta.signer.title, result.meta.signer.authority) == ("Chủ tịch", "TM.")
    assert [s.id for s in result.sections if s.kind == "article"] == ["Đ1", "Đ2"]


def test_no_header_at_all():
    result = parse(lines_of("1. Sở Tư pháp chủ trì thực hiện.\n2. Sở Nội vụ phối hợp."))
    assert result.meta.number is None and result.meta.title is None
    assert [s.id for s in result.sections] == ["1", "2"]


# A decision as a clerk types it from a web page: the header and closing blocks are table rows, one line
# each with a TAB between the columns; the title is in capitals like the line that names who enacts it.
TYPED_DECISION = (
    "ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc\n"
    "Số: 412/QĐ-UBND\tLâm Đồng, ngày 4 tháng 3 năm 2025\n"
    "QUYẾT ĐỊNH\n"
    "BAN HÀNH KẾ HOẠCH PHÒNG, CHỐNG CHÁY RỪNG NĂM 2025\n"
    "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH\n"
    "Căn cứ Luật Lâm nghiệp ngày 15 tháng 11 năm 2017;\n"
    "QUYẾT ĐỊNH:\n"
    "Điều 1. Ban hành kèm theo Quyết định này Kế hoạch phòng, chống cháy rừng năm 2025.\n"
    "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.\n"
    "Nơi nhận: - Như Điều 2; - Thường trực Tỉnh ủy; - Lưu: VT, KT.\tKT. CHỦ TỊCH PHÓ CHỦ TỊCH Lê Văn Bình\n"
)


def test_typed_decision_with_its_blocks_as_table_rows():
    meta = parse(lines_of(TYPED_DECISION)).meta
    assert (meta.number, meta.doc_type, meta.issued_date) == ("412/QĐ-UBND", "Quyết định", "2025-03-04")
    # The enacting line is no part of the title; the decision is the Chủ tịch's.
    assert meta.title == "BAN HÀNH KẾ HOẠCH PHÒNG, CHỐNG CHÁY RỪNG NĂM 2025"
    assert meta.issuer == "Chủ tịch Ủy ban nhân dân tỉnh Lâm Đồng"
    # The closing row's right cell: the signer's titles, then the name.
    assert (meta.signer.name, meta.signer.title, meta.signer.authority) == ("Lê Văn Bình", "Phó Chủ tịch", "KT.")
    assert meta.recipients == ["Như Điều 2", "Thường trực Tỉnh ủy", "Lưu: VT, KT"]


def test_telegram_addressing_line_and_a_rule_are_not_the_title():
    text = (
        "THỦ TƯỚNG CHÍNH PHỦ\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc\n"
        "Số: 15/CĐ-TTg\tHà Nội, ngày 2 tháng 2 năm 2025\n"
        "CÔNG ĐIỆN\n"
        "VỀ VIỆC CHỦ ĐỘNG ỨNG PHÓ VỚI RÉT ĐẬM, RÉT HẠI ______\n"
        "THỦ TƯỚNG CHÍNH PHỦ điện:\n"
        "- Chủ tịch Ủy ban nhân dân các tỉnh miền núi phía Bắc.\n"
        "Nơi nhận: - Như trên; - Lưu: VT, NN.\tKT. THỦ TƯỚNG PHÓ THỦ TƯỚNG Trần Văn Cường\n"
    )
    meta = parse(lines_of(text)).meta
    assert meta.title == "VỀ VIỆC CHỦ ĐỘNG ỨNG PHÓ VỚI RÉT ĐẬM, RÉT HẠI"
    assert meta.issuer == "Thủ tướng Chính phủ"
    assert (meta.signer.name, meta.signer.title) == ("Trần Văn Cường", "Phó Thủ tướng")


def test_a_title_naming_a_body_is_not_cut_at_that_line():
    # Only a line the preamble follows (or ending in a colon) names who enacts the document.
    text = ("UBND TỈNH AN GIANG\nSố: 7/KH-UBND\nAn Giang, ngày 3 tháng 1 năm 2025\nKẾ HOẠCH\n"
            "TRIỂN KHAI NGHỊ QUYẾT CỦA\nỦY BAN NHÂN DÂN TỈNH VỀ CHUYỂN ĐỔI SỐ\n\nI. MỤC ĐÍCH\n")
    assert parse(lines_of(text)).meta.title == "TRIỂN KHAI NGHỊ QUYẾT CỦA ỦY BAN NHÂN DÂN TỈNH VỀ CHUYỂN ĐỔI SỐ"


def test_closing_columns_each_on_one_line():
    # A borderless closing table read column by column: the recipients' column on one line, the titles
    # and the name on the next.
    text = TYPED_DECISION.replace("Nơi nhận: - Như Điều 2; - Thường trực Tỉnh ủy; - Lưu: VT, KT.\t",
                                  "Nơi nhận: - Như Điều 2; - Thường trực Tỉnh ủy; - Lưu: VT, KT.\n")
    meta = parse(lines_of(text)).meta
    assert (meta.signer.name, meta.signer.title, meta.signer.authority) == ("Lê Văn Bình", "Phó Chủ tịch", "KT.")
    assert meta.recipients == ["Như Điều 2", "Thường trực Tỉnh ủy", "Lưu: VT, KT"]
