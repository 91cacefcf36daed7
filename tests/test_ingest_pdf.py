"""PDFs: text layer in reading order, per-page OCR decision, and damaged files."""
from __future__ import annotations

import io
import tracemalloc
import unicodedata
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib import pdfencrypt
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Table, TableStyle

from pipeline.errors import InputError
from pipeline.ingest import ingest

FIXTURES = Path(__file__).parent / "fixtures"
EXCERPT_LINES = (FIXTURES / "ingest-kh267-excerpt.txt").read_text(encoding="utf-8").split("\n")[:-1]
FONT_FILE = Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf")
pdfmetrics.registerFont(TTFont("LiberationSerif", str(FONT_FILE)))

HEADER_LEFT = ["ỦY BAN NHÂN DÂN", "TỈNH THỪA THIÊN HUẾ", "Số: 267/KH-UBND"]
HEADER_RIGHT = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Thừa Thiên Huế, ngày 27 tháng 6 năm 2024"]
BODY = [line for line in EXCERPT_LINES[9:32] if line]


def new_canvas(target) -> canvas.Canvas:
    pdf = canvas.Canvas(target)
    pdf.setFont("LiberationSerif", 13)
    return pdf


def draw_header_and_body(pdf: canvas.Canvas, body: list[str]) -> None:
    for row, (left, right) in enumerate(zip(HEADER_LEFT, HEADER_RIGHT)):
        y = 790 - row * 17
        pdf.drawCentredString(150, y, left)
        pdf.drawCentredString(410, y, right)
    pdf.drawCentredString(297, 720, "KẾ HOẠCH")
    for index, line in enumerate(body):
        pdf.drawString(60, 690 - index * 17, line)


def scan_image(lines: list[str]) -> Image.Image:
    image = Image.new("L", (2480, 1200), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT_FILE), 54)
    for index, line in enumerate(lines):
        draw.text((150, 150 + index * 80), line, font=font, fill="black")
    return image


def draw_scan(pdf: canvas.Canvas, lines: list[str], invisible_text: str | None = None) -> None:
    """An A4 page that is only a 300 dpi image, optionally under an invisible OCR text layer."""
    pdf.drawImage(ImageReader(scan_image(lines)), 0, 842 - 288, width=595, height=288)
    if invisible_text:
        text = pdf.beginText(40, 800)
        text.setTextRenderMode(3)
        text.setFont("Helvetica", 12)
        for line in invisible_text.split("\n"):
            text.textLine(line)
        pdf.drawText(text)


def texts(lines) -> list[str]:
    return [line.text for line in lines]


def test_text_layer_reads_two_column_header_as_two_blocks(tmp_path):
    path = tmp_path / "kh.pdf"
    pdf = new_canvas(str(path))
    draw_header_and_body(pdf, BODY[:8])
    pdf.showPage()
    pdf.setFont("LiberationSerif", 13)
    for index, line in enumerate(BODY[8:]):
        pdf.drawString(60, 790 - index * 17, line)
    pdf.save()

    source, lines = ingest(path)
    assert source.kind == "pdf-text"
    assert source.pages == 2
    page_one = [line for line in lines if line.page == 1]
    assert texts(page_one) == HEADER_LEFT + [""] + HEADER_RIGHT + ["", "KẾ HOẠCH", ""] + BODY[:8]
    assert texts(line for line in lines if line.page == 2) == BODY[8:]
    assert [line.number for line in lines] == list(range(1, len(lines) + 1))
    assert all(line.bbox is None and line.ocr_confidence is None for line in lines)


def test_signature_block_columns_are_read_left_then_right(tmp_path):
    path = tmp_path / "sig.pdf"
    pdf = new_canvas(str(path))
    recipients = ["Nơi nhận:", "- Bộ Ngoại giao;", "- TT Tỉnh ủy;", "- Lưu: VT, TH."]
    signer = ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    for index, line in enumerate(recipients):
        pdf.drawString(60, 700 - index * 15, line)
    for index, line in enumerate(signer):
        pdf.drawCentredString(420, 700 - index * 17, line)
    pdf.drawCentredString(420, 600, "Hoàng Hải Minh")
    pdf.save()
    _, lines = ingest(path)
    assert texts(lines) == recipients + [""] + signer + ["", "Hoàng Hải Minh"]


def test_ruled_table_rows_become_tab_separated_lines(tmp_path):
    path = tmp_path / "table.pdf"
    pdf = new_canvas(str(path))
    pdf.drawString(60, 780, "PHỤ LỤC")
    rows = [
        ["TT", "Nội dung", "Cơ quan chủ trì", "Thời gian"],
        ["1", "Tổ chức quán triệt Kết luận", "Sở Thông tin và Truyền thông", "Quý III năm 2024"],
        ["2", "Tuyên truyền đối ngoại", "Sở Ngoại vụ", "Thường xuyên"],
    ]
    table = Table(rows)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black"), ("FONT", (0, 0), (-1, -1), "LiberationSerif", 11)]))
    table.wrapOn(pdf, 500, 300)
    table.drawOn(pdf, 60, 650)
    pdf.save()
    _, lines = ingest(path)
    assert texts(lines) == ["PHỤ LỤC", ""] + ["\t".join(row) for row in rows]


