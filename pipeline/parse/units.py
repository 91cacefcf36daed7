"""Implementing units: who leads a task, who supports it.

Unit text is read in three steps:
1. Expansion: abbreviations become full words ("UBND" -> "Ủy ban nhân dân")
   and known variants become canonical names ("Sở TT&TT" -> "Sở Thông tin
   và Truyền thông"), from data/units.json.
2. Roles: "A chủ trì, phối hợp (với) B" and "A phối hợp (với) B" make A
   lead and B support; "Căn cứ hướng dẫn của X, A, B triển khai thực hiện"
   makes A, B lead and X (the guiding body) support; a bare list is all lead.
3. Splitting a list into units: at ";" always; at "," and "và" only when
   what follows starts a new unit (a head word such as "Sở", "Ban", "Ủy
   ban", "các …"). So "Sở Văn hóa, Thể thao và Du lịch", "các sở, ban,
   ngành" and "Ủy ban nhân dân các huyện, thị xã, thành phố" stay whole;
   the gazetteer's fixed groups are protected explicitly.

In running text ("Sở Tài chính chủ trì, phối hợp với các Sở, ban, ngành …
bố trí kinh phí …") a unit phrase ends where the verb starts: after its head
word a phrase takes capitalised syllables, one lower-case syllable right
after a capitalised one ("Tư pháp", "Tài chính"), and the words of generic
unit names ("các", "cơ quan", "địa phương", "cấp xã" …); anything else ends it.
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

import regex

from pipeline.parse.matching import fold, squash

_GROUP_COMMA = "\u241f"  # stands in for "," inside a protected group while splitting
_GROUP_AND = "\u241e"  # and for " và "
_LEADING_VERBS = ("giao ", "de nghi ", "yeu cau ", "do ")
# Syllables (folded) that may follow a lower-case syllable inside a unit phrase.
_GENERIC = set(
    "cac so ban nganh co quan don vi dia phuong doan the to chuc hoi lien cap tinh huyen xa thi tran thanh pho "
    "dac khu truc thuoc nhan dan va tren chinh tri bao chi truyen thong tin doanh nghiep vien cong nghe cao "
    "ly cua ca nhan nha dau tu".split()
)
_TRAILING_VERBS = ("to chuc", "trien khai", "thuc hien", "co", "va", "cua", "tren", "cac")


@lru_cache(maxsize=1)
def _gazetteer() -> dict:
    with resources.files("pipeline.parse").joinpath("data/units.json").open(encoding="utf-8") as handle:
        data = json.load(handle)
    names = sorted(data["names"].items(), key=lambda item: -len(item[0]))
    return {
        "abbreviations": [
            (regex.compile(rf"(?<![\p{{L}}\d]){regex.escape(short)}(?![\p{{L}}\d])"), full)
            for short, full in sorted(data["abbreviations"].items(), key=lambda item: -len(item[0]))
        ],
        "names": [(fold(variant), canonical) for variant, canonical in names],
        "groups": [fold(group) for group in data["groups"]],
        "heads": sorted(data["heads"], key=len, reverse=True),
    }


def _replace_folded(text: str, variant_folded: str, replacement: str) -> str:
    """Replace every whole-word occurrence of a folded variant in `text`."""
    pattern = regex.compile(rf"(?<![\p{{L}}\d&]){regex.escape(variant_folded)}(?![\p{{L}}\d&])")
    folded = fold(text)
    pieces, position = [], 0
    for match in pattern.finditer(folded):
        pieces.append(text[position: match.start()])
        pieces.append(replacement)
        position = match.end()
    pieces.append(text[position:])
    return "".join(pieces)


def expand(text: str) -> str:
    """Abbreviations and name variants replaced by canonical full names."""
    gazetteer = _gazetteer()
    for variant, canonical in gazetteer["names"]:
        if variant != fold(canonical) or variant in fold(text):
            text = _replace_folded(text, variant, canonical)
    for pattern, full in gazetteer["abbreviations"]:
        text = pattern.sub(full, text)
    return squash(text)


def canonical_unit(name: str) -> str:
    """One unit name in canonical form."""
    return expand(name).strip(" ,;.:")


def _starts_unit(text: str) -> bool:
    stripped = text.lstrip(" ,;")
    for head in _gazetteer()["heads"]:
        if stripped.startswith(head) and (len(stripped) == len(head) or not stripped[len(head)].isalpha()):
            return True
    return False


def _protect(text: str) -> str:
    folded = fold(text)
    for group in _gazetteer()["groups"]:
        for match in regex.finditer(regex.escape(group), folded):
            inner = text[match.start(): match.end()].replace(",", _GROUP_COMMA).replace(" và ", _GROUP_AND)
            text = text[: match.start()] + inner + text[match.end():]
    return text


def _unprotect(text: str) -> str:
    return text.replace(_GROUP_COMMA, ",").replace(_GROUP_AND, " và ")


def split_list(text: str) -> list[str]:
    """"Sở A, Sở B và các sở, ban, ngành" -> ["Sở A", "Sở B", "các sở, ban, ngành"]."""
    text = _protect(expand(text))
    units: list[str] = []
    for part in regex.split(r"\s*;\s*", text):
        pieces: list[str] = []
        for segment in part.split(","):
            if pieces and not _starts_unit(segment):
                pieces[-1] = f"{pieces[-1]},{segment}"
            else:
                pieces.append(segment)
        for piece in pieces:
            chunks = regex.split(r"\s+và\s+", piece)
            merged: list[str] = []
            for chunk in chunks:
                if merged and not _starts_unit(chunk):
                    merged[-1] = f"{merged[-1]} và {chunk}"
                else:
                    merged.append(chunk)
            units.extend(merged)
    cleaned = []
    for unit in units:
        unit = _unprotect(squash(unit)).strip(" ,;.:")
        if unit and unit not in cleaned:
            cleaned.append(unit)
    return cleaned


def scan_phrase(text: str) -> str:
    """The unit phrase opening `text` (see the module notes), or "" if it does not open with one."""
    text = expand(text)
    folded = fold(text)
    for verb in _LEADING_VERBS:
        if folded.startswith(verb):
            text, folded = text[len(verb):], folded[len(verb):]
            break
    if not _starts_unit(text):
        return ""
    words = folded.split()
    # "Các" opens a unit only before a unit noun: "Các cơ quan", not "Các hoạt động".
    if words[0] == "cac" and len(words) > 1 and words[1] not in _GENERIC and not text.split()[1][:1].isupper():
        return ""
    for variant, canonical in _gazetteer()["names"]:
        if folded.startswith(variant) and variant == fold(canonical):
            head_end = len(variant)
            break
    else:
        head_end = 0
    end = head_end
    previous_capital = head_end > 0
    for match in regex.finditer(r"[\p{L}\d&]+(?:-[\p{L}\d]+)*|[,;\-–]|\S", text[head_end:]):
        token = match.group()
        if token in (",", ";", "-", "–"):
            previous_capital = False
            continue
        if not token[0].isalnum():
            break
        if token[0].isupper() or token[0].isdigit():
            previous_capital = True
        elif previous_capital or fold(token) in _GENERIC:
            previous_capital = False
            if fold(token) not in _GENERIC and end == 0:
                break
        else:
            break
        end = head_end + match.end()
    phrase = text[:end]
    words = phrase.split()
    while words and any(fold(" ".join(words[-len(verb.split()):])) == verb for verb in _TRAILING_VERBS):
        verb = next(v for v in _TRAILING_VERBS if fold(" ".join(words[-len(v.split()):])) == v)
        words = words[: -len(verb.split())]
    return " ".join(words).strip(" ,;-–")


_ROLE_LEAD = regex.compile(r"\bchu tri\b")
_ROLE_SUPPORT = regex.compile(r"\bphoi hop(?:\s+voi)?\b\s*")
_GUIDE = regex.compile(r"^\s*can cu\s+(?:\S+\s+){0,4}?cua\s+")


def _units_in(text: str) -> list[str]:
    phrase = scan_phrase(text)
    return split_list(phrase) if phrase else []


def assign_roles(text: str) -> tuple[list[str], list[str]]:
    """(lead, support) from a unit field's value or a duty sentence."""
    text = expand(text)
    folded = fold(text)
    support: list[str] = []
    guide = _GUIDE.match(folded)
    if guide:
        rest = text[guide.end():]
        guides = split_list(rest.split(",")[0]) if "," in rest else []
        if guides:
            support.extend(guides[:1])
            text = rest[len(rest.split(",")[0]) + 1:]
            folded = fold(text)
    lead_match = _ROLE_LEAD.search(folded)
    support_match = _ROLE_SUPPORT.search(folded)
    cut = min(m.start() for m in (lead_match, support_match) if m) if (lead_match or support_match) else None
    if cut is None:
        lead = _units_in(text) or split_list(text)
        return lead, support
    lead = _units_in(text[:cut]) or split_list(text[:cut])
    if support_match:
        support.extend(_units_in(text[support_match.end():]))
    return lead, [unit for unit in support if unit not in lead]


def title_unit(title: str) -> list[str]:
    """Units named by a whole heading ("1. Sở Nội vụ", "4. Các Sở, ban, ngành …"), else []."""
    stripped = title.strip().rstrip(":")
    if not stripped or len(stripped.split()) > 25 or not _starts_unit(regex.sub(r"^(?:Đề nghị|Giao)\s+", "", stripped)):
        return []
    if fold(stripped).startswith(("de nghi ", "giao ")):
        stripped = stripped.split(" ", 2)[2] if fold(stripped).startswith("de nghi ") else stripped.split(" ", 1)[1]
    phrase = scan_phrase(stripped)
    covered = len(phrase.split()) >= len(expand(stripped).split()) - 2
    return split_list(stripped) if covered or ":" in stripped else []
