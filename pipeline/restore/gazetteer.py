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

The same matching over the two-syllable words of the corpus (data/words.txt)
proposes the syllable a word lost a letter of ("kip thot": "thời"), without a
bonus: whether it is that word is for the language model to say.
"""
from __future__ import annotations

from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from pipeline.errors import ModelError
from pipeline.restore.tokens import token_case

WILDCARD = "*"
MAX_LETTERS_OFF = {2: 1}  # by the number of words of the name; longer names: MAX_LETTERS_OFF_LONG
MAX_LETTERS_OFF_LONG = 2
READ_CACHE_LIMIT = 200_000


class Gazetteer:
    def __init__(self, path: Path):
        # A line: the name spelled as the language model's words, with its capitals; a tab; its letters.
        try:
            rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            names = [name.split() for name, _ in rows]
            letters = [tuple(letters.split()) for _, letters in rows]
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot load gazetteer {path}: {exc}") from exc
        self._names = [tuple(w.lower() for w in name) for name in names]
        self._titles = [tuple(w[:1].isupper() for w in name) for name in names]
        # A place name, every word capitalised ("Tân Thành"), is only that where the text writes it so:
        # in small letters the same letters are other words ("tán thành", approve). Such names are kept
        # apart, so the runs of a clause in small letters are never compared with them.
        proper = [all(titles) for titles in self._titles]
        self._others = _Index([number for number, is_proper in enumerate(proper) if not is_proper], letters, self._titles)
        self._places = _Index([number for number, is_proper in enumerate(proper) if is_proper], letters, self._titles)

    def matches(self, letters: list[str | None], texts: list[str], exact: bool = True, misread: bool = True):
        """(first position, the name's syllables) for each run of the clause that reads as a name:
        `exact`ly, or with one word `misread`. `letters`: each word's base letters in lower case, None
        where the clause has no word; `texts`: the words as written."""
        letters = tuple(letters)
        capitalised = [text[:1].isupper() for text in texts]
        for start in range(len(letters) - 1):
            for index, capitals_only in ((self._others, False), (self._places, True)):
                for length in range(2, min(index.longest, len(letters) - start) + 1):
                    window = letters[start:start + length]
                    if window[-1] is None or capitals_only and not all(capitalised[start:start + length]):
                        break
                    read = index.read(window, exact, misread)
                    if read is None:
                        break
                    exact_numbers, near = read
                    found = exact_numbers  # in order, each once
                    if near:
                        found = sorted({*exact_numbers, *(number for open_word, number, title in near if self._case_fits(
                            token_case(texts[start + open_word]), title, start + open_word == 0))})
                    for number in found:
                        yield start, self._names[number]

    @staticmethod
    def _case_fits(case: str, title: bool, clause_start: bool) -> bool:
        """A word read otherwise than the name must be written as the name writes it (any word may open
        a clause with a capital, and a heading is all capitals)."""
        return case == "upper" or (case == "title") == title or (clause_start and case == "title")


class _Index:
    """Some of the gazetteer's names (by number), under the letters of their words and under each
    variant with one word left open, for `Gazetteer.matches` to read runs of a clause against."""

    def __init__(self, numbers: list[int], letters: list[tuple[str, ...]], titles: list[tuple[bool, ...]]):
        self._titles = titles
        # Each name under the letters of its words, and under each variant with one word left open.
        self._exact: dict[tuple[str, ...], list[int]] = {}
        # Under an open pattern: the names and the letters of their open word, compared in one call.
        self._open: dict[tuple[str, ...], tuple[list[int], list[str]]] = {}
        for number in numbers:
            self._exact.setdefault(letters[number], []).append(number)
            for open_word in range(len(letters[number])):
                pattern = letters[number][:open_word] + (WILDCARD,) + letters[number][open_word + 1:]
                found, words = self._open.setdefault(pattern, ([], []))
                found.append(number)
                words.append(letters[number][open_word])
        # The beginnings of every pattern: most places of a clause start no name at all, and most runs
        # that start one stop being one after a word or two.
        self._prefixes = {pattern[:n] for pattern in (*self._exact, *self._open) for n in range(2, len(pattern) + 1)}
        self.longest = max((len(letters[number]) for number in numbers), default=0)
        # (exact, misread) -> run of letters -> what `read` found.
        self._reads: dict[tuple[bool, bool], dict[tuple[str, ...], tuple | None]] = {}

    def read(self, window: tuple[str, ...], exact: bool, misread: bool
             ) -> tuple[list[int], list[tuple[int, int, bool]]] | None:
        """The names a run of words' letters may be: those it spells `exact`ly, and (open word, name,
        whether the name writes that word with a capital) for those it spells with one word `misread`,
        within the letters allowed; None if no name begins so. Documents repeat their phrases, so each
        run of letters is compared once."""
        reads = self._reads.setdefault((exact, misread), {})
        if window in reads:
            return reads[window]
        if len(reads) > READ_CACHE_LIMIT:  # bound memory over archive-sized batches
            reads.clear()
        variants = [window[:k] + (WILDCARD,) + window[k + 1:] for k in range(len(window))] if misread else []
        if window not in self._prefixes and self._prefixes.isdisjoint(variants):
            reads[window] = None
            return None
        exact_numbers = list(self._exact.get(window, ())) if exact else []
        near = []
        limit = MAX_LETTERS_OFF.get(len(window), MAX_LETTERS_OFF_LONG)
        for open_word, variant in enumerate(variants):
            entry = self._open.get(variant)
            if entry is None:
                continue
            numbers, words = entry
            found = process.extract(window[open_word], words, scorer=Levenshtein.distance, score_cutoff=limit,
                                    limit=None)
            near.extend((open_word, numbers[k], self._titles[numbers[k]][open_word]) for _, _, k in found)
        read = reads[window] = (exact_numbers, near)
        return read
