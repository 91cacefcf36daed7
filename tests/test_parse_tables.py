"""Task tables from tab-separated rows (kh-310 appendix) and tables that are not task tables."""
from __future__ import annotations

import pytest

from parse_helpers import codes, fixture_lines, lines_of, shared_lines
from pipeline.parse import parse


@pytest.mark.shared
def test_each_numbered_row_of_the_appendix_table_is_a_task():
    result = parse(shared_lines("310"))
    rows = {task.id: task for task in result.tasks if task.id.startswith("PL.")}
    assert list(rows) == ["PL.1", "PL.2", "PL.3", "PL.4", "PL.5", "PL.6"]
    first = rows["PL.1"]
    assert first.text.startswith("Tổ chức điều chỉnh, bổ sung quy hoạch hạ tầng viễn thông")
    assert first.lead_units == ["Ban Quản lý các khu công nghệ cao và khu công nghiệp"]
    assert first.support_units == ["Sở Khoa học và Công nghệ", "Sở Công Thương", "Ủy ban nhân dân các phường, xã"]
    assert (first.timeline_text, first.deadline) == ("Quý III Năm 2026", "2026-09-30")
    assert (rows["PL.2"].start, rows["PL.2"].deadline) == ("2025-10-01", "2026-06-30")
    assert rows["PL.3"].recurrence == "continuous"
    assert rows["PL.6"].period == "year"
    assert first.lines == (103, 103) and first.path == ["PL", "PL.1"]


def test_group_rows_title_the_rows_below_them():
    text = (
        "PHỤ LỤC\nSTT\tTên nhiệm vụ\tCơ quan chủ trì\tCơ quan phối hợp\tThời hạn hoàn thành\tSản phẩm\n"
        "I\tHoàn thiện thể chế\t\t\t\t\n"
        "1\tRà soát văn bản\tSở Tư pháp\tCác sở, ngành\tQuý 2/2025\tBáo cáo\n"
        "2\tXây dựng quy chế\tSở Nội vụ\t\tTháng 9/2025\tQuyết định\n"
    )
    tasks = parse(lines_of(text)).tasks
    assert [t.id for t in tasks] == ["PL.I.1", "PL.I.2"]  # the group's numeral joins the row's id
    assert tasks[0].section_title == "Hoàn thiện thể chế"
    assert (tasks[0].deadline, tasks[0].product) == ("2025-06-30", "Báo cáo")
    assert tasks[1].support_units == [] and tasks[1].lead_units == ["Sở Nội vụ"]


def test_a_table_without_task_columns_gives_no_tasks():
    text = "II. MỤC TIÊU\nChỉ tiêu\tNăm 2025\tNăm 2030\nTỷ lệ phủ sóng 5G\t80%\t100%\n"
    result = parse(lines_of(text))
    assert result.tasks == []
    assert result.sections[0].children[0].kind == "table"


def test_task_table_nested_in_a_chapter_section():
    text = "Chương I\nNHIỆM VỤ\nI. NHIỆM VỤ CỤ THỂ\nTT\tNội dung\tCơ quan chủ trì\n1\tRà soát\tSở Y tế\n2\tBáo cáo\tSở Nội vụ\n"
    tasks = parse(lines_of(text)).tasks
    assert [(t.id, t.lead_units) for t in tasks] == [("I.1", ["Sở Y tế"]), ("I.2", ["Sở Nội vụ"])]
    assert tasks[0].path == ["Ch.I", "I", "I.1"]


def test_table_row_numbers_lost_or_misread_in_a_scan_follow_the_sequence():
    # Kế hoạch 310/KH-UBND scanned: the narrow "TT" column comes out empty or misread ("4" for "2").
    text = (
        "PHỤ LỤC\n"
        "TT\tNội dung/nhiệm vụ\tCơ quan chủ trì\tCơ quan phối hợp\tThời gian thực hiện\n"
        "\tTổ chức điều chỉnh quy hoạch hạ tầng viễn thông\tBan Quản lý các khu công nghệ cao\tSở Công Thương\tQuý III Năm 2026\n"
        "4\tKhảo sát, đánh giá thực trạng hạ tầng viễn thông\tBan Quản lý các khu công nghệ cao\tSở Công Thương\tThường xuyên\n"
        "3\tXây dựng kế hoạch đầu tư công\tBan Quản lý các khu công nghệ cao\tSở Tài chính\tThường xuyên\n"
    )
    result = parse(lines_of(text))
    assert [task.id for task in result.tasks] == ["PL.1", "PL.2", "PL.3"]
    assert result.tasks[0].deadline == "2026-09-30"
    assert ("table_row_number_fixed", 4) in codes(result)
