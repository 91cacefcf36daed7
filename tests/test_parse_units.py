"""Units: expansion, role assignment and list splitting, on unit texts from the real plans."""
from __future__ import annotations

import pytest

from pipeline.parse.units import assign_roles, canonical_unit, expand, scan_phrase, split_list, title_unit


def test_abbreviations_expand_to_full_names():
    assert expand("UBND cấp xã") == "Ủy ban nhân dân cấp xã"
    assert expand("Sở TT&TT chủ trì") == "Sở Thông tin và Truyền thông chủ trì"
    assert canonical_unit("Sở KH&ĐT;") == "Sở Kế hoạch và Đầu tư"
    assert expand("TT HĐND tỉnh") == "TT Hội đồng nhân dân tỉnh"


def test_abbreviation_inside_a_word_is_left_alone():
    assert expand("VPUBTP: CVP") == "VPUBTP: CVP"


def test_canonical_names_repair_a_wrong_tone_mark():
    # restored OCR of kh-267 writes "Số" for "Sở"
    assert canonical_unit("Số Thông tin và Truyền thông") == "Sở Thông tin và Truyền thông"
    assert canonical_unit("Uỷ ban nhân dân tỉnh") == "Ủy ban nhân dân tỉnh"


def test_lead_and_support_from_chu_tri_phoi_hop():
    lead, support = assign_roles(
        "Sở Thông tin và Truyền thông chủ trì, phối hợp với các sở, ban ngành, Ủy ban nhân dân các huyện, "
        "thị xã, thành phố và các cơ quan báo chí, truyền thông."
    )
    assert lead == ["Sở Thông tin và Truyền thông"]
    assert support == [
        "các sở, ban ngành",
        "Ủy ban nhân dân các huyện, thị xã, thành phố",
        "các cơ quan báo chí, truyền thông",
    ]


def test_phoi_hop_without_chu_tri_makes_the_subject_lead():
    lead, support = assign_roles(
        "Các sở, ban ngành; Ủy ban nhân dân các huyện, thị xã, thành phố phối hợp Sở Thông tin và Truyền thông."
    )
    assert lead == ["Các sở, ban ngành", "Ủy ban nhân dân các huyện, thị xã, thành phố"]
    assert support == ["Sở Thông tin và Truyền thông"]


def test_guiding_body_of_can_cu_huong_dan_is_support_and_the_rest_lead():
    lead, support = assign_roles(
        "Căn cứ hướng dẫn của Ban Tuyên giáo Tỉnh ủy, các sở, ban, ngành, Ủy ban nhân dân các huyện, "
        "thị xã, thành phố triển khai thực hiện."
    )
    assert lead == ["các sở, ban, ngành", "Ủy ban nhân dân các huyện, thị xã, thành phố"]
    assert support == ["Ban Tuyên giáo Tỉnh ủy"]


def test_names_with_commas_and_va_stay_whole():
    units = split_list(
        "Sở Văn hóa và Thể thao, Sở Du lịch, Sở Kế hoạch và Đầu tư, Sở Ngoại vụ và các sở, ban ngành liên quan; "
        "Ủy ban nhân dân các huyện, thị xã, thành phố Huế."
    )
    assert units == [
        "Sở Văn hóa và Thể thao",
        "Sở Du lịch",
        "Sở Kế hoạch và Đầu tư",
        "Sở Ngoại vụ",
        "các sở, ban ngành liên quan",
        "Ủy ban nhân dân các huyện, thị xã, thành phố Huế",
    ]
    assert split_list("Sở Văn hóa, Thể thao và Du lịch") == ["Sở Văn hóa, Thể thao và Du lịch"]
    assert split_list("Báo và Phát thanh, Truyền hình tỉnh; Sở Tư pháp") == ["Báo và Phát thanh, Truyền hình tỉnh", "Sở Tư pháp"]


def test_gazetteer_group_is_not_split_at_va():
    assert split_list("Văn phòng Đoàn ĐBQH và HĐND tỉnh, Sở Nội vụ") == [
        "Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân tỉnh",
        "Sở Nội vụ",
    ]


