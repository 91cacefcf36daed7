"""Syllable trigram language model (Kneser-Ney, backoff form), queried in batches.

The model is a handful of sorted numpy arrays (built by training/build_lm.py).
A query packs (u, v, w) word ids into one integer and finds it with
`searchsorted`, so the decoder can score every candidate combination at a
position with a few vectorized calls instead of one dict lookup each. Pairs of
words (contexts, bigrams), asked for millions of times per document, are found
in constant time instead (`PairIndex`).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from pipeline.errors import ModelError
from pipeline.restore.vocab import NUMBER, SENTENCE_END, SENTENCE_START, UNKNOWN, lm_key

BITS = 14  # bits per word id in a packed key: up to 16,384 words
BLOCK_BITS = 4  # a PairIndex block holds 2 ** BLOCK_BITS = 16 pairs' bits
BLOCK = 1 << BLOCK_BITS
# The number of bits set in each 16-bit value.
_POPCOUNT = np.unpackbits(np.arange(1 << BLOCK, dtype=np.uint16).view(np.uint8)).reshape(-1, BLOCK).sum(axis=1)
_POPCOUNT = _POPCOUNT.astype(np.int32)


def pack(u, v, w):
    return (np.asarray(u, dtype=np.int64) << (2 * BITS)) | (np.asarray(v, dtype=np.int64) << BITS) | np.asarray(w, dtype=np.int64)


class TrigramLM:
    def __init__(self, path: Path):
        try:
            with np.load(path) as data:
                arrays = {name: data[name] for name in data.files}
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(f"cannot load language model {path}: {exc}") from exc
        self.words: list[str] = str(arrays.pop("vocab")).split("\n")
        self.is_syllable: np.ndarray = arrays.pop("is_syllable")
        self.index = {word: i for i, word in enumerate(self.words)}
        self.start = self.index[SENTENCE_START]
        self.end = self.index[SENTENCE_END]
        self.unknown = self.index[UNKNOWN]
        self.number = self.index[NUMBER]
        # <unk> stands for many distinct words: one of them in particular is that much less likely.
        self.unknown_spelling = -float(np.log(max(int(arrays["unknown_types"]), 1)))
        self.unigram = arrays["uni_lp"].astype(np.float64)
        # log P(capital initial | word) inside a clause: "Pang" is far likelier "Đảng" than "pang".
        self.title = arrays["title_lp"].astype(np.float64)
        # log P(lower case | word): "sở" (a department, "Sở Xây dựng") is rarely written "sở".
        self.lower = arrays["lower_lp"].astype(np.float64)
        # log P(capitals | word) beside words in small letters: "AI", "COP" are codes, "ải", "cốp" are not.
        self.upper = arrays["upper_lp"].astype(np.float64)
        # Each order in its own table, so a query searches only the order it needs.
        self._trigrams = _sorted(arrays["tri_keys"], arrays["tri_lp"])
        self._contexts = PairIndex(arrays["bow3_keys"], arrays["bow3"], len(self.words))
        # The words some stored context starts with: never "</s>", which _narrowed asks first for bigrams.
        self._opens_context = np.zeros(len(self.words), dtype=bool)
        self._opens_context[arrays["bow3_keys"] >> BITS] = True
        self._bigrams = PairIndex(arrays["bi_keys"], arrays["bi_lp"], len(self.words))
        # One backoff weight per word: a plain array, 0 for a word never seen as a context.
        self._bow2 = np.zeros(len(self.words))
        self._bow2[arrays["bow2_keys"]] = arrays["bow2"]

    def word_id(self, word: str) -> int:
        # The vocabulary is made of keys, each its own: the channel's candidates, asked for by the
        # thousand, are found without working out their key.
        found = self.index.get(word)
        return found if found is not None else self.index.get(lm_key(word), self.unknown)

    def logprob(self, u, v, w) -> np.ndarray:
        """log P(w | u v) for broadcastable arrays of word ids.

        Each order is looked up on the shape its own ids span: with u, v, w along separate axes,
        a context (u v) is searched once for all its words w, and a trigram only where its
        context and its bigram (v w) were seen, since only those have trigrams stored.
        """
        u, v, w = np.asarray(u, np.int64), np.asarray(v, np.int64), np.asarray(w, np.int64)
        shape = np.broadcast_shapes(u.shape, v.shape, w.shape)
        if not shape:
            return self.logprob(u[None], v[None], w[None])[0]
        if u.ndim == 0 and not self._opens_context[u]:
            has_context, bow3 = np.zeros(v.shape, dtype=bool), 0.0  # what find would say, without looking
        else:
            has_context, bow3 = self._contexts.find(u, v)
        has_bigram, bi = self._bigrams.find(v, w)
        lower = np.where(has_bigram, bi, self._bow2[v] + self.unigram[w])
        # (u v) and (v w) together span every axis: the sum is a new array of the full shape, written
        # into below. The decoder asks for millions of scores at once, so no temporary of that size is
        # made more often than needed: no copy of it, and the keys packed in place.
        scores = bow3 + lower
        if not has_context.any():
            return scores  # no trigram to look for ("</s>" first: the bigrams _narrowed asks for)
        # A stored trigram's last two words are a stored bigram: only those are searched for.
        where = _both_found(has_context, has_bigram, shape)
        keys = np.broadcast_to(u, shape)[where]
        keys <<= 2 * BITS
        keys |= np.broadcast_to(v, shape)[where] << BITS
        keys |= np.broadcast_to(w, shape)[where]
        has_trigram, tri = _find(self._trigrams, keys)
        del keys
        scores[tuple(axis[has_trigram] for axis in where)] = tri[has_trigram]
        return scores


class PairIndex:
    """The values of stored word pairs (v, w), found in constant time: a bit per possible pair, set
    where it is stored, in 16-bit blocks with the number of pairs before each block. Pairs in key
    order are pairs in bit order, so a stored pair's rank among the set bits is its place among the
    values. A binary search takes some 18 scattered reads per query, and the decoder asks millions."""

    def __init__(self, keys: np.ndarray, values: np.ndarray, words: int):
        order = np.argsort(keys, kind="stable")
        self._words = words
        bit = (keys[order] >> BITS) * words + (keys[order] & ((1 << BITS) - 1))
        # Set block by block (each pair's bit once, so adding is setting): no array of every pair at load.
        self._blocks = np.zeros(-(-words * words // BLOCK), dtype=np.uint16)
        np.add.at(self._blocks, bit >> BLOCK_BITS, np.left_shift(1, bit & (BLOCK - 1)).astype(np.uint16))
        counts = _POPCOUNT[self._blocks]
        self._before = np.cumsum(counts, dtype=np.int32) - counts
        self._values = np.append(values[order].astype(np.float64), 0.0)  # 0: the value of "not found"

    def find(self, v: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(found, value) per pair of word ids, in their broadcast shape."""
        bit = v * self._words + w
        block, offset = bit >> BLOCK_BITS, (bit & (BLOCK - 1)).astype(np.uint16)
        bits = self._blocks[block]
        found = ((bits >> offset) & 1).astype(bool)
        rank = self._before[block] + _POPCOUNT[bits & ((np.uint16(1) << offset) - np.uint16(1))]
        return found, self._values[np.where(found, rank, -1)]


