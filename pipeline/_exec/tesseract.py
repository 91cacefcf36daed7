"""Tesseract OCR: version and language checks, and page OCR to hOCR.

The program is run directly (not through pytesseract) so each call gets its
own environment (OMP_THREAD_LIMIT=1: pages run in parallel, one thread each),
reads the image from stdin without temporary files, and has a hard timeout.
"""
from __future__ import annotations

import functools
import os
import re
import subprocess

from pipeline.errors import InputError, MissingDependencyError

PROGRAM = "tesseract"
# The LSTM engine, hOCR with word confidences and the LSTM's per-character choices arrived in 4.x.
MIN_VERSION = (4, 1)
VERSION_CHECK_TIMEOUT = 30

_APT_PACKAGE = "tesseract-ocr"
_LANGUAGE_PACKAGES = {"vie": "tesseract-ocr-vie", "osd": "tesseract-ocr-osd"}


def _install_hint(package: str) -> str:
    return f"install it with: sudo apt-get install {package} (or run: make install)"


def _run(args: list[str], *, timeout: float, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    # One thread per process: parallelism comes from running pages side by
    # side, and OpenMP threads on top of that only contend for the cores.
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        return subprocess.run(
            [PROGRAM, *args], input=stdin, capture_output=True, timeout=timeout, env=env, check=False
        )
    except FileNotFoundError:
        raise MissingDependencyError(
            f"{PROGRAM} is not installed; {_install_hint(_APT_PACKAGE)}"
        ) from None


@functools.cache
def version() -> tuple[int, ...]:
    completed = _run(["--version"], timeout=VERSION_CHECK_TIMEOUT)
    # Tesseract 4 printed its version on stderr, 5 on stdout.
    output = (completed.stdout + completed.stderr).decode(errors="replace")
    match = re.search(r"tesseract v?(\d+)\.(\d+)", output)
    if not match:
        raise MissingDependencyError(
            f"could not read the version of {PROGRAM} from its output: {output.strip()[:80]!r}"
        )
    return int(match.group(1)), int(match.group(2))


@functools.cache
def installed_languages() -> frozenset[str]:
    completed = _run(["--list-langs"], timeout=VERSION_CHECK_TIMEOUT)
    lines = (completed.stdout + completed.stderr).decode(errors="replace").splitlines()
    return frozenset(line.strip() for line in lines[1:] if line.strip() and " " not in line.strip())


def check(languages: list[str]) -> None:
    """Raise MissingDependencyError unless tesseract and all `languages` are usable."""
    found = version()
    if found < MIN_VERSION:
        wanted = ".".join(map(str, MIN_VERSION))
        raise MissingDependencyError(
            f"{PROGRAM} {'.'.join(map(str, found))} is too old, {wanted} or newer is needed;"
            f" {_install_hint(_APT_PACKAGE)}"
        )
    missing = [language for language in languages if language not in installed_languages()]
    if missing:
        language = missing[0]
        package = _LANGUAGE_PACKAGES.get(language, f"tesseract-ocr-{language.lower()}")
        raise MissingDependencyError(
            f"{PROGRAM} language data '{language}' is not installed; {_install_hint(package)}"
        )


def image_to_hocr(image: bytes, *, languages: list[str], label: str, timeout: float) -> str:
    """OCR one image (PNG, BMP, TIFF ... bytes; whole page layout analysis) and return Tesseract's hOCR,
    with the characters its LSTM weighed for each one it wrote (`lstm_choice_mode=2`, read by
    pipeline.ingest.hocr; they cost a tenth more of Tesseract's time).

    `label` names the page in error messages, e.g. "scan.pdf page 3".
    """
    args = ["stdin", "stdout", "-l", "+".join(languages), "--psm", "3", "-c", "lstm_choice_mode=2", "hocr"]
    try:
        completed = _run(args, timeout=timeout, stdin=image)
    except subprocess.TimeoutExpired:
        raise InputError(f"{label}: {PROGRAM} did not finish within {timeout:.0f} s") from None
    if completed.returncode != 0:
        message = completed.stderr.decode(errors="replace").strip().splitlines()
        raise InputError(f"{label}: {PROGRAM} failed: {message[-1] if message else 'no message'}")
    return completed.stdout.decode("utf-8", errors="replace")


def orientation(image: bytes, *, label: str, timeout: float = 60) -> tuple[int, float] | None:
    """Tesseract's orientation detection (`--psm 0`): (degrees to turn the image clockwise so
    its text stands upright, confidence), or None when the page has too little text to tell."""
    if "osd" not in installed_languages():
        raise MissingDependencyError(f"{PROGRAM} orientation data 'osd' is not installed; "
                                     f"{_install_hint('tesseract-ocr-osd')}")
    try:
        completed = _run(["stdin", "stdout", "--psm", "0"], timeout=timeout, stdin=image)
    except subprocess.TimeoutExpired:
        raise InputError(f"{label}: {PROGRAM} orientation detection did not finish within {timeout:.0f} s") from None
    output = completed.stdout.decode(errors="replace")
    rotate = re.search(r"Rotate: (\d+)", output)
    confidence = re.search(r"Orientation confidence: ([\d.]+)", output)
    if completed.returncode != 0 or not rotate or not confidence:
        return None  # "Too few characters": a blank page or a picture
    return int(rotate.group(1)) % 360, float(confidence.group(1))
