"""Legacy Vietnamese font encodings (TCVN3/ABC and VNI) to Unicode, with detection.

Before Unicode, Vietnamese was typed in fonts whose 8-bit codes were reused
for Vietnamese letters: TCVN3 (.VnTime) puts each toned letter on one code,
VNI (VNI-Times) writes a base letter followed by a code for its marks. A PDF
made from such a document carries those codes in its text layer, read
through the Windows code page as "Uû ban nh©n d©n tØnh" (TCVN3) or
"UÛy ban nhaân daân tænh" (VNI).

Detection converts the text both ways and keeps the conversion only if it
makes many more words well-formed Vietnamese syllables.
"""
from __future__ import annotations

import re
import unicodedata

TCVN3 = "tcvn3"
VNI = "vni"

# TCVN 5712:1993 VN3 (the ABC fonts), as the code page shows each code.
# Only lower-case toned letters have codes; upper-case ones are drawn with a
# separate capitals font (.VnTimeH) on the same codes.
_TCVN3_TO_UNICODE = {
    "\u00b5": "à", "\u00b8": "á", "\u00b6": "ả", "\u00b7": "ã", "\u00b9": "ạ",
    "\u00a8": "ă", "\u00bb": "ằ", "\u00be": "ắ", "\u00bc": "ẳ", "\u00bd": "ẵ", "\u00c6": "ặ",
    "\u00a9": "â", "\u00c7": "ầ", "\u00ca": "ấ", "\u00c8": "ẩ", "\u00c9": "ẫ", "\u00cb": "ậ",
    "\u00ae": "đ",
    "\u00cc": "è", "\u00d0": "é", "\u00ce": "ẻ", "\u00cf": "ẽ", "\u00d1": "ẹ",
    "\u00aa": "ê", "\u00d2": "ề", "\u00d5": "ế", "\u00d3": "ể", "\u00d4": "ễ", "\u00d6": "ệ",
    "\u00d7": "ì", "\u00dd": "í", "\u00d8": "ỉ", "\u00dc": "ĩ", "\u00de": "ị",
    "\u00df": "ò", "\u00e3": "ó", "\u00e1": "ỏ", "\u00e2": "õ", "\u00e4": "ọ",
    "\u00ab": "ô", "\u00e5": "ồ", "\u00e8": "ố", "\u00e6": "ổ", "\u00e7": "ỗ", "\u00e9": "ộ",
    "\u00ac": "ơ", "\u00ea": "ờ", "\u00ed": "ớ", "\u00eb": "ở", "\u00ec": "ỡ", "\u00ee": "ợ",
    "\u00ef": "ù", "\u00f3": "ú", "\u00f1": "ủ", "\u00f2": "ũ", "\u00f4": "ụ",
    "\u00ad": "ư", "\u00f5": "ừ", "\u00f8": "ứ", "\u00f6": "ử", "\u00f7": "ữ", "\u00f9": "ự",
    "\u00fa": "ỳ", "\u00fd": "ý", "\u00fb": "ỷ", "\u00fc": "ỹ", "\u00fe": "ỵ",
    "\u00a1": "Ă", "\u00a2": "Â", "\u00a7": "Đ", "\u00a3": "Ê", "\u00a4": "Ô", "\u00a5": "Ơ", "\u00a6": "Ư",
}
_TCVN3_TRANSLATION = str.maketrans(_TCVN3_TO_UNICODE)


