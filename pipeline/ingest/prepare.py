"""Page images made ready for OCR: the page found, turned upright, straightened, cleaned.

Archive scans arrive turned by 90/180/270°, skewed by a few degrees, with red
or blue seals and signatures over the text, yellowed or shadowed paper, at
150 dpi, or as phone photos with the page a keystone-shaped quadrilateral on
a table. Each step below acts only when a cheap look at a small copy of the
page says it is needed, so a clean flatbed page costs little beyond OCR:

1. colour before grey: red and blue ink (seals, signatures) is told apart by its
   hue and replaced by the paper around it, while black text, also under a
   seal, stays black (ingest does this when the page is rendered);
2. the page is found (phone photos) and its four corners warped to a rectangle;
3. orientation: a sideways page shows in which way its ink smears into long bars,
   an upside-down one in where the marks and ascenders sit around each line;
   when that is in doubt, Tesseract's own orientation detection (OSD) decides;
4. skew: the angle of the text lines (OpenCV's minimum-area rectangles of the
   lines smeared into bars);
5. small text is scaled up to the height Tesseract reads best.

Steps 2-5 are one geometric transform, applied to the full page in one pass
(one interpolation), and kept so the searchable PDF can place the text on the
same picture. Last, uneven paper (shadow, yellowing) is flattened by dividing
by the estimated background. An image that is not a page of text (a photo,
noise) is refused.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image

from pipeline._exec import tesseract
from pipeline.errors import InputError

# The small copy every decision is taken on.
ANALYSIS_DPI = 100
# Coloured ink: saturated and not dark (a black letter under a red seal is dark).
INK_SATURATION = 80
INK_VALUE = 70
# OpenCV hues run 0-179: red wraps around 0, blue and purple lie from 95 up to red again;
# between them are the yellows and browns of aged paper and toner, which stay.
RED_HUE_MAX = 12
BLUE_HUE_MIN = 95
RED_HUE_MIN = 150  # purple-red from here up to 179
# Below this share of coloured pixels there is no seal or signature to remove.
MIN_COLOURED_SHARE = 0.0005
# A photographed page covers at most this share of the photo; a scan's page fills it.
MAX_PHOTO_PAGE_AREA = 0.92
MIN_PHOTO_PAGE_AREA = 0.2
# Text lines at less than this angle are left alone (Tesseract copes; resampling blurs).
MIN_SKEW_DEGREES = 0.3
MAX_SKEW_DEGREES = 8.0
# Letters (the median height of ink blobs) lower than this are enlarged to the target, where
# Tesseract reads best: 13 pt type at 300 dpi is about 30 px, at 150 dpi 15 px.
MIN_LETTER_HEIGHT = 20
TARGET_LETTER_HEIGHT = 30
MAX_UPSCALE = 3.0
# Where ink sits around the line's core band: above (accents, capitals, ascenders) much more
# than below (descenders) when upright; 1.9-3.1 upright and 0.3-0.5 upside down on real
# scans. Between this ratio and its inverse OSD decides.
UPRIGHT_RATIO = 1.4
# Smeared along the lines, text makes long bars; across them, hardly any.
SIDEWAYS_RATIO = 2.0
MIN_OSD_CONFIDENCE = 1.5
# Fewer text lines than this are too few to tell upside down from upright; such a page stays as it is.
MIN_LINES = 3
# Paper is this even when its darkest background is within this share of its typical one.
EVEN_BACKGROUND = 0.88
# A page of text is mostly paper: more ink than this is a photo or noise.
MAX_INK_SHARE = 0.32
MAX_PAPER_SATURATION = 90


@dataclass
class PreparedPage:
    image: Image.Image  # grey, upright, straight, ready for Tesseract
    dpi: int  # of `image`
    rotation: int  # degrees the page was turned clockwise to stand upright
    skew: float  # degrees the text lines leaned, removed
    transform: list[float]  # 3x3 row-major: source pixel -> prepared pixel
    size: tuple[int, int]  # width, height of `image`
    # The letters were scanned smaller than MIN_LETTER_HEIGHT: enlarged here, or by the renderer of a
    # PDF page, they have no more detail than the scan had.
    small_letters: bool = False
    steps: list[str] = field(default_factory=list)  # what was done, for logs and the bench


def prepare(image: Image.Image, dpi: float, label: str, scan_dpi: float | None = None) -> PreparedPage:
    """The page in `image` (grey: see `grey_without_colour_ink`), ready for OCR. `scan_dpi`: the
    resolution the page was scanned at, when `image` was rendered at a higher one (a PDF page).

    Raises InputError when it is not a page.
    """
    dpi = float(dpi or 300)
    steps: list[str] = []
    gray = np.asarray(image if image.mode == "L" else image.convert("L"))
    scale = ANALYSIS_DPI / dpi
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    to_small = np.diag([scale, scale, 1.0])

    # Each step's matrix maps the small picture as it stands to the small picture after the step.
    transform = np.eye(3)
    page_corners = _photographed_page(small)
    if page_corners is not None:
        warp, size = _warp_to_rectangle(page_corners)
        small = cv2.warpPerspective(small, warp, size, flags=cv2.INTER_LINEAR, borderValue=255)
        transform = warp @ transform
        steps.append("page-warp")
    _refuse_non_page(small, label)

    rotation = 90 if _sideways(small) else 0
    if rotation:
        turn, size = _quarter_turn(90, small.shape)
        small = cv2.warpAffine(small, turn[:2], size, flags=cv2.INTER_NEAREST)
        transform = turn @ transform

    # The lean is the same whether the page stands or hangs upside down; straightened, the
    # two are told apart by where the marks sit around each line.
    skew = _skew(small)
    if abs(skew) < MIN_SKEW_DEGREES:
        skew = 0.0
    height, width = small.shape
    straighten = np.vstack([cv2.getRotationMatrix2D((width / 2, height / 2), skew, 1.0), [0, 0, 1]])
    if skew:
        small = cv2.warpAffine(small, straighten[:2], (width, height), flags=cv2.INTER_LINEAR, borderValue=255)
        transform = straighten @ transform
    if _upside_down(small, label):
        turn, size = _quarter_turn(180, small.shape)
        small = cv2.warpAffine(small, turn[:2], size, flags=cv2.INTER_NEAREST)
        transform = turn @ transform
        rotation += 180
    if rotation:
        steps.append(f"rotate-{rotation}")
    if skew:
        steps.append(f"deskew-{skew:+.2f}")

    letter_height = _letter_height(small, dpi)
    upscale = 1.0 if letter_height is None or letter_height >= MIN_LETTER_HEIGHT else \
        min(MAX_UPSCALE, TARGET_LETTER_HEIGHT / letter_height)
    # Rendered larger than it was scanned, a page's letters had fewer pixels than they have now.
    small_letters = letter_height is not None and letter_height * min(1.0, (scan_dpi or dpi) / dpi) < MIN_LETTER_HEIGHT
    if upscale > 1:
        steps.append(f"upscale-{upscale:.2f}")
    out_dpi = round(dpi * upscale)
    # Back to full resolution, times the upscale: source pixel -> prepared pixel.
    full = np.diag([1 / scale * upscale, 1 / scale * upscale, 1.0]) @ transform @ to_small
    if page_corners is None:  # the page keeps its size, turned a quarter or not
        height, width = gray.shape[::-1] if rotation in (90, 270) else gray.shape
    else:
        height, width = (side / scale for side in small.shape)
    out_size = (round(width * upscale), round(height * upscale))
    if steps:
        flags = cv2.INTER_CUBIC if upscale > 1 else cv2.INTER_LINEAR
        gray = cv2.warpPerspective(gray, full, out_size, flags=flags, borderMode=cv2.BORDER_REPLICATE)
    else:
        full, out_size = np.eye(3), (gray.shape[1], gray.shape[0])
    gray = _flatten_background(gray, steps)
    # A clean page goes to OCR as it came, without a copy (pages are streamed in bounded memory).
    prepared = image if not steps and image.mode == "L" else Image.fromarray(gray)
    prepared.info["dpi"] = (out_dpi, out_dpi)
    return PreparedPage(image=prepared, dpi=out_dpi, rotation=rotation, skew=round(skew, 2),
                        transform=[round(float(value), 6) for value in full.ravel()], size=out_size,
                        small_letters=small_letters, steps=steps)


def apply_transform(image: Image.Image, prepared: PreparedPage) -> Image.Image:
    """`image` (the same source page, any mode) moved exactly as the OCR'd page was."""
    array = np.asarray(image.convert("RGB"))
    matrix = np.array(prepared.transform, dtype=float).reshape(3, 3)
    moved = cv2.warpPerspective(array, matrix, prepared.size, flags=cv2.INTER_LINEAR,
                                borderMode=cv2.BORDER_REPLICATE)
    return Image.fromarray(moved)


