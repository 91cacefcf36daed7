"""Generate synthetic (gold line, OCR line) pairs for the restorer's OCR channel model.

Why: the restorer decodes badly OCR'd Vietnamese with a noisy-channel model,
P(OCR token | true syllable).  That channel can only be learned from pairs of
known text and the OCR of that text, and the held-out scans must never be used
for it.  So we make our own scans: paragraphs sampled from across the legal
corpus are typeset like an administrative document (A4, 300 dpi, Liberation
Serif 13-14 pt mostly, justified paragraphs, list markers, bold/ALL-CAPS
headings), degraded like the real scans (rotation, blur, low contrast, grey
paper, noise, speckle, two JPEG passes), then read by two engines on the same
image:

* ``tesseract -l eng`` reproduces the legacy broken OCR (diacritics lost,
  letters confused: "của" -> "cia", "Số" -> "S6");
* ``tesseract -l vie`` is the modern OCR (mostly right, hook/tilde confusions).

OCR words are assigned to the drawn line whose box contains them, using the
known geometry of the page (tesseract TSV word boxes mapped back through the
page rotation), which is robust to OCR dropping, splitting or merging lines.

Output (appended page by page, so training can start on partial data)::

    OUT/eng.tsv, OUT/vie.tsv   page_id <TAB> gold_line <TAB> ocr_line
    OUT/pages.jsonl            per-page typesetting and degradation parameters
    OUT/README.txt             how the data was made, with current counts
    OUT/progress.log           progress and rate

Usage::

    python training/make_ocr_pairs.py --corpus /work/shared/corpus/legal-vi.txt.xz \\
        --out /work/cache/ocr-pairs --pages 700 --seed 1 --jobs 2

Deterministic for a given seed; re-running skips page ids already written.
"""

from __future__ import annotations

import argparse
import io
import json
import lzma
import multiprocessing
import os
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

DPI = 300
PAGE_W, PAGE_H = 2480, 3508  # A4 at 300 dpi
MM = DPI / 25.4
SCAN_DPIS = (200, 300)  # pages are drawn at DPI, then scanned at one of these
PARAS_PER_PAGE = 80  # consecutive corpus paragraphs fetched per page (more than fit)
ENGINES = ("eng", "vie")

FONT_DIRS = ("/usr/share/fonts/truetype/liberation2", "/usr/share/fonts/truetype/dejavu")
# family -> (regular file, bold file, sampling weight, point sizes)
FONTS = {
    "Liberation Serif": ("LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf", 0.75, (13, 13.5, 14)),
    "Liberation Sans": ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf", 0.12, (12.5, 13, 13.5)),
    "DejaVu Serif": ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", 0.13, (12, 12.5, 13)),
}

_VI_LOWER = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
# Characters every font above can draw; paragraphs with anything else are skipped.
CHARSET = frozenset(
    "".join(chr(c) for c in range(0x20, 0x7F)) + _VI_LOWER + _VI_LOWER.upper() + "“”‘’–—…§°%"
)
LIST_MARKER = re.compile(r"^(\d+(\.\d+)*[.)]|[a-zđ][.)]|[-+•*]|[IVXLC]+\.|Điều \d+|Chương|Mục|Phần)", re.I)
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


# --------------------------------------------------------------------------- corpus

def count_lines(corpus: Path) -> int:
    with lzma.open(corpus, "rt", encoding="utf-8") as f:
        return sum(1 for _ in f)


def page_start(seed: int, page: int, n_lines: int) -> int:
    """Random corpus line a page starts at (pages read consecutive paragraphs)."""
    return int(np.random.default_rng([seed, page, 0]).integers(n_lines))


def fetch_paragraphs(corpus: Path, starts: dict[int, int], n_lines: int) -> dict[int, list[str]]:
    """Stream the corpus once, collecting PARAS_PER_PAGE paragraphs from each page's start."""
    wanted: dict[int, list[int]] = defaultdict(list)
    for page, start in starts.items():
        for k in range(PARAS_PER_PAGE):
            wanted[(start + k) % n_lines].append(page)
    got: dict[int, dict[int, str]] = defaultdict(dict)
    with lzma.open(corpus, "rt", encoding="utf-8") as f:
        for i, line in enumerate(f):
            for page in wanted.get(i, ()):
                got[page][i] = line
    return {
        page: [got[page][(start + k) % n_lines] for k in range(PARAS_PER_PAGE)]
        for page, start in starts.items()
    }


