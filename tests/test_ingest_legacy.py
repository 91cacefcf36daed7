"""TCVN3 and VNI text (in PDFs and text files) comes out as correct Unicode.

The encoders below are written independently of pipeline.ingest.legacy: the
TCVN3 one from the standard's table laid out per vowel, the VNI one from the
decomposition of each letter into base, shape mark and tone mark. Their
output is drawn with a standard PDF font, so the text layer carries the
legacy codes exactly as an old .VnTime / VNI-Times document does.
"""
from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from pipeline.ingest import ingest, legacy

FIXTURES = Path(__file__).parent / "fixtures"
EXCERPT_LINES = (FIXTURES / "ingest-kh267-excerpt.txt").read_text(encoding="utf-8").split("\n")[:-1]

# TCVN3 (VN3): for each vowel, the codes of: no tone, grave, hook, tilde, acute, dot below.
_TCVN3_ROWS = {
    "a": "a\xb5\xb6\xb7\xb8\xb9",
    "ă": "\xa8\xbb\xbc\xbd\xbe\xc6",
    "â": "\xa9\xc7\xc8\xc9\xca\xcb",
    "e": "e\xcc\xce\xcf\xd0\xd1",
    "ê": "\xaa\xd2\xd3\xd4\xd5\xd6",
    "i": "i\xd7\xd8\xdc\xdd\xde",
    "o": "o\xdf\xe1\xe2\xe3\xe4",
    "ô": "\xab\xe5\xe6\xe7\xe8\xe9",
    "ơ": "\xac\xea\xeb\xec\xed\xee",
    "u": "u\xef\xf1\xf2\xf3\xf4",
    "ư": "\xad\xf5\xf6\xf7\xf8\xf9",
    "y": "y\xfa\xfb\xfc\xfd\xfe",
}
_TONES = ["", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]
_TCVN3_CAPITALS = {"Ă": "\xa1", "Â": "\xa2", "Đ": "\xa7", "Ê": "\xa3", "Ô": "\xa4", "Ơ": "\xa5", "Ư": "\xa6"}


def _tcvn3_codes() -> dict[str, str]:
    codes = {"đ": "\xae"}
    for vowel, row in _TCVN3_ROWS.items():
        for tone, code in zip(_TONES, row):
            codes[unicodedata.normalize("NFC", vowel + tone)] = code
    return codes


TCVN3_CODES = _tcvn3_codes()


def encode_tcvn3(text: str) -> str:
    """Unicode -> TCVN3 codes, as a typist with .VnTime / .VnTimeH fonts would write it.

    Words in capitals are typed in the capitals font, on the small-letter
    codes; a toned capital inside a title-case word has no code at all.
    """
    out = []
    for word in text.split(" "):
        in_capitals = word.isupper() and sum(ch.isalpha() for ch in word) > 1
        encoded = ""
        for ch in word:
            if in_capitals and ch.lower() in TCVN3_CODES and ch.lower() != ch.lower().encode("ascii", "ignore").decode():
                encoded += TCVN3_CODES[ch.lower()]
            elif ch in _TCVN3_CAPITALS:
                encoded += _TCVN3_CAPITALS[ch]
            elif ch.isascii():
                encoded += ch
            elif ch in TCVN3_CODES:
                encoded += TCVN3_CODES[ch]
            else:
                raise ValueError(f"TCVN3 has no code for {ch!r} in {word!r}")
        out.append(encoded)
    return " ".join(out)


_VNI_TONES = {"\u0301": "ù", "\u0300": "ø", "\u0309": "û", "\u0303": "õ", "\u0323": "ï"}
_VNI_CIRCUMFLEX = {"": "â", "\u0301": "á", "\u0300": "à", "\u0309": "å", "\u0303": "ã", "\u0323": "ä"}
_VNI_BREVE = {"": "ê", "\u0301": "é", "\u0300": "è", "\u0309": "ú", "\u0303": "ü", "\u0323": "ë"}
_VNI_I = {"": "i", "\u0301": "í", "\u0300": "ì", "\u0309": "æ", "\u0303": "ó", "\u0323": "ò"}


