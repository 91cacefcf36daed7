"""The OCR channel: how likely an OCR token is, given the syllable that was printed.

    log P(ocr | syllable) = log( λ · P_table(ocr | syllable) + (1 - λ) · P_edit(ocr | syllable) )

P_table counts whole-token confusions seen in training ("của" -> "cia");
P_edit scores any other token by the cheapest character edit script under
learned per-character costs, so unseen confusions still get a sensible
score. One parameter set ("profile") per kind of source: legacy English-model
OCR, Tesseract `vie` OCR, and clean text that may only have lost its marks.
The parameters are trained by training/build_channel.py.
"""
from __future__ import annotations

import functools
import gzip
import json
import math
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import regex
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from pipeline.errors import ModelError
from pipeline.restore.edits import EMPTY, LONGEST_READ, distances_many
from pipeline.restore.tokens import DIGIT_LETTERS, clean_junk
from pipeline.vietnamese import strip_marks

LEGACY = "legacy"  # English-model OCR: marks lost, letters confused
TESSERACT = "tesseract"  # Tesseract `vie`: mostly right, hook/tilde confusions
CLEAN = "clean"  # typed text, possibly without marks

TABLE_WEIGHT = 0.5  # λ: trust in whole-token counts where a syllable was seen often enough
MIN_TABLE_SUPPORT = 5
UNSEEN_SUBSTITUTION = 9.0  # -log P for character edits never seen in training
UNSEEN_SAME_LETTER = 6.0
UNSEEN_INDEL = 9.0
MAX_CANDIDATES = 40  # the decoder narrows these down further with the language model's unigram prior
CACHE_LIMIT = 200_000
# A letter read as several characters at least this likely (log P) is undone when looking up candidates.
MULTI_READ_LOOKUP = -6.0
CHANNEL_BEAM = 10.0  # candidates this much less likely than the best reading are not worth decoding
NEAR_BATCH = 1_000  # OCR skeletons compared with every syllable's in one call: a few megabytes of distances
D_BAR_INITIAL_READS = "pb"
_LONE_Q = regex.compile(r"Q(?!U)")


def channel_text(token: str) -> str:
    """An English-model OCR token as the channel reads it: in lower case, where a capital I before
    lower-case letters only is the model's l ("Idi" for "lợi", "Itta" for "lứa"; "IoT" stays), and in
    capitals a Q without its U an O."""
    if token[:1] == "I" and token[1:] != token[1:].upper():
        letters = [c for c in token[1:] if c.isalpha()]
        if all(c.islower() for c in letters):
            return "l" + token[1:]
    if token.isupper():
        # Vietnamese writes Q only before U: in capitals any other Q is an O with a horn ("LUQNG": "LƯỢNG").
        token = _LONE_Q.sub("O", token)
    return token.lower()


@functools.lru_cache(maxsize=1 << 16)  # asked of every word, in every clause it is in
def skeleton(ocr: str) -> str:
    """Lowercase base letters of an OCR token, junk removed and letter-like digits read as letters."""
    return strip_marks(clean_junk(ocr).translate(DIGIT_LETTERS)).lower()


def edit_cost(substitution: dict[str, dict[str, float]], insertion: dict[str, float], g: str, o: str) -> float:
    """-log P of gold character g read as the OCR string o (EMPTY: dropped; g EMPTY: o added), under
    learned log-probabilities; a letter read as several characters only where training saw it."""
    if g == EMPTY:
        return -insertion.get(o, -UNSEEN_INDEL)
    row = substitution.get(g)
    if row is not None and o in row:
        return -row[o]
    if len(o) > 1:
        return math.inf
    if o and strip_marks(g) == strip_marks(o):
        return UNSEEN_SAME_LETTER
    return UNSEEN_INDEL if o == EMPTY else UNSEEN_SUBSTITUTION