def _both_found(has_context: np.ndarray, has_bigram: np.ndarray, shape: tuple[int, ...]) -> tuple[np.ndarray, ...]:
    """np.nonzero(has_context & has_bigram) in their broadcast `shape`, found from the contexts out: of the
    decoder's grid, a context (position, word before last, last word) is stored for about one in eight,
    and only their bigrams, along the axes the contexts do not span, are looked at, not every cell."""
    # One axis more in front, which the contexts span: each of them is a row of the bigrams looked at.
    has_context = has_context.reshape((1,) * (len(shape) + 1 - has_context.ndim) + has_context.shape)
    has_bigram = has_bigram.reshape((1,) * (len(shape) + 1 - has_bigram.ndim) + has_bigram.shape)
    shape = (1, *shape)
    free = [axis for axis in range(len(shape)) if has_context.shape[axis] == 1 and shape[axis] > 1]
    spanned = [axis for axis in range(len(shape)) if axis not in free]
    contexts = np.nonzero(has_context)
    # The bigrams at each context's place, whole along the free axes (moved last).
    bigrams = np.moveaxis(has_bigram, free, range(len(spanned), len(shape)))[
        tuple(contexts[axis] if has_bigram.shape[axis] > 1 else np.zeros_like(contexts[axis]) for axis in spanned)]
    found = np.nonzero(bigrams)
    where = [np.empty(0, dtype=np.intp)] * len(shape)
    for axis in spanned:
        where[axis] = contexts[axis][found[0]]
    for number, axis in enumerate(free):
        where[axis] = found[1 + number]
    return tuple(where[1:])


def _sorted(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keys in ascending order with their values as float64, and 0 appended: the value of "not found"."""
    order = np.argsort(keys, kind="stable")
    return keys[order], np.append(values[order].astype(np.float64), 0.0)


def _find(table: tuple[np.ndarray, np.ndarray], queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(found, value) per query, in the queries' shape."""
    keys, values = table
    positions = np.minimum(np.searchsorted(keys, queries), len(keys) - 1)
    hit = keys[positions] == queries
    return hit, values[np.where(hit, positions, -1)]
