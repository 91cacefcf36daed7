"""Syllable trigram language model (Kneser-Ney, backoff form), queried in batches.

The model is a handful of sorted numpy arrays (built by training/build_lm.py).
A query packs (u, v, w) word ids into one integer and finds it with
`searchsorted`, so the decoder can score every candidate combination at a
position with a few vectorized calls instead of one dict lookup each.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from pipeline.errors import ModelError
from pipeline.restore.vocab import NUMBER, SENTENCE_END, SENTENCE_START, UNKNOWN, lm_key

BITS = 14  # bits per word id in a packed key: up to 16,384 words


def pack(u, v, w):
    return (np.asarray(u, dtype=np.int64) << (2 * BITS)) | (np.asarray(v, dtype=np.int64) << BITS) | np.asarray(w, dtype=np.int64)


# The four tables live in one sorted array, told apart by a tag above the packed ids,
# so that a query needs one searchsorted call instead of four.
_TRIGRAM, _TRIGRAM_BACKOFF, _BIGRAM, _BIGRAM_BACKOFF = (np.int64(tag) << (3 * BITS) for tag in range(4))


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
        keys = np.concatenate([
            arrays["tri_keys"] | _TRIGRAM, arrays["bow3_keys"] | _TRIGRAM_BACKOFF,
            arrays["bi_keys"] | _BIGRAM, arrays["bow2_keys"] | _BIGRAM_BACKOFF])
        values = np.concatenate([arrays["tri_lp"], arrays["bow3"], arrays["bi_lp"], arrays["bow2"]])
        order = np.argsort(keys, kind="stable")
        self._keys = keys[order]
        self._values = np.append(values[order].astype(np.float64), 0.0)  # last: the value of "not found"

    def word_id(self, word: str) -> int:
        return self.index.get(lm_key(word), self.unknown)

    def logprob(self, u, v, w) -> np.ndarray:
        """log P(w | u v) for broadcastable arrays of word ids."""
        u, v, w = np.broadcast_arrays(np.asarray(u, np.int64), np.asarray(v, np.int64), np.asarray(w, np.int64))
        shape, n = u.shape, u.size
        u, v, w = u.ravel(), v.ravel(), w.ravel()
        queries = np.concatenate([pack(u, v, w) | _TRIGRAM, pack(0, u, v) | _TRIGRAM_BACKOFF,
                                  pack(0, v, w) | _BIGRAM, v | _BIGRAM_BACKOFF])
        # Sorted queries let the binary search start where the last one ended: several times faster.
        order = np.argsort(queries, kind="stable")
        positions = np.empty_like(order)
        positions[order] = np.searchsorted(self._keys, queries[order])
        positions[positions >= len(self._keys)] = 0
        found = self._keys[positions] == queries
        values = self._values[np.where(found, positions, -1)]
        tri, bow3, bi, bow2 = values[:n], values[n:2 * n], values[2 * n:3 * n], values[3 * n:]
        lower = np.where(found[2 * n:3 * n], bi, bow2 + self.unigram[w])
        return np.where(found[:n], tri, bow3 + lower).reshape(shape)
