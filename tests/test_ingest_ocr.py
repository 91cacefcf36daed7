"""Images through Tesseract: text, provenance, confidences, and the odd inputs."""
from __future__ import annotations

import difflib
import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline._exec import tesseract
from pipeline.errors import InputError, MissingDependencyError
from pipeline.ingest import ingest, ocr
from pipeline.ingest.grid import Grid, find_grid

pytestmark = pytest.mark.ocr  # most of these run Tesseract

FIXTURES = Path(__file__).parent / "fixtures"
EXCERPT_LINES = (FIXTURES / "ingest-kh267-excerpt.txt").read_text(encoding="utf-8").split("\n")[:-1]
BODY = [line for line in EXCERPT_LINES[9:16] if line]
FONT = Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf")


def render(lines: list[str], mode: str = "L", size: tuple[int, int] = (2300, 520)) -> Image.Image:
    """Lines of 13 pt Liberation Serif as a 300 dpi scan would show them."""
    background = (255, 255, 255, 0) if mode == "RGBA" else "white"
    image = Image.new(mode, size, background)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), 54)
    for index, line in enumerate(lines):
        draw.text((60, 40 + index * 80), line, font=font, fill="black")
    return image


def save(image: Image.Image, path: Path, **options) -> Path:
    image.save(path, dpi=(300, 300), **options)
    return path