def _vni_table() -> dict[str, str]:
    """VNI-Windows codes (lower case) for every Vietnamese letter that needs one.

    A letter is its base followed by one code for its marks; i, ỵ, ơ, ư and đ
    have single codes of their own.
    """
    tone_codes = {"\u0301": "ù", "\u0300": "ø", "\u0309": "û", "\u0303": "õ", "\u0323": "ï"}
    circumflex_codes = {"": "â", "\u0301": "á", "\u0300": "à", "\u0309": "å", "\u0303": "ã", "\u0323": "ä"}
    breve_codes = {"": "ê", "\u0301": "é", "\u0300": "è", "\u0309": "ú", "\u0303": "ü", "\u0323": "ë"}
    table = {}
    for tone, code in tone_codes.items():
        for base in "aeouy":
            table[base + code] = base + tone
        table["ô" + code] = "ơ" + tone
        table["ö" + code] = "ư" + tone
    for tone, code in circumflex_codes.items():
        for base in "aeo":
            table[base + code] = base + "\u0302" + tone
    for tone, code in breve_codes.items():
        table["a" + code] = "a\u0306" + tone
    table.update({"í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ", "ô": "ơ", "ö": "ư", "ñ": "đ"})
    return {code: unicodedata.normalize("NFC", letter) for code, letter in table.items()}


_VNI_LOWER = _vni_table()
# Capitals use the capital forms of the same codes ("UÛ" = "Ủ"); a capital
# base with a small mark code also occurs in title-case words typed with Shift.
_VNI_TO_UNICODE = {}
for _code, _letter in _VNI_LOWER.items():
    _VNI_TO_UNICODE[_code] = _letter
    _VNI_TO_UNICODE[_code.upper()] = _letter.upper()
    if len(_code) == 2:
        _VNI_TO_UNICODE[_code[0].upper() + _code[1]] = _letter.upper()
_VNI_PATTERN = re.compile("|".join(sorted(map(re.escape, _VNI_TO_UNICODE), key=len, reverse=True)))

# A Vietnamese syllable without its tone mark: onset, vowel nucleus (with
# its glides), final consonant. Good enough to tell text from mojibake.
_ONSETS = "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x"
_NUCLEI = (
    "iêu|yêu|oai|oay|oao|oeo|uây|uôi|ươi|ươu|uya|uyê|uyu|"
    "ai|ao|au|ay|âu|ây|eo|êu|ia|iê|iu|oa|oă|oe|oi|ôi|ơi|oo|ua|uâ|uê|ui|uô|uơ|uy|ưa|ưi|ươ|ưu|yê|"
    "a|ă|â|e|ê|i|y|o|ô|ơ|u|ư"
)
_CODAS = "ng|nh|ch|c|m|n|p|t"
_SYLLABLE = re.compile(f"(?:{_ONSETS})?(?:{_NUCLEI})(?:{_CODAS})?")
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
_WORD = re.compile(r"[^\W\d_]+")


def is_vietnamese_syllable(word: str) -> bool:
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = sum(1 for ch in decomposed if ch in _TONE_MARKS)
    if tones > 1:
        return False
    toneless = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONE_MARKS))
    return _SYLLABLE.fullmatch(toneless) is not None


def syllable_share(text: str) -> float:
    """Share of the words in `text` that are well-formed Vietnamese syllables."""
    words = _WORD.findall(text)
    if not words:
        return 0.0
    return sum(1 for word in words if is_vietnamese_syllable(word)) / len(words)


def tcvn3_to_unicode(text: str) -> str:
    return _restore_capitals(_restore_u_horn(text.translate(_TCVN3_TRANSLATION)))


# Anchored at the start of a run of non-spaces: unanchored, "\S*-" would rescan a long run without a hyphen
# from every position in it (quadratic: a 2 MB line took hours).
_HYPHENATED = re.compile(r"(?<!\S)\S*-\S*")
# A hyphen before a letter ("-íc"), or ending a word after a letter ("T-").
_HYPHEN_BEFORE_LETTER = re.compile(r"-(?=[^\W\d_])|(?<=[^\W\d_])-(?!\w)")


