"""Field lines of a task: "Đơn vị thực hiện: …", "Thời gian thực hiện: …".

Plans write a task's implementer, deadline, product and budget as labelled
lines under the item, with or without a marker ("- Đơn vị thực hiện:",
"b) Thời gian thực hiện:", or bare). The same labels head the columns of
task tables. Labels are matched on folded text so a wrong tone mark in
restored OCR text does not hide a field.

Field kinds:
  "units"    implementers, lead and support mixed ("Đơn vị thực hiện")
  "lead"     lead units only ("Đơn vị chủ trì", "Cơ quan chủ trì")
  "support"  supporting units ("Đơn vị phối hợp")
  "timeline" deadline or schedule ("Thời gian thực hiện", "Thời hạn")
  "product"  expected output ("Sản phẩm", "Kết quả")
  "budget"   funding ("Kinh phí")
  "content"  the task text itself ("Nhiệm vụ:", "Tên nhiệm vụ:", "Nội dung thực hiện:")
"""
from __future__ import annotations

from dataclasses import dataclass

import regex

from pipeline.parse.matching import fold

_UNIT_NOUN = r"(?:don vi|co quan|co quan\s*/\s*don vi|don vi\s*/\s*co quan)"
# Ordered: the first pattern that matches the folded start of the text wins.
_LABELS: list[tuple[str, str]] = [
    ("support", rf"{_UNIT_NOUN}\s+phoi hop(?:\s+thuc hien)?"),
    ("lead", rf"{_UNIT_NOUN}\s+chu tri(?:\s+tham muu)?(?:\s+thuc hien)?(?:\s+tham muu)?"),
    ("units", rf"{_UNIT_NOUN}\s+(?:thuc hien|phu trach|trien khai)"),
    ("units", r"(?:trach nhiem thuc hien|don vi|co quan thuc hien)"),
    ("lead", r"chu tri"),
    ("support", r"phoi hop"),
    ("timeline", r"thoi (?:gian|han)(?:\s+(?:thuc hien|hoan thanh|trien khai|bao cao))?"),
    ("timeline", r"tien do(?:\s+(?:thuc hien|hoan thanh))?"),
    ("product", r"san pham(?:\s+(?:dau ra|chu yeu))?|ket qua(?:\s+(?:dau ra|du kien))?"),
    ("budget", r"(?:nguon\s+)?kinh phi(?:\s+thuc hien)?"),
    ("content", r"(?:ten\s+)?nhiem vu|noi dung(?:\s+(?:thuc hien|cong viec|nhiem vu))?"),
]
# One wrong letter is tolerated ("Thớt gian thực hiện:" from restored OCR); the colon is not optional.
_LABEL_RE = [(kind, regex.compile(rf"(?:{pattern}){{e<=1}}\s*:")) for kind, pattern in _LABELS]


@dataclass
class Field:
    kind: str
    label: str  # as written, without the colon
    value: str  # text after the colon, may be empty when the value follows on bullets


def read_field(text: str) -> Field | None:
    """The field written at the start of `text` (marker already removed), if any.

    A colon is required: without it "Nội dung thi đua" is a heading, not a field.
    """
    folded = fold(text)
    if ":" not in folded[:60]:
        return None
    for kind, pattern in _LABEL_RE:
        match = pattern.match(folded)
        if match:
            label = text[: match.end()].rstrip(": ").strip()
            return Field(kind, label, text[match.end():].strip())
    return None


_BARE_LABEL_RE = regex.compile(
    rf"^(?:(?P<both>{_UNIT_NOUN}\s+chu tri,?\s+(?:va\s+)?phoi hop)|(?P<lead>{_UNIT_NOUN}\s+chu tri(?:,?\s+thuc hien)?|chu tri thuc hien)|"
    rf"(?P<support>{_UNIT_NOUN}\s+phoi hop(?:\s+thuc hien)?)|(?P<units>{_UNIT_NOUN}\s+thuc hien))\s*:?\s*$"
)


def bare_label(text: str) -> Field | None:
    """A unit label written alone, without a value ("Cơ quan chủ trì", "Cơ quan chủ trì, phối hợp"):
    the value is the list of lines under it."""
    match = _BARE_LABEL_RE.match(fold(text).strip())
    if not match:
        return None
    kind = "units" if match["both"] else next(name for name in ("lead", "support", "units") if match[name])
    return Field(kind, text.rstrip(": ").strip(), "")


_COLUMN_PATTERNS: list[tuple[str, str]] = [
    ("number", r"^(?:s?tt|so tt|so thu tu)$"),
    ("support", r"phoi hop"),
    ("lead", r"chu tri"),
    ("units", r"(?:don vi|co quan).*(?:thuc hien|phu trach)|trach nhiem"),
    ("timeline", r"thoi (?:gian|han)|tien do|hoan thanh"),
    ("product", r"san pham|ket qua"),
    ("budget", r"kinh phi|nguon von"),
    ("content", r"noi dung|nhiem vu|cong viec|hoat dong|de an|ten"),
    ("note", r"ghi chu"),
]


def column_kind(header_cell: str) -> str | None:
    """The field a task-table column holds, from its header cell."""
    folded = fold(header_cell).strip()
    for kind, pattern in _COLUMN_PATTERNS:
        if regex.search(pattern, folded):
            return kind
    return None