def has_colour_ink(thumbnail: Image.Image, label: str) -> bool:
    """Whether the page (a small copy will do) carries coloured ink: seals, signatures.

    Raises InputError when the picture is mostly colour, a photo rather than a page.
    """
    if thumbnail.mode in ("1", "L"):
        return False
    hsv = cv2.cvtColor(np.asarray(thumbnail.convert("RGB")), cv2.COLOR_RGB2HSV)
    saturation = float(np.median(hsv[..., 1]))
    if saturation > MAX_PAPER_SATURATION:
        raise InputError(f"{label}: the image does not look like a page of a document (mostly colour, "
                         f"saturation {saturation:.0f}); expected a scan or a photo of a page")
    return bool(_seal_ink(hsv).mean() >= MIN_COLOURED_SHARE)


def _seal_ink(hsv: np.ndarray) -> np.ndarray:
    """Red, purple and blue ink: saturated, not dark, and not the yellow-brown of aged paper."""
    hue = hsv[..., 0]
    return ((hsv[..., 1] >= INK_SATURATION) & (hsv[..., 2] >= INK_VALUE)
            & ((hue <= RED_HUE_MAX) | (hue >= BLUE_HUE_MIN)))


def _seal_inks(hsv: np.ndarray) -> list[np.ndarray]:
    """The pixels of each coloured ink on the page (red seal, blue signature), apart."""
    ink = _seal_ink(hsv)
    hue = hsv[..., 0]
    red = ink & ((hue <= RED_HUE_MAX) | (hue >= RED_HUE_MIN))
    inks = [red, ink & ~red]
    return [pixels for pixels in inks if pixels.mean() >= MIN_COLOURED_SHARE / 10]


