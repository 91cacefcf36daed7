"""Build Word documents and portal-like web pages from a plan's plain text.

Used by scripts/make_office_fixtures.py (committed test fixtures from the
seed plan and short texts) and bench/formats.py (dev documents built on the
fly, never stored). The text is laid out as a clerk's Word file would be:

- the national header in a two-column table without borders (issuer, number |
  Quốc hiệu, place and date), the "Nơi nhận" / signature block likewise;
- "I.", "1.", "a)" and "-" markers as Word automatic list numbering where
  Word's counters give the same label, as typed text elsewhere;
- tab-separated lines (a Phụ lục task table) in a table with borders;
- optionally paragraphs typed in legacy fonts: TCVN3 (.VnTime, capitals with
  .VnTimeH) for half of some paragraphs, VNI-Times for whole others.
"""
from __future__ import annotations

import html
import re
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Pt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pipeline.ingest import legacy  # noqa: E402

_MARKERS = (
    (0, re.compile(r"^(?P<label>[IVXLC]+)\.\s+(?P<rest>\S.*)$"), "roman"),
    (1, re.compile(r"^(?P<label>\d{1,2})\.\s+(?P<rest>\D.*)$"), "decimal"),
    (2, re.compile(r"^(?P<label>[a-zđ])\)\s+(?P<rest>\S.*)$"), "letter"),
    (3, re.compile(r"^-\s+(?P<rest>\S.*)$"), "bullet"),
)
_LEVELS = (("upperRoman", "%1."), ("decimal", "%2."), ("lowerLetter", "%3)"), ("bullet", "-"))
_HEADER_SPLIT = re.compile(r"\s+(?=CỘNG HÒA|CỘNG HOÀ|Độc lập)")
_NUMBER_SPLIT = re.compile(r"^(Số:\s*\S+)\s+(\S.*)$")
_SIGNER_SPLIT = re.compile(r"\s+(?=TM\.|KT\.|TL\.|Q\.|PHÓ CHỦ TỊCH|CHỦ TỊCH)")

_TCVN3_CODES = {letter: code for code, letter in legacy._TCVN3_TO_UNICODE.items()}
_VNI_CODES = {}
for _code, _letter in legacy._VNI_LOWER.items():
    _VNI_CODES.setdefault(_letter, _code)
    _VNI_CODES.setdefault(_letter.upper(), _code.upper())


def to_tcvn3_runs(text: str) -> list[tuple[str, str]]:
    """(font, text) runs typing `text` in TCVN3: .VnTime, and .VnTimeH for capitals it lacks."""
    runs: list[tuple[str, str]] = []
    for char in unicodedata.normalize("NFC", text):
        if char in _TCVN3_CODES:
            font, code = ".VnTime", _TCVN3_CODES[char]
        elif char.lower() in _TCVN3_CODES and char.isupper():
            font, code = ".VnTimeH", _TCVN3_CODES[char.lower()]
        else:
            font, code = ".VnTime", char
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + code)
        else:
            runs.append((font, code))
    return runs


def to_vni(text: str) -> str:
    return "".join(_VNI_CODES.get(char, char) for char in unicodedata.normalize("NFC", text))


def _numbering_xml() -> str:
    levels = "".join(
        f'<w:lvl w:ilvl="{level}"><w:start w:val="1"/><w:numFmt w:val="{number_format}"/>'
        f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
        f'<w:pPr><w:ind w:left="{360 * (level + 1)}" w:hanging="360"/></w:pPr></w:lvl>'
        for level, (number_format, text) in enumerate(_LEVELS))
    return (f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90"><w:multiLevelType w:val="multilevel"/>'
            f'{levels}</w:abstractNum>')


class _Counters:
    """Word's counters for the one outline list, to know when its label matches the typed one."""

    def __init__(self):
        self.values = [0, 0, 0, 0]

    def next_label(self, level: int) -> str:
        value = self.values[level] + 1
        if level == 0:
            return _roman(value)
        if level == 1:
            return str(value)
        if level == 2:
            return chr(ord("a") + value - 1)
        return "-"

    def advance(self, level: int) -> None:
        self.values[level] += 1
        for deeper in range(level + 1, 4):
            self.values[deeper] = 0