def word_accuracy(expected: list[str], got: list[str]) -> float:
    expected_words = " ".join(expected).split()
    got_words = " ".join(got).split()
    matcher = difflib.SequenceMatcher(a=expected_words, b=got_words, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(expected_words)


def test_png_lines_with_boxes_and_confidences(tmp_path):
    lines = BODY[:5]
    source, ingested = ingest(save(render(lines), tmp_path / "page.png"))
    text_lines = [line for line in ingested if line.text]
    assert source.kind == "image"
    assert source.pages == 1
    assert len(text_lines) == len(lines)
    assert word_accuracy(lines, [line.text for line in text_lines]) >= 0.95
    assert [line.number for line in ingested] == list(range(1, len(ingested) + 1))
    tops = [line.bbox[1] for line in text_lines]
    assert tops == sorted(tops)
    for index, line in enumerate(text_lines):
        x0, y0, x1, y1 = line.bbox
        assert 40 <= x0 < x1 <= 2300 and 40 + index * 80 - 10 <= y0 < y1 <= 40 + index * 80 + 90
        assert line.original == line.text and line.page == 1
        assert 0.5 < line.ocr_confidence <= 1.0
        assert len(line.word_confidences) == len(line.text.split(" "))
        assert line.ocr_confidence == pytest.approx(sum(line.word_confidences) / len(line.word_confidences), abs=0.001)


def test_multipage_tiff_keeps_page_numbers(tmp_path):
    first, second = render(BODY[:2]), render(BODY[2:4])
    path = tmp_path / "scan.tiff"
    first.save(path, save_all=True, append_images=[second], dpi=(300, 300), compression="tiff_lzw")
    source, ingested = ingest(path)
    assert source.pages == 2
    by_page = {page: [line.text for line in ingested if line.page == page and line.text] for page in (1, 2)}
    assert word_accuracy(BODY[:2], by_page[1]) >= 0.95
    assert word_accuracy(BODY[2:4], by_page[2]) >= 0.95


def test_jpeg_and_transparent_png(tmp_path):
    jpeg = save(render(BODY[:2], mode="RGB"), tmp_path / "photo.jpg", quality=70)
    _, jpeg_lines = ingest(jpeg)
    assert word_accuracy(BODY[:2], [line.text for line in jpeg_lines]) >= 0.9
    # Black text on transparent pixels that are stored black: must still read.
    transparent = render(BODY[:2], mode="RGBA")
    pixels = transparent.load()
    for x in range(transparent.width):
        for y in range(transparent.height):
            if pixels[x, y][3] == 0:
                pixels[x, y] = (0, 0, 0, 0)
    _, png_lines = ingest(save(transparent, tmp_path / "alpha.png"))
    assert word_accuracy(BODY[:2], [line.text for line in png_lines]) >= 0.9


def test_image_without_text_gives_no_lines(tmp_path):
    source, ingested = ingest(save(Image.new("L", (1200, 800), "white"), tmp_path / "blank.png"))
    assert source.kind == "image"
    assert [line for line in ingested if line.text.strip()] == []


def test_truncated_image_is_an_input_error(tmp_path):
    buffer = io.BytesIO()
    render(BODY[:1]).save(buffer, format="PNG")
    path = tmp_path / "cut.png"
    path.write_bytes(buffer.getvalue()[:3000])
    with pytest.raises(InputError, match=r"cut\.png"):
        ingest(path)


def test_gif_is_named_as_unsupported(tmp_path):
    path = tmp_path / "scan.gif"
    render(BODY[:1]).save(path, format="GIF")
    with pytest.raises(InputError, match="unsupported file type: a GIF image"):
        ingest(path)


def test_pages_are_streamed_with_bounded_lookahead():
    jobs = 2
    pulled = []

    def pages():
        for number in range(1, 13):
            pulled.append(number)
            yield number, Image.new("L", (300, 200), "white")

    handed_back = []
    for number, _, _ in ocr._ocr_stream(pages(), jobs, ["vie"], "stream"):
        # Never more than `jobs` + 1 pages rendered ahead of the one handed back.
        assert len(pulled) <= number + jobs
        handed_back.append(number)
    assert handed_back == list(range(1, 13))  # every page came back, in order


def test_missing_tesseract_names_program_and_package(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    tesseract.version.cache_clear()
    tesseract.installed_languages.cache_clear()
    try:
        with pytest.raises(MissingDependencyError, match="tesseract is not installed.*apt-get install tesseract-ocr"):
            ingest(save(render(BODY[:1]), tmp_path / "page.png"))
    finally:
        tesseract.version.cache_clear()
        tesseract.installed_languages.cache_clear()


def test_missing_language_names_its_package():
    with pytest.raises(MissingDependencyError, match="'khm' is not installed.*tesseract-ocr-khm"):
        tesseract.check(["vie", "khm"])


def test_tesseract_version_is_read():
    assert tesseract.version() >= tesseract.MIN_VERSION


def _hocr(rows: list[tuple[int, int, int, str, int]], tops: dict[int, int] | None = None) -> str:
    """Tesseract hOCR for words given as (block, paragraph, line, word, left) on a 2480 px wide page: a
    block's first line at its height in `tops`, or 400 px below the block before."""
    lines: dict[tuple[int, int, int], list[str]] = {}
    for number, (block, paragraph, line, word, left) in enumerate(rows):
        top = tops[block] + 60 * (line - 1) if tops else 100 + 60 * line + 400 * block
        lines.setdefault((block, paragraph, line), []).append(
            f"<span class='ocrx_word' id='word_{number}' title='bbox {left} {top} {left + 20 * len(word)} {top + 40};"
            f" x_wconf 91'>{word}</span>")
    blocks: dict[int, dict[int, list[str]]] = {}
    for (block, paragraph, line), words in lines.items():
        blocks.setdefault(block, {}).setdefault(paragraph, []).append(
            f"<span class='ocr_line' id='line_{block}_{paragraph}_{line}'>{''.join(words)}</span>")
    body = "".join(f"<div class='ocr_carea' id='block_{block}'>"
                   + "".join(f"<p class='ocr_par' id='par_{block}_{paragraph}'>{''.join(spans)}</p>"
                             for paragraph, spans in paragraphs.items()) + "</div>"
                   for block, paragraphs in blocks.items())
    return ("<html xmlns='http://www.w3.org/1999/xhtml'><body><div class='ocr_page' id='page_1'"
            f" title='image \"stdin\"; bbox 0 0 2480 3508; ppageno 0'>{body}</div></body></html>")


def _words(block: int, line: int, text: str, left: int) -> list[tuple[int, int, int, str, int]]:
    rows, x = [], left
    for word in text.split():
        rows.append((block, 1, line, word, x))
        x += 20 * len(word) + 20
    return rows


def test_two_column_letterhead_is_read_column_by_column():
    # The letterhead of Kế hoạch 172/KH-UBND as Tesseract merges it: one OCR line across both columns.
    rows = (_words(1, 1, "ỦY BAN NHÂN DÂN", 250) + _words(1, 1, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 1150)
            + _words(1, 2, "THÀNH PHỐ HỒ CHÍ MINH", 200) + _words(1, 2, "Độc lập - Tự do - Hạnh phúc", 1300)
            + _words(2, 1, "Số: 172/KH-UBND", 230) + _words(2, 1, "Thành phố Hồ Chí Minh, ngày 18 tháng 11 năm 2025", 1000)
            + _words(3, 1, "KẾ HOẠCH", 1150)
            + _words(4, 1, "Thực hiện Quyết định số 1850/QĐ-TTg ngày 27 tháng 8 năm 2025", 300))
    lines = [line.text for line in ocr.lines_from_hocr(_hocr(rows), page=1)]
    assert lines == [
        "ỦY BAN NHÂN DÂN", "THÀNH PHỐ HỒ CHÍ MINH", "Số: 172/KH-UBND", "",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
        "Thành phố Hồ Chí Minh, ngày 18 tháng 11 năm 2025", "",
        "KẾ HOẠCH", "",
        "Thực hiện Quyết định số 1850/QĐ-TTg ngày 27 tháng 8 năm 2025",
    ]


def test_one_wide_gap_alone_is_not_a_column_layout():
    rows = _words(1, 1, "Nơi nhận:", 250) + _words(1, 1, "KT. CHỦ TỊCH", 1500) + _words(1, 2, "- Như trên;", 250)
    lines = [line.text for line in ocr.lines_from_hocr(_hocr(rows), page=1)]
    assert lines == ["Nơi nhận: KT. CHỦ TỊCH", "- Như trên;"]


def test_signature_block_is_read_column_by_column_and_the_paragraph_above_stays_whole():
    # The last line of the closing paragraph sits left of the signature block's gutter, just above it.
    rows = (_words(1, 1, "6. Giao Sở Tư pháp theo dõi, đôn đốc các cơ quan thực hiện Kế hoạch này; định kỳ báo", 250)
            + _words(1, 2, "cáo UBND tỉnh theo quy định./.", 250)
            + _words(2, 1, "Nơi nhận:", 250) + _words(2, 1, "KT. CHỦ TỊCH", 1500)
            + _words(2, 2, "- Như trên;", 250) + _words(2, 2, "PHÓ CHỦ TỊCH", 1500)
            + _words(2, 3, "- Lưu: VT.", 250))
    lines = [line.text for line in ocr.lines_from_hocr(_hocr(rows, {1: 2000, 2: 2120}), page=1)]
    assert lines == [
        "6. Giao Sở Tư pháp theo dõi, đôn đốc các cơ quan thực hiện Kế hoạch này; định kỳ báo",
        "cáo UBND tỉnh theo quy định./.", "",
        "Nơi nhận:", "- Như trên;", "- Lưu: VT.", "",
        "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH",
    ]


def test_unruled_table_rows_keep_tesseract_order():
    # Three columns of an unruled table: unfolding them column by column would scramble each row.
    rows = []
    for line, (number, task, unit) in enumerate([("1", "Rà soát văn bản", "Sở Tư pháp"),
                                                 ("2", "Báo cáo quý", "Sở Nội vụ"),
                                                 ("3", "Tổng kết", "Văn phòng")], start=1):
        rows += _words(1, line, number, 250) + _words(1, line, task, 600) + _words(1, line, unit, 1700)
    lines = [line.text for line in ocr.lines_from_hocr(_hocr(rows), page=1)]
    assert lines == ["1 Rà soát văn bản Sở Tư pháp", "2 Báo cáo quý Sở Nội vụ", "3 Tổng kết Văn phòng"]


def _ruled_page(columns: list[int], rows: list[int]) -> Image.Image:
    page = Image.new("L", (2480, 3508), 235)
    draw = ImageDraw.Draw(page)
    for x in columns:
        draw.line([(x, rows[0]), (x, rows[-1])], fill=20, width=3)
    for y in rows:
        draw.line([(columns[0], y), (columns[-1], y)], fill=20, width=3)
    draw.text((400, 300), "PHỤ LỤC", fill=20)
    return page


def test_ruled_table_grid_is_found():
    columns, rows = [353, 379, 1150, 1485, 2090, 2244], [740, 1005, 1330, 1715]
    grid = find_grid(_ruled_page(columns, rows))
    assert grid.columns == pytest.approx(columns, abs=3)  # found at a third of the resolution
    assert grid.rows == pytest.approx(rows, abs=3)
    assert grid.cell(800, 1100) == (1, 1)
    assert find_grid(Image.new("L", (2480, 3508), 235)) is None


def test_table_words_become_tab_separated_rows():
    # The task table of Kế hoạch 310/KH-UBND (Hà Nội) as Tesseract reads its scan: lines that run
    # across cells, a ruling line read as "|", and a row number glued to its cell in a narrow column.
    grid = Grid(columns=[353, 379, 1150, 1485, 2090, 2244], rows=[740, 1005, 1330])
    rows = (_words(1, 1, "PHỤ LỤC", 1100)
            + _words(2, 1, "Nội dung/nhiệm vụ", 400) + _words(2, 1, "Cơ quan chủ trì", 1170)
            + _words(2, 1, "Cơ quan phối hợp", 1500) + _words(2, 1, "Thời gian", 2095)
            + _words(3, 1, "1Tổ chức điều chỉnh, bổ sung quy |", 360) + _words(3, 1, "Ban Quản lý các", 1170)
            + _words(3, 1, "Sở Khoa học và Công nghệ", 1500) + _words(3, 1, "Quý III", 2095)
            + _words(3, 2, "hoạch hạ tầng viễn thông", 400) + _words(3, 2, "khu công nghệ cao", 1170)
            + _words(4, 1, "Trên đây là Kế hoạch", 300))
    lines = [line.text for line in ocr.lines_from_hocr(_hocr(rows, {1: 300, 2: 800, 3: 1100, 4: 1500}), 1, grid)]
    assert lines[0] == "PHỤ LỤC"
    assert "\tNội dung/nhiệm vụ\tCơ quan chủ trì\tCơ quan phối hợp\tThời gian" in lines
    assert ("1\tTổ chức điều chỉnh, bổ sung quy hoạch hạ tầng viễn thông\tBan Quản lý các khu công nghệ cao"
            "\tSở Khoa học và Công nghệ\tQuý III") in lines
    assert lines[-1] == "Trên đây là Kế hoạch"
    row = next(line for line in ocr.lines_from_hocr(_hocr(rows, {1: 300, 2: 800, 3: 1100, 4: 1500}), 1, grid)
               if line.text.startswith("1\t"))
    assert len(row.word_confidences) == len(row.text.split())  # the number split off keeps a confidence


def _cell(text: str, confidence: float = 0.9) -> list[ocr.Word]:
    return [(word, confidence, (0, 0, 10, 10), None) for word in text.split()]


def _texts(rows) -> list[list[str]]:
    return [[" ".join(word[0] for word in cell) for cell in row] for row in rows]


def test_row_numbers_read_into_the_next_cell_are_put_back():
    # A narrow "TT" column: one number glued to its cell's first word, one read as a word of that
    # cell, three read as symbols glued to the first word; the symbols' digits follow from the rows around.
    table = [[_cell(""), _cell("Nội dung nhiệm vụ"), _cell("Cơ quan chủ trì")],
             [_cell("1"), _cell("Tổ chức điều chỉnh quy hoạch"), _cell("Sở Xây dựng")],
             [_cell(""), _cell("+Khảo sát thực trạng"), _cell("Sở Công Thương")],
             [_cell(""), _cell("3Xây dựng kế hoạch"), _cell("Sở Tài chính")],
             [_cell(""), _cell("4 Triển khai dự án"), _cell("UBND xã")],
             [_cell(""), _cell("¿Doanh nghiệp bảo đảm kinh phí"), _cell("Sở Tài chính")],
             [_cell(""), _cell("§Thực hiện khảo sát"), _cell("Sở Tài chính")]]
    assert _texts(ocr._numbered_rows(table)) == [
        ["", "Nội dung nhiệm vụ", "Cơ quan chủ trì"],
        ["1", "Tổ chức điều chỉnh quy hoạch", "Sở Xây dựng"],
        ["2", "Khảo sát thực trạng", "Sở Công Thương"],
        ["3", "Xây dựng kế hoạch", "Sở Tài chính"],
        ["4", "Triển khai dự án", "UBND xã"],
        ["5", "Doanh nghiệp bảo đảm kinh phí", "Sở Tài chính"],
        ["6", "Thực hiện khảo sát", "Sở Tài chính"]]


@pytest.mark.parametrize("row", [
    [_cell(""), _cell("(Kèm theo Kế hoạch)"), _cell("")],  # an opening bracket is text
    [_cell(""), _cell("- Khảo sát thực trạng"), _cell("Sở Công Thương")],  # a dash item inside the cell
    [_cell(""), _cell("2025 Năm"), _cell("")],  # four digits are a year, not a row number
])
def test_cells_without_a_lost_row_number_are_kept(row):
    table = [[_cell("1"), _cell("Tổ chức điều chỉnh"), _cell("Sở Xây dựng")], row]
    assert _texts(ocr._numbered_rows(table)) == _texts(table)


def test_a_symbol_for_a_number_the_rows_around_do_not_agree_on_gets_no_number():
    table = [[_cell("2"), _cell("Khảo sát"), _cell("Sở Xây dựng")],
             [_cell(""), _cell("+Báo cáo"), _cell("Sở Nội vụ")],
             [_cell("7"), _cell("Tổng kết"), _cell("Văn phòng")]]
    assert _texts(ocr._numbered_rows(table))[1] == ["", "Báo cáo", "Sở Nội vụ"]
