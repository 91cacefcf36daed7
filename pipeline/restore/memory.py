"""Document memory: a document reads its own names and phrases the same way each time.

Two kinds of evidence are kept from what the restorer read with confidence
(posterior at least MEMORY_CONFIDENCE) in a first pass over the document:

- Names. "Tinh" inside a clause is "Tỉnh" in one document and "Tính" in
  hardly any; "Pang" is "Đảng" wherever the context makes it plain. For each
  capitalised OCR token inside a clause, the readings chosen with confidence
  are counted; other occurrences of the same token get
  NAME_WEIGHT · log((n(reading) + ½) / (n + ½)) added to their channel score.
  Lower-case words are not kept this way: "dan" is "dân" or "dẫn" by context.
- Phrases. A cache language model: the document's own bigrams of confident
  words, interpolated with the corpus model,
  P(w | u v) = (1 - λ) P_corpus(w | u v) + λ c(v w) / c(v),
  so "Tỉnh ủy", read clearly once, helps "Tinh ty" elsewhere.
- Words. A word in small letters is weighed the same way, more gently
  (WORD_WEIGHT · log((n(reading) + WORD_PRIOR) / (n + WORD_PRIOR))): a plan
  about the sea reads "bien" as "biển" far more often than as "biến", and a
  reading the context leaves open takes the document's side. The prior keeps
  a word the document reads in two ways ("dan": "dân", "dẫn") to its context.

Clauses left unsure, or where a name was read otherwise than the document
reads it, are decoded a second time with this memory.
"""
from __future__ import annotations

from collections import Counter

import numpy as np

from pipeline.restore.lm import TrigramLM, pack
from pipeline.restore.tokens import token_case

MEMORY_CONFIDENCE = 0.95
NAME_WEIGHT = 2.0
NAME_PRIOR = 0.5
# Tuned on held-out corpus text stripped of its marks (paragraphs in runs of 200, the model trained
# without them): errors 1,107 -> 1,038 of 257,082 words; weights 0.5-1.5, priors 0.5-6 all gain.
WORD_WEIGHT = 1.0
WORD_PRIOR = 3.0
CACHE_WEIGHT = 0.1  # λ
SECOND_PASS_BELOW = 0.9  # a clause with a word less sure than this is decoded again with the memory
MEMORY_LIMIT = 200_000  # names and bigrams remembered; bounds memory over archive-sized texts
EVIDENCE_LIMIT = 5_000  # tokens' weighed options kept for a pass: a document's words (dev English-model OCR: 3,700)


class CachedLM:
    """The corpus language model interpolated with the document's bigram cache; queried like it."""

    def __init__(self, base: TrigramLM, keys: np.ndarray, probabilities: np.ndarray):
        self.base, self.start, self.end = base, base.start, base.end
        self._keys, self._probabilities = keys, np.append(probabilities, 0.0)

    def logprob(self, u, v, w) -> np.ndarray:
        corpus = self.base.logprob(u, v, w)
        queries = pack(0, v, w)
        positions = np.minimum(np.searchsorted(self._keys, queries), len(self._keys) - 1)
        cached = self._probabilities[np.where(self._keys[positions] == queries, positions, -1)]
        # The decoder asks for millions of scores at once: the mixture is made in one array of that size.
        mixed = np.exp(np.atleast_1d(corpus))
        mixed *= 1 - CACHE_WEIGHT
        mixed += CACHE_WEIGHT * cached
        return np.log(mixed, out=mixed).reshape(np.shape(corpus))