@pytest.mark.ocr
def test_scanned_page_is_ocred_and_pdf_is_mixed(tmp_path):
    path = tmp_path / "mixed.pdf"
    pdf = new_canvas(str(path))
    draw_header_and_body(pdf, BODY[:3])
    pdf.showPage()
    draw_scan(pdf, BODY[3:6])
    pdf.save()
    source, lines = ingest(path)
    assert source.kind == "pdf-mixed"
    assert source.pages == 2
    scanned = [line for line in lines if line.page == 2 and line.text]
    assert len(scanned) == 3
    matched = sum(a == b for a, b in zip(" ".join(BODY[3:6]).split(), " ".join(texts(scanned)).split()))
    assert matched >= 0.9 * len(" ".join(BODY[3:6]).split())
    assert all(line.bbox and 0 < line.ocr_confidence <= 1 for line in scanned)
    assert all(line.bbox is None for line in lines if line.page == 1)


@pytest.mark.ocr
def test_invisible_english_ocr_layer_is_replaced_by_vietnamese_ocr(tmp_path):
    path = tmp_path / "scanner.pdf"
    pdf = new_canvas(str(path))
    # What a scanner's English OCR leaves: the words without their diacritics.
    stripped = "\n".join(
        "".join(ch for ch in unicodedata.normalize("NFD", line) if ch.isascii()) for line in BODY[:6]
    )
    draw_scan(pdf, BODY[:6], invisible_text=stripped)
    pdf.save()
    source, lines = ingest(path)
    assert source.kind == "pdf-scan"
    got = " ".join(texts(lines)).split()
    assert sum(word in got for word in ["Thực", "hiện", "Kết", "luận", "tiếp", "tục"]) >= 5


def test_page_without_text_or_image_gives_no_lines(tmp_path):
    path = tmp_path / "blank.pdf"
    pdf = new_canvas(str(path))
    pdf.showPage()
    pdf.save()
    source, lines = ingest(path)
    assert source.kind == "pdf-scan"
    assert [line for line in lines if line.text.strip()] == []


def test_pdf_that_needs_a_password(tmp_path):
    path = tmp_path / "secret.pdf"
    pdf = canvas.Canvas(str(path), encrypt=pdfencrypt.StandardEncryption("mat-khau"))
    pdf.drawString(60, 700, "Ke hoach")
    pdf.save()
    with pytest.raises(InputError, match=r"secret\.pdf: encrypted PDF that needs a password"):
        ingest(path)


def test_pdf_encrypted_without_user_password_is_decrypted(tmp_path):
    path = tmp_path / "restricted.pdf"
    pdf = new_canvas(str(path))
    pdf._doc.encrypt = pdfencrypt.StandardEncryption("", ownerPassword="chu-so-huu", canCopy=0)
    pdf.drawString(60, 700, BODY[0])
    pdf.save()
    source, lines = ingest(path)
    assert texts(lines) == [BODY[0]]


def _text_pdf_bytes(pages: int) -> bytes:
    buffer = io.BytesIO()
    pdf = new_canvas(buffer)
    for number in range(pages):
        pdf.drawString(60, 700, f"{BODY[number % len(BODY)]}")
        pdf.showPage()
        pdf.setFont("LiberationSerif", 13)
    pdf.save()
    return buffer.getvalue()


def test_truncated_pdf(tmp_path):
    path = tmp_path / "cut.pdf"
    path.write_bytes(_text_pdf_bytes(3)[:900])
    with pytest.raises(InputError, match=r"cut\.pdf: damaged"):
        ingest(path)


def test_pdf_header_followed_by_junk(tmp_path):
    path = tmp_path / "junk.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8)
    with pytest.raises(InputError, match=r"junk\.pdf: damaged or not a PDF"):
        ingest(path)


def test_pdf_with_zero_pages(tmp_path):
    path = tmp_path / "empty.pdf"
    path.write_bytes(
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    with pytest.raises(InputError, match=r"empty\.pdf: PDF has no pages"):
        ingest(path)


@pytest.mark.slow
@pytest.mark.ocr
def test_300_page_pdf_is_read_page_by_page_in_bounded_memory(tmp_path):
    path = tmp_path / "long.pdf"
    path.write_bytes(_text_pdf_bytes(300))
    tracemalloc.start()
    try:
        source, lines = ingest(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert source.pages == 300
    assert [line.page for line in lines] == list(range(1, 301))
    assert peak < 40 * 1024 * 1024