def _restore_u_horn(text: str) -> str:
    """"ư" is TCVN3 code 0xAD, which the PDF standard encoding reads as a hyphen.

    "Ng-êi" -> "Người", while "57-KL", "kinh tế - xã hội" and "- Bộ" keep their hyphens:
    a hyphen becomes "ư" only when that makes its word a Vietnamese syllable.
    """
    def fix(match: re.Match[str]) -> str:
        token = match.group(0)
        candidate = _HYPHEN_BEFORE_LETTER.sub("ư", token)
        if candidate == token:
            return token
        before = _WORD.findall(token)
        after = _WORD.findall(candidate)
        # A word may be valid both ways ("-u" is "u" or "ưu"); a hyphen
        # glued to the front of a word is no bullet, so it is the letter.
        was_valid = all(is_vietnamese_syllable(word) for word in before) and not token.startswith("-")
        if after and all(is_vietnamese_syllable(word) for word in after) and not was_valid:
            return candidate
        return token

    return _HYPHENATED.sub(fix, text)


def vni_to_unicode(text: str) -> str:
    return _VNI_PATTERN.sub(lambda match: _VNI_TO_UNICODE[match.group(0)], text)


_CONVERTERS = {TCVN3: tcvn3_to_unicode, VNI: vni_to_unicode}
# A conversion is believed only if it turns enough more words into
# well-formed syllables, both as a share and as a count; real Unicode text
# loses words when converted, so it never qualifies.
_MIN_GAIN_SHARE = 0.15
_MIN_GAIN_WORDS = 3


def detect(text: str) -> str | None:
    """TCVN3, VNI, or None when `text` reads best as it is."""
    words = len(_WORD.findall(text))
    if words == 0:
        return None
    needed = max(_MIN_GAIN_SHARE, _MIN_GAIN_WORDS / words)
    best_encoding, best_share = None, syllable_share(text) + needed
    for encoding, convert in _CONVERTERS.items():
        share = syllable_share(convert(text))
        if share >= best_share:
            best_encoding, best_share = encoding, share
    return best_encoding


def to_unicode(text: str, encoding: str) -> str:
    return _CONVERTERS[encoding](text)


def _restore_capitals(text: str) -> str:
    """Upper-case what was typed in a TCVN3 capitals font ("NH©N" -> "NHâN" -> "NHÂN").

    Such text has its plain letters in capitals but its toned letters on the
    small-letter codes, the only ones TCVN3 has. A line whose plain letters
    are all capitals is a heading; elsewhere a word is upper-cased when its
    plain letters are capitals and it is not a title-case word like "Sở".
    """
    return "\n".join(_restore_line_capitals(line) for line in text.split("\n"))


def _restore_line_capitals(line: str) -> str:
    plain = [ch for ch in line if ch.isascii() and ch.isalpha()]
    if len(plain) >= 2 and all(ch.isupper() for ch in plain):
        return line.upper()

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        plain_letters = [ch for ch in word if ch.isascii()]
        typed_in_capitals = plain_letters and all(ch.isupper() for ch in plain_letters)
        if typed_in_capitals and (len(plain_letters) >= 2 or not word[0].isupper()):
            return word.upper()
        return word

    return _WORD.sub(fix, line)


def font_encoding(font: str | None) -> str | None:
    """TCVN3 for the ABC fonts (".VnTime", ".VnArialH" ...), VNI for "VNI-Times" ..., else None."""
    name = (font or "").strip().lower()
    if name.startswith(".vn"):
        return TCVN3
    if name.startswith(("vni-", "vni ")):
        return VNI
    return None


def run_to_unicode(text: str, font: str | None) -> str:
    """Text of a word-processor run typed in `font`, in Unicode.

    A document tells the font of every run, so nothing is guessed here: a
    TCVN3 run's codes are translated one by one, and a run in a TCVN3
    capitals font (".VnTimeH": its small-letter codes are drawn as
    capitals) is upper-cased.
    """
    encoding = font_encoding(font)
    if encoding == TCVN3:
        converted = text.translate(_TCVN3_TRANSLATION)
        return converted.upper() if font.strip().lower().endswith("h") else converted
    if encoding == VNI:
        return vni_to_unicode(text)
    return text
