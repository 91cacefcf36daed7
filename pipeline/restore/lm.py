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
from pipeline.restore.vocab import NUMBER, SENTENCE_START, UNKNOWN, lm_key

BITS = 14  # bits per word id in a packed key: up to 16,384 words


def pack(u, v, w):
    return (np.asarray(u, dtype=np.int64) << (2 * BITS)) | (np.asarray(v, dtype=np.int64) << BITS) | np.asarray(w, dtype=np.int64)


def _find(keys: np.ndarray, values: np.ndarray, queries: np.ndarray, default: float) -> tuple[np.ndarray, np.ndarray]:
    """Values for the queries found in `keys`, `default` elsewhere, and the found mask."""
    positions = np.searchsorted(keys, queries)
    positions[positions >= len(keys)] = 0
    found = keys[positions] == queries
    return np.where(found, values[positions], default), found


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
        self.unknown = self.index[UNKNOWN]
        self.number = self.index[NUMBER]
        for name, array in arrays.items():
            setattr(self, name, array)

    def word_id(self, word: str) -> int:
        return self.index.get(lm_key(word), self.unknown)

    def logprob(self, u, v, w) -> np.ndarray:
        """log P(w | u v) for broadcastable arrays of word ids."""
        u, v, w = np.broadcast_arrays(np.asarray(u, np.int64), np.asarray(v, np.int64), np.asarray(w, np.int64))
        tri, found3 = _find(self.tri_keys, self.tri_lp, pack(u, v, w), 0.0)
        bow3, _ = _find(self.bow3_keys, self.bow3, pack(0, u, v), 0.0)
        bi, found2 = _find(self.bi_keys, self.bi_lp, pack(0, v, w), 0.0)
        bow2, _ = _find(self.bow2_keys, self.bow2, np.asarray(v, np.int64), 0.0)
        lower = np.where(found2, bi, bow2 + self.uni_lp[w])
        return np.where(found3, tri, bow3 + lower)
