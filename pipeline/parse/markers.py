"""Item markers at the start of a line: "III.", "2.", "1.2.", "a)", "-", "Điều 3." …

Each marker kind has a rank: a marker closes every open item of the same or
a lower rank (a higher rank number) and opens a child of the nearest item of
a higher rank (a smaller rank number).
"""
from __future__ import annotations

from dataclasses import dataclass

import regex

from pipeline.parse.matching import fold, upper_share

RANKS = {
    "appendix": 0,
    "part": 1,
    "chapter": 2,
    "division": 3,  # "Mục 1" in a law
    "article": 4,
    "roman": 5,
    "number": 6,
    "subnumber": 7,  # 1.1. (1.1.1. ranks one deeper, see `Marker.rank`)
    "letter": 10,
    "bullet": 11,  # "-", "•", "*"
    "subbullet": 12,  # "+"
}

# Vietnamese item letters: no f, j, w, z.
LETTERS = "a b c d đ e g h i k l m n o p q r s t u v x y".split()

_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


@dataclass
class Marker:
    kind: str
    label: str  # as it will be used in ids: "III", "2", "1.2", "a", "-"
    written: str  # the marker as written, OCR confusions included
    rest: str  # the line text after the marker

    @property
    def rank(self) -> int:
        if self.kind == "subnumber":
            return RANKS["subnumber"] + self.label.count(".") - 1
        return RANKS[self.kind]


def roman_value(numeral: str) -> int | None:
    """"XIV" -> 14; None when not a well-formed numeral up to 39."""
    if not numeral or any(char not in _ROMAN_VALUES for char in numeral):
        return None
    total = 0
    for i, char in enumerate(numeral):
        value = _ROMAN_VALUES[char]
        if i + 1 < len(numeral) and _ROMAN_VALUES[numeral[i + 1]] > value:
            total -= value
        else:
            total += value
    if not 0 < total < 40 or to_roman(total) != numeral:
        return None
    return total


def to_roman(value: int) -> str:
    parts = []
    for number, numeral in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while value >= number:
            parts.append(numeral)
            value -= number
    return "".join(parts)


# OCR reads "III" as "Ill", "HI", "lII"; "II" as "Il", "H"; "IV" as "Iv"; "V" as "Vv". Leading specks ("_ IV.") happen too.
_ROMAN_RE = regex.compile(r"^[^\p{L}\d]{0,3}(?P<m>[IVXLlvx1|!H]{1,6})\s*(?:(?P<dot>[.,)])\s*|\s+)(?P<rest>\p{Lu}.*)$")
_ROMAN_OCR = str.maketrans({"l": "I", "1": "I", "|": "I", "!": "I", "v": "V", "x": "X"})
# Part letters above the Roman sections: "A. MỤC ĐÍCH, YÊU CẦU", "B. NỘI DUNG …" (I, V, X are Roman).
_PART_LETTER_RE = regex.compile(r"^(?P<m>[A-HK]|Đ)\.\s+(?P<rest>\p{Lu}.*)$")
# Item markers, the first that matches wins: "1.2.", "1.", "a)", then a number without its dot.
_ITEM_PATTERNS = (
    ("subnumber", regex.compile(r"^(?P<m>\d{1,2}(?:\.\d{1,2})+)\.?\s+(?P<rest>\S.*)$")),
    ("number", regex.compile(r"^(?P<m>\d{1,2})\s*[.,)]\s+(?P<rest>\S.*)$")),
    ("letter", regex.compile(r"^(?P<m>[a-zđ])\s?\)\s*(?P<rest>\S.*)$")),
    # OCR drops the dot of an item number: "5 Sở Khoa học và Công nghệ". Only a short capitalised
    # heading is read so, never running text that starts with a number ("15 tháng 6", "2 người").
    ("number", regex.compile(r"^(?P<m>\d{1,2})\s+(?P<rest>\p{Lu}\S*(?:\s+\S+){0,9})$")),
)
_BULLET_RE = regex.compile(r"^(?P<m>[-–—•*·+])\s*(?P<rest>\S.*)$")
_NAMED_RE = regex.compile(
    r"^(?P<word>phan|chuong|muc|dieu)\s+(?P<m>[ivxlc]+|\d{1,3})\b\s*[.:]?\s*(?P<rest>.*)$"
)
_NAMED_KIND = {"phan": "part", "chuong": "chapter", "muc": "division", "dieu": "article"}
_APPENDIX_RE = regex.compile(r"^phu luc\b\s*(?P<m>[ivxlc]+|\d{1,2})?\s*[.:]?\s*(?P<rest>.*)$")


def read_marker(text: str) -> Marker | None:
    """The marker opening `text`, if any. `text` is a stripped line."""
    folded = fold(text)
    named = _NAMED_RE.match(folded)
    if named and (named["word"] != "dieu" or named["rest"][:1].strip() or text.rstrip()[-1:] in ".:"):
        label = text[named.start("m"):named.end("m")]
        kind = _NAMED_KIND[named["word"]]
        if kind in ("part", "chapter") and roman_value(label.upper()):
            label = label.upper()
        return Marker(kind, label, text[: named.end("m")], text[named.start("rest"):].strip())
    appendix = _APPENDIX_RE.match(folded)
    if appendix and (upper_share(text[:7]) > 0.5 or len(text) <= 16):
        label = text[appendix.start("m"):appendix.end("m")].upper() if appendix["m"] else ""
        return Marker("appendix", label, text[: appendix.end("m") if appendix["m"] else 7], text[appendix.start("rest"):].strip())
    match = _ROMAN_RE.match(text)
    if match and match["m"] != "1":  # a lone "1" is an Arabic "1.", even before capitals
        written = match["m"]
        label = written.translate(_ROMAN_OCR).replace("H", "II")
        heading = upper_share(match["rest"]) > 0.6
        exact = written == label and match["dot"] == "." and match.start("m") == 0
        if roman_value(label) and (exact or heading):
            return Marker("roman", label, written, match["rest"].strip())
        if heading and len(match["rest"].split()) >= 2:
            # Roman-looking but unreadable ("Vv."): the sequence check gives it the expected numeral.
            return Marker("roman", "?", written, match["rest"].strip())
    part = _PART_LETTER_RE.match(text)
    if part and upper_share(part["rest"]) > 0.6 and len(part["rest"].split()) >= 2:
        return Marker("part", part["m"], part["m"], part["rest"].strip())
    for kind, pattern in _ITEM_PATTERNS:
        match = pattern.match(text)
        if match:
            label = match["m"]
            if kind == "number" and label.startswith("0"):
                label = label.lstrip("0") or "0"
            return Marker(kind, label, match["m"], match["rest"].strip())
    match = _BULLET_RE.match(text)
    if match and not regex.fullmatch(r"[-–—]?\s*\d{1,3}\s*[-–—]?", text):
        kind = "subbullet" if match["m"] == "+" else "bullet"
        return Marker(kind, match["m"], match["m"], match["rest"].strip())
    return None
