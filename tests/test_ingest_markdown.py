"""Markdown pages (.md): the document as a clerk would type it, from pages copied off legal portals and
from markdown written by hand."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from parse_helpers import lines_of

from pipeline.batch import collect_inputs
from pipeline.errors import InputError
from pipeline.ingest import detect_kind, ingest
from pipeline.ingest.markdown import read_markdown
from pipeline.parse import parse
from pipeline.process import Options, normalize, read, structure
from pipeline.review.uploads import UploadError, checked_suffix

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "markdown"
DEV_WILD = ROOT.parent / "shared" / "eval" / "dev-wild"


def texts(path: Path) -> list[str]:
    source, lines = ingest(path)
    assert source.kind == "markdown"
    assert [line.number for line in lines] == list(range(1, len(lines) + 1))
    return [line.text for line in lines]


def markdown(text: str) -> list[str]:
    return read_markdown(text, "page.md")


def parse_cli(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", "parse", str(path)], capture_output=True, cwd=ROOT,
                          timeout=120, check=False)


def test_portal_page_gives_the_document_without_the_site():
    assert texts(FIXTURES / "portal-page.md") == [
        "ỦY BAN NHÂN DÂN HUYỆN AN PHÚ\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc",
        "Số: 12/KH-UBND\tAn Phú, ngày 05 tháng 3 năm 2024",
        "KẾ HOẠCH",
        "PHÒNG, CHỐNG THIÊN TAI NĂM 2024",
        "I. MỤC ĐÍCH, YÊU CẦU",
        "Chủ động ứng phó với thiên tai, giảm thiểu thiệt hại về người và tài sản; nâng cao nhận thức của người"
        " dân về phòng, chống thiên tai.",
        "II. NHIỆM VỤ",
        "1. Phòng Nông nghiệp và Phát triển nông thôn chủ trì, phối hợp với Ủy ban nhân dân các xã rà soát"
        " phương án ứng phó với bão, lũ; hoàn thành trước ngày 30/4/2024.",
        "2. Ban Chỉ huy Quân sự huyện tổ chức diễn tập cứu hộ, cứu nạn tại các xã ven sông, hoàn thành trong"
        " tháng 6/2024.",
        "Các cơ quan, đơn vị triển khai thực hiện nghiêm túc Kế hoạch này./.",
        "Nơi nhận: - UBND tỉnh (b/c); - Các xã; - Lưu: VT.\tKT. CHỦ TỊCH PHÓ CHỦ TỊCH Trần Văn Bình",
    ]
    raw = (FIXTURES / "portal-page.md").read_text(encoding="utf-8")
    # The page really has the site around the document, and the markup.
    for chrome in ("Bản quyền", "Số hiệu", "Văn bản liên quan", "Đăng nhập", "Kế hoạch 12/KH-UBND năm 2024", "**"):
        assert chrome in raw


def test_page_without_blank_lines_splits_paragraphs_at_sentence_ends_and_bold_numbers():
    assert texts(FIXTURES / "no-blank-lines.md") == [
        "ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc",
        "Số: 45/UBND-KT V/v triển khai dịch vụ công trực tuyến\tHòa Bình, ngày 10 tháng 4 năm 2024",
        "Kính gửi: Các sở, ban, ngành tỉnh.",
        "Thực hiện chỉ đạo của Chính phủ về chuyển đổi số, Ủy ban nhân dân tỉnh yêu cầu:",
        "1. Sở Thông tin và Truyền thông chủ trì hướng dẫn các cơ quan cung cấp dịch vụ công trực tuyến toàn"
        " trình, hoàn thành trước ngày 30/6/2024.",
        "2. Văn phòng Ủy ban nhân dân tỉnh theo dõi, đôn đốc việc thực hiện; báo cáo kết quả trước ngày 15/7/2024.",
        "Ủy ban nhân dân tỉnh yêu cầu các cơ quan thực hiện./.",
        "Nơi nhận: - Như trên; - Lưu: VT.\tTM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH Lê Văn An",
    ]


def test_task_table_after_the_signature_keeps_its_rows_and_empty_cells():
    lines = texts(FIXTURES / "task-table.md")
    assert lines[5:] == [
        "Nơi nhận: - Như trên; - Lưu: VT.\tCHỦ TỊCH Phạm Thị Hoa",
        "PHỤ LỤC",
        "DANH MỤC NHIỆM VỤ NĂM 2024",
        "TT\tNội dung nhiệm vụ\tCơ quan chủ trì\tThời gian hoàn thành",
        "I\tTUYÊN TRUYỀN",
        "1\tTổ chức tuyên truyền về an toàn giao thông trên hệ thống loa truyền thanh của xã\tVăn hóa - Xã hội\t\t",
        "2\tRà soát danh sách hộ nghèo, hộ cận nghèo\tCông an xã\tTháng 3/2024",
    ]


def test_markdown_written_by_hand():
    assert texts(FIXTURES / "handwritten.md") == [
        "KẾ HOẠCH",
        "Kiểm tra an toàn thực phẩm năm 2024",
        "Căn cứ tình hình thực tế, Ủy ban nhân dân huyện ban hành kế hoạch như sau (xem hướng dẫn):",
        "I. NHIỆM VỤ",
        "1. Phòng Y tế chủ trì kiểm tra các cơ sở kinh doanh thực phẩm, hoàn thành trước ngày 31/5/2024.",
        "2. Phòng Kinh tế phối hợp kiểm tra chợ đầu mối:",
        "- lập danh sách các chợ;",
        "- báo cáo kết quả trước ngày 30/6/2024.",
        "II. PHÂN CÔNG",
        "TT\tNhiệm vụ\tCơ quan chủ trì\tThời hạn",
        "1\tTập huấn cho người kinh doanh\tPhòng Y tế\tQuý II/2024",
        "2\tTổng kết đợt kiểm tra\tVăn phòng HĐND và UBND\t31/12/2024",
    ]


@pytest.mark.parametrize(("page", "expected"), [
    # The converter's emphasis with a space inside is not markdown emphasis; its stars go all the same.
    ("**Điều 3. **Các Bộ trưởng chịu\ntrách nhiệm thi hành./.", ["Điều 3. Các Bộ trưởng chịu trách nhiệm thi hành./."]),
    ("Ghi chú (*): số liệu *ước tính*.", ["Ghi chú (*): số liệu ước tính."]),
    # A wrapped line may start with a number or a dash without being a list item.
    ("1. Thời gian: từ nay đến năm\n2030.\n\n2. Phạm vi: toàn tỉnh.", ["1. Thời gian: từ nay đến năm 2030.",
                                                                  "2. Phạm vi: toàn tỉnh."]),
    ("Phát triển kinh tế\n- xã hội của tỉnh.", ["Phát triển kinh tế - xã hội của tỉnh."]),
    ("1. Phát triển kinh tế\n- xã hội của tỉnh.", ["1. Phát triển kinh tế - xã hội của tỉnh."]),
    # Under a numbered heading without a full stop, a bulleted item starts its own line.
    ("a) Đến năm 2026\n- Hoàn thiện khung pháp lý;\n- Ban hành tiêu\nchuẩn kỹ thuật.",
     ["a) Đến năm 2026", "- Hoàn thiện khung pháp lý;", "- Ban hành tiêu chuẩn kỹ thuật."]),
    # A bold number alone on its line opens the paragraph after it.
    ("**1.****\n**Sở Y tế chủ trì\nkiểm tra.", ["1. Sở Y tế chủ trì kiểm tra."]),
    # A bold title wrapped over two lines stays one line; the text after it is the next line.
    ("**II. THỜI\nGIAN THỰC HIỆN**\nTừ tháng 3 năm 2024.", ["II. THỜI GIAN THỰC HIỆN", "Từ tháng 3 năm 2024."]),
])
def test_inline_layouts(page, expected):
    assert markdown(page) == expected


def test_html_in_markdown_line_breaks_bold_and_tables_with_merged_cells():
    page = ("| Nơi nhận:<br>- Như trên;<br>- Lưu: VT. | KT. CHỦ TỊCH<br/>Lê Văn An |\n|---|---|\n\n"
            "<b>KẾ HOẠCH</b><br>Năm 2024 ![logo](logo.png)\n\n"
            "<table><tr><th>TT</th><th>Nhiệm vụ</th><th>Thời hạn</th></tr>\n"
            "<tr><td>1</td><td colspan=\"2\">Sở Y tế &amp; <br>Sở Nội vụ rà soát</td></tr>\n"
            "<tr><td>2</td><td></td><td>Quý I/2025</td></tr></table>\n<script>var x = 1;</script>\n")
    assert markdown(page) == [
        "Nơi nhận: - Như trên; - Lưu: VT.\tKT. CHỦ TỊCH Lê Văn An",
        "KẾ HOẠCH", "Năm 2024",
        "TT\tNhiệm vụ\tThời hạn", "1\tSở Y tế & Sở Nội vụ rà soát", "2\t\tQuý I/2025",
    ]


@pytest.mark.parametrize("header", [
    "ỦY BAN NHÂN DÂN\n\nHUYỆN AN PHÚ\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\n",
    "ỦY BAN NHÂN DÂN HUYỆN AN PHÚ CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\n",
])
def test_site_before_a_header_typed_as_lines_is_cut(header):
    page = f"[Trang chủ](/) > Văn bản\n\nLượt xem: 120\n\n{header}Số: 3/KH-UBND\n\nKẾ HOẠCH\n\n1. Sở Y tế chủ trì.\n"
    lines = markdown(page)
    assert lines[0].startswith("ỦY BAN NHÂN DÂN") and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in "\n".join(lines[:3])
    assert lines[-3:] == ["Số: 3/KH-UBND", "KẾ HOẠCH", "1. Sở Y tế chủ trì."]


def test_bullets_set_apart_inside_a_blank_line_paragraph():
    page = "Sở Nội vụ có trách nhiệm:\n- Tham mưu kế hoạch;\n- Tổng hợp báo cáo.\n\nĐoạn sau."
    assert markdown(page) == ["Sở Nội vụ có trách nhiệm:", "- Tham mưu kế hoạch;", "- Tổng hợp báo cáo.", "Đoạn sau."]


def test_markdown_is_known_by_name_and_by_its_tables(tmp_path):
    page = (FIXTURES / "task-table.md").read_bytes()
    assert detect_kind(page, tmp_path / "copied.txt") == "markdown"
    assert detect_kind(b"| TT | Viec |\n|---|---|\n| 1 | A |\n", tmp_path / "a.txt") == "markdown"
    typed = "1. Sở Y tế kiểm tra - báo cáo.\nTT\tNhiệm vụ\n".encode()
    assert detect_kind(typed, tmp_path / "typed.txt") == "text"
    assert detect_kind(typed, tmp_path / "typed.md") == "markdown"
    path = tmp_path / "typed.txt"
    path.write_bytes(typed)
    source, lines = ingest(path)
    assert source.kind == "text" and [line.text for line in lines] == ["1. Sở Y tế kiểm tra - báo cáo.", "TT\tNhiệm vụ"]


def test_markdown_page_tasks_through_the_cli():
    result = parse_cli(FIXTURES / "portal-page.md")
    assert result.returncode == 0, result.stderr.decode()
    document = json.loads(result.stdout)
    assert document["source"]["kind"] == "markdown"
    assert (document["document"]["number"], document["document"]["issued_date"]) == ("12/KH-UBND", "2024-03-05")
    assert [(task["id"], task["deadline"]) for task in document["tasks"]] == [("II.1", "2024-04-30"),
                                                                             ("II.2", "2024-06-30")]
    assert document["tasks"][1]["lead_units"] == ["Ban Chỉ huy Quân sự huyện"]
    assert document["document"]["signer"] == {"name": "Trần Văn Bình", "title": "Phó Chủ tịch", "authority": "KT."}
    assert document["document"]["recipients"] == ["UBND tỉnh (b/c)", "Các xã", "Lưu: VT"]


@pytest.mark.parametrize(("closing", "signer", "recipients"), [
    ("Nơi nhận: - Như trên; - Báo và Phát thanh - Truyền hình tỉnh; - Lưu: VT.\tTM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH"
     " PHÓ CHỦ TỊCH Lê Văn An", ("Lê Văn An", "Phó Chủ tịch", "KT."),
     ["Như trên", "Báo và Phát thanh - Truyền hình tỉnh", "Lưu: VT"]),
    ("Nơi nhận: - Như trên; - Lưu: VT.\tTHỦ TƯỚNG Nguyễn Văn Ba", ("Nguyễn Văn Ba", "Thủ tướng", None),
     ["Như trên", "Lưu: VT"]),
])
def test_closing_typed_as_one_tab_row_gives_signer_and_recipients(closing, signer, recipients):
    # The form a markdown page's closing table takes, and a clerk's typed copy of it.
    text = ("ỦY BAN NHÂN DÂN TỈNH AN GIANG\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 5/KH-UBND\tAn Giang, ngày 2"
            " tháng 1 năm 2024\nKẾ HOẠCH\nPhòng chống dịch\n1. Sở Y tế chủ trì thực hiện.\n" + closing)
    meta = parse(lines_of(text)).meta
    assert (meta.signer.name, meta.signer.title, meta.signer.authority) == signer
    assert meta.recipients == recipients


@pytest.mark.slow
def test_task_table_page_through_the_cli():
    result = parse_cli(FIXTURES / "task-table.md")
    assert result.returncode == 0, result.stderr.decode()
    tasks = json.loads(result.stdout)["tasks"]
    assert [(task["id"], task["lead_units"], task["deadline"]) for task in tasks] == [
        ("PL.I.1", ["Văn hóa - Xã hội"], None), ("PL.I.2", ["Công an xã"], "2024-03-31")]


@pytest.mark.parametrize(("content", "message"), [
    (b"", "empty file"),
    (b"** **\n|\n|\n", "no document text"),
    (b"\x00\x01\x02\x03" * 100, "binary data"),
])
def test_bad_markdown_exits_3_with_one_line(tmp_path, content, message):
    path = tmp_path / "page.md"
    path.write_bytes(content)
    result = parse_cli(path)
    error = result.stderr.decode().strip()
    assert result.returncode == InputError.exit_code, error
    assert len(error.splitlines()) == 1 and message in error


def test_a_folder_of_pages_is_walked_for_markdown(tmp_path):
    (tmp_path / "page.md").write_bytes((FIXTURES / "portal-page.md").read_bytes())
    (tmp_path / "notes.markdown").write_bytes((FIXTURES / "handwritten.md").read_bytes())
    assert [path.name for path in collect_inputs([tmp_path])] == ["notes.markdown", "page.md"]


def test_an_uploaded_page_stays_markdown():
    assert checked_suffix((FIXTURES / "handwritten.md").read_bytes(), "ke-hoach.md") == ".md"
    assert checked_suffix((FIXTURES / "task-table.md").read_bytes(), "copied.txt") == ".md"
    assert checked_suffix("Kế hoạch".encode(), "x.txt") == ".txt"
    with pytest.raises(UploadError, match="binary data"):
        checked_suffix(b"\x00\x01\x02\x03" * 100, "x.md")


def _task_count(path: Path) -> int:
    options = Options(restore=False)
    return len(structure(normalize(read(path, options), options), options).tasks)


@pytest.mark.shared
@pytest.mark.parametrize("name", sorted(p.name for p in DEV_WILD.glob("*") if (p / "source.md").exists())
                         or ["(../shared absent)"])
def test_dev_wild_markdown_page_yields_the_tasks_of_its_typed_text(name):
    folder = DEV_WILD / name
    if not (folder / "source.md").exists():
        pytest.skip(f"{folder} not available")
    typed, page = _task_count(folder / "text.txt"), _task_count(folder / "source.md")
    # The site around the document adds none, and none of the document's are lost.
    assert 0.9 * typed <= page <= 1.1 * typed, (typed, page)
