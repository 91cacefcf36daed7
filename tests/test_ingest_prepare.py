"""Page preparation: pages rendered here, then damaged as archives hold them
(turned, skewed, sealed, shadowed, photographed, low resolution), must read as
well as the clean page, and no worse than plain Tesseract reads the damage."""
from __future__ import annotations

import difflib
import io
import json
import subprocess
import sys

import numpy as np
import pypdfium2
import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

from test_cli import validate

from pipeline.errors import InputError
from pipeline.ingest import ingest
from pipeline.ingest.grid import find_grid
from pipeline.ingest.ocr import SMALL_LETTERS_CONFIDENCE
from pipeline.ingest.prepare import grey_without_colour_ink, prepare

FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
BOLD = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf"
BODY = [
    "Thực hiện Kế hoạch số 14-KH/TU ngày 29/7/2025 của Ban Thường vụ",
    "Tỉnh ủy về tăng cường công tác xây dựng và thi hành pháp luật,",
    "Ủy ban nhân dân tỉnh ban hành Kế hoạch thực hiện như sau:",
    "1. Sở Tư pháp chủ trì, phối hợp với các sở, ngành liên quan",
    "tổ chức rà soát văn bản quy phạm pháp luật trên địa bàn tỉnh.",
    "Thời gian hoàn thành: trước ngày 30 tháng 6 năm 2026.",
    "2. Sở Nội vụ hướng dẫn các cơ quan, đơn vị thực hiện chế độ",
    "báo cáo định kỳ hằng quý về kết quả thực hiện nhiệm vụ.",
]
DPI = 300


