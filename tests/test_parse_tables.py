"""Task tables from tab-separated rows (kh-310 appendix) and tables that are not task tables."""
from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Table, TableStyle

from parse_helpers import codes, fixture_lines, lines_of, shared_lines
from pipeline.ingest import ingest
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


def test_table_rows_are_filled_as_prose_items_are():
    """One filling path: a row's cells are its fields, as field lines are an item's."""
    table = (
        "PHỤ LỤC\nSTT\tNội dung\tCơ quan chủ trì\tCơ quan phối hợp\tThời gian\n"
        "1\tĐịnh kỳ hằng quý báo cáo kết quả thực hiện\tSở Nội vụ\tCác sở, ngành\tHằng quý\n"
        "2\tRà soát quy chế\t\t\tNăm 2025\n"
    )
    prose = (
        "III. NHIỆM VỤ\n1. Định kỳ hằng quý báo cáo kết quả thực hiện\n- Cơ quan chủ trì: Sở Nội vụ\n"
        "- Cơ quan phối hợp: Các sở, ngành\n- Thời gian: Hằng quý\n"
    )
    row, unitless = parse(lines_of(table)).tasks
    item = parse(lines_of(prose)).tasks[0]
    assert row.kind == item.kind == "reporting"
    for name in ("lead_units", "support_units", "recurrence", "period", "confidence"):
        assert getattr(row, name) == getattr(item, name), name
    assert row.units_text == item.units_text == "Cơ quan chủ trì: Sở Nội vụ; Cơ quan phối hợp: Các sở, ngành"
    assert (unitless.deadline, unitless.lead_units) == ("2025-12-31", [])
    assert ("task_without_unit", 4) in codes(parse(lines_of(table)))


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


# A Công báo PDF's ruled task table as its text layer gives it: each printed line of a row is a
# line of its own, merged cells are empty, the header runs over three lines, a number is printed
# in the middle of its row (alone on a line when its other cells are empty), a row goes on over a
# page break, and a sub-row brings its own date.
WRAPPED_TABLE = """PHỤ LỤC
DANH MỤC NHIỆM VỤ
\t\tCơ quan\tCơ quan\tThời hạn
TT\tTên nhiệm vụ
\t\tchủ trì\tphối hợp\thoàn thành
\tHoàn thiện thể chế về quản lý
I.\tcác dự án viện trợ
\tRà soát, sửa đổi quy chế quản lý\tSở Tài\tSở Tư pháp,\tNăm 2026 –
\tvà sử dụng các khoản viện trợ\tchính\tcác sở,\t2027
1.\tkhông hoàn lại trên địa bàn.\t\tngành liên
\t\t\tquan
\tXây dựng cơ sở dữ liệu về\tSở Khoa\tCác sở,\tThực hiện
2.\tcác dự án, chương trình\thọc và\tngành\tthường
\tviện trợ.\tCông nghệ\t\txuyên.
\tTổ chức tập huấn cho cán bộ\tSở Nội\tCác sở,\tQuý II/2026
\tlàm công tác quản lý viện trợ.\tvụ\tngành
3.
\tTuyên truyền, phổ biến
II.\tchính sách viện trợ
\tPhổ biến quy chế mới trên\tĐài Phát\t\tTháng 9/2026
1.\tbáo, đài địa phương.\tthanh tỉnh
\tTổng kết việc thực hiện\tSở Tài\tCác sở,\tTháng 6/2026
\tquy chế.\tchính\tngành
2.
\t\t\t\tTháng 12/2026
"""


def test_a_table_whose_rows_wrap_over_printed_lines_is_read_row_by_row():
    result = parse(lines_of(WRAPPED_TABLE, page_breaks={16: 2}))
    tasks = {task.id: task for task in result.tasks}
    assert list(tasks) == ["PL.I.1", "PL.I.2", "PL.I.3", "PL.II.1", "PL.II.2", "PL.II.2b"]
    first = tasks["PL.I.1"]
    assert first.text == "Rà soát, sửa đổi quy chế quản lý và sử dụng các khoản viện trợ không hoàn lại trên địa bàn."
    assert first.section_title == "Hoàn thiện thể chế về quản lý các dự án viện trợ"  # the group row's lines joined
    assert (first.lead_units, first.support_units) == (["Sở Tài chính"], ["Sở Tư pháp", "các sở, ngành liên quan"])
    assert (first.start, first.deadline, first.lines) == ("2026-01-01", "2027-12-31", (8, 11))
    assert tasks["PL.I.2"].lead_units == ["Sở Khoa học và Công nghệ"] and tasks["PL.I.2"].recurrence == "continuous"
    third = tasks["PL.I.3"]  # its number alone on a line below its text, the row over a page break
    assert (third.text, third.lead_units, third.deadline) == (
        "Tổ chức tập huấn cho cán bộ làm công tác quản lý viện trợ.", ["Sở Nội vụ"], "2026-06-30")
    assert (third.lines, third.page) == ((15, 17), 1)
    assert tasks["PL.II.1"].section_title == "Tuyên truyền, phổ biến chính sách viện trợ"
    assert tasks["PL.II.1"].lead_units == ["Đài Phát thanh tỉnh"] and tasks["PL.II.1"].deadline == "2026-09-30"
    sub_row = tasks["PL.II.2b"]  # its date alone: the merged cells above it are its own
    assert (sub_row.text, sub_row.lead_units, sub_row.deadline) == ("Tổng kết việc thực hiện quy chế.", ["Sở Tài chính"], "2026-12-31")
    assert tasks["PL.II.2"].deadline == "2026-06-30"
    assert "task_without_unit" not in [code for code, _ in codes(result)]


