"""Saved web pages (.html/.htm) from legal portals."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from test_ingest_office import FIXTURES, PLAN_LINES, ROOT

from pipeline.errors import InputError
from pipeline.ingest import ingest
from pipeline.process import process_file


def texts(lines) -> list[str]:
    return [line.text for line in lines]


def page(tmp_path: Path, body: str, head: str = '<meta charset="utf-8">', encoding: str = "utf-8") -> Path:
    path = tmp_path / "page.htm"
    path.write_bytes(f"<!DOCTYPE html><html><head>{head}<title>Cổng pháp luật</title></head>"
                     f"<body>{body}</body></html>".encode(encoding))
    return path


def test_portal_page_gives_the_plan_without_the_site():
    source, lines = ingest(FIXTURES / "portal.html")
    assert (source.kind, source.encoding) == ("html", "utf-8")
    assert texts(lines) == PLAN_LINES
    raw = (FIXTURES / "portal.html").read_text(encoding="utf-8")
    # The page really has the furniture that must be left behind.
    for furniture in ("Trang chủ", "đăng nhập", "Quảng cáo", "Văn bản liên quan", "Tải về", "Bản quyền"):
        assert furniture in raw
        assert not any(furniture in line.text for line in lines)


def test_charset_is_read_from_the_page():
    raw = (FIXTURES / "portal-1258.htm").read_bytes()
    assert b"charset=windows-1258" in raw
    source, lines = ingest(FIXTURES / "portal-1258.htm")
    assert source.encoding == "windows-1258"
    assert texts(lines) == PLAN_LINES


def test_portal_plan_parses_into_tasks():
    doc = process_file(FIXTURES / "portal.html")
    assert doc.meta.number == "12/KH-UBND"
    assert doc.meta.issued_date == "2024-03-05"
    assert {"2024-05-31", "2024-07-31"} <= {task.deadline for task in doc.tasks}


def test_paragraph_line_breaks_joined_br_and_tables_kept(tmp_path):
    path = page(tmp_path, """
      <div class="content">
        <p>1. Tổ chức tuyên truyền
           về phòng, chống
           thiên tai.</p>
        <p>ỦY BAN NHÂN DÂN<br/>TỈNH AN GIANG</p>
        <table style="border-collapse: collapse; border: 1px solid black">
          <tr><th>TT</th><th>Nhiệm vụ</th></tr>
          <tr><td>1</td><td><p>Kiểm tra</p><p>đê bao</p></td></tr>
        </table>
        <h3>Văn bản liên quan</h3>
        <ul><li><a href="/a">Quyết định 1/QĐ-UBND về phòng chống thiên tai</a></li>
            <li><a href="/b">Chỉ thị 2/CT-UBND về mùa mưa bão</a></li></ul>
      </div>""")
    lines = ingest(path)[1]
    assert texts(lines) == ["1. Tổ chức tuyên truyền về phòng, chống thiên tai.", "ỦY BAN NHÂN DÂN", "TỈNH AN GIANG",
                            "", "TT\tNhiệm vụ", "1\tKiểm tra đê bao"]
    assert [line.origin for line in lines] == ["p0", "p1", "p2", None, "t0.r0", "t0.r1"]


def test_table_without_borders_but_with_rows_of_data_keeps_its_rows(tmp_path):
    # The header table (two columns) is read column by column; the task table, unstyled here, by rows.
    path = page(tmp_path, """
      <table><tr><td>ỦY BAN NHÂN DÂN TỈNH AN GIANG</td><td>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</td></tr>
             <tr><td>Số: 5/KH-UBND</td><td>An Giang, ngày 2 tháng 1 năm 2025</td></tr></table>
      <table><tr><td>TT</td><td>Nội dung</td><td>Chủ trì</td></tr>
             <tr><td>1</td><td>Rà soát văn bản</td><td>Sở Tư pháp</td></tr>
             <tr><td>2</td><td>Tập huấn</td><td>Sở Nội vụ</td></tr></table>""")
    assert texts(ingest(path)[1]) == [
        "ỦY BAN NHÂN DÂN TỈNH AN GIANG", "Số: 5/KH-UBND", "", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "An Giang, ngày 2 tháng 1 năm 2025", "", "TT\tNội dung\tChủ trì", "1\tRà soát văn bản\tSở Tư pháp",
        "2\tTập huấn\tSở Nội vụ"]


def test_tables_are_numbered_once_each_in_page_order(tmp_path):
    # A layout table holding a table of data, then another table: t0, t1 inside it, t2 after.
    path = page(tmp_path, """
      <table><tr><td>ỦY BAN NHÂN DÂN<table border="1"><tr><td>A</td><td>B</td></tr></table></td>
                 <td>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</td></tr></table>
      <p>Nội dung văn bản.</p>
      <table border="1"><tr><td>X</td><td>Y</td></tr></table>""")
    assert [(line.text, line.origin) for line in ingest(path)[1] if line.text][-1] == ("X\tY", "t2.r0")


def test_body_is_found_beside_menus_and_related_lists(tmp_path):
    menu = "".join(f'<li><a href="/{n}">Mục {n} của cổng thông tin</a></li>' for n in range(30))
    path = page(tmp_path, f"""
      <div id="wrap"><div class="left"><ul>{menu}</ul></div>
      <div class="right"><p>Thực hiện Kế hoạch số 5/KH-UBND, Ủy ban nhân dân huyện giao nhiệm vụ như sau:</p>
      <p>a) Phòng Tư pháp chủ trì, hoàn thành trước ngày 30/6/2024.</p></div>
      <div class="box-login">Vui lòng đăng nhập tài khoản để xem đầy đủ nội dung văn bản này.</div></div>""",
                head='<meta http-equiv="content-type" content="text/html; charset=UTF-8">')
    assert texts(ingest(path)[1]) == [
        "Thực hiện Kế hoạch số 5/KH-UBND, Ủy ban nhân dân huyện giao nhiệm vụ như sau:",
        "a) Phòng Tư pháp chủ trì, hoàn thành trước ngày 30/6/2024."]


def test_page_without_document_text_exits_3(tmp_path):
    path = page(tmp_path, '<nav><a href="/">Trang chủ</a></nav><script>var x = 1;</script>')
    result = subprocess.run([sys.executable, "-m", "pipeline", "parse", str(path)], capture_output=True, cwd=ROOT,
                            timeout=120, check=False)
    error = result.stderr.decode().strip()
    assert result.returncode == InputError.exit_code, error
    assert len(error.splitlines()) == 1 and "no document text" in error


def test_word_processor_export_labels_and_style_sheet_borders(tmp_path):
    # As LibreOffice writes a page: list labels floated beside their text, table borders in the style sheet.
    path = page(tmp_path, """
      <ol><li><p><span class="L1" style="display:block;float:left;min-width:0cm;">II.</span>NHIỆM VỤ</p>
      <ul><li><p><span class="L2" style="display:block;float:left;">--</span>Rà soát quy hoạch</p></li></ul></li></ol>
      <table border="0" class="T2"><tr><td class="T2_A1">TT</td><td class="T2_A1">Nội dung</td></tr>
      <tr><td class="T2_A1">1</td><td class="T2_A1">Rà soát</td></tr></table>
      <table border="0"><tr><td class="T1_A1">Nơi nhận:</td><td class="T1_A1">CHỦ TỊCH</td></tr>
      <tr><td class="T1_A1">- Lưu: VT.</td><td class="T1_A1">Trần Văn Bình</td></tr></table>""",
                head='<meta charset="utf-8"><style>.T1_A1 { border-top-style:none; border-left-style:none; }'
                     ' .T2_A1 { border-top-width:0.02cm; border-top-style:solid; border-left-style:solid; }</style>')
    assert texts(ingest(path)[1]) == ["II. NHIỆM VỤ", "- Rà soát quy hoạch", "", "TT\tNội dung", "1\tRà soát", "",
                                      "Nơi nhận:", "- Lưu: VT.", "", "CHỦ TỊCH", "Trần Văn Bình"]


def test_utf16_page_with_byte_order_mark(tmp_path):
    path = page(tmp_path, "<p>Ủy ban nhân dân tỉnh An Giang</p>", head="", encoding="utf-16")
    source, lines = ingest(path)
    assert (source.kind, source.encoding) == ("html", "utf-16")
    assert texts(lines) == ["Ủy ban nhân dân tỉnh An Giang"]
