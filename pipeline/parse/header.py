"""Document metadata from the header block and the signature/recipients block.

Header (top of page 1): issuing body ("ỦY BAN NHÂN DÂN" / "TỈNH THỪA THIÊN
HUẾ"), the national motto, "Số: 267/KH-UBND", "<place>, ngày … tháng … năm
…", the type line ("KẾ HOẠCH") and the title lines after it. OCR of the
two-column layout merges the columns into one line ("ỦY BAN NHÂN DÂN CỘNG
HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: 267/KH-UBND Thừa Thiên Huế, ngày 27
tháng 6 năm 2024"), so the motto is cut out of a line rather than matched as
a whole line, and the number is read up to the first space.

Closing: "Nơi nhận:" and its "- …" list on the left, the signature column
on the right ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", the
name). Merged, a line reads "- Cục TTĐN; KT. CHỦ TỊCH": the trailing run of
capitalised words is the signature column's part of the line.

Every line of both blocks is reported with a role ("header", "recipients",
"signature") so the caller can account for lines that are not in the tree.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import regex

from pipeline.model import DocumentMeta, Line, Signer
from pipeline.parse.markers import read_marker
from pipeline.parse.matching import fold, sentence_case, squash, title_case, upper_share
from pipeline.parse.references import type_from_number
from pipeline.parse.timeline import iso_date
from pipeline.parse.units import canonical_unit, expand

DOC_TYPES = {
    "ke hoach": "Kế hoạch",
    "quyet dinh": "Quyết định",
    "nghi quyet": "Nghị quyết",
    "chi thi": "Chỉ thị",
    "cong van": "Công văn",
    "thong bao": "Thông báo",
    "cong dien": "Công điện",
    "bao cao": "Báo cáo",
    "to trinh": "Tờ trình",
    "huong dan": "Hướng dẫn",
    "chuong trinh": "Chương trình",
    "chuong trinh hanh dong": "Chương trình hành động",
    "ke hoach hanh dong": "Kế hoạch hành động",
    "de an": "Đề án",
    "quy che": "Quy chế",
    "quy dinh": "Quy định",
    "thong tu": "Thông tư",
    "nghi dinh": "Nghị định",
    "luat": "Luật",
    "ket luan": "Kết luận",
}
_SIGNER_TITLES = {
    "chu tich": "Chủ tịch",
    "pho chu tich": "Phó Chủ tịch",
    "giam doc": "Giám đốc",
    "pho giam doc": "Phó Giám đốc",
    "bo truong": "Bộ trưởng",
    "thu truong": "Thứ trưởng",
    "thu tuong": "Thủ tướng",
    "pho thu tuong": "Phó Thủ tướng",
    "chanh van phong": "Chánh Văn phòng",
    "pho chanh van phong": "Phó Chánh Văn phòng",
    "truong ban": "Trưởng ban",
    "pho truong ban": "Phó Trưởng ban",
    "bi thu": "Bí thư",
    "pho bi thu": "Phó Bí thư",
    "chu nhiem": "Chủ nhiệm",
    "pho chu nhiem": "Phó Chủ nhiệm",
    "tong cuc truong": "Tổng cục trưởng",
    "cuc truong": "Cục trưởng",
    "chanh thanh tra": "Chánh Thanh tra",
}
_MOTTO_RES = [
    regex.compile(r"c\w{0,3}ng\s*h\w{0,3}\s*x\w{0,2}\s*h\w{0,3}\s*ch\w{0,2}\s*ngh\w{0,3}\s*vi\w{0,3}\s*nam"),
    regex.compile(r"\S{0,2}\w{0,2}c\s*l\w{0,2}p\s*[-–—]+\s*t\w{0,2}\s*do\s*[-–—]+\s*h\w{0,3}\s*ph\w{0,3}"),
]
_NUMBER_RE = regex.compile(r"^s[o6]\s*[:.;]?\s*(?P<number>[0-9][\w\-/.&]*\w)")
# "<place>, ngày 27 tháng 6 năm 2024"; the words tolerate OCR ("ngay 27 thang 6 nim 2024"). The place starts
# at a word and is bounded: an open "[^,]*" would rescan a long line without a comma from every position.
_DATE_RE = regex.compile(
    r"(?P<place>(?<!\S)[^,]{0,120}),?\s*ng\w{0,2}y\s+(?P<d>\d{1,2})\s+th\w{1,3}g\s+(?P<m>\d{1,2})\s+n\w{1,2}m\s+(?P<y>\d{4})"
)
_ADMIN_LEVELS = {
    "thanh pho": "thành phố",
    "thi tran": "thị trấn",
    "thi xa": "thị xã",
    "tinh": "tỉnh",
    "huyen": "huyện",
    "quan": "quận",
    "phuong": "phường",
    "xa": "xã",
}
_ADMIN_RE = regex.compile(rf"(?:^|\s)(?P<level>{'|'.join(_ADMIN_LEVELS)})\s+(?=\S)")
_NATIONAL_BODIES = regex.compile(r"(?<!\p{L})(?:chính phủ|quốc hội|trung ương)(?!\p{L})")  # names, capitalised
_RULE_RE = regex.compile(r"\s[_\-=.]{3,}\s*$")  # the rule drawn under a title
_ENACTING_OPENERS = tuple(f"{title} " for title in _SIGNER_TITLES) + (
    "uy ban nhan dan ", "hoi dong nhan dan ", "chinh phu", "ban chap hanh ", "ban thuong vu ", "ban chi dao ")
_PREAMBLE_OPENERS = ("can cu", "thuc hien", "theo de nghi", "xet ", "de ", "nham ", "trien khai thuc hien")
_AUTHORITY_RE = regex.compile(r"(?<![\p{L}])(?P<auth>TM|KT|TL|TUQ|Q)\s*\.\s*")
# "Nơi nhận:", tolerant of OCR ("Noi nhG@n:", "Nơi nhà@ăn:").
_RECIPIENTS_RE = regex.compile(r"^n[o0]\S{0,2}\s*nh\S{0,5}\s*:")
_NAME_RE = regex.compile(r"^\p{Lu}\p{Ll}*(?:\s+\p{Lu}\p{Ll}*){1,5}$")
_RECIPIENT_ITEM = regex.compile(r"(?<=[:;.,])\s+(?=[-+•]\s)")  # where "- B" starts in "Nơi nhận: - A; - B"
# A signature block's cell: its titles in capitals, then the signer's name ("KT. CHỦ TỊCH PHÓ CHỦ TỊCH Trần Văn A").
_SIGNED_CELL = regex.compile(r"^(?P<titles>(?:(?:TM|KT|TL|TUQ|Q)\.\s*)?\p{Lu}[\p{Lu}\s.,/-]*\p{Lu}[.,]?)\s+"
                             r"(?P<name>\p{Lu}\p{Ll}+(?:\s+\p{Lu}\p{Ll}*){1,5})$")


# Types of an attachment after the signature; a "(Ban hành) kèm theo …" line ends its title.
_ATTACHMENT_RE = regex.compile(
    r"^(?P<type>chuong trinh hanh dong|chuong trinh|ke hoach hanh dong|ke hoach|de an|phu luc|danh muc|quy che|"
    r"quy dinh|huong dan)\b(?:\s+(?P<label>[ivxlc]+|\d{1,2})\b)?"
)
_ATTACHED_RE = regex.compile(r"^\(?\s*(?:ban hanh\s+)?kem theo\b")


@dataclass
class Attachment:
    doc_type: str  # "Kế hoạch", "Phụ lục" …
    label: str  # "II" of "PHỤ LỤC II"
    title: str
    type_index: int  # index of the type heading in the lines
    body_start: int  # index of its first body line


def _attachment_type(text: str) -> tuple[str, str] | None:
    """("Kế hoạch", "") for a type heading such as "KẾ HOẠCH" or "CHƯƠNG TRÌNH HÀNH ĐỘNG CỦA CHÍNH PHỦ"."""
    match = _ATTACHMENT_RE.match(fold(text))
    if not match or "\t" in text:
        return None
    short = len(text.split()) <= 3  # "Phụ lục", "Phụ lục II" are written in mixed case too
    if not (upper_share(text) > 0.6 or short) or text.rstrip().endswith((".", ";", ":")):
        return None
    kind = match["type"]
    label = text[match.start("label"): match.end("label")].upper() if match["label"] else ""
    # A "DANH MỤC …" after the signature is an appendix list, titled without the word "Phụ lục".
    return DOC_TYPES.get(kind) or "Phụ lục", label


def read_attachment(lines: list[Line], start: int, skip: set[int] = frozenset()) -> Attachment | None:
    """The attachment heading beginning at index `start`, if any.

    Issuer, motto, number and date lines may come first (an attached plan
    repeats the letterhead); then the type heading ("KẾ HOẠCH", "PHỤ LỤC
    II"), its title lines, and usually "(Ban hành kèm theo Quyết định số …)".
    `skip` holds line numbers to look past (page numbers, running headers).
    """
    texts = [(i, squash(lines[i].text)) for i in range(start, min(len(lines), start + 40))
             if squash(lines[i].text) and lines[i].number not in skip]
    for position, (i, text) in enumerate(texts[:8]):
        found = _attachment_type(text)
        if found:
            break
        stripped = _strip_motto(text)
        letterhead = (stripped != text or _NUMBER_RE.match(fold(stripped)) or _DATE_RE.search(fold(stripped))
                      or (upper_share(stripped) > 0.6 and not read_marker(stripped)) or not regex.search(r"\p{L}", text))
        if not letterhead:
            return None
    else:
        return None
    doc_type, label = found
    title: list[str] = []
    body = i + 1
    for j, text in texts[position + 1: position + 12]:
        if "\t" in lines[j].text.strip() or (read_marker(text) and read_marker(text).kind != "bullet"):
            break
        if _ATTACHED_RE.match(fold(text)) or fold(text).startswith("(kem theo") or "kem theo" in fold(text)[:40]:
            title.append(text)
            body = j + 1
            break
        if title and upper_share(title[0]) > 0.6 and upper_share(text) <= 0.6 and not text.startswith("("):
            break
        title.append(text)
        body = j + 1
    while body < len(lines) and regex.fullmatch(r"[\s_\-–—.*]*", lines[body].text or ""):
        body += 1
    return Attachment(doc_type, label, squash(" ".join(title)), i, body)


@dataclass
class Frame:
    """What the header and closing blocks say, and which lines they hold."""

    meta: DocumentMeta
    roles: dict[int, str] = field(default_factory=dict)  # line number -> "header" / "recipients" / "signature"


def _strip_motto(text: str) -> str:
    folded = fold(text)
    for pattern in _MOTTO_RES:
        match = pattern.search(folded)
        if match:
            text = text[: match.start()] + " " * (match.end() - match.start()) + text[match.end():]
            folded = fold(text)
    return squash(text)


def _doc_type(text: str) -> str | None:
    return DOC_TYPES.get(fold(squash(text)).rstrip(" :"))


def _body_name(text: str) -> str:
    """"ỦY BAN NHÂN DÂN" / "UBND" -> "Ủy ban nhân dân"; "THỦ TƯỚNG CHÍNH PHỦ" -> "Thủ tướng Chính phủ"."""
    return canonical_unit(_NATIONAL_BODIES.sub(lambda m: m[0].capitalize(), sentence_case(expand(text))))


def _issuer(lines: list[str]) -> tuple[str | None, str | None]:
    """(issuer, parent body) from the capitalised lines above the number.

    "ỦY BAN NHÂN DÂN" + "TỈNH THỪA THIÊN HUẾ" (or "UBND TỈNH ĐỒNG THÁP" on
    one line) is one body: "Ủy ban nhân dân tỉnh Thừa Thiên Huế". A further
    line ("SỞ TƯ PHÁP") is the issuer and the body above it its parent.
    """
    names = [line for line in lines if line and upper_share(line) > 0.6]
    if not names:
        return None, None
    governing, rest = None, names[1:]
    level = _ADMIN_RE.search(fold(names[0]))
    if level and level.start("level") > 0:
        governing = (names[0][: level.start("level")], level["level"], names[0][level.end():])
    elif len(names) >= 2:
        level = _ADMIN_RE.match(fold(names[1]))
        if level:
            governing, rest = (names[0], level["level"], names[1][level.end():]), names[2:]
    if governing:
        body, level_name, place = governing
        name = f"{_body_name(body)} {_ADMIN_LEVELS[level_name]} {title_case(place)}"
        return (_body_name(rest[-1]), name) if rest else (name, None)
    if len(names) >= 2:
        return _body_name(names[-1]), _body_name(" ".join(names[:-1]))
    return _body_name(names[0]), None


def _read_header(lines: list[Line], meta: DocumentMeta, roles: dict[int, str]) -> int:
    """Fill `meta` from the header; return the index of the first body line."""
    texts = [squash(line.text) for line in lines]
    window = [i for i, text in enumerate(texts) if text][:30]
    type_index = next((i for i in window if _doc_type(texts[i])), None)
    stop = type_index if type_index is not None else (window[12] if len(window) > 12 else len(texts))
    issuer_lines: list[str] = []
    last_header = -1
    for i in range(0, stop):
        text = texts[i]
        if not text:
            continue
        if read_marker(text) and read_marker(text).kind != "bullet":
            stop = i
            break
        stripped = _strip_motto(text)
        folded = fold(stripped)
        number = _NUMBER_RE.match(folded)
        date = _DATE_RE.search(folded)
        is_header = stripped != text or number or date
        if number:
            meta.number = stripped[number.start("number"): number.end("number")]
            stripped = stripped[number.end("number"):].strip()
            subject = regex.match(
                r"^V/v\s+(?P<subject>.+?)(?=\s+(?:(?:\p{Lu}\S*|phố)\s+){0,4}\p{Lu}\S*,\s*ngày\s|$)", stripped)
            if subject:  # "Số: 11299/VPCP-KGVX V/v thành lập …": a Công văn and its subject
                meta.title = subject["subject"].strip()
                meta.doc_type = meta.doc_type or "Công văn"
                stripped = stripped[subject.end():].strip()
            folded = fold(stripped)
            date = _DATE_RE.search(folded)
        if date and meta.issued_date is not None:
            date = None  # the first date is the document's; later ones belong to cited documents
        if date:
            meta.issued_date = iso_date(int(date["y"]), int(date["m"]), int(date["d"]))
            place = stripped[date.start("place"): date.end("place")].strip(" ,")
            meta.place = place or None
        elif stripped and not number and meta.number is None and upper_share(stripped) > 0.6:
            # Counts as header only if a number, date or motto line follows (see `last_header`).
            issuer_lines.append(stripped)
        if is_header:
            last_header = i
    meta.issuer, meta.issuer_parent = _issuer(issuer_lines)
    if type_index is None:
        for i in range(0, last_header + 1):
            if texts[i]:
                roles[lines[i].number] = "header"
        if meta.number:
            meta.doc_type = meta.doc_type or type_from_number(meta.number)
        return last_header + 1
    meta.doc_type = _doc_type(texts[type_index])
    title_lines: list[str] = []
    end = type_index + 1
    uppercase_title = None
    for i in range(type_index + 1, len(texts)):
        text = texts[i]
        if not text:
            if title_lines and not uppercase_title:
                break
            continue
        marker = read_marker(text)
        if marker and marker.kind not in ("bullet",):
            break
        if title_lines and _enacting(texts, i):
            # "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH": who decides, before the preamble; not the title's end. A
            # decision of the Chủ tịch is his, not the body's: he is the issuer.
            folded = fold(text)
            holder = next((key for key in _SIGNER_TITLES if folded.startswith(key + " ")), None)
            if holder and meta.issuer and fold(meta.issuer).startswith(folded[len(holder) + 1:]):
                meta.issuer = f"{_SIGNER_TITLES[holder]} {meta.issuer}"
            roles[lines[i].number] = "header"
            end = i + 1
            break
        if uppercase_title is None:
            uppercase_title = upper_share(text) > 0.6
            if fold(text).startswith(_PREAMBLE_OPENERS[:1]) and not uppercase_title:
                break
        elif uppercase_title and upper_share(text) <= 0.6:
            break
        elif not uppercase_title and (
            upper_share(text) > 0.6 or (text[:1].isupper() and fold(text).startswith(_PREAMBLE_OPENERS))
        ):
            break
        title_lines.append(text)
        end = i + 1
    meta.title = squash(_RULE_RE.sub("", " ".join(title_lines))) or None
    for i in range(0, end):
        if texts[i]:
            roles[lines[i].number] = "header"
    return end


def _enacting(texts: list[str], index: int) -> bool:
    """Whether the line at `index`, after the title, names who enacts the document ("CHỦ TỊCH ỦY BAN NHÂN
    DÂN TỈNH", "THỦ TƯỚNG CHÍNH PHỦ điện:"): a line in capitals opening with a title or a body, that the
    preamble follows ("Căn cứ …") or that ends in a colon."""
    text = texts[index]
    folded = fold(text)
    if not folded.startswith(_ENACTING_OPENERS) or upper_share(text.removesuffix(" điện:")) <= 0.6:
        return False
    following = next((t for t in texts[index + 1:] if t), "")
    return text.endswith(":") or fold(following).startswith(_PREAMBLE_OPENERS[:3])


def _signature_tail(text: str) -> tuple[str, str]:
    """Split "- Cục TTĐN; KT. CHỦ TỊCH" into ("- Cục TTĐN;", "KT. CHỦ TỊCH")."""
    words = text.split()
    cut = len(words)
    while cut > 0:
        word = words[cut - 1]
        letters = regex.sub(r"[^\p{L}]", "", word)
        is_authority = regex.fullmatch(r"(?:TM|KT|TL|TUQ|Q)\.", word) is not None
        if not is_authority and not (letters and letters.isupper() and regex.fullmatch(r"[\p{L}]+,?", word)):
            break
        cut -= 1
    tail = " ".join(words[cut:])
    folded_tail = fold(_AUTHORITY_RE.sub("", tail)).strip()
    # An authority mark opens titles ("KT. CHỦ TỊCH"); one ending the line is a code ("Lưu: VT, KT.").
    signs = _AUTHORITY_RE.search(tail) and _AUTHORITY_RE.split(tail)[-1].strip()
    if len(words) - cut >= 1 and (signs or _title_at_end(folded_tail) or (cut == 0 and len(words) - cut >= 2)):
        return " ".join(words[:cut]), tail
    return text, ""


def _read_closing(lines: list[Line], start: int, meta: DocumentMeta, roles: dict[int, str]) -> tuple[int, int]:
    """Find the closing block after `start`; fill signer and recipients; return its [begin, end)."""
    texts = [squash(line.text) for line in lines]
    begin = next((i for i in range(start, len(texts)) if _RECIPIENTS_RE.match(fold(texts[i]))), None)
    if begin is None:
        begin = next(
            (i for i in range(start, len(texts)) if regex.search(r"(?:^|\s)(?:TM|KT|TL|TUQ)\s*\.\s*\p{Lu}{2}", texts[i])),
            None,
        )
    if begin is None:
        return len(texts), len(texts)
    signer = Signer()
    recipients: list[str] = []
    end = len(texts)
    for i, text, may_sign in _closing_pieces(lines, begin):
        marker = read_marker(text)
        if (marker and marker.kind in ("appendix", "roman", "part", "chapter", "article")) or (
            i > begin and _attachment_type(text)
        ):
            end = i
            break
        left, tail = _signature_tail(text) if may_sign else (text, "")
        heads_list = bool(_RECIPIENTS_RE.match(fold(left)))
        if heads_list:
            left = left.split(":", 1)[1].strip() if ":" in left else ""
        role = "recipients"
        if tail:
            role = "signature"
            for match in _AUTHORITY_RE.finditer(tail):
                signer.authority = f"{match['auth']}."
            title = _title_at_end(fold(_AUTHORITY_RE.sub("", tail)).strip())
            if title and (signer.title is None or not _AUTHORITY_RE.search(tail)):
                signer.title = title
        if left:
            if _NAME_RE.match(left) and not left.startswith(("-", "+")) and (signer.authority or signer.title or recipients):
                signer.name = left
                roles[lines[i].number] = "signature"
                end = i + 1
                break
            if left[:1] in "-+•" or fold(left).startswith("luu"):
                recipients.append(left.lstrip("-+• ").rstrip(";,. "))
            elif recipients and not left[:1].isupper():
                recipients[-1] = f"{recipients[-1]} {left.rstrip(';,. ')}"
            elif left and not tail:
                role = "signature"
        roles[lines[i].number] = role if left or heads_list else "signature"
    meta.signer = signer
    meta.recipients = [recipient for recipient in recipients if recipient]
    return begin, end


def _closing_pieces(lines: list[Line], begin: int):
    """(line index, text, whether it may end in signature titles) for the closing block's lines from
    `begin`, a table row cut into its cells: a page typed or copied with the block as a row ("Nơi nhận:
    - …; - Lưu: VT, KT." TAB "KT. CHỦ TỊCH PHÓ CHỦ TỊCH Trần Văn A") reads as the two columns of a
    printed page, its recipients cell recipients only. A list of recipients on one line is cut into
    them, and titles with the name after them on one line into the two, in a row or not."""
    for i in range(begin, len(lines)):
        cells = [squash(cell) for cell in lines[i].text.split("\t")]
        for cell in cells:
            signed = _SIGNED_CELL.match(cell)
            if signed:
                yield i, signed["titles"], True
                yield i, signed["name"], True
            elif _RECIPIENTS_RE.match(fold(cell)) and _RECIPIENT_ITEM.search(cell):
                for item in _RECIPIENT_ITEM.split(cell):  # "Nơi nhận: - A; - B;" as the lines of its column
                    yield i, item, len(cells) == 1
            elif cell:
                yield i, cell, True


def _title_at_end(folded: str) -> str | None:
    """The signer's own title a run of titles ends with ("uy ban nhan dan chu tich pho chu tich": "Phó
    Chủ tịch"): the longest known one."""
    words = folded.split()
    return next((_SIGNER_TITLES[tail] for k in range(len(words)) if (tail := " ".join(words[k:])) in _SIGNER_TITLES),
                None)


def read_closing(lines: list[Line], start: int, roles: dict[int, str]) -> tuple[int, int]:
    """The [begin, end) of the next closing block after `start` (an attachment's own signature)."""
    return _read_closing(lines, start, DocumentMeta(), roles)


def read_frame(lines: list[Line]) -> tuple[Frame, int, tuple[int, int]]:
    """Metadata, line roles, index of the first body line, and the closing block's [begin, end)."""
    meta = DocumentMeta()
    roles: dict[int, str] = {}
    body_start = _read_header(lines, meta, roles)
    closing = _read_closing(lines, body_start, meta, roles)
    if meta.doc_type is None and meta.number:
        meta.doc_type = type_from_number(meta.number)
    return Frame(meta, roles), body_start, closing
