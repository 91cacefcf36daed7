"""Names that span several words: units, places, bodies, titles, the fixed phrases of a document.

A name read as free syllables is only as good as each syllable's own reading:
"Tinh ty" becomes "Tỉnh từ", "By Chính trị" becomes "Ủy Chính trị". Read as a
whole it is plain. The gazetteer (data/gazetteer.txt, built by
training/build_gazetteer.py) finds the runs of words of a clause whose
letters, marks aside, are those of a name: all of them, or all but one
within a letter or two (MAX_LETTERS_OFF; a two-word name only within one).
That one word must be written in the case the name writes it, so "gia tai"
is not taken for "Gia Lai". The restorer then gives each word of the run the
name's syllable as a candidate with a bonus; the language model and the
channel still decide.
"""
from __future__ import annotations

from pathlib import Path

from rapidfuzz.distance import Levenshtein

from pipeline.errors import ModelError
from pipeline.restore.vocab import lm_key
from pipeline.vietnamese import case_pattern, strip_marks

WILDCARD = "*"
MAX_LETTERS_OFF = {2: 1}  # by the number of words of the name; longer names: MAX_LETTERS_OFF_LONG
MAX_LETTERS_OFF_LONG = 2


class Gazetteer:
    def __init__(self, path: Path):
        try:
            names = [line.split() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        except OSError as exc:
            raise ModelError(f"cannot load gazetteer {path}: {exc}") from exc
        self._names = [(tuple(lm_key(w) for w in name), tuple(case_pattern(w) == "title" for w in name))
                       for name in names]
        # Each name under the letters of its words, and under each variant with one word left open.
        self._patterns: dict[tuple[str, ...], list[tuple[int, int]]] = {}
        for number, name in enumerate(names):
            letters = tuple(strip_marks(w).lower() for w in name)
            self._patterns.setdefault(letters, []).append((number, -1))
            for open_word in range(len(letters)):
                pattern = letters[:open_word] + (WILDCARD,) + letters[open_word + 1:]
                self._patterns.setdefault(pattern, []).append((number, open_word))
        self._longest = max((len(name) for name in names), default=0)

    def matches(self, letters: list[str | None], texts: list[str], exact_only: bool = False):
        """(first position, the name's syllables) for each run of the clause that reads as a name.
        `letters`: each word's base letters in lower case, None where the clause has no word."""
        for start in range(len(letters)):
            for length in range(2, self._longest + 1):
                window = letters[start:start + length]
                if len(window) < length or None in window:
                    break
                window = tuple(window)
                found = {number for number, _ in self._patterns.get(window, ())}
                if not exact_only:
                    for open_word in range(length):
                        pattern = window[:open_word] + (WILDCARD,) + window[open_word + 1:]
                        found.update(number for number, name_open in self._patterns.get(pattern, ())
                                     if name_open == open_word
                                     and self._close(number, open_word, window, texts[start + open_word]))
                for number in sorted(found):
                    yield start, self._names[number][0]

    def _close(self, number: int, open_word: int, window: tuple[str, ...], text: str) -> bool:
        syllables, titles = self._names[number]
        pattern = case_pattern(text)
        if pattern != "upper" and (pattern == "title") != titles[open_word]:
            return False
        limit = MAX_LETTERS_OFF.get(len(syllables), MAX_LETTERS_OFF_LONG)
        return Levenshtein.distance(window[open_word], strip_marks(syllables[open_word])) <= limit