def encode_vni(text: str) -> str:
    """Unicode -> VNI-Windows codes: base letter, then one code for its marks."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in "đĐ":
            out.append("ñ" if ch == "đ" else "Ñ")
            continue
        base, *marks = unicodedata.normalize("NFD", ch)
        if not marks or not base.isalpha():
            out.append(ch)
            continue
        upper = base.isupper()
        base = base.lower()
        tone = next((mark for mark in marks if mark in _VNI_TONES), "")
        shape = next((mark for mark in marks if mark in "\u0302\u0306\u031b"), "")
        if base == "i":
            code = _VNI_I[tone]
        elif base == "y" and tone == "\u0323":
            code = "î"
        elif shape == "\u031b":  # horn: ơ, ư have codes of their own
            code = {"o": "ô", "u": "ö"}[base] + _VNI_TONES.get(tone, "")
        elif shape == "\u0302":
            code = base + _VNI_CIRCUMFLEX[tone]
        elif shape == "\u0306":
            code = base + _VNI_BREVE[tone]
        else:
            code = base + _VNI_TONES[tone]
        out.append(code.upper() if upper else code)
    return "".join(out)


def tcvn3_lines() -> list[str]:
    """The excerpt's lines TCVN3 can express (toned capitals in title case cannot be typed)."""
    encodable = []
    for line in EXCERPT_LINES:
        try:
            encode_tcvn3(line)
        except ValueError:
            continue
        encodable.append(line)
    assert len(encodable) >= 28, "the fixture should mostly be TCVN3-encodable"
    return encodable


LIBERATION_SERIF = Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf")


def draw_pdf(path: Path, lines: list[str], font: str = "Helvetica") -> Path:
    """A text-layer PDF, one string per line, blank lines skipped.

    Helvetica is a standard PDF font read through WinAnsi, which has no
    character for TCVN3's "ư" code 0xAD; TCVN3 documents embed their font
    with a character map, as the embedded Liberation Serif here does.
    """
    pdf = canvas.Canvas(str(path))
    if font != "Helvetica":
        pdfmetrics.registerFont(TTFont(font, str(LIBERATION_SERIF)))
    pdf.setFont(font, 12)
    y = 800
    for line in lines:
        if line:
            pdf.drawString(40, y, line)
        y -= 16
    pdf.save()
    return path


def test_tcvn3_table_round_trips_every_letter():
    for letter, code in TCVN3_CODES.items():
        assert legacy.tcvn3_to_unicode(f"x{code}n") == f"x{letter}n"
    for letter, code in _TCVN3_CAPITALS.items():
        assert legacy.tcvn3_to_unicode(f"{code}n") == f"{letter}n"


def test_vni_table_round_trips_every_letter():
    vowels = "aăâeêioôơuưy"
    letters = [unicodedata.normalize("NFC", v + t) for v in vowels for t in _TONES] + ["đ"]
    for letter in letters + [letter.upper() for letter in letters]:
        assert legacy.vni_to_unicode(encode_vni(letter)) == letter, encode_vni(letter)


def test_tcvn3_capitals_font_words_come_back_in_capitals():
    assert legacy.tcvn3_to_unicode("ñY BAN NH©N D©N TØNH") == "ỦY BAN NHÂN DÂN TỈNH"
    assert legacy.tcvn3_to_unicode("Së T- ph¸p") == "Sở Tư pháp"


@pytest.mark.parametrize("text", EXCERPT_LINES[:12])
def test_unicode_text_is_not_mistaken_for_legacy(text):
    assert legacy.detect(text) is None


def test_detect_names_the_encoding():
    assert legacy.detect("\n".join(encode_tcvn3(line) for line in tcvn3_lines())) == legacy.TCVN3
    assert legacy.detect(encode_vni("\n".join(EXCERPT_LINES))) == legacy.VNI


def test_tcvn3_text_layer_pdf_comes_out_as_unicode(tmp_path):
    lines = tcvn3_lines()
    path = draw_pdf(tmp_path / "tcvn3.pdf", [encode_tcvn3(line) for line in lines], font="LiberationSerif")
    source, ingested = ingest(path)
    assert source.kind == "pdf-text"
    assert [line.text for line in ingested if line.text] == [line for line in lines if line]


def test_vni_text_layer_pdf_comes_out_as_unicode(tmp_path):
    path = draw_pdf(tmp_path / "vni.pdf", [encode_vni(line) for line in EXCERPT_LINES])
    source, ingested = ingest(path)
    assert source.kind == "pdf-text"
    assert [line.text for line in ingested if line.text] == [line for line in EXCERPT_LINES if line]


def test_tcvn3_text_file_is_converted(tmp_path):
    lines = tcvn3_lines()
    path = tmp_path / "tcvn3.txt"
    path.write_bytes("\r\n".join(encode_tcvn3(line) for line in lines).encode("latin-1"))
    source, ingested = ingest(path)
    assert source.encoding == "tcvn3"
    assert [line.text for line in ingested] == lines


def test_vni_text_copied_into_utf8_file_is_converted(tmp_path):
    path = tmp_path / "vni.txt"
    path.write_text("\n".join(encode_vni(line) for line in EXCERPT_LINES) + "\n", encoding="utf-8")
    source, ingested = ingest(path)
    assert source.encoding == "utf-8+vni"
    assert [line.text for line in ingested] == EXCERPT_LINES
