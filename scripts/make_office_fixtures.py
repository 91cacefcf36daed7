#!/usr/bin/env python3
"""Build the committed Office and web-page fixtures (tests/fixtures/office/) and the raw/ Word sample.

    .venv/bin/python scripts/make_office_fixtures.py

- raw/kh-267-word.docx: the seed plan (tests/fixtures and raw/ may hold the
  seed) as a clerk's Word file, its wrapped lines joined into paragraphs.
- plan.docx: a short plan written for the tests (PLAN below) with header and
  signature tables, Word list numbering, a Phụ lục task table, runs in
  .VnTime/.VnTimeH (TCVN3) and VNI-Times, and a text box that must not
  reach the text; plan.doc, plan.odt and plan.rtf converted
  from it by LibreOffice.
- portal.html (UTF-8) and portal-1258.htm (Windows-1258): PLAN inside a
  portal page with menus, a login prompt, an advert and related documents.
- encrypted.docx: plan.docx protected with the password "fixture"
  (needs msoffcrypto-tool: pip install msoffcrypto-tool; only this script uses it).
"""
from __future__ import annotations

import io
import shutil
import sys
import tempfile
from pathlib import Path

import docx
from docx.oxml import parse_xml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import office_documents  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "office"
SEED = ROOT.parent / "shared" / "seed" / "kh-267-gold.txt"

PLAN = """ỦY BAN NHÂN DÂN
HUYỆN AN PHÚ
Số: 12/KH-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
An Phú, ngày 05 tháng 3 năm 2024
KẾ HOẠCH
Phòng, chống thiên tai năm 2024
I. MỤC ĐÍCH, YÊU CẦU
1. Mục đích
- Chủ động ứng phó với thiên tai, giảm thiểu thiệt hại về người và tài sản.
- Nâng cao nhận thức của người dân về phòng, chống thiên tai.
2. Yêu cầu
Các cơ quan, đơn vị triển khai đồng bộ, hiệu quả.
II. NHIỆM VỤ
1. Rà soát phương án ứng phó với bão, lũ trên địa bàn huyện.
a) Cơ quan chủ trì: Phòng Nông nghiệp và Phát triển nông thôn.
b) Thời gian hoàn thành: trước ngày 30/4/2024.
2. Tổ chức diễn tập cứu hộ, cứu nạn tại các xã ven sông.
a) Cơ quan chủ trì: Ban Chỉ huy Quân sự huyện.
b) Thời gian hoàn thành: trong tháng 6/2024.
III. TỔ CHỨC THỰC HIỆN
Các cơ quan, đơn vị thực hiện các nhiệm vụ tại Phụ lục kèm theo.
Nơi nhận:
- UBND tỉnh;
- Các xã, thị trấn;
- Lưu: VT.
TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH
Trần Văn Bình
PHỤ LỤC
NHIỆM VỤ PHÒNG, CHỐNG THIÊN TAI NĂM 2024
TT\tNội dung nhiệm vụ\tCơ quan chủ trì\tCơ quan phối hợp\tThời gian hoàn thành
1\tKiểm tra hệ thống đê bao, cống đập\tPhòng Nông nghiệp và Phát triển nông thôn\tUBND các xã\tTháng 5/2024
2\tDự trữ vật tư, phương tiện cứu hộ\tBan Chỉ huy Quân sự huyện\tPhòng Tài chính - Kế hoạch\tTháng 7/2024"""

# A text box anchored in a paragraph: not body text.
_TEXT_BOX = (
    '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    ' xmlns:v="urn:schemas-microsoft-com:vml"><w:pict><v:shape style="width:120pt;height:30pt">'
    '<v:textbox><w:txbxContent><w:p><w:r><w:t>DỰ THẢO</w:t></w:r></w:p></w:txbxContent>'
    '</v:textbox></v:shape></w:pict></w:r>')


def build_plan(path: Path) -> None:
    with tempfile.TemporaryDirectory() as folder:
        built = Path(folder) / "plan.docx"
        office_documents.build_docx(PLAN, built, legacy_fonts=True)
        document = docx.Document(str(built))
        # Body paragraph 0 is "KẾ HOẠCH", 1 the title.
        document.paragraphs[1]._p.append(parse_xml(_TEXT_BOX))
        document.save(str(path))


def encrypt(source: Path, target: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile  # noqa: PLC0415  (this script's own tool)

    output = io.BytesIO()
    with source.open("rb") as plain:
        OOXMLFile(plain).encrypt("fixture", output)
    target.write_bytes(output.getvalue())


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    office_documents.build_docx(SEED.read_text(encoding="utf-8"), ROOT / "raw" / "kh-267-word.docx", wrapped=True)
    plan = OUT / "plan.docx"
    build_plan(plan)
    with tempfile.TemporaryDirectory() as folder:
        for extension in ("doc", "odt", "rtf"):
            converted = office_documents.convert(plan, extension, Path(folder))
            shutil.copyfile(converted, OUT / f"plan.{extension}")
    (OUT / "portal.html").write_bytes(office_documents.build_html(PLAN))
    (OUT / "portal-1258.htm").write_bytes(office_documents.build_html(PLAN, charset="windows-1258"))
    encrypt(plan, OUT / "encrypted.docx")
    for path in sorted(OUT.iterdir()):
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