def grey_without_colour_ink(image: Image.Image, label: str, coloured_ink: bool | None = None) -> Image.Image:
    """The page in grey, coloured ink faded to paper and black text (also under a seal) kept.

    `coloured_ink` is has_colour_ink's answer when the caller already has it.
    """
    if coloured_ink is None and image.mode not in ("1", "L"):
        coloured_ink = has_colour_ink(image.resize((max(1, image.width // 4), max(1, image.height // 4))), label)
    if not coloured_ink:
        grey = image.convert("L")
    else:
        rgb = np.asarray(image.convert("RGB"))
        hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
        array = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        paper = float(np.median(array[::8, ::8]))
        for ink in _seal_inks(hsv):
            # Under and around the ink, the brightest channel: red ink is bright in red, blue in
            # blue, a black letter under the seal in none. Raised so the ink's own brightness
            # becomes the paper's (on aged paper even blue ink's blue channel is dim), a letter
            # under the seal stays dark while the ink goes.
            value = hsv[..., 2][ink]
            gain = paper / max(float(np.median(value)), 1.0)
            # The ink's soft, paler rim too; and never brighter than paper, or a white ghost of
            # the seal would be left to read.
            area = cv2.dilate(ink.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
            array[area] = np.minimum(hsv[..., 2][area] * gain, paper).astype(np.uint8)
        grey = Image.fromarray(array)
    grey.info["dpi"] = image.info.get("dpi")
    return grey


def _ink(small: np.ndarray) -> np.ndarray:
    """Dark marks (text) as 255 on 0, on a picture whose paper may be uneven."""
    background = cv2.medianBlur(cv2.dilate(small, np.ones((9, 9), np.uint8)), 21)
    flat = cv2.divide(small, background, scale=255)
    _, ink = cv2.threshold(flat, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return ink


def _photographed_page(small: np.ndarray) -> np.ndarray | None:
    """The four corners of a page lying on a darker background, or None when the page fills the image."""
    blurred = cv2.GaussianBlur(small, (5, 5), 0)
    _, bright = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    page = max(contours, key=cv2.contourArea)
    share = cv2.contourArea(page) / small.size
    if not MIN_PHOTO_PAGE_AREA <= share <= MAX_PHOTO_PAGE_AREA:
        return None
    hull = cv2.convexHull(page)
    corners = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
    if len(corners) != 4:
        return None
    # The page must be clearly brighter than what lies around it.
    mask = np.zeros_like(small)
    cv2.fillConvexPoly(mask, corners.reshape(4, 2), 255)
    if mask.all():
        return None
    inside, outside = np.median(small[mask > 0]), np.median(small[mask == 0])
    if inside - outside < 30:
        return None
    return _clockwise_from_top_left(corners.reshape(4, 2).astype(np.float32))


def _clockwise_from_top_left(points: np.ndarray) -> np.ndarray:
    total, difference = points.sum(axis=1), np.diff(points, axis=1).ravel()
    return np.array([points[np.argmin(total)], points[np.argmin(difference)],
                     points[np.argmax(total)], points[np.argmax(difference)]], dtype=np.float32)


def _warp_to_rectangle(corners: np.ndarray) -> tuple[np.ndarray, tuple[int, int]]:
    top_left, top_right, bottom_right, bottom_left = corners
    width = max(np.linalg.norm(top_right - top_left), np.linalg.norm(bottom_right - bottom_left))
    height = max(np.linalg.norm(bottom_left - top_left), np.linalg.norm(bottom_right - top_right))
    target = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], dtype=np.float32)
    return cv2.getPerspectiveTransform(corners, target), (round(width), round(height))


def _refuse_non_page(small: np.ndarray, label: str) -> None:
    ink_share = float((_ink(small) > 0).mean())
    if ink_share > MAX_INK_SHARE:
        raise InputError(f"{label}: the image does not look like a page of a document ({ink_share:.0%} of it "
                         f"dark); expected a scan or a photo of a page")


def _sideways(small: np.ndarray) -> bool:
    """Whether the text lines run up and down: ink smeared along each axis makes long bars
    along the lines only."""
    ink = _ink(small)
    along = _bar_length(ink, horizontal=True)
    across = _bar_length(ink, horizontal=False)
    return across > SIDEWAYS_RATIO * along


def _bar_length(ink: np.ndarray, horizontal: bool) -> int:
    kernel = (25, 1) if horizontal else (1, 25)
    bars = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, kernel))
    count, _, stats, _ = cv2.connectedComponentsWithStats(bars)
    widths, heights = stats[1:count, cv2.CC_STAT_WIDTH], stats[1:count, cv2.CC_STAT_HEIGHT]
    if horizontal:
        return int(widths[widths > 8 * heights].sum())
    return int(heights[heights > 8 * widths].sum())


def _upside_down(small: np.ndarray, label: str) -> bool:
    """Whether the straightened page hangs upside down; Tesseract's OSD decides when the
    marks around the lines do not say it clearly."""
    ratio, lines = _above_below_ratio(_ink(small))
    if lines < MIN_LINES:  # too little text to tell, and to matter
        return False
    if ratio >= UPRIGHT_RATIO:
        return False
    if ratio <= 1 / UPRIGHT_RATIO:
        return True
    return _osd_rotation(small, label) == 180


def _above_below_ratio(ink: np.ndarray) -> tuple[float, int]:
    """Ink above the text lines' core bands over ink below them (upright Latin script: well
    above 1), and how many lines that was measured on."""
    bars = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (25, 1)))
    count, _, stats, _ = cv2.connectedComponentsWithStats(bars)
    above = below = 0.0
    lines = 0
    for left, top, width, height, _ in stats[1:count]:
        if width < 8 * height or height < 4:
            continue
        lines += 1
        rows = ink[top:top + height, left:left + width].mean(axis=1)
        core = np.flatnonzero(rows >= 0.5 * rows.max())
        above += rows[:core[0]].sum()
        below += rows[core[-1] + 1:].sum()
    return (above / below if below else (UPRIGHT_RATIO if above else 1.0)), lines