def _roman(value: int) -> str:
    numerals = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for amount, letters in numerals:
        count, value = divmod(value, amount)
        out += letters * count
    return out


def split_layout(lines: list[str]) -> tuple[list[str], list[str], list[str], list[str], list[str], list[str]]:
    """(header left, header right, body, recipients, signer, after signature) of a plan's lines."""
    lines = [line for line in lines]
    title = next((i for i, line in enumerate(lines[:20]) if re.match(r"^(KẾ HOẠCH|QUYẾT ĐỊNH|CHỈ THỊ|CÔNG VĂN)\b", line)), 0)
    left, right = [], []
    for line in lines[:title]:
        if not line.strip():
            continue
        number = _NUMBER_SPLIT.match(line)
        parts = [number.group(1), number.group(2)] if number and "ngày" in number.group(2) else _HEADER_SPLIT.split(line, 1)
        if len(parts) == 2:
            left.append(parts[0])
            right.append(parts[1])
        elif right or re.match(r"^(CỘNG HÒA|CỘNG HOÀ|Độc lập)|.*ngày .* tháng", line):
            right.append(line)
        else:
            left.append(line)
    rest = lines[title:]
    start = max((i for i, line in enumerate(rest) if line.startswith("Nơi nhận")), default=None)
    if start is None:
        return left, right, rest, [], [], []
    end = next((i for i in range(start, len(rest)) if rest[i].startswith("PHỤ LỤC")), len(rest))
    recipients, signer = [], []
    for line in rest[start:end]:
        if not line.strip():
            continue
        parts = _SIGNER_SPLIT.split(line, 1)
        if len(parts) == 2 and (line.startswith("Nơi nhận") or line.startswith("-")):
            recipients.append(parts[0])
            signer.append(parts[1])
        elif (line.startswith("Nơi nhận") or line.startswith("-")) and not signer[len(recipients):]:
            recipients.append(line)
        else:
            signer.append(line)
    return left, right, rest[:start], recipients, signer, rest[end:]


def join_wrapped(lines: list[str]) -> list[str]:
    """Paragraphs from text wrapped at a page width: a line continues the one before
    unless that one ended a sentence or a blank line or a marker starts this one."""
    out: list[str] = []
    joinable = False
    for line in lines:
        if not line.strip():
            joinable = False
            out.append("")
            continue
        starts_item = any(pattern.match(line) for _, pattern, _ in _MARKERS) or "\t" in line
        if joinable and not starts_item and out:
            out[-1] = f"{out[-1]} {line.strip()}"
        else:
            out.append(line.strip())
        joinable = not re.search(r"[.:;!?]$|/\.$", line.strip()) and line.strip() != line.strip().upper()
    return out