def clean_paragraph(text: str) -> str | None:
    text = " ".join(unicodedata.normalize("NFC", text).split())
    if not text or not set(text) <= CHARSET:
        return None
    return text


# --------------------------------------------------------------------------- layout

@dataclass
class Style:
    family: str
    size_pt: float
    spacing: float        # baseline pitch / font size
    para_gap: float       # extra space between paragraphs, in font sizes
    indent_mm: float
    justify: bool
    margins_mm: tuple[float, float, float, float]  # left, top, right, bottom


@dataclass
class DrawnLine:
    text: str             # exactly what was drawn, words joined by single spaces
    x0: float
    x1: float
    baseline: float
    size_px: float
    bold: bool


@dataclass
class Block:
    """A paragraph as it will be typeset."""
    text: str
    bold: bool = False
    align: str = "justify"  # justify | left | center
    indent: bool = True


def sample_style(rng: np.random.Generator) -> Style:
    families = list(FONTS)
    family = families[rng.choice(len(families), p=[FONTS[f][2] for f in families])]
    return Style(
        family=family,
        size_pt=float(rng.choice(FONTS[family][3])),
        spacing=float(rng.uniform(1.15, 1.5)),
        para_gap=float(rng.choice([0.0, 0.2, 0.4])),
        indent_mm=float(rng.uniform(8, 13)),
        justify=bool(rng.random() < 0.85),
        margins_mm=(float(rng.uniform(25, 30)), float(rng.uniform(15, 22)),
                    float(rng.uniform(15, 20)), float(rng.uniform(15, 22))),
    )


def make_blocks(paragraphs: list[str], style: Style, rng: np.random.Generator) -> list[Block]:
    """Turn corpus paragraphs into headings, list items and body paragraphs."""
    blocks, n_headings = [], 0
    body_align = "justify" if style.justify else "left"
    for text in filter(None, map(clean_paragraph, paragraphs)):
        words = text.split()
        if text.isupper() and len(words) <= 20:
            centered = rng.random() < 0.6
            blocks.append(Block(text, bold=True, align="center" if centered else "left", indent=not centered))
        elif len(words) <= 12 and text[-1] not in ".;," and rng.random() < 0.35:
            if rng.random() < 0.5 and not LIST_MARKER.match(text):
                text = f"{ROMAN[n_headings % len(ROMAN)]}. {text}"
                n_headings += 1
            blocks.append(Block(text.upper(), bold=True, align="left", indent=bool(rng.random() < 0.5)))
        elif len(words) <= 12 and text[-1] not in ".;":
            blocks.append(Block(text, align="center" if rng.random() < 0.5 else "left", indent=False))
        else:
            if not LIST_MARKER.match(text) and rng.random() < 0.2:
                text = ("- " if rng.random() < 0.8 else "+ ") + text
            blocks.append(Block(text, align=body_align))
    return blocks


def load_font(family: str, bold: bool, size_px: float) -> ImageFont.FreeTypeFont:
    name = FONTS[family][1 if bold else 0]
    path = next(Path(d, name) for d in FONT_DIRS if Path(d, name).exists())
    return ImageFont.truetype(str(path), size=round(size_px))


def wrap(words: list[str], font: ImageFont.FreeTypeFont, first_width: float, width: float) -> list[list[str]]:
    """Greedy line breaking; the first line may be narrower (indent)."""
    space = font.getlength(" ")
    lines, line, used, limit = [], [], 0.0, first_width
    for word in words:
        w = font.getlength(word)
        if line and used + space + w > limit:
            lines.append(line)
            line, used, limit = [], 0.0, width
        used += (space if line else 0.0) + w
        line.append(word)
    if line:
        lines.append(line)
    return lines


