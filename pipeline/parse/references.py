"""Documents cited in the text: "Kết luận số 57-KL/TW ngày 15/6/2023".

A citation is a document type word, optionally "số", a number carrying a
type or issuer code ("47/NQ-CP", "54-NQ/TW", "70/2017/QĐ-UBND"; OCR may put
a space after the hyphen: "27/NQ- TW"), and optionally its date. A bare
"số 84/KH-UBND" counts too, typed from its code. Each document is reported
once, with the first type and the first date written for it.
"""
from __future__ import annotations

import regex

from pipeline.model import Reference
from pipeline.parse.matching import fold
from pipeline.parse.timeline import iso_date

TYPE_WORDS = {
    "ket luan": "Kết luận",
    "nghi quyet": "Nghị quyết",
    "quyet dinh": "Quyết định",
    "ke hoach hanh dong": "Kế hoạch hành động",
    "ke hoach": "Kế hoạch",
    "chi thi": "Chỉ thị",
    "thong tu lien tich": "Thông tư liên tịch",
    "thong tu": "Thông tư",
    "nghi dinh": "Nghị định",
    "cong van": "Công văn",
    "huong dan": "Hướng dẫn",
    "thong bao": "Thông báo",
    "chuong trinh hanh dong": "Chương trình hành động",
    "chuong trinh": "Chương trình",
    "luat": "Luật",
    "quy dinh": "Quy định",
}
# The type code in a document number: "267/KH-UBND", "70/2017/QĐ-UBND", "57-KL/TW".
TYPE_CODES = {
    "KH": "Kế hoạch",
    "QĐ": "Quyết định",
    "QD": "Quyết định",
    "NQ": "Nghị quyết",
    "CT": "Chỉ thị",
    "CV": "Công văn",
    "TB": "Thông báo",
    "BC": "Báo cáo",
    "TTR": "Tờ trình",
    "HD": "Hướng dẫn",
    "CTR": "Chương trình",
    "KL": "Kết luận",
    "TT": "Thông tư",
    "NĐ": "Nghị định",
    "ND": "Nghị định",
    "QC": "Quy chế",
    "ĐA": "Đề án",
}

_TYPE_ALTERNATION = "|".join(sorted((regex.escape(word) for word in TYPE_WORDS), key=len, reverse=True))
_CITATION_RE = regex.compile(
    rf"(?:(?P<type>{_TYPE_ALTERNATION})\s+(?:s[o0]?\s*:?\s*)?|\bso\s+)"
    r"(?P<number>\d{1,5}(?:\s?[/\-]\s?(?:[a-z0-9&]+))+)"
    r"(?:\s*,?\s*ngay\s+(?:(?P<d1>\d{1,2})\s*/\s*(?P<m1>\d{1,2})\s*/\s*(?P<y1>\d{4})"
    r"|(?P<d2>\d{1,2})\s+thang\s+(?P<m2>\d{1,2})\s+nam\s+(?P<y2>\d{4})))?"
)


def type_from_number(number: str) -> str | None:
    """"267/KH-UBND" -> "Kế hoạch", "57-KL/TW" -> "Kết luận"."""
    for code in regex.split(r"[-/]", number.upper()):
        if code in TYPE_CODES:
            return TYPE_CODES[code]
    return None


def _key(number: str) -> str:
    return regex.sub(r"\s+", "", number).upper().replace("Đ", "D")


def find_references(texts: list[str], own_number: str | None = None) -> list[Reference]:
    """Every document cited in `texts`, in order of first citation."""
    found: dict[str, Reference] = {}
    own = _key(own_number) if own_number else None
    for text in texts:
        folded = fold(text)
        for match in _CITATION_RE.finditer(folded):
            number = regex.sub(r"\s+", "", text[match.start("number"): match.end("number")])
            if not regex.search(r"\p{L}", number) or _key(number) == own:
                continue
            written_type = TYPE_WORDS[match["type"]] if match["type"] else type_from_number(number)
            day, month, year = (match["d1"], match["m1"], match["y1"]) if match["y1"] else (match["d2"], match["m2"], match["y2"])
            issued = iso_date(int(year), int(month), int(day)) if year else None
            reference = found.get(_key(number))
            if reference is None:
                found[_key(number)] = Reference(number=number, type=written_type, date=issued)
            else:
                reference.type = reference.type or written_type
                reference.date = reference.date or issued
    return list(found.values())