class WordBuilder:
    def __init__(self, legacy_fonts: bool = False, numbering: bool = True, list_styles: bool = False):
        self.document = docx.Document()
        style = self.document.styles["Normal"]
        style.font.name = "Times New Roman"
        style.font.size = Pt(13)
        self.legacy_fonts = legacy_fonts
        self.numbering = numbering
        self.counters = _Counters()
        self.paragraphs = 0
        self.numbered = 0
        self.markers = 0
        if numbering:
            part = self.document.part.numbering_part.element
            part.insert(0, parse_xml(_numbering_xml()))
            part.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
        # As in office templates: the list level comes with a paragraph style ("Mục I", "Mục 1" ...).
        self.list_styles = []
        if numbering and list_styles:
            for level in range(len(_LEVELS)):
                style = self.document.styles.add_style(f"Muc {level}", WD_STYLE_TYPE.PARAGRAPH)
                style.base_style = self.document.styles["Normal"]
                style.element.get_or_add_pPr().append(parse_xml(
                    f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'))
                self.list_styles.append(style)

    def _runs(self, paragraph, text: str, encoding: str | None) -> None:
        if encoding == "tcvn3":
            runs = to_tcvn3_runs(text)
        elif encoding == "vni":
            runs = [("VNI-Times", to_vni(text))]
        else:
            runs = [(None, text)]
        for font, piece in runs:
            run = paragraph.add_run(piece)
            if font:
                run.font.name = font

    def _legacy_for(self, index: int) -> str | None:
        if not self.legacy_fonts:
            return None
        return (None, "mixed", "vni")[index % 3]

    def paragraph(self, text: str, container=None, outline: bool = True) -> None:
        container = container if container is not None else self.document
        target = container.add_paragraph() if hasattr(container, "add_paragraph") else container
        encoding = self._legacy_for(self.paragraphs)
        self.paragraphs += 1
        if outline and self.numbering:
            text = self._number(target, text)
        if encoding == "mixed":
            words = text.split(" ")
            half = len(words) // 2
            self._runs(target, " ".join(words[:half]) + (" " if half else ""), None)
            self._runs(target, " ".join(words[half:]), "tcvn3")
        else:
            self._runs(target, text, encoding)

    def _number(self, paragraph, text: str) -> str:
        for level, pattern, _ in _MARKERS:
            match = pattern.match(text)
            if not match:
                continue
            self.markers += 1
            label = match.groupdict().get("label", "-")
            if self.counters.next_label(level) != label:
                return text
            self.counters.advance(level)
            self.numbered += 1
            if self.list_styles:
                paragraph.style = self.list_styles[level]
                return match.group("rest")
            p_pr = paragraph._p.get_or_add_pPr()
            p_pr.append(parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'))
            return match.group("rest")
        return text

    def layout_table(self, left: list[str], right: list[str]) -> None:
        table = self.document.add_table(rows=1, cols=2)
        for cell, texts in zip(table.rows[0].cells, (left, right)):
            first = cell.paragraphs[0]
            for index, text in enumerate(texts):
                self.paragraph(text, first if index == 0 else cell, outline=False)

    def data_table(self, rows: list[list[str]]) -> None:
        width = max(len(row) for row in rows)
        table = self.document.add_table(rows=len(rows), cols=width)
        table.style = "Table Grid"
        for row, cells in zip(table.rows, rows):
            for cell, text in zip(row.cells, cells):
                self.paragraph(text, cell.paragraphs[0], outline=False)

    def body(self, lines: list[str]) -> None:
        index = 0
        while index < len(lines):
            if "\t" in lines[index]:
                end = index
                while end < len(lines) and "\t" in lines[end]:
                    end += 1
                self.data_table([line.split("\t") for line in lines[index:end]])
                index = end
                continue
            if lines[index].strip():
                self.paragraph(lines[index])
            index += 1

    def save(self, path: Path) -> None:
        # Word always ends the body with a paragraph; a final table without
        # one is lost when LibreOffice writes the file as Word 97.
        self.document.add_paragraph()
        self.document.save(str(path))


def build_docx(text: str, path: Path, legacy_fonts: bool = False, numbering: bool = True,
               wrapped: bool = False, list_styles: bool = False) -> WordBuilder:
    lines = text.split("\n")
    left, right, body, recipients, signer, after = split_layout(lines)
    if wrapped:
        body = join_wrapped(body)
    builder = WordBuilder(legacy_fonts=legacy_fonts, numbering=numbering, list_styles=list_styles)
    if left or right:
        builder.layout_table(left, right)
    builder.body(body)
    if recipients or signer:
        builder.layout_table(recipients, signer)
    builder.body(after)
    builder.save(path)
    return builder


def convert(docx_path: Path, extension: str, out_dir: Path) -> Path:
    """Convert with LibreOffice ("doc" is Word 97-2003, "odt", "rtf", "html" its XHTML export)."""
    filters = {"doc": "doc:MS Word 97", "odt": "odt", "rtf": "rtf", "html": "html:XHTML Writer File:UTF8"}
    with tempfile.TemporaryDirectory(prefix="lo-build-") as profile:
        subprocess.run(["soffice", f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
                        "--convert-to", filters[extension], "--outdir", str(out_dir), str(docx_path)],
                       check=True, capture_output=True, timeout=300)
    return out_dir / f"{docx_path.stem}.{extension}"


def to_cp1258(text: str) -> bytes:
    """Windows-1258 bytes: letters it lacks are written as a base letter and a combining tone mark."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in "\u0300\u0301\u0303\u0309\u0323"))
            tone = "".join(c for c in decomposed if c in "\u0300\u0301\u0303\u0309\u0323")
            out += (base + tone).encode("cp1258", errors="replace")
    return bytes(out)


def build_html(text: str, charset: str = "utf-8", wrapped: bool = False) -> bytes:
    """A page as a legal portal shows a plan: menus, login prompt, adverts and related documents around it."""
    lines = text.split("\n")
    left, right, body, recipients, signer, after = split_layout(lines)
    if wrapped:
        body = join_wrapped(body)

    def cells(texts: list[str]) -> str:
        return "<br>\n".join(html.escape(t) for t in texts)

    parts = ['<table border="0" width="100%"><tr>',
             f'<td width="40%" align="center"><b>{cells(left)}</b></td>',
             f'<td align="center"><b>{cells(right)}</b></td></tr></table>']

    def flow(chunk: list[str]) -> None:
        index = 0
        while index < len(chunk):
            if "\t" in chunk[index]:
                parts.append('<table border="1" cellspacing="0">')
                while index < len(chunk) and "\t" in chunk[index]:
                    row = "".join(f"<td>{html.escape(c)}</td>" for c in chunk[index].split("\t"))
                    parts.append(f"<tr>{row}</tr>")
                    index += 1
                parts.append("</table>")
                continue
            if chunk[index].strip():
                # Portals wrap long paragraphs in their source; a reader joins them.
                words = html.escape(chunk[index]).split(" ")
                wrapped_text = "\n".join(" ".join(words[i:i + 12]) for i in range(0, len(words), 12))
                parts.append(f"<p>{wrapped_text}</p>")
            index += 1

    flow(body)
    if recipients or signer:
        parts += ['<table><tr>', f'<td valign="top">{cells(recipients)}</td>',
                  f'<td valign="top" align="center">{cells(signer)}</td></tr></table>']
    flow(after)
    page = f"""<!DOCTYPE html>
<html lang="vi"><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>Văn bản pháp luật</title><script>var tracker = "Trang chủ";</script>
<style>.menu li {{ display: inline }}</style></head>
<body>
<div id="top-menu" class="menu"><ul><li><a href="/">Trang chủ</a></li><li><a href="/vb">Văn bản mới</a></li>
<li><a href="/tc">Tra cứu văn bản</a></li><li><a href="/hd">Hỏi đáp pháp luật</a></li></ul></div>
<div class="login-box">Bạn chưa đăng nhập. Vui lòng <a href="/login">đăng nhập</a> để tải văn bản gốc và nhận thông báo.</div>
<div class="main"><div class="ads">Quảng cáo: Phần mềm quản lý văn bản điện tử giá tốt nhất năm nay, liên hệ ngay hôm nay.</div>
<div class="content"><div class="doc-toolbar"><a href="#">In văn bản</a> <a href="#">Tải về</a></div>
<div class="noidung">
{chr(10).join(parts)}
</div></div>
<div class="vb-lien-quan"><h3>Văn bản liên quan</h3><ul><li><a href="/1">Nghị quyết số 12/NQ-CP về phát triển kinh tế số</a></li>
<li><a href="/2">Quyết định số 45/QĐ-UBND về ban hành quy chế</a></li></ul></div></div>
<footer>Cổng thông tin điện tử. Bản quyền thuộc về cơ quan chủ quản.</footer>
</body></html>
"""
    if charset.lower() in ("windows-1258", "cp1258"):
        return to_cp1258(page)
    return page.encode(charset)
