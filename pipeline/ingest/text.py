"""Decode the bytes of a text file into lines, detecting the encoding.

Clerks' files come as UTF-8 (with or without a BOM), UTF-16 from Windows tools
(with a BOM), and older ones in Windows-1258, the Vietnamese code page.
Text typed in the legacy TCVN3 or VNI fonts ("Uû ban nh©n d©n") is converted
to Unicode. Anything that decodes only to control characters is binary, not text.
"""
from __future__ import annotations

import codecs
import re
import unicodedata

import charset_normalizer

from pipeline.errors import InputError

from . import legacy

# Checked longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
# These codecs read the mark, pick the byte order from it and drop it.
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Only \r\n, \r and \n end a line, as in editors and `wc -l`; str.splitlines
# would also split on form feeds and vertical tabs and shift line numbers.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

# Real text has tabs, newlines and form feeds; a few other control characters
# can slip in, but binary data decoded as a single-byte code page is full of them.
_ALLOWED_CONTROLS = frozenset("\t\n\r\f")
_MAX_CONTROL_SHARE = 0.01


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Return (text, encoding name) or raise InputError naming `name`."""
    if not data:
        raise InputError(f"{name}: empty file")
    text, encoding = _decode_bytes(data, name)
    if _control_share(text) > _MAX_CONTROL_SHARE:
        raise InputError(f"{name}: binary data, not a text file")
    if not text.strip():
        raise InputError(f"{name}: file contains only whitespace, no text")
    return text, encoding


def split_lines(text: str) -> list[str]:
    """The file's lines, without line terminators; a final newline ends the last line."""
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _decode_bytes(data: bytes, name: str) -> tuple[str, str]:
    for mark, encoding in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as error:
                raise InputError(
                    f"{name}: starts with a {encoding} byte order mark but is not valid {encoding}"
                    f" (byte {error.start})"
                ) from None
    if b"\x00" in data and not _looks_like_utf16_without_bom(data):
        raise InputError(f"{name}: binary data, not a text file")
    try:
        return _from_legacy(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    # TCVN3 and VNI codes are all Latin-1 characters; read that way, the
    # legacy detector can recognise them before a code page guess is made.
    as_latin1 = data.decode("latin-1")
    encoding = legacy.detect(as_latin1)
    if encoding:
        return legacy.to_unicode(as_latin1, encoding), encoding
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise InputError(
            f"{name}: not text in UTF-8, UTF-16 or Windows-1258 (cp1258); binary data or an unknown encoding"
        )
    encoding = best.encoding
    # cp1258 writes most tone marks as combining characters; compose them so
    # the text reads like any other Vietnamese text downstream.
    return unicodedata.normalize("NFC", str(best)), encoding


def _from_legacy(text: str, encoding: str) -> tuple[str, str]:
    """Text saved as UTF-8 after a copy from a legacy-font document still has the legacy codes."""
    legacy_encoding = legacy.detect(text)
    if legacy_encoding:
        return legacy.to_unicode(text, legacy_encoding), f"{encoding}+{legacy_encoding}"
    return text, encoding


def _looks_like_utf16_without_bom(data: bytes) -> bool:
    """Text in UTF-16 has a NUL in every other byte of ASCII; binary does not."""
    even_nuls = data[0::2].count(0)
    odd_nuls = data[1::2].count(0)
    half = len(data) // 2 or 1
    return max(even_nuls, odd_nuls) / half > 0.3 and min(even_nuls, odd_nuls) / half < 0.05


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    controls = sum(
        1 for ch in text if ch not in _ALLOWED_CONTROLS and unicodedata.category(ch) == "Cc"
    )
    return controls / len(text)