def _page(lines=BODY, header: bool = False, stamp: bool = False) -> Image.Image:
    """An A5-wide page at 300 dpi in RGB: black Liberation Serif text on white paper; a first
    page (`header`) is A5-high, the others just high enough for their lines (quicker to read)."""
    font, bold = ImageFont.truetype(FONT, 46), ImageFont.truetype(BOLD, 40)
    page = Image.new("RGB", (1750, 2480 if header else 260 + 62 * len(lines)), "white")
    draw = ImageDraw.Draw(page)
    top = 120
    if header:
        draw.text((130, top), "ỦY BAN NHÂN DÂN", font=bold, fill="black")
        draw.text((900, top), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA", font=bold, fill="black")
        draw.text((170, top + 60), "TỈNH BẮC NINH", font=bold, fill="black")
        draw.text((960, top + 60), "Độc lập - Tự do - Hạnh phúc", font=bold, fill="black")
        if stamp:
            # The received stamp: a ruled box with "ĐẾN", a number and a date written in.
            box = (560, top - 40, 860, top + 160)
            draw.rectangle(box, outline="black", width=4)
            draw.line((560, top + 20, 860, top + 20), fill="black", width=3)
            draw.line((560, top + 90, 860, top + 90), fill="black", width=3)
            draw.line((650, top + 20, 650, top + 160), fill="black", width=3)
            draw.text((650, top - 30), "ĐẾN", font=bold, fill="black")
            draw.text((575, top + 35), "Số", font=font, fill="black")
            draw.text((665, top + 35), "125", font=font, fill="black")
        top += 260
    for line in lines:
        draw.text((130, top), line, font=font, fill="black")
        top += 62
    page.info["dpi"] = (DPI, DPI)
    return page


def _text(lines) -> str:
    return " ".join(" ".join(lines).split())


def _similarity(expected: str, got: str) -> float:
    return difflib.SequenceMatcher(None, expected.split(), got.split()).ratio()


def _read(tmp_path, image: Image.Image, name: str) -> tuple[str, object]:
    path = tmp_path / f"{name}.png"
    image.save(path, dpi=image.info.get("dpi", (DPI, DPI)))
    source, lines = ingest(path)
    return _text(line.text for line in lines), source


def _plain_tesseract(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.convert("L").save(buffer, format="PNG", dpi=image.info.get("dpi", (DPI, DPI)))
    out = subprocess.run(["tesseract", "stdin", "stdout", "-l", "vie"], input=buffer.getvalue(),
                         capture_output=True, check=True).stdout.decode()
    return _text(out.splitlines())


def _turned(image: Image.Image, degrees: int) -> Image.Image:
    turned = image.rotate(degrees, expand=True)  # counter-clockwise, as PIL turns
    turned.info["dpi"] = image.info["dpi"]
    return turned


def _skewed(image: Image.Image, degrees: float) -> Image.Image:
    skewed = image.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor="white")
    skewed.info["dpi"] = image.info["dpi"]
    return skewed


def _sealed(image: Image.Image) -> Image.Image:
    """A red round seal and a blue signature stroke over the last lines, as on a signed page."""
    layer = Image.new("RGB", image.size, "white")
    draw = ImageDraw.Draw(layer)
    centre = (image.width // 2, image.height - 230)
    for radius, width in ((200, 14), (150, 6)):
        draw.ellipse((centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius),
                     outline=(215, 30, 35), width=width)
    draw.text((centre[0] - 120, centre[1] - 30), "ỦY BAN NHÂN DÂN", font=ImageFont.truetype(BOLD, 34),
              fill=(215, 30, 35))
    draw.line([(300, image.height - 300), (700, image.height - 180), (1100, image.height - 320)],
              fill=(30, 50, 200), width=9)
    # Ink on ink darkens (it absorbs light): a black letter under the seal stays black.
    sealed = ImageChops.multiply(image.convert("RGB"), layer)
    sealed.info["dpi"] = image.info["dpi"]
    return sealed


def _photographed(image: Image.Image) -> Image.Image:
    """The page lying on a dark desk, seen from a slant (keystone), with a shadow across it."""
    from cv2 import getPerspectiveTransform, warpPerspective

    width, height = image.size
    canvas = (width + 500, height + 500)
    corners = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    seen = np.float32([[330, 220], [width + 170, 290], [width + 260, height + 300], [230, height + 200]])
    desk = warpPerspective(np.asarray(image), getPerspectiveTransform(corners, seen), canvas,
                           borderValue=(60, 55, 50))
    shade = np.linspace(1.0, 0.6, canvas[0])[None, :, None]  # light falling off to the right
    photo = Image.fromarray((desk * shade).astype(np.uint8))
    photo.info["dpi"] = (DPI, DPI)
    return photo


def _low_resolution(image: Image.Image, dpi: int = 150, quality: int = 35) -> Image.Image:
    small = image.resize((image.width * dpi // DPI, image.height * dpi // DPI), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    small.save(buffer, format="JPEG", quality=quality)
    damaged = Image.open(buffer)
    damaged.load()
    damaged.info["dpi"] = (dpi, dpi)
    return damaged


def _yellowed(image: Image.Image) -> Image.Image:
    paper = np.asarray(image).astype(float)
    tint = np.array([235, 222, 180]) / 255  # aged paper
    gradient = np.linspace(0.75, 1.0, image.height)[:, None, None]  # a shadow at the top
    yellowed = Image.fromarray((paper * tint * gradient).astype(np.uint8))
    yellowed.info["dpi"] = image.info["dpi"]
    return yellowed


@pytest.mark.parametrize("degrees, rotation", [(90, 90), (180, 180), (270, 270)])
def test_turned_page_is_set_upright(degrees, rotation):
    prepared = prepare(grey_without_colour_ink(_turned(_page(), degrees), "t"), DPI, "turned")
    assert prepared.rotation == rotation
    assert prepared.size == _page().size


@pytest.mark.parametrize("degrees", [-4.0, -1.5, 2.5, 4.5])
def test_skew_is_measured_and_removed(degrees):
    prepared = prepare(grey_without_colour_ink(_skewed(_page(), degrees), "s"), DPI, "skewed")
    assert prepared.rotation == 0
    assert abs(prepared.skew) == pytest.approx(abs(degrees), abs=0.3)
    again = prepare(prepared.image, DPI, "again")
    assert again.skew == 0.0


def test_photographed_page_is_found_and_warped_to_a_rectangle():
    page = _page()
    prepared = prepare(grey_without_colour_ink(_photographed(page), "photo"), DPI, "photo")
    assert prepared.steps[0] == "page-warp"
    # The page's own size comes back (the photo's canvas is 500 px larger each way).
    assert prepared.size[0] == pytest.approx(page.width, rel=0.05)
    assert prepared.size[1] == pytest.approx(page.height, rel=0.05)


def test_clean_page_is_passed_through_untouched():
    clean = _page().convert("L")
    prepared = prepare(clean, DPI, "clean")
    assert prepared.steps == []
    assert prepared.image is clean
    assert not prepared.small_letters


def test_small_letters_are_enlarged():
    small = _low_resolution(_page())
    prepared = prepare(grey_without_colour_ink(small, "small"), 150, "small")
    assert prepared.small_letters and prepared.steps[-1].startswith("upscale-")
    assert prepared.dpi > 150


def test_letters_of_a_page_rendered_larger_than_it_was_scanned_are_small():
    # A 150 dpi scan in a PDF, rendered at 300 dpi: its letters are tall enough, their detail is not.
    page = _page().convert("L")
    assert not prepare(page, DPI, "scan").small_letters
    prepared = prepare(page, DPI, "scan", scan_dpi=150)
    assert prepared.small_letters and prepared.steps == []


def test_a_scanned_pdf_page_is_rendered_with_its_scan_resolution(tmp_path):
    from pipeline.ingest import ocr

    path = tmp_path / "scan.pdf"
    _low_resolution(_page()).convert("L").save(path, resolution=150)
    with pypdfium2.PdfDocument(path) as document:
        rendered = ocr.render(document, 1, path)
    assert rendered.info["dpi"] == (ocr.RENDER_DPI, ocr.RENDER_DPI)
    assert rendered.info[ocr.SCAN_DPI] == pytest.approx(150, abs=1)


@pytest.mark.ocr
def test_words_of_a_page_with_small_letters_are_all_weighed_by_the_restorer(tmp_path):
    # At 150 dpi Tesseract is as sure of a wrong tone mark as of a right one: no word keeps a
    # confidence above SMALL_LETTERS_CONFIDENCE, while a 300 dpi page keeps Tesseract's own.
    readings = {}
    for name, image in (("small", _low_resolution(_page(), quality=90)), ("clean", _page())):
        path = tmp_path / f"{name}.png"
        image.save(path, dpi=image.info.get("dpi", (DPI, DPI)))
        _, lines = ingest(path)
        readings[name] = [value for line in lines for value in line.word_confidences or []]
    assert readings["small"] and max(readings["small"]) <= SMALL_LETTERS_CONFIDENCE
    assert max(readings["clean"]) > SMALL_LETTERS_CONFIDENCE


def test_seal_ink_is_faded_and_text_under_it_kept():
    grey = np.asarray(grey_without_colour_ink(_sealed(_page()), "sealed"))
    clean = np.asarray(_page().convert("L"))
    # Red and blue ink turned to paper: almost no dark pixel that the clean page lacks ...
    assert ((grey < 128) & (clean >= 128)).mean() < 0.001
    # ... and the black letters under the seal are still there.
    assert ((grey < 128) & (clean < 128)).sum() >= 0.97 * (clean < 128).sum()


@pytest.mark.slow
@pytest.mark.ocr
@pytest.mark.parametrize("damage", ["turned-180", "turned-90", "skewed", "sealed", "photographed",
                                    "low-resolution", "yellowed", "everything"])
def test_damaged_page_reads_as_well_as_clean_and_not_worse_than_plain_tesseract(tmp_path, damage):
    damages = {
        "turned-180": lambda page: _turned(page, 180),
        "turned-90": lambda page: _turned(page, 90),
        "skewed": lambda page: _skewed(page, 3.0),
        "sealed": _sealed,
        "photographed": _photographed,
        "low-resolution": _low_resolution,
        "yellowed": _yellowed,
        "everything": lambda page: _low_resolution(_turned(_skewed(_sealed(_yellowed(page)), -2.0), 180)),
    }
    damaged = damages[damage](_page())
    got, source = _read(tmp_path, damaged, damage)
    expected = _text(BODY)
    ours = _similarity(expected, got)
    # All the damage at once, at 150 dpi and JPEG quality 35, leaves the signature's stroke across
    # three lines: a few words there are lost.
    assert ours >= (0.85 if damage == "everything" else 0.9), got
    assert ours >= _similarity(expected, _plain_tesseract(damaged)) - 0.02
    assert len(source.scan_pages) == 1 and source.scan_pages[0].confidence > 0.6


@pytest.mark.slow
@pytest.mark.ocr
def test_stamp_box_beside_the_header_is_not_a_table(tmp_path):
    page = _page(header=True, stamp=True)
    assert find_grid(page.convert("L")) is None
    got, _ = _read(tmp_path, page, "stamp")
    expected = _text(["ỦY BAN NHÂN DÂN", "TỈNH BẮC NINH", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA",
                      "Độc lập - Tự do - Hạnh phúc", *BODY])
    ours = _similarity(expected, got)
    assert ours >= _similarity(expected, _plain_tesseract(page)) - 0.02
    assert _text(BODY) in got  # the body is read in order, not cut into table cells


@pytest.mark.ocr
def test_page_quality_is_in_the_document_json(tmp_path):
    from pipeline.export import document_json
    from pipeline.process import Options, process_file

    path = tmp_path / "turned.png"
    _turned(_skewed(_page(), 2.0), 180).save(path, dpi=(DPI, DPI))
    doc = process_file(path, Options())
    machine = json.loads(document_json(doc.to_dict()))
    validate(machine)
    (quality,) = machine["source"]["scan_pages"]
    assert quality["page"] == 1 and quality["rotation"] == 180
    assert abs(quality["skew"]) == pytest.approx(2.0, abs=0.3)
    assert 0.8 < quality["confidence"] <= 1 and 0 <= quality["doubted"] < 0.1
    assert quality["flagged"] is False


@pytest.mark.slow
@pytest.mark.ocr
def test_non_page_image_is_refused_through_the_cli(tmp_path):
    rng = np.random.default_rng(1)
    noise = tmp_path / "holiday.png"
    Image.fromarray(rng.integers(0, 255, (600, 800, 3), dtype=np.uint8)).save(noise)
    colourful = tmp_path / "flowers.jpg"
    hues = np.stack(np.meshgrid(np.linspace(0, 179, 800), np.linspace(0, 179, 600)), -1)[..., 0]
    import cv2

    hsv = np.dstack([hues, np.full_like(hues, 200), np.full_like(hues, 200)]).astype(np.uint8)
    Image.fromarray(cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)).filter(ImageFilter.GaussianBlur(3)).save(colourful)
    for path in (noise, colourful):
        completed = subprocess.run([sys.executable, "-m", "pipeline", "restore", str(path)],
                                   capture_output=True, text=True)
        assert completed.returncode == InputError.exit_code
        assert "does not look like a page of a document" in completed.stderr
        assert len(completed.stderr.strip().splitlines()) == 1
