"""Text files: encodings, exact line numbering, and the bad inputs users pass."""
from __future__ import annotations

import codecs
import hashlib
import random
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.errors import InputError
from pipeline.ingest import ingest

FIXTURES = Path(__file__).parent / "fixtures"
EXCERPT = FIXTURES / "ingest-kh267-excerpt.txt"
EXCERPT_LINES = EXCERPT.read_text(encoding="utf-8").split("\n")[:-1]


def encode_cp1258(text: str) -> bytes:
    """Encode as Windows does: letters with circumflex/breve/horn precomposed, tones combining.

    cp1258 has no code for most precomposed toned letters ("ấ"), so each is
    split into its base letter and a combining tone mark.
    """
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        tone_marks = [m for m in marks if m in "\u0300\u0301\u0303\u0309\u0323"]
        shape_marks = "".join(m for m in marks if m not in tone_marks)
        out += unicodedata.normalize("NFC", base + shape_marks).encode("cp1258")
        out += "".join(tone_marks).encode("cp1258")
    return bytes(out)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def texts(lines):
    return [line.text for line in lines]


def test_utf8_file_gives_exactly_its_lines_numbered_in_order():
    source, lines = ingest(EXCERPT)
    assert texts(lines) == EXCERPT_LINES
    assert [line.number for line in lines] == list(range(1, len(EXCERPT_LINES) + 1))
    assert lines[0].text == "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert lines[1].text == ""  # blank separator kept, so line N of the file is Line N
    assert all(line.original == line.text and line.page == 1 for line in lines)
    assert all(line.bbox is None and line.ocr_confidence is None for line in lines)
    assert source.kind == "text"
    assert source.pages == 1
    assert source.encoding == "utf-8"
    assert source.sha256 == hashlib.sha256(EXCERPT.read_bytes()).hexdigest()
    assert source.path == str(EXCERPT)


@pytest.mark.parametrize(
    "codec, bom, expected_encoding",
    [
        ("utf-8", codecs.BOM_UTF8, "utf-8-sig"),
        ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16"),
        ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16"),
    ],
)
def test_byte_order_mark_is_honoured_and_dropped(tmp_path, codec, bom, expected_encoding):
    data = bom + "\r\n".join(EXCERPT_LINES).encode(codec)
    source, lines = ingest(write(tmp_path, "bom.txt", data))
    assert texts(lines) == EXCERPT_LINES
    assert source.encoding == expected_encoding


def test_cp1258_is_detected_and_tones_are_composed(tmp_path):
    data = encode_cp1258("\n".join(EXCERPT_LINES) + "\n")
    assert b"\xcc" in data or b"\xec" in data  # the file really holds combining tone bytes
    source, lines = ingest(write(tmp_path, "cp1258.txt", data))
    assert source.encoding == "cp1258"
    assert texts(lines) == EXCERPT_LINES


def test_utf16_without_bom_is_detected(tmp_path):
    data = "\n".join(EXCERPT_LINES).encode("utf-16-le")
    source, lines = ingest(write(tmp_path, "nobom.txt", data))
    assert texts(lines) == EXCERPT_LINES
    assert source.encoding.startswith("utf_16")


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_endings_do_not_shift_line_numbers(tmp_path, newline):
    file_lines = ["KẾ HOẠCH", "", "", "Triển khai thực hiện", "", ""]
    content = "".join(line + newline for line in file_lines)
    _, lines = ingest(write(tmp_path, "endings.txt", content.encode()))
    assert texts(lines) == file_lines


def test_last_line_without_newline_is_kept(tmp_path):
    _, lines = ingest(write(tmp_path, "nonl.txt", "KẾ HOẠCH\n\nSố: 267/KH-UBND".encode()))
    assert texts(lines) == ["KẾ HOẠCH", "", "Số: 267/KH-UBND"]


def test_form_feed_and_unicode_separators_stay_inside_their_line(tmp_path):
    content = "Trang 1\f\nTrang 2\u2028tiếp\n"
    _, lines = ingest(write(tmp_path, "ff.txt", content.encode()))
    assert texts(lines) == ["Trang 1\f", "Trang 2\u2028tiếp"]


# Characters U+0080..U+00FF are left out: text made of them can be, and is
# read as, TCVN3 or VNI legacy codes (see test_ingest_legacy.py).
_LINE_CHARACTERS = st.characters(
    blacklist_characters="\r\n",
    blacklist_categories=("Cc", "Cs"),
    codec="utf-8",
).filter(lambda ch: not "\x80" <= ch <= "\xff")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.text(alphabet=_LINE_CHARACTERS, max_size=30),
        min_size=1,
        max_size=12,
    ).filter(lambda lines: "".join(lines).strip())
)
def test_any_utf8_text_round_trips_line_for_line(tmp_path_factory, file_lines):
    path = tmp_path_factory.mktemp("prop") / "doc.txt"
    path.write_bytes("".join(line + "\n" for line in file_lines).encode("utf-8"))
    _, lines = ingest(path)
    assert texts(lines) == file_lines


def test_missing_file(tmp_path):
    path = tmp_path / "khong-co.txt"
    with pytest.raises(InputError, match="khong-co.txt: no such file"):
        ingest(path)


def test_directory(tmp_path):
    with pytest.raises(InputError, match="is a directory"):
        ingest(tmp_path)


def test_empty_file(tmp_path):
    path = write(tmp_path, "rong.txt", b"")
    with pytest.raises(InputError, match=r"rong\.txt: empty file"):
        ingest(path)


def test_whitespace_only_file(tmp_path):
    with pytest.raises(InputError, match="only whitespace"):
        ingest(write(tmp_path, "blank.txt", b" \n\n\t\r\n"))


def test_random_binary_junk_is_refused(tmp_path):
    junk = random.Random(5).randbytes(4096)
    path = write(tmp_path, "junk.txt", junk)
    with pytest.raises(InputError, match=r"junk\.txt: .*(binary|unknown encoding)"):
        ingest(path)


def test_high_bytes_without_nuls_or_controls_in_ascii_range_are_refused(tmp_path):
    # Worst case for a single-byte code page: only bytes that every code page decodes.
    rng = random.Random(7)
    junk = bytes(rng.choice(range(0x80, 0x100)) for _ in range(4096)) + bytes(range(1, 32)) * 8
    with pytest.raises(InputError, match="binary|unknown encoding"):
        ingest(write(tmp_path, "junk2.dat", junk))


def test_broken_zip_is_named_as_damaged(tmp_path):
    path = write(tmp_path, "ke-hoach.txt", b"PK\x03\x04\x14\x00\x06\x00" + bytes(200))
    with pytest.raises(InputError, match=r"ke-hoach\.txt: damaged or truncated document"):
        ingest(path)


def test_error_message_is_one_line(tmp_path):
    with pytest.raises(InputError) as raised:
        ingest(write(tmp_path, "junk.bin", bytes(range(256)) * 4))
    assert "\n" not in str(raised.value)
    assert "junk.bin" in str(raised.value)


def test_kind_comes_from_content_not_extension(tmp_path):
    path = write(tmp_path, "ke-hoach.pdf", "KẾ HOẠCH\nTriển khai\n".encode())
    source, lines = ingest(path)
    assert source.kind == "text"
    assert texts(lines) == ["KẾ HOẠCH", "Triển khai"]