class DocumentMemory:
    def __init__(self):
        self._names: dict[str, Counter[str]] = {}
        self._words: dict[str, Counter[str]] = {}
        self._bigrams: Counter[tuple[int, int]] = Counter()
        self._model: CachedLM | None = None
        # What the readings say of a token's options, until the next clause is learned: a document
        # repeats its words, each asked for in every clause it is in.
        self._evidence: dict[tuple[bool, str, tuple[str, ...]], np.ndarray] = {}

    def learn(self, first, decisions, chosen: list[tuple[int, float]]) -> None:
        """Keep what a clause's first pass read with confidence: `first` is the clause's first token,
        `decisions` (line index, Decision) its words, `chosen` (word id, confidence) per position."""
        if len(self._names) + len(self._words) + len(self._bigrams) > MEMORY_LIMIT:
            self._names.clear()
            self._words.clear()
            self._bigrams.clear()
        for _, decision in decisions:
            if decision.token is not first and decision.confidence >= MEMORY_CONFIDENCE and _is_name(decision):
                self._names.setdefault(decision.token.text, Counter())[decision.reading] += 1
            if decision.confidence >= MEMORY_CONFIDENCE and decision.reading and decision.token.text.islower():
                self._words.setdefault(decision.token.text, Counter())[decision.reading] += 1
        for (v, v_confidence), (w, w_confidence) in zip(chosen, chosen[1:]):
            if min(v_confidence, w_confidence) >= MEMORY_CONFIDENCE:
                self._bigrams[v, w] += 1
        self._model = None
        self._evidence.clear()

    def worth_another_pass(self, first, decisions) -> bool:
        for _, decision in decisions:
            if decision.confidence < SECOND_PASS_BELOW:
                return True
            if decision.token is not first and _is_name(decision):
                readings = self._names.get(decision.token.text)
                if readings and readings.most_common(1)[0][0] != decision.reading:
                    return True
        return False

    def scores(self, token: str, options: list[str]) -> np.ndarray | float:
        """What the document's confident readings of this capitalised token say of each option."""
        return self._weighed(True, token, options)

    def word_scores(self, token: str, options: list[str]) -> np.ndarray | float:
        """What the document's confident readings of this word in small letters say of each option."""
        return self._weighed(False, token, options)

    def _weighed(self, name: bool, token: str, options: list[str]) -> np.ndarray | float:
        readings = (self._names if name else self._words).get(token)
        if not readings:
            return 0.0
        key = (name, token, tuple(options))
        found = self._evidence.get(key)
        if found is None:
            if len(self._evidence) >= EVIDENCE_LIMIT:
                self._evidence.clear()
            found = self._evidence[key] = _evidence(readings, options, *((NAME_WEIGHT, NAME_PRIOR) if name
                                                                         else (WORD_WEIGHT, WORD_PRIOR)))
        return found

    def language_model(self, base: TrigramLM) -> TrigramLM | CachedLM:
        if not self._bigrams:
            return base
        if self._model is None:
            # <unk> stands for every word the model does not know: a document's "non <unk>" ("mầm non @
            # địa bàn", the symbol kept) says nothing of the next word it does not know.
            known = [(pair, count) for pair, count in self._bigrams.items() if base.unknown not in pair]
            if not known:
                return base
            pairs = np.array([pair for pair, _ in known], dtype=np.int64)
            counts = np.array([count for _, count in known], dtype=np.float64)
            context_totals = np.bincount(pairs[:, 0], weights=counts)
            keys = pack(0, pairs[:, 0], pairs[:, 1])
            order = np.argsort(keys)
            self._model = CachedLM(base, keys[order], (counts / context_totals[pairs[:, 0]])[order])
        return self._model


def _is_name(decision) -> bool:
    return bool(decision.reading) and token_case(decision.token.text) == "title" and not decision.token.after_colon


def _evidence(readings: Counter | None, options: list[str], weight: float, prior: float) -> np.ndarray | float:
    """weight × log of each option's share of the readings, smoothed by `prior`; 0 without readings."""
    if not readings:
        return 0.0
    total = sum(readings.values())
    counts = np.array([readings.get(option.lower(), 0) for option in options], dtype=np.float64)
    return weight * np.log((counts + prior) / (total + prior))