def typeset(blocks: list[Block], style: Style) -> tuple[Image.Image, list[DrawnLine]]:
    """Draw blocks on a white A4 page until it is full; return the page and its lines."""
    size_px = style.size_pt * DPI / 72
    pitch = size_px * style.spacing
    left, top, right, bottom = (m * MM for m in style.margins_mm)
    width = PAGE_W - left - right
    indent = style.indent_mm * MM
    page = Image.new("L", (PAGE_W, PAGE_H), 255)
    draw = ImageDraw.Draw(page)
    drawn: list[DrawnLine] = []
    baseline = top + size_px
    for block in blocks:
        font = load_font(style.family, block.bold, size_px)
        space = font.getlength(" ")
        first_indent = indent if block.indent else 0.0
        lines = wrap(block.text.split(), font, width - first_indent, width)
        for k, words in enumerate(lines):
            if baseline > PAGE_H - bottom:
                return page, drawn
            x_start = left + (first_indent if k == 0 else 0.0)
            natural = sum(font.getlength(w) for w in words) + space * (len(words) - 1)
            avail = left + width - x_start
            gap = space
            if block.align == "center":
                x_start = left + (width - natural) / 2
            elif block.align == "justify" and k < len(lines) - 1 and len(words) > 1:
                gap = space + (avail - natural) / (len(words) - 1)
            x = x_start
            for word in words:
                draw.text((x, baseline), word, font=font, fill=0, anchor="ls")
                x += font.getlength(word) + gap
            drawn.append(DrawnLine(" ".join(words), x_start, x - gap, baseline, size_px, block.bold))
            baseline += pitch
        baseline += style.para_gap * size_px
    return page, drawn


# --------------------------------------------------------------------------- degradation

@dataclass
class Degrade:
    rotation_deg: float
    blur: float
    noise: float
    contrast: float
    bg: float
    speckle: float
    jpeg: int
    scan_jpeg: int


def sample_degrade(rng: np.random.Generator) -> Degrade:
    """Ranges of the real scans (dev manifest); rotation sign is random per page."""
    return Degrade(
        rotation_deg=float(rng.uniform(0.2, 1.3) * rng.choice([-1, 1])),
        blur=float(rng.uniform(0.6, 1.0)),
        noise=float(rng.uniform(9, 19)),
        contrast=float(rng.uniform(0.74, 0.86)),
        bg=float(rng.uniform(11, 24)),
        speckle=0.0008,
        jpeg=int(rng.integers(40, 71)),
        scan_jpeg=int(rng.integers(15, 41)),
    )


def jpeg_roundtrip(img: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue())).convert("L")


def degrade(page: Image.Image, d: Degrade, rng: np.random.Generator) -> Image.Image:
    """Rotate, blur, fade ink onto grey paper, add noise and speckle, JPEG twice."""
    img = page.rotate(d.rotation_deg, resample=Image.BICUBIC, fillcolor=255)
    img = img.filter(ImageFilter.GaussianBlur(d.blur))
    a = np.asarray(img, dtype=np.float32)
    a = (255 - d.bg) - d.contrast * (255 - a)
    a += rng.normal(0, d.noise, a.shape).astype(np.float32)
    speck = rng.random(a.shape) < d.speckle
    a[speck] = np.where(rng.random(int(speck.sum())) < 0.5, 0, 255)
    img = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    return jpeg_roundtrip(jpeg_roundtrip(img, d.jpeg), d.scan_jpeg)


# --------------------------------------------------------------------------- OCR and alignment

@dataclass
class Word:
    text: str
    cx: float  # centre in unrotated page coordinates
    cy: float


def run_tesseract(image_path: Path, lang: str, psm: int, dpi: int) -> str:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    cmd = ["tesseract", str(image_path), "stdout", "-l", lang, "--psm", str(psm), "--dpi", str(dpi), "tsv"]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stdout


def parse_words(tsv: str, rotation_deg: float, scale: float) -> list[Word]:
    """Word boxes from tesseract TSV, scaled to the drawn page and mapped back through the page rotation."""
    theta = np.deg2rad(rotation_deg)
    cos, sin = np.cos(theta), np.sin(theta)
    cx0, cy0 = PAGE_W / 2, PAGE_H / 2
    words = []
    for row in tsv.splitlines()[1:]:
        f = row.split("\t", 11)
        if len(f) < 12 or f[0] != "5" or not f[11].strip():
            continue
        left, top, w, h = (float(v) / scale for v in f[6:10])
        dx, dy = left + w / 2 - cx0, top + h / 2 - cy0
        # PIL rotates counter-clockwise: undo it to land on the drawn page.
        words.append(Word(" ".join(f[11].split()), cx0 + dx * cos - dy * sin, cy0 + dx * sin + dy * cos))
    return words