def test_table_cell_without_separator_between_two_so():
    # kh-310 appendix: "Sở Khoa học và Công nghệ Sở Công Thương; UBND các phường, xã"
    assert split_list("Sở Khoa học và Công nghệ Sở Công Thương; UBND các phường, xã") == [
        "Sở Khoa học và Công nghệ",
        "Sở Công Thương",
        "Ủy ban nhân dân các phường, xã",
    ]


@pytest.mark.parametrize(
    ("sentence", "lead", "support"),
    [
        (
            "Sở Tài chính chủ trì, phối hợp với các Sở, ban, ngành, đơn vị và UBND cấp xã bố trí kinh phí chi thường xuyên",
            ["Sở Tài chính"],
            ["các Sở, ban, ngành, đơn vị", "Ủy ban nhân dân cấp xã"],
        ),
        ("Sở Nội vụ: Tham mưu UBND tỉnh theo dõi, đôn đốc", ["Sở Nội vụ"], []),
        ("UBND các xã, phường tăng cường công tác lãnh đạo", ["Ủy ban nhân dân các xã, phường"], []),
        (
            "Thủ trưởng các sở, ban, ngành và Ủy ban nhân dân phường, xã, đặc khu chịu trách nhiệm triển khai",
            ["Thủ trưởng các sở, ban, ngành", "Ủy ban nhân dân phường, xã, đặc khu"],
            [],
        ),
        ("Giao Sở Tư pháp theo dõi, đôn đốc các cơ quan", ["Sở Tư pháp"], []),
        # A district department named as a known province department is whole, its small letters too.
        ("Phòng Nông nghiệp và Phát triển nông thôn chủ trì, phối hợp với Phòng Tài chính - Kế hoạch",
         ["Phòng Nông nghiệp và Phát triển nông thôn"], ["Phòng Tài chính - Kế hoạch"]),
    ],
)
def test_units_of_a_duty_sentence_end_at_its_verb(sentence, lead, support):
    assert assign_roles(sentence, running=True) == (lead, support)


@pytest.mark.parametrize(
    "text",
    ["Tổ chức nghiên cứu, quán triệt Kết luận", "Các hoạt động tuyên truyền", "Ban hành kế hoạch triển khai", "Báo cáo kết quả"],
)
def test_sentences_that_do_not_open_with_a_unit(text):
    assert scan_phrase(text) == ""


@pytest.mark.parametrize(
    ("heading", "units"),
    [
        ("Ban Quản lý các khu công nghệ cao và khu công nghiệp", ["Ban Quản lý các khu công nghệ cao và khu công nghiệp"]),
        ("Các Sở, ban, ngành của Thành phố, UBND phường, xã", ["Các Sở, ban, ngành của Thành phố", "Ủy ban nhân dân phường, xã"]),
        ("Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam thành phố và các Đoàn thể", ["Ủy ban Mặt trận Tổ quốc Việt Nam thành phố", "các Đoàn thể"]),
        ("Ủy ban nhân dân các xã: Gia Thuận, Tân Điền, Gò Công Đông, Tân Phú Đông", ["Ủy ban nhân dân các xã: Gia Thuận, Tân Điền, Gò Công Đông, Tân Phú Đông"]),
        ("Mục đích", []),
        ("Các nhiệm vụ trọng tâm", []),
        ("Sở Tài chính chủ trì, phối hợp với các Sở", []),
        ("Sở Nội vụ: Tham mưu UBND tỉnh theo dõi", []),
    ],
)
def test_title_unit(heading, units):
    assert title_unit(heading) == units


def test_known_names_misspelt_by_restoration_are_recognised():
    # Restored legacy OCR of kh-267: "Căn cứ hướng dẫn của Ban Tuyên giáo Tỉnh ủy" came out "Tính từ".
    assert split_list("Ban Tuyên giáo Tính từ, Sở Thông tin và Truyền thống") == [
        "Ban Tuyên giáo Tỉnh ủy", "Sở Thông tin và Truyền thông"]
    # Near names that are different units stay apart.
    assert split_list("Sở Nội vụ, Sở Ngoại vụ, Bộ Công Thương") == ["Sở Nội vụ", "Sở Ngoại vụ", "Bộ Công Thương"]
