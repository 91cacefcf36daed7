"""Word .docx, .doc, .odt and .rtf input (fixtures: scripts/make_office_fixtures.py)."""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import jsonschema
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml

from pipeline.errors import InputError, MissingDependencyError
from pipeline.ingest import ingest, legacy, office
from pipeline.process import process_file

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "office"
PLAN_DOCX = FIXTURES / "plan.docx"

# The plan as a reader sees it: header and signature tables column by column,
# Word's list labels written in, the task table as tab-separated rows.
PLAN_LINES = [
    "ỦY BAN NHÂN DÂN", "HUYỆN AN PHÚ", "Số: 12/KH-UBND", "",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "An Phú, ngày 05 tháng 3 năm 2024", "",
    "KẾ HOẠCH", "Phòng, chống thiên tai năm 2024",
    "I. MỤC ĐÍCH, YÊU CẦU", "1. Mục đích",
    "- Chủ động ứng phó với thiên tai, giảm thiểu thiệt hại về người và tài sản.",
    "- Nâng cao nhận thức của người dân về phòng, chống thiên tai.",
    "2. Yêu cầu", "Các cơ quan, đơn vị triển khai đồng bộ, hiệu quả.",
    "II. NHIỆM VỤ", "1. Rà soát phương án ứng phó với bão, lũ trên địa bàn huyện.",
    "a) Cơ quan chủ trì: Phòng Nông nghiệp và Phát triển nông thôn.",
    "b) Thời gian hoàn thành: trước ngày 30/4/2024.",
    "2. Tổ chức diễn tập cứu hộ, cứu nạn tại các xã ven sông.",
    "a) Cơ quan chủ trì: Ban Chỉ huy Quân sự huyện.", "b) Thời gian hoàn thành: trong tháng 6/2024.",
    "III. TỔ CHỨC THỰC HIỆN", "Các cơ quan, đơn vị thực hiện các nhiệm vụ tại Phụ lục kèm theo.", "",
    "Nơi nhận:", "- UBND tỉnh;", "- Các xã, thị trấn;", "- Lưu: VT.", "",
    "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Trần Văn Bình", "",
    "PHỤ LỤC", "NHIỆM VỤ PHÒNG, CHỐNG THIÊN TAI NĂM 2024", "",
    "TT\tNội dung nhiệm vụ\tCơ quan chủ trì\tCơ quan phối hợp\tThời gian hoàn thành",
    "1\tKiểm tra hệ thống đê bao, cống đập\tPhòng Nông nghiệp và Phát triển nông thôn\tUBND các xã\tTháng 5/2024",
    "2\tDự trữ vật tư, phương tiện cứu hộ\tBan Chỉ huy Quân sự huyện\tPhòng Tài chính - Kế hoạch\tTháng 7/2024",
]


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, cwd=ROOT,
                          env=env, timeout=300, check=False)


def texts(lines) -> list[str]:
    return [line.text for line in lines]


def document_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read("word/document.xml").decode()


def test_docx_reads_paragraphs_tables_numbering_and_legacy_runs():
    source, lines = ingest(PLAN_DOCX)
    assert source.kind == "docx"
    assert texts(lines) == PLAN_LINES
    assert [line.number for line in lines] == list(range(1, len(PLAN_LINES) + 1))


def test_the_fixture_really_uses_word_numbering_legacy_fonts_and_a_text_box():
    # Otherwise the test above would prove nothing about them.
    xml = document_xml(PLAN_DOCX)
    typed = [p.text for p in docx.Document(str(PLAN_DOCX)).paragraphs]
    assert not any(re.match(r"^([IV]+|\d)\.\s|^[ab]\)\s|^-\s", text) for text in typed)
    assert xml.count("<w:numPr>") == 13  # every I., 1., a) and - of the body
    assert 'w:ascii=".VnTime"' in xml and 'w:ascii=".VnTimeH"' in xml and 'w:ascii="VNI-Times"' in xml
    assert "w:txbxContent" in xml and "DỰ THẢO" in xml


def test_text_box_stays_out_of_the_body():
    _, lines = ingest(PLAN_DOCX)
    assert not any("DỰ THẢO" in line.text for line in lines)


def test_lines_record_their_origin():
    _, lines = ingest(PLAN_DOCX)
    origin = {line.text: line.origin for line in lines if line.text}
    assert origin["ỦY BAN NHÂN DÂN"] == "t0.r0.c0"
    assert origin["Độc lập - Tự do - Hạnh phúc"] == "t0.r0.c1"
    assert origin["KẾ HOẠCH"] == "p0"
    assert origin["I. MỤC ĐÍCH, YÊU CẦU"] == "p2"
    assert origin["Trần Văn Bình"] == "t1.r0.c1"
    assert origin[PLAN_LINES[-1]] == "t2.r2"