def assign_words(words: list[Word], lines: list[DrawnLine]) -> list[str]:
    """OCR text per drawn line: each word goes to the nearest line band it falls in."""
    per_line: list[list[Word]] = [[] for _ in lines]
    for word in words:
        best, best_dist = None, None
        for i, line in enumerate(lines):
            margin = line.size_px * 0.6
            if not line.x0 - margin <= word.cx <= line.x1 + margin:
                continue
            dist = abs(word.cy - (line.baseline - 0.35 * line.size_px))
            if dist < line.size_px * 0.75 and (best_dist is None or dist < best_dist):
                best, best_dist = i, dist
        if best is not None:
            per_line[best].append(word)
    return [" ".join(w.text for w in sorted(ws, key=lambda w: w.cx)) for ws in per_line]


# --------------------------------------------------------------------------- one page

@dataclass
class PageTask:
    page_id: str
    seed: int
    index: int
    paragraphs: list[str]
    psm: int
    keep_image: Path | None


def make_page(task: PageTask) -> tuple[str, list[DrawnLine], dict[str, list[str]], dict]:
    rng = np.random.default_rng([task.seed, task.index, 1])
    style = sample_style(rng)
    page, lines = typeset(make_blocks(task.paragraphs, style, rng), style)
    deg = sample_degrade(rng)
    # Archives are scanned at 200 dpi as often as at 300; the lower resolution is what makes
    # Tesseract vie confuse hook and acute marks. Drawn from its own stream so the other draws stay put.
    scan_dpi = int(np.random.default_rng([task.seed, task.index, 2]).choice(SCAN_DPIS))
    scale = scan_dpi / DPI
    if scan_dpi != DPI:
        page = page.resize((round(PAGE_W * scale), round(PAGE_H * scale)), Image.LANCZOS)
    scan = degrade(page, deg, rng)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "page.png")
        scan.save(path, dpi=(scan_dpi, scan_dpi))
        ocr = {lang: assign_words(parse_words(run_tesseract(path, lang, task.psm, scan_dpi), deg.rotation_deg, scale),
                                  lines)
               for lang in ENGINES}
    if task.keep_image:
        scan.save(task.keep_image, dpi=(scan_dpi, scan_dpi))
    meta = {"page_id": task.page_id, "style": asdict(style), "degrade": asdict(deg), "scan_dpi": scan_dpi,
            "psm": task.psm, "lines": len(lines)}
    return task.page_id, lines, ocr, meta


# --------------------------------------------------------------------------- output

def field(text: str) -> str:
    return " ".join(text.split())


def existing_pages(out: Path) -> set[str]:
    """Page ids complete in every output file; rows of incomplete pages are dropped."""
    files = [out / f"{lang}.tsv" for lang in ENGINES] + [out / "pages.jsonl"]
    rows = {path: path.read_text(encoding="utf-8").splitlines() if path.exists() else [] for path in files}

    def page_of(path: Path, row: str) -> str | None:
        if path.suffix == ".jsonl":
            try:
                return json.loads(row)["page_id"]
            except (json.JSONDecodeError, KeyError):
                return None
        return row.split("\t", 1)[0] if row.count("\t") == 2 else None

    done = set.intersection(*({page_of(path, r) for r in rs} for path, rs in rows.items())) - {None}
    for path, rs in rows.items():
        if path.exists():
            path.write_text("".join(r + "\n" for r in rs if page_of(path, r) in done), encoding="utf-8")
    return done