def test_a_header_written_over_three_lines_names_the_columns():
    text = "PHỤ LỤC\n\t\tCơ quan\tThời gian\nSTT\tNội dung\n\tnhiệm vụ\n\t\tchủ trì\tthực hiện\n1\tRà soát quy chế\tSở Tư pháp\tNăm 2026\n"
    tasks = parse(lines_of(text)).tasks
    assert [(t.id, t.text, t.lead_units, t.deadline) for t in tasks] == [("PL.1", "Rà soát quy chế", ["Sở Tư pháp"], "2026-12-31")]


def test_a_group_title_is_not_taken_for_a_header_line():
    # A short unnumbered line under a header that is already whole is a row, not more header.
    text = "PHỤ LỤC\nTT\tNội dung\tCơ quan chủ trì\tThời gian\n\tNhiệm vụ chung\n1\tRà soát quy chế\tSở Tư pháp\tNăm 2026\n"
    tasks = parse(lines_of(text)).tasks
    assert [(t.id, t.text, t.lead_units) for t in tasks] == [("PL.1", "Nhiệm vụ chung Rà soát quy chế", ["Sở Tư pháp"])]


def test_a_number_printed_below_the_top_of_an_unnumbered_sequence_is_not_guessed_twice():
    # Without group rows the scan rule would number a row's top line by the sequence; the number
    # written lower in the same row keeps the row one task, without a 'number fixed' warning.
    text = (
        "PHỤ LỤC\nTT\tNội dung\tCơ quan chủ trì\tThời gian\n"
        "\tRà soát quy chế phối hợp\tSở Tư pháp\tQuý II/2026\n1\tgiữa các sở, ngành.\n"
        "\tXây dựng kế hoạch\tSở Nội vụ\tThường xuyên\n2\ttuyên truyền pháp luật.\n"
    )
    result = parse(lines_of(text))
    assert [(t.id, t.text, t.lead_units) for t in result.tasks] == [
        ("PL.1", "Rà soát quy chế phối hợp giữa các sở, ngành.", ["Sở Tư pháp"]),
        ("PL.2", "Xây dựng kế hoạch tuyên truyền pháp luật.", ["Sở Nội vụ"]),
    ]
    assert "table_row_number_fixed" not in [code for code, _ in codes(result)]


def test_a_merged_cell_in_a_pdf_table_leaves_the_cells_after_it_in_their_columns(tmp_path):
    font = Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf")
    pdfmetrics.registerFont(TTFont("LiberationSerif", str(font)))
    path = tmp_path / "merged.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.setFont("LiberationSerif", 13)
    pdf.drawString(60, 780, "PHỤ LỤC")
    rows = [
        ["TT", "Nội dung", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian"],
        ["1", "Rà soát quy chế", "Sở Tư pháp", "Sở Nội vụ", "Quý III/2026"],
        ["2", "Tổng kết thực hiện", "Sở Tài chính", "", "Tháng 12/2026"],
    ]
    table = Table(rows)
    # The support cell of row 1 runs down over row 2: pdfplumber gives row 2 no cell there.
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black"), ("SPAN", (3, 1), (3, 2)),
                               ("FONT", (0, 0), (-1, -1), "LiberationSerif", 11)]))
    table.wrapOn(pdf, 500, 300)
    table.drawOn(pdf, 40, 650)
    pdf.save()
    _, lines = ingest(path)
    assert [line.text for line in lines][-1] == "2\tTổng kết thực hiện\tSở Tài chính\t\tTháng 12/2026"
    tasks = {task.id: task for task in parse(lines).tasks}
    assert (tasks["PL.2"].lead_units, tasks["PL.2"].deadline) == (["Sở Tài chính"], "2026-12-31")
