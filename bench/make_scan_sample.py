"""Make raw/kh-267-scan.pdf: a mildly degraded, image-only scan of a real document.

The text is the corrected text of Kế hoạch 267/KH-UBND (shared/seed); it is
typeset in Liberation Serif, rasterized, degraded like an office scanner
(slight skew, blur, noise, JPEG) and saved as a PDF of images, so `make run`
shows the OCR path on a fresh machine. Deterministic: same output each run.

Usage: python bench/make_scan_sample.py [GOLD] [OUT]
"""
from __future__ import annotations

import io
import random
import sys
from pathlib import Path

import numpy as np
import pypdfium2
from PIL import Image, ImageFilter
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT.parent / "shared" / "seed" / "kh-267-gold.txt"
OUT = ROOT / "raw" / "kh-267-scan.pdf"
FONT = Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf")
PAGES = 3
LINES_PER_PAGE = 40
SCAN_DPI = 200


def typeset(lines: list[str]) -> bytes:
    pdfmetrics.registerFont(TTFont("LiberationSerif", str(FONT)))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for start in range(0, PAGES * LINES_PER_PAGE, LINES_PER_PAGE):
        pdf.setFont("LiberationSerif", 12.5)
        y = A4[1] - 70
        for line in lines[start : start + LINES_PER_PAGE]:
            pdf.drawString(70, y, line)
            y -= 18.5
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def degrade(page: Image.Image, rng: random.Random) -> Image.Image:
    page = page.rotate(rng.uniform(-0.6, 0.6), resample=Image.BICUBIC, fillcolor=255)
    page = page.filter(ImageFilter.GaussianBlur(0.7))
    pixels = np.asarray(page, dtype=np.float32)
    # Greyish paper, faded toner and sensor noise.
    pixels = 20 + pixels * 0.85 + np.random.default_rng(rng.randrange(1 << 30)).normal(0, 5, pixels.shape)
    page = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    buffer = io.BytesIO()
    page.save(buffer, format="JPEG", quality=35)
    return Image.open(buffer)


def main() -> None:
    gold = Path(sys.argv[1]) if len(sys.argv) > 1 else GOLD
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else OUT
    lines = gold.read_text(encoding="utf-8").splitlines()
    # The gold keeps the original's page numbers as lines of their own; a
    # typeset page has none.
    lines = [line for line in lines if not line.strip().isdigit()]
    document = pypdfium2.PdfDocument(typeset(lines))
    rng = random.Random(267)
    pages = [degrade(page.render(scale=SCAN_DPI / 72, grayscale=True).to_pil(), rng) for page in document]
    pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:], resolution=SCAN_DPI)
    print(f"{out}: {len(pages)} pages, {out.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