def write_readme(out: Path, args: argparse.Namespace, pages: int, rows: int) -> None:
    text = f"""Synthetic OCR pairs for the restorer's channel model P(OCR token | true syllable).
Made by training/make_ocr_pairs.py (see its docstring) with:
  --corpus {args.corpus} --pages {args.pages} --seed {args.seed} --psm {args.psm}

Counts so far: {pages} pages, {rows} lines per engine file.

Files
  eng.tsv, vie.tsv  page_id TAB gold_line TAB ocr_line, one row per drawn text line, same rows in both.
                    gold_line = text drawn on that line (NFC, single spaces).
                    ocr_line  = raw tesseract words (not re-normalized) whose boxes fall in that line's band,
                                left to right; empty when the engine read nothing there (a deletion).
  pages.jsonl       per page: font, size, spacing, margins, degradation parameters, psm, line count.
  images/           the first few degraded pages exactly as the OCR engines read them.

Text: each page reads {PARAS_PER_PAGE} consecutive paragraphs from a random line of the corpus (so pages
  sample the whole corpus and keep document structure), skipping paragraphs with characters outside
  Vietnamese letters / ASCII / common punctuation.  ALL-CAPS paragraphs become bold headings (centred or
  left); some short paragraphs become bold ALL-CAPS headings, half with "I. ", "II. " numbering; other
  short lines are centred or left; body paragraphs are justified (85% of pages) or left-aligned with a
  first-line indent, 20% of unmarked ones get a "- " / "+ " list marker.  Filled until the page is full.
Typesetting: A4 at {DPI} dpi, Liberation Serif 13/13.5/14 pt (75%), Liberation Sans 12.5-13.5 pt (12%),
  DejaVu Serif 12-13 pt (13%); line pitch 1.15-1.5 x size; margins L 25-30 mm, R 15-20 mm, T/B 15-22 mm.
Degradation (per page, uniform): rotation +-0.2-1.3 deg, gaussian blur 0.6-1.0 px, ink/paper contrast
  0.74-0.86, grey background 11-24, gaussian noise sigma 9-19, salt-and-pepper speckle 0.0008,
  JPEG quality 40-70 then a second (scan) JPEG pass 15-40.
OCR: tesseract 5 (tessdata LSTM models), -l eng and -l vie on the same image, --psm {args.psm} --dpi {DPI},
  TSV word boxes; word centres are mapped back through the page rotation and assigned to the drawn line
  whose vertical band (within 0.75 font size of the line's centre) and horizontal extent contain them.
"""
    (out / "README.txt").write_text(text, encoding="utf-8")


def log(out: Path, message: str) -> None:
    with open(out / "progress.log", "a", encoding="utf-8") as f:
        f.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {message}\n")


# --------------------------------------------------------------------------- main

def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--corpus", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--pages", type=int, required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--jobs", type=int, default=2, help="pages in parallel (each runs one tesseract at a time)")
    p.add_argument("--psm", type=int, default=4, choices=(4, 6), help="tesseract page segmentation mode")
    p.add_argument("--keep-images", type=int, default=5, help="save the degraded image of the first N pages")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    out = args.out
    (out / "images").mkdir(parents=True, exist_ok=True)
    done = existing_pages(out)
    todo = [i for i in range(args.pages) if f"s{args.seed}-p{i:05d}" not in done]
    n_lines = count_lines(args.corpus)
    paragraphs = fetch_paragraphs(args.corpus, {i: page_start(args.seed, i, n_lines) for i in todo}, n_lines)
    tasks = [PageTask(f"s{args.seed}-p{i:05d}", args.seed, i, paragraphs[i], args.psm,
                      out / "images" / f"s{args.seed}-p{i:05d}.png" if i < args.keep_images else None)
             for i in todo]
    rows = sum(1 for _ in open(out / "eng.tsv", encoding="utf-8")) if (out / "eng.tsv").exists() else 0
    pages = len(done)
    log(out, f"start: {len(done)} pages already done, {len(tasks)} to make, corpus {n_lines} lines")
    t0 = time.time()
    with multiprocessing.Pool(args.jobs) as pool:
        for k, (page_id, lines, ocr, meta) in enumerate(pool.imap(make_page, tasks), 1):
            for lang in ENGINES:
                with open(out / f"{lang}.tsv", "a", encoding="utf-8") as f:
                    f.write("".join(f"{page_id}\t{field(l.text)}\t{field(o)}\n" for l, o in zip(lines, ocr[lang])))
            with open(out / "pages.jsonl", "a", encoding="utf-8") as f:
                f.write(json.dumps(meta, ensure_ascii=False) + "\n")
            pages, rows = pages + 1, rows + len(lines)
            write_readme(out, args, pages, rows)
            rate = k / (time.time() - t0) * 60
            log(out, f"{page_id} lines={len(lines)} done={k}/{len(tasks)} rate={rate:.2f} pages/min "
                     f"eta={(len(tasks) - k) / rate:.0f} min")
    log(out, f"finished: {pages} pages, {rows} lines per engine")


if __name__ == "__main__":
    sys.exit(main())
