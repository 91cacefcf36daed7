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
from rapidfuzz.distance import Levenshtein

from pipeline.parse.matching import fold, squash

_GROUP_COMMA = "\u241f"  # stands in for "," inside a protected group while splitting
_GROUP_AND = "\u241e"  # and for " và "
_LEADING_VERBS = ("giao ", "de nghi ", "yeu cau ", "do ")
# Lower-case words (folded) of generic unit names, allowed anywhere in a unit phrase.
_GENERIC = set("cac so ban nganh bo hoi cap tinh huyen xa phuong khu va cua tren thuoc co".split())
_GENERIC_PAIRS = set(
    "co quan|don vi|dia phuong|doan the|to chuc|lien quan|thi xa|thi tran|thanh pho|dac khu|truc thuoc|nhan dan|"
    "chinh tri|xa hoi|bao chi|truyen thong|thong tin|doanh nghiep|vien thong|cong nghe|ca nhan|dau tu|"
    "nha dau|quan ly|dia ban|cong nghiep|kinh te|luc luong|chuc nang|ngang bo|chinh phu|trung uong|truc thuoc|"
    "quan doi|chien binh|thanh vien|giam doc|he thong".split("|")
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
        "canonical": sorted({(fold(canonical), canonical) for _, canonical in names}),
        # Longest first, so "Ủy ban nhân dân các tỉnh, thành phố" is protected before "tỉnh, thành phố".
        "groups": [regex.compile(r"(?<![\p{L}\d])" + r"\s+(?:cac\s+)?".join(regex.escape(word) for word in fold(group).split())
                                 + r"(?![\p{L}\d])")
                   for group in sorted(data["groups"], key=len, reverse=True)],
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


# OCR specks glued to a word ("Sở@ Tài chính", "Sở| Y tế") are no part of a unit name.
_SPECKS = regex.compile(r"(?<=\p{L})[@#~^|]+(?=[\s,;.:]|$)")


@lru_cache(maxsize=8192)
def expand(text: str) -> str:
    """Abbreviations and name variants replaced by canonical full names."""
    text = _SPECKS.sub("", text)
    gazetteer = _gazetteer()
    folded = fold(text)
    for variant, canonical in gazetteer["names"]:
        if variant in folded:  # a cheap test first: most names are not in a given phrase
            text = _replace_folded(text, variant, canonical)
            folded = fold(text)
    for pattern, full in gazetteer["abbreviations"]:
        text = pattern.sub(full, text)
    return squash(text)


def canonical_unit(name: str) -> str:
    """One unit name in canonical form, a known name misspelt by OCR included."""
    expanded = expand(name).strip(" ,;.:")
    return _known_name_near(expanded) or expanded


def _known_name_near(name: str) -> str | None:
    """The gazetteer name `name` stands for when restoration left a letter or two wrong in it
    ("Ban Tuyên giáo Tính từ" for "Ban Tuyên giáo Tỉnh ủy"): same head word, at most one wrong
    letter in ten, so that "Sở Nội vụ" and "Sở Ngoại vụ" stay apart."""
    folded = fold(name)
    head = folded.split(" ", 1)[0]
    for known_folded, canonical in _gazetteer()["canonical"]:
        if (known_folded.split(" ", 1)[0] == head and known_folded != folded
                and Levenshtein.distance(folded, known_folded) <= len(known_folded) // 10):
            return canonical
    return None


# Head words that open ordinary words too: "Ban hành", "Báo cáo", "Hội nghị", "Phòng, chống".
_NOT_HEADS = regex.compile(r"^(?:ban hanh|bao cao|hoi nghi|hoi thao|truong hop|phong,? chong|phong ngua|doan ket|cuc bo)\b")


def _starts_unit(text: str) -> bool:
    stripped = regex.sub(r"^[Hh]ệ thống\s+(?=các\s)", "", text.lstrip(" ,;"))  # "hệ thống các cơ quan báo chí"
    if _NOT_HEADS.match(fold(stripped)):
        return False
    for head in _gazetteer()["heads"]:
        if stripped.startswith(head) and (len(stripped) == len(head) or not stripped[len(head)].isalpha()):
            return True
    return False


def _protect(text: str) -> str:
    for group in _gazetteer()["groups"]:
        for match in reversed(list(group.finditer(fold(text)))):  # from the end: offsets before stay valid
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
            # Table cells lose separators: "Sở Khoa học và Công nghệ Sở Công Thương".
            chunks = regex.split(r"\s+và\s+|\s+(?=Sở\s+\p{Lu})", piece)
            merged: list[str] = []
            separators = regex.findall(r"\s+và\s+|\s+(?=Sở\s+\p{Lu})", piece)
            for chunk, separator in zip(chunks, [""] + separators):
                if merged and not _starts_unit(chunk):
                    merged[-1] = f"{merged[-1]}{separator or ' '}{chunk}"
                else:
                    merged.append(chunk)
            units.extend(merged)
    cleaned = []
    for unit in units:
        unit = _unprotect(squash(unit)).strip(" ,;.:")
        unit = _known_name_near(unit) or unit
        if unit and unit not in cleaned:
            cleaned.append(unit)
    return cleaned


_VERB_RE = regex.compile(
    r"\s(?:trien khai|thuc hien|to chuc thuc hien|tham muu|bo tri|xay dung|ban hanh|huong dan|theo doi|kiem tra|"
    r"tong hop|bao cao|co trach nhiem|chiu trach nhiem|tang cuong|day manh|nghien cuu|de xuat|ra soat|"
    r"dam bao|bao dam|trong pham vi|theo chuc nang)\b"
)


_DEPARTMENT_HEADS = {"so", "phong"}  # a province's and a district's department of the same field


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
    words = regex.findall(r"[\p{L}\d&]+", text)
    # "Các" opens a unit only before a unit noun: "Các cơ quan", not "Các hoạt động".
    if fold(words[0]) == "cac" and len(words) > 1 and not (
        words[1][:1].isupper() or fold(words[1]) in _GENERIC or fold(" ".join(words[1:3])) in _GENERIC_PAIRS
    ):
        return ""
    head_end = 0
    own_head = folded.split(" ", 1)[0]
    for variant, canonical in _gazetteer()["names"]:
        if variant != fold(canonical):
            continue
        if folded.startswith(variant):
            head_end = len(variant)
            break
        # A district's department is named as the province's: "Phòng Nông nghiệp và Phát triển nông thôn"
        # is whole, as "Sở Nông nghiệp và Phát triển nông thôn" is, small letters and all.
        head, _, rest = variant.partition(" ")
        if (head in _DEPARTMENT_HEADS and own_head in _DEPARTMENT_HEADS and rest
                and folded[len(own_head) + 1:].startswith(rest)):
            head_end = len(own_head) + 1 + len(rest)
            break
    end = head_end
    previous_capital = False  # a gazetteer name is whole: "Bộ Tài chính hoàn thiện" ends before "hoàn"
    tokens = list(regex.finditer(r"[\p{L}\d&]+(?:-[\p{L}\d]+)*|[,;\-–]|\S", text[head_end:]))
    skip_next = False
    for index, match in enumerate(tokens):
        token = match.group()
        if skip_next:
            skip_next = False
        elif token in (",", ";", "-", "–"):
            previous_capital = False
            continue
        elif not token[0].isalnum():
            break
        elif token[0].isupper() or token[0].isdigit():
            previous_capital = True
        else:
            following = tokens[index + 1].group() if index + 1 < len(tokens) else ""
            pair = fold(f"{token} {following}")
            if pair in _GENERIC_PAIRS:
                skip_next = True
            elif _VERB_RE.match(f" {pair}") or not (previous_capital or fold(token) in _GENERIC):
                break
            previous_capital = False
        end = head_end + match.end()
    words = text[:end].split()
    trimmed = True
    while trimmed:  # "… có liên quan tổ chức" -> "… có liên quan"
        trimmed = False
        for verb in _TRAILING_VERBS:
            size = len(verb.split())
            if len(words) > size and fold(" ".join(words[-size:])) == verb:
                words, trimmed = words[:-size], True
                break
    return " ".join(words).strip(" ,;-–")


_ROLE_LEAD = regex.compile(r"\bchu tri\b")
_ROLE_SUPPORT = regex.compile(r"\b(?:phoi hop(?:\s+voi)?|chu tri cung)\b\s*")  # "A chủ trì cùng B" makes B support
_GUIDE = regex.compile(r"^\s*can cu\s+(?:\S+\s+){0,4}?cua\s+")


def _trim_verbs(unit: str) -> str:
    """"Ủy ban nhân dân các huyện triển khai thực hiện" -> "Ủy ban nhân dân các huyện"."""
    match = _VERB_RE.search(fold(unit))
    return unit[: match.start()].strip(" ,;") if match else unit


def _units_in(text: str, running: bool) -> list[str]:
    if running:
        phrase = scan_phrase(text)
        return split_list(phrase) if phrase else []
    return [unit for unit in (_trim_verbs(unit) for unit in split_list(text)) if unit]


def assign_roles(text: str, running: bool = False) -> tuple[list[str], list[str]]:
    """(lead, support) from a unit field's value, or from a duty sentence when `running`.

    In a field the whole value names units, up to a trailing verb phrase; in
    running text a unit phrase ends at its first verb (`scan_phrase`).
    """
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
        return _units_in(text, running), support
    lead = _units_in(text[:cut], running)
    if support_match:
        support.extend(_units_in(text[support_match.end():], running))
    if running and support_match:
        # "Phối hợp với Công an tỉnh kiểm tra …. Phối hợp với Văn phòng UBND tỉnh tham mưu …": each
        # coordinating duty of the item names support units.
        for later in _ROLE_SUPPORT.finditer(folded, support_match.end()):
            support.extend(unit for unit in _units_in(text[later.end():], running) if unit not in support)
    return lead, [unit for unit in support if unit not in lead]


_NOT_UNITS = regex.compile(
    r"^cac\s+(?:nhiem vu|giai phap|hoat dong|noi dung|chi tieu|muc tieu|chuong trinh|du an|de an|chinh sach|co che|"
    r"van ban|bien phap|quy dinh|dieu kien|hinh thuc|tieu chi)\b"
)


def title_unit(title: str) -> list[str]:
    """Units named by a whole heading ("1. Sở Nội vụ", "5. Các chủ đầu tư … Khu công nghiệp"), else [].

    A heading names units when it opens with a unit head word, is short, and
    is not a sentence (no final full stop, no duty verb after the name).
    """
    duty_of = regex.match(r"^(?:Trách nhiệm|Nhiệm vụ) của\s+(?P<unit>.+?)\s*:?\s*$", title.strip())
    if duty_of and len(duty_of["unit"].split()) <= (30 if regex.search(r"[,;]", duty_of["unit"]) else 20):  # "Trách nhiệm của đối tượng thực hiện kiểm kê:"
        return split_list(duty_of["unit"]) if _starts_unit(duty_of["unit"]) else [duty_of["unit"]]
    stripped = regex.sub(r"^(?:Đề nghị|Giao)\s+", "", title.strip()).rstrip(":").strip()
    # "1.3. Các cơ quan tham mưu quản lý ngành, lĩnh vực (gồm các Sở: Xây dựng, …)": the bracket lists the
    # members of the unit named before it, which a noun such as "tham mưu" may follow.
    glossed = regex.match(r"^(?P<name>[^()]+?)\s*\((?:bao\s+)?gồm\b[^()]*\)$", stripped)
    if glossed and _starts_unit(glossed["name"]) and len(glossed["name"].split()) <= 15 \
            and not regex.search(r"[.;]$|\b(?:chu tri|phoi hop)\b", fold(glossed["name"])):
        return split_list(glossed["name"])
    name, _, places = stripped.partition(":")  # "Ủy ban nhân dân các xã: Gia Thuận, Tân Điền"
    place_names = [place.strip() for place in places.split(",")]
    if places and all(place[:1].isupper() and len(place.split()) <= 4 for place in place_names):
        return [stripped] if title_unit(name) == [name.strip()] else []
    folded = fold(stripped)
    if (
        not stripped
        or len(stripped.split()) > (25 if "," in stripped else 15)  # a list of units runs longer
        or stripped.endswith((".", ";"))
        or not _starts_unit(stripped)
        or _NOT_UNITS.match(folded)
        or regex.search(r"\b(?:chu tri|phoi hop)\b", folded)
        or _VERB_RE.search(folded[len(scan_phrase(stripped)):] if scan_phrase(stripped) else folded)
    ):
        return []
    return split_list(stripped)