@pytest.mark.parametrize("extension", ["doc", *(pytest.param(other, marks=pytest.mark.slow) for other in ("odt", "rtf"))])
def test_older_formats_read_like_the_docx_they_were_saved_from(extension):
    source, lines = ingest(FIXTURES / f"plan.{extension}")
    assert source.kind == extension
    assert texts(lines) == PLAN_LINES


@pytest.mark.slow
def test_kind_comes_from_the_bytes_not_the_name(tmp_path):
    renamed = tmp_path / "plan.txt"
    shutil.copyfile(FIXTURES / "plan.rtf", renamed)
    source, lines = ingest(renamed)
    assert source.kind == "rtf"
    assert texts(lines)[:3] == PLAN_LINES[:3]


def test_plan_parses_into_metadata_and_tasks():
    doc = process_file(PLAN_DOCX)
    assert doc.meta.number == "12/KH-UBND"
    assert doc.meta.issued_date == "2024-03-05"
    assert doc.meta.signer.name == "Trần Văn Bình"
    deadlines = {task.deadline for task in doc.tasks}
    # Both Phụ lục rows are tasks, with their months as deadlines.
    assert {"2024-05-31", "2024-07-31"} <= deadlines, [(t.id, t.deadline) for t in doc.tasks]


@pytest.mark.slow
def test_cli_parse_writes_valid_json_with_origins():
    result = cli("parse", str(PLAN_DOCX))
    assert result.returncode == 0, result.stderr.decode()
    document = json.loads(result.stdout)
    schema = json.loads((ROOT / "pipeline" / "schema" / "document.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, schema)
    assert document["source"]["kind"] == "docx"
    assert document["lines"][0]["origin"] == "t0.r0.c0"


def numbered_docx(path: Path, levels: str, paragraphs: list[tuple[int, str]], override: str = "") -> Path:
    """A .docx whose paragraphs use one list with the given <w:lvl> definitions."""
    document = docx.Document()
    numbering = document.part.numbering_part.element
    numbering.insert(0, parse_xml(
        '<w:abstractNum xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
        f' w:abstractNumId="907">{levels}</w:abstractNum>'))
    numbering.append(parse_xml(
        '<w:num xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:numId="907">'
        f'<w:abstractNumId w:val="907"/>{override}</w:num>'))
    for level, text in paragraphs:
        paragraph = document.add_paragraph(text)
        paragraph._p.get_or_add_pPr().append(parse_xml(
            '<w:numPr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f'<w:ilvl w:val="{level}"/><w:numId w:val="907"/></w:numPr>'))
    document.save(str(path))
    return path


def level(index: int, number_format: str, text: str, start: int = 1) -> str:
    return (f'<w:lvl w:ilvl="{index}"><w:start w:val="{start}"/><w:numFmt w:val="{number_format}"/>'
            f'<w:lvlText w:val="{text}"/></w:lvl>')


def test_numbering_counts_restarts_and_multi_level_labels(tmp_path):
    levels = level(0, "upperRoman", "%1.") + level(1, "decimal", "%1.%2.") + level(2, "lowerLetter", "%3)")
    path = numbered_docx(tmp_path / "n.docx", levels, [
        (0, "Mục tiêu"), (1, "Chung"), (2, "một"), (2, "hai"), (1, "Riêng"), (2, "ba"),
        (0, "Nhiệm vụ"), (1, "Đầu tiên"), (2, "bốn")])
    assert texts(ingest(path)[1]) == [
        "I. Mục tiêu", "I.1. Chung", "a) một", "b) hai", "I.2. Riêng", "a) ba",
        "II. Nhiệm vụ", "II.1. Đầu tiên", "a) bốn"]


def test_numbering_start_override_and_bullets(tmp_path):
    levels = (level(0, "decimal", "%1.", start=3) + level(1, "bullet", "\uf0b7") + level(2, "bullet", "-")
              + level(3, "bullet", "o") + level(4, "upperLetter", "%5."))
    override = '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="5"/></w:lvlOverride>'
    path = numbered_docx(tmp_path / "b.docx", levels, [(0, "Năm"), (1, "chấm"), (2, "gạch"), (3, "cộng"),
                                                       (4, "chữ"), (0, "Sáu")], override)
    assert texts(ingest(path)[1]) == ["5. Năm", "• chấm", "- gạch", "+ cộng", "A. chữ", "6. Sáu"]


def test_numbering_inherited_from_the_paragraph_style(tmp_path):
    path = numbered_docx(tmp_path / "s.docx", level(0, "upperRoman", "%1.") + level(1, "lowerLetter", "%2)"), [])
    document = docx.Document(str(path))
    for index in (0, 1):
        style = document.styles.add_style(f"Muc {index}", WD_STYLE_TYPE.PARAGRAPH)
        style.element.get_or_add_pPr().append(parse_xml(
            '<w:numPr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f'<w:ilvl w:val="{index}"/><w:numId w:val="907"/></w:numPr>'))
    for style, text in (("Muc 0", "MỤC TIÊU"), ("Muc 1", "một"), ("Muc 1", "hai"), ("Muc 0", "NHIỆM VỤ")):
        document.add_paragraph(text, style=style)
    document.save(str(path))
    assert texts(ingest(path)[1]) == ["I. MỤC TIÊU", "a) một", "b) hai", "II. NHIỆM VỤ"]


def test_borderless_table_is_read_by_columns_bordered_one_by_rows(tmp_path):
    document = docx.Document()
    layout = document.add_table(rows=2, cols=2)
    for cell, text in zip(layout._cells, ["A1", "B1", "A2", "B2"]):
        cell.text = text
    document.add_paragraph("giữa")
    data = document.add_table(rows=2, cols=2)
    data.style = "Table Grid"
    for cell, text in zip(data._cells, ["A1", "B1", "A2", "B2"]):
        cell.text = text
    path = tmp_path / "t.docx"
    document.save(str(path))
    assert texts(ingest(path)[1]) == ["A1", "A2", "", "B1", "B2", "", "giữa", "", "A1\tB1", "A2\tB2"]


def test_borderless_table_with_rows_of_three_filled_cells_holds_data(tmp_path):
    # A task table exported without borders: no header or signature block is three columns wide.
    document = docx.Document()
    rows = [["TT", "Nội dung", "Chủ trì"], ["1", "Rà soát văn bản", "Sở Tư pháp"], ["2", "Tập huấn", "Sở Nội vụ"]]
    table = document.add_table(rows=3, cols=3)
    for cell, text in zip(table._cells, [text for row in rows for text in row]):
        cell.text = text
    path = tmp_path / "tasks.docx"
    document.save(str(path))
    assert texts(ingest(path)[1]) == ["TT\tNội dung\tChủ trì", "1\tRà soát văn bản\tSở Tư pháp", "2\tTập huấn\tSở Nội vụ"]


def test_footnote_marks_and_deleted_text_are_not_body_text(tmp_path):
    document = docx.Document()
    paragraph = document.add_paragraph("Theo Nghị quyết")
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    paragraph._p.append(parse_xml(f'<w:r {w}><w:footnoteReference w:id="1"/></w:r>'))
    paragraph._p.append(parse_xml(f'<w:del {w} w:id="3" w:author="x"><w:r><w:delText> cũ</w:delText></w:r></w:del>'))
    paragraph._p.append(parse_xml(f'<w:ins {w} w:id="4" w:author="x"><w:r><w:t> mới</w:t></w:r></w:ins>'))
    path = tmp_path / "f.docx"
    document.save(str(path))
    assert texts(ingest(path)[1]) == ["Theo Nghị quyết mới"]


def test_manual_line_break_starts_a_new_line(tmp_path):
    document = docx.Document()
    paragraph = document.add_paragraph("ỦY BAN NHÂN DÂN")
    paragraph.add_run().add_break()
    paragraph.add_run("TỈNH AN GIANG")
    path = tmp_path / "br.docx"
    document.save(str(path))
    assert [(line.text, line.origin) for line in ingest(path)[1]] == [
        ("ỦY BAN NHÂN DÂN", "p0"), ("TỈNH AN GIANG", "p0")]


def test_run_fonts_pick_the_legacy_conversion():
    assert legacy.run_to_unicode("Uû ban nh©n d©n", ".VnTime") == "Uỷ ban nhân dân"
    assert legacy.run_to_unicode("ñy ban", ".VnTimeH") == "ỦY BAN"
    assert legacy.run_to_unicode("UÛy ban nhaân daân", "VNI-Times") == "Ủy ban nhân dân"
    assert legacy.run_to_unicode("Uû ban", "Times New Roman") == "Uû ban"
    assert legacy.font_encoding(".VnArial Narrow") == legacy.TCVN3
    assert legacy.font_encoding("VNI-Helve") == legacy.VNI
    assert legacy.font_encoding(None) is None


def test_style_font_applies_to_runs_without_their_own(tmp_path):
    document = docx.Document()
    document.styles["Normal"].font.name = ".VnTime"
    document.add_paragraph("KÕ ho¹ch tØnh")
    unicode_run = document.add_paragraph().add_run("Kế hoạch")
    unicode_run.font.name = "Times New Roman"
    path = tmp_path / "style.docx"
    document.save(str(path))
    assert texts(ingest(path)[1]) == ["Kế hoạch tỉnh", "Kế hoạch"]


# Bad files: each through the real CLI, exit 3 and one line.

def _zip_with(source: Path, extra: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as copy:
        for item in original.infolist():
            copy.writestr(item, original.read(item.filename))
        for name, data in extra.items():
            copy.writestr(name, data)
    return buffer.getvalue()


def _encrypted_odt() -> bytes:
    """plan.odt with its manifest saying each part is encrypted, as a password-protected .odt's does."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(FIXTURES / "plan.odt") as original, zipfile.ZipFile(buffer, "w") as copy:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "META-INF/manifest.xml":
                data = data.replace(b'manifest:full-path="content.xml"',
                                    b'manifest:full-path="content.xml"><manifest:encryption-data'
                                    b' manifest:checksum-type="SHA1/1K" manifest:checksum="AA=="/'
                                    b'></manifest:file-entry><manifest:file-entry manifest:full-path="x"')
            copy.writestr(item, data)
    return buffer.getvalue()


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = bytes(1 << 20)
            for _ in range(office.MAX_UNPACKED_BYTES // len(chunk) + 8):
                member.write(chunk)
    return buffer.getvalue()


def _encrypted_doc() -> bytes:
    data = bytearray((FIXTURES / "plan.doc").read_bytes())
    # Set fEncrypted in the FIB of the WordDocument stream, as Word does for a password.
    import olefile
    with olefile.OleFileIO(bytes(data)) as container:
        fib = bytearray(container.openstream("WordDocument").read())
    fib_at = bytes(data).find(bytes(fib[:32]))
    flags = int.from_bytes(data[fib_at + 10:fib_at + 12], "little") | 0x0100
    data[fib_at + 10:fib_at + 12] = flags.to_bytes(2, "little")
    return bytes(data)


BAD_FILES = {
    "encrypted.docx": (lambda: (FIXTURES / "encrypted.docx").read_bytes(), "encrypted"),
    "encrypted.doc": (_encrypted_doc, "encrypted"),
    "encrypted.odt": (_encrypted_odt, "encrypted"),
    "corrupt.docx": (lambda: b"PK\x03\x04" + bytes(range(256)) * 8, "damaged"),
    "truncated.docx": (lambda: PLAN_DOCX.read_bytes()[: PLAN_DOCX.stat().st_size // 2], "damaged"),
    "truncated.doc": (lambda: (FIXTURES / "plan.doc").read_bytes()[:3000], "damaged"),
    "bomb.docx": (_zip_bomb, "zip bomb"),
    "macros.docm": (lambda: _zip_with(PLAN_DOCX, {"word/vbaProject.bin": b"\xcc" * 64}), "macros"),
    "macros.odt": (lambda: _zip_with(FIXTURES / "plan.odt", {"Basic/Standard/Module1.xml": b"<x/>"}), "macros"),
    "damaged.rtf": (lambda: b"{\\rtf1" + bytes(range(256)) * 4, "damaged"),
    "sheet.xlsx": (lambda: _zip_with_only({"xl/workbook.xml": b"<workbook/>"}), "unsupported"),
}


def _zip_with_only(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# The quick subset keeps two of these CLI runs (about a second each); `make test` runs them all.
QUICK_BAD_FILES = {"corrupt.docx", "encrypted.docx"}


@pytest.mark.parametrize("name", [name if name in QUICK_BAD_FILES else pytest.param(name, marks=pytest.mark.slow)
                                  for name in sorted(BAD_FILES)])
def test_bad_office_file_gets_one_line_error_and_exit_3(tmp_path, name):
    make, message = BAD_FILES[name]
    path = tmp_path / name
    path.write_bytes(make())
    result = cli("parse", str(path))
    error = result.stderr.decode().strip()
    assert result.returncode == InputError.exit_code, error
    assert len(error.splitlines()) == 1 and error.startswith("error: ")
    assert name in error and message in error.lower()
    assert "Traceback" not in error


def test_missing_libreoffice_is_named_with_exit_4(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "PATH"}
    env["PATH"] = str(tmp_path)  # nothing to run in there
    result = cli("parse", str(FIXTURES / "plan.doc"), env=env)
    error = result.stderr.decode().strip()
    assert result.returncode == MissingDependencyError.exit_code, error
    assert len(error.splitlines()) == 1 and "LibreOffice is not installed" in error
    assert "libreoffice-writer-nogui" in error