class ChannelProfile:
    def __init__(self, params: dict, syllables: list[str]):
        self.substitution: dict[str, dict[str, float]] = params["substitution"]
        self.insertion: dict[str, float] = params["insertion"]
        self.tokens: dict[str, dict[str, int]] = params["tokens"]  # ocr -> {syllable: count}
        self.syllable_counts: dict[str, int] = params["syllable_counts"]
        self.keep_unknown = params["keep_unknown"]  # log P that an OCR token not in the lexicon is right as is
        self.keep_known = params["keep_known"]  # the same for a token the language model knows ("IoT", "kW")
        self.max_skeleton_distance = params["max_skeleton_distance"]
        self.digits_as_letters: bool = params["digits_as_letters"]  # "6" may be "ở"
        self._cache: dict[str, list[tuple[str, float]]] = {}
        self._costs: dict[tuple[str, str], float] = {}
        # Every syllable a token may be scored against, as a row of character codes, with its
        # training count: a token's candidates are then rows picked out, not strings re-encoded.
        # Rows are in alphabetical order, so sorted rows are sorted spellings.
        spellings = sorted(set(syllables).union(*self.tokens.values()))
        self._spellings = spellings
        self._row = {spelling: row for row, spelling in enumerate(spellings)}
        by_skeleton: dict[str, list[int]] = defaultdict(list)
        for syllable in syllables:
            by_skeleton[strip_marks(syllable)].append(self._row[syllable])
        self._by_skeleton = {key: np.array(rows, dtype=np.int64) for key, rows in by_skeleton.items()}
        self._skeletons = list(self._by_skeleton)
        alphabet = sorted(set("".join(spellings)))
        code = {c: i for i, c in enumerate(alphabet)}
        self._lengths = np.array([len(s) for s in spellings])
        self._codes = np.zeros((len(spellings), self._lengths.max(initial=1)), dtype=np.int64)
        for row, spelling in enumerate(spellings):
            self._codes[row, :len(spelling)] = [code[c] for c in spelling]
        self._seen = np.array([self.syllable_counts.get(s, 0) for s in spellings], dtype=np.float64)
        self._alphabet = alphabet
        self._deletion = np.array([self._cost(c, EMPTY) for c in alphabet])
        self._read_as: dict[str, np.ndarray] = {}  # OCR character -> cost of each alphabet letter read as it
        # What `_read_as_column` builds its columns from, as `edit_cost` reads it: the letters of each base
        # letter, and for each OCR string the letters training saw read as it, with the cost.
        self._same_base: dict[str, list[int]] = defaultdict(list)
        for number, letter in enumerate(alphabet):
            self._same_base[strip_marks(letter)].append(number)
        self._seen_read: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for g, row in self.substitution.items():
            if g in code:
                for o, logprob in row.items():
                    self._seen_read[o].append((code[g], -logprob))
        self._confusion_rows: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # see _confusions
        # OCR strings of two or more characters training saw for one letter, and in skeletons, the
        # base letter each stands for: "gitlra" is looked up as "giua" too.
        self._multi_reads = {o for row in self.substitution.values() for o in row if len(o) > 1}
        self._read_letters: dict[str, set[str]] = defaultdict(set)
        for g, row in self.substitution.items():
            for o in row:
                if len(skeleton(o)) > 1 and row[o] >= MULTI_READ_LOOKUP:
                    self._read_letters[skeleton(o)].add(strip_marks(g))

    def reading(self, token: str) -> str:
        """The token as this channel reads it: in lower case, and for English-model OCR with its capital I
        taken for the l it often is (`channel_text`)."""
        return channel_text(token) if self.digits_as_letters else token.lower()

    def _cost(self, g: str, o: str) -> float:
        try:
            return self._costs[g, o]
        except KeyError:
            cost = self._costs[g, o] = edit_cost(self.substitution, self.insertion, g, o)
            return cost

    def logprobs_many(self, queries: list[tuple[str, list[str]]]) -> list[np.ndarray]:
        """log P(ocr | syllable) for the syllables of the lexicon given with each OCR token (lowercase,
        without junk), all scored together."""
        unique = [np.unique(np.array([self._row[syllable] for syllable in syllables], dtype=np.int64),
                            return_inverse=True) for _, syllables in queries]
        scored = self._logprobs_many([(ocr, rows) for (ocr, _), (rows, _) in zip(queries, unique)])
        return [scores[position] for scores, (_, position) in zip(scored, unique)]

    def _logprobs_many(self, queries: list[tuple[str, np.ndarray]]) -> list[np.ndarray]:
        """`logprobs_many` for the syllables of the given rows: the edit costs of the tokens of each
        length in one table."""
        by_length: dict[int, list[int]] = defaultdict(list)
        for number, (ocr, _) in enumerate(queries):
            by_length[len(ocr)].append(number)
        scored: list[np.ndarray] = [np.empty(0)] * len(queries)
        for numbers in by_length.values():
            for number, scores in zip(numbers, self._logprobs_same_length([queries[n] for n in numbers])):
                scored[number] = scores
        return scored

    def _logprobs_same_length(self, queries: list[tuple[str, np.ndarray]]) -> list[np.ndarray]:
        widths = np.array([len(ocr) for ocr, _ in queries])
        width = int(widths.max())
        substitution = np.full((len(queries), len(self._alphabet), width), np.inf)
        insertion = np.full((len(queries), width), np.inf)
        reads: dict[int, np.ndarray] = {}  # only for the lengths some token has a piece of that is read so
        for number, (ocr, _) in enumerate(queries):
            if not ocr:
                continue
            substitution[number, :, :len(ocr)] = np.array([self._read_as_column(o) for o in ocr]).T
            insertion[number, :len(ocr)] = [self._cost(EMPTY, o) for o in ocr]
            for length in range(2, min(LONGEST_READ, len(ocr)) + 1):
                pieces = [ocr[j:j + length] for j in range(len(ocr) - length + 1)]
                # Other pieces cost infinity for every letter: no read of them is ever the cheapest.
                if any(piece in self._multi_reads for piece in pieces):
                    if length not in reads:
                        reads[length] = np.full((len(queries), len(self._alphabet), width - length + 1), np.inf)
                    reads[length][number, :, :len(pieces)] = np.array([self._read_as_column(piece) for piece in pieces]).T
        all_rows = np.concatenate([rows for _, rows in queries])
        reading = np.repeat(np.arange(len(queries)), [len(rows) for _, rows in queries])
        costs = distances_many(self._codes[all_rows], self._lengths[all_rows], reading, substitution, self._deletion,
                               insertion, widths, reads)
        scored = []
        for (ocr, rows), cost in zip(queries, np.split(costs, np.cumsum([len(rows) for _, rows in queries])[:-1])):
            edit = np.exp(-cost)
            confusions = np.zeros(len(rows))
            seen_as = self._confusions(ocr)
            if seen_as is not None and len(rows):
                confused, counts = seen_as
                at = np.minimum(np.searchsorted(rows, confused), len(rows) - 1)
                present = rows[at] == confused  # candidates() asks for all of them, logprobs_many() for some
                confusions[at[present]] = counts[present]
            seen = self._seen[rows]
            table = confusions / np.maximum(seen, 1)
            mixed = np.where(seen >= MIN_TABLE_SUPPORT, TABLE_WEIGHT * table + (1 - TABLE_WEIGHT) * edit, edit)
            scored.append(np.log(mixed + 1e-300))
        return scored

    def _confusions(self, ocr: str) -> tuple[np.ndarray, np.ndarray] | None:
        """The rows of the syllables training saw read as `ocr`, and how often, as arrays; None if none."""
        counts = self.tokens.get(ocr)
        if not counts:
            return None
        seen_as = self._confusion_rows.get(ocr)
        if seen_as is None:
            seen_as = self._confusion_rows[ocr] = (np.array([self._row[spelling] for spelling in counts], dtype=np.int64),
                                                   np.array(list(counts.values()), dtype=np.float64))
        return seen_as

    def _read_as_column(self, o: str) -> np.ndarray:
        """The cost of each alphabet letter read as the OCR string `o` (not empty): `edit_cost`, laid out
        from the letters training saw read so and those of the same base letter, not asked letter by letter."""
        column = self._read_as.get(o)
        if column is None:
            if len(o) > 1:
                column = np.full(len(self._alphabet), math.inf)
            else:
                column = np.full(len(self._alphabet), UNSEEN_SUBSTITUTION)
                column[self._same_base.get(strip_marks(o), [])] = UNSEEN_SAME_LETTER
            for number, cost in self._seen_read.get(o, ()):
                column[number] = cost
            self._read_as[o] = column
        return column

    def candidates(self, ocr: str) -> list[tuple[str, float]]:
        """The likeliest syllables behind a lowercase OCR token, with log P(ocr | syllable)."""
        cached = self._cache.get(ocr)
        if cached is None:
            self.prepare([ocr])
            cached = self._cache[ocr]
        return cached

    def prepare(self, tokens: Iterable[str]) -> None:
        """Find the candidates of many lowercase OCR tokens at once, for `candidates` to give: a
        text's new words are scored in one table, not one small table each."""
        if len(self._cache) > CACHE_LIMIT:  # bound memory over archive-sized batches
            self._cache.clear()
        plans = {ocr: self._pool(ocr) for ocr in dict.fromkeys(tokens) if ocr not in self._cache}
        near = self._near_skeletons({query for _, queries in plans.values() for query in queries})
        pools = {ocr: np.unique(np.concatenate(rows + [self._by_skeleton[neighbour] for query in queries
                                                       for neighbour in near[query]]))
                 for ocr, (rows, queries) in plans.items()}
        scored = iter(self._logprobs_many([(clean_junk(ocr), rows) for ocr, rows in pools.items() if len(rows)]))
        for ocr, rows in pools.items():
            if not len(rows):
                self._cache[ocr] = []
                continue
            scores = next(scored)
            # Best first; equal scores in alphabetical order.
            order = np.argsort(-scores, kind="stable")[:MAX_CANDIDATES]
            floor = scores[order[0]] - CHANNEL_BEAM
            self._cache[ocr] = [(self._spellings[row], score)
                                for row, score in zip(rows[order].tolist(), scores[order].tolist()) if score >= floor]

    def _pool(self, ocr: str) -> tuple[list[np.ndarray], list[tuple[str, bool]]]:
        """The rows of the syllables worth scoring for an OCR token: those found by its letters, and the
        (skeleton, garbled) queries whose near skeletons' syllables are worth scoring too (`_near_skeletons`)."""
        text = clean_junk(ocr)
        pool = [np.array([self._row[spelling] for spelling in self.tokens.get(text, ())], dtype=np.int64)]
        queries = []
        key = skeleton(ocr)
        if key:
            pool.append(self._by_skeleton.get(key, pool[0][:0]))
            # Junk, a digit or no vowel at all in a short token: a letter the OCR could not read ("B¢"
            # for "Bộ", "cg" for "có").
            garbled = key != text or text != ocr or not any(c in "aeiouy" for c in key)
            queries.append((key, garbled))
            if self.digits_as_letters and key[0] in D_BAR_INITIAL_READS:
                # English-model OCR reads an initial capital Đ as P or B too ("Péc lap": "Độc lập").
                undone = "d" + key[1:]
                pool.append(self._by_skeleton.get(undone, pool[0][:0]))
                queries.append((undone, garbled))
            for read, letters in self._read_letters.items():
                if read in key:
                    for letter in letters:
                        undone = key.replace(read, letter, 1)
                        pool.append(self._by_skeleton.get(undone, pool[0][:0]))
                        queries.append((undone, True))
        return pool, queries

    def _near_skeletons(self, queries: Iterable[tuple[str, bool]]) -> dict[tuple[str, bool], list[str]]:
        """For each (skeleton, garbled), the skeletons of syllables within edit distance of it: the nearest
        ones, and for longer tokens one step further (English OCR often turns one letter into two, "ư" ->
        "ir"). All are compared in one call, NEAR_BATCH at a time: far faster than one call each."""
        queries = list(queries)
        near: dict[tuple[str, bool], list[str]] = {}
        for first in range(0, len(queries), NEAR_BATCH):
            batch = queries[first:first + NEAR_BATCH]
            # Distances above the cutoff come back as cutoff + 1: each query's own limit below is no higher.
            distances = process.cdist([key for key, _ in batch], self._skeletons, scorer=Levenshtein.distance,
                                      score_cutoff=self.max_skeleton_distance, dtype=np.int32)
            for (key, garbled), found in zip(batch, distances):
                limit = self.max_skeleton_distance if len(key) > 2 or garbled else 0
                within = found <= limit
                if not within.any():
                    near[key, garbled] = []
                    continue
                nearest = int(found[within].min())
                reach = nearest + 1 if len(key) >= 3 else nearest
                near[key, garbled] = [self._skeletons[i] for i in np.flatnonzero(found <= min(reach, limit)).tolist()]
        return near


class ChannelModel:
    def __init__(self, path: Path, syllables: list[str]):
        try:
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot load channel model {path}: {exc}") from exc
        self.profiles = {name: ChannelProfile(params, syllables) for name, params in data["profiles"].items()}

    def __getitem__(self, profile: str) -> ChannelProfile:
        return self.profiles[profile]