def _osd_rotation(small: np.ndarray, label: str) -> int:
    # OSD reads 300 dpi best; the analysis copy is enlarged rather than the full page re-read.
    enlarged = cv2.resize(small, None, fx=2, fy=2, interpolation=cv2.INTER_LINEAR)
    buffer = io.BytesIO()
    Image.fromarray(enlarged).save(buffer, format="PNG", dpi=(2 * ANALYSIS_DPI, 2 * ANALYSIS_DPI),
                                   compress_level=1)
    found = tesseract.orientation(buffer.getvalue(), label=label)
    if found is None or found[1] < MIN_OSD_CONFIDENCE:
        return 0
    return found[0]


def _quarter_turn(rotation: int, shape: tuple[int, int]) -> tuple[np.ndarray, tuple[int, int]]:
    """The matrix turning a picture of `shape` clockwise by `rotation` (90 or 180) degrees, and the new size."""
    height, width = shape
    if rotation == 90:
        return np.array([[0, -1, height - 1], [1, 0, 0], [0, 0, 1]], float), (height, width)
    return np.array([[-1, 0, width - 1], [0, -1, height - 1], [0, 0, 1]], float), (width, height)


def _skew(small: np.ndarray) -> float:
    """The lean of the text lines in degrees, counter-clockwise positive (0 when unclear)."""
    ink = _ink(small)
    bars = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (25, 3)))
    contours, _ = cv2.findContours(bars, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    angles, weights = [], []
    for contour in contours:
        (_, _), (width, height), angle = cv2.minAreaRect(contour)
        if width < height:
            width, height, angle = height, width, angle - 90
        if width < 0.15 * small.shape[1] or width < 6 * height:
            continue
        angle = (angle + 90) % 180 - 90
        if abs(angle) <= MAX_SKEW_DEGREES:
            angles.append(angle)
            weights.append(width)
    if len(angles) < 3:
        return 0.0
    order = np.argsort(angles)
    cumulative = np.cumsum(np.array(weights)[order])
    median = float(np.array(angles)[order][np.searchsorted(cumulative, cumulative[-1] / 2)])
    # minAreaRect angles grow clockwise in image coordinates; OpenCV's rotation matrix turns
    # counter-clockwise for a positive angle, so the lean is undone by rotating by it as is.
    return median


def _letter_height(small: np.ndarray, dpi: float) -> float | None:
    """The letters' height in pixels at `dpi` (the median height of ink blobs), None when there are
    too few to tell."""
    ink = _ink(small)
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink)
    heights = stats[1:count, cv2.CC_STAT_HEIGHT]
    heights = heights[(heights >= 3) & (heights <= 40)]
    if len(heights) < 50:
        return None
    return float(np.median(heights)) * dpi / ANALYSIS_DPI


def _flatten_background(gray: np.ndarray, steps: list[str]) -> np.ndarray:
    """Paper made evenly white where a shadow or yellowing darkens it; left alone when already even."""
    factor = 8
    small = cv2.resize(gray, None, fx=1 / factor, fy=1 / factor, interpolation=cv2.INTER_AREA)
    background = cv2.medianBlur(cv2.dilate(small, np.ones((7, 7), np.uint8)), 15)
    typical = float(np.median(background))
    if typical >= 200 and np.percentile(background, 2) >= EVEN_BACKGROUND * typical:
        return gray
    background = cv2.resize(background, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
    steps.append("flatten")
    return cv2.divide(gray, np.maximum(background, 1), scale=255)
