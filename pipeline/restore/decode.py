"""Viterbi decoding of a clause under the channel and the trigram language model.

The state is the pair of the last two chosen words, as a trigram model
needs. The clause's candidates are laid out as one (position, candidate)
array, padded with impossible candidates to the widest slot, so every
language-model score the recursion can ask for is looked up in one call
before it starts and the recursion itself is a few small numpy operations per
word. After the best path is found, each position gets a local posterior: its
candidates re-scored with the rest of the path fixed (again one lookup),
which is the confidence reported to the clerk.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.restore.lm import TrigramLM


@dataclass
class Slot:
    """One position of a clause: candidate word ids with their channel log-probabilities."""

    ids: np.ndarray
    channel: np.ndarray


@dataclass
class Choice:
    index: int  # into the slot's candidates
    posterior: float
    runner_up: int | None  # second-best candidate index, for the review UI


def padded(ids: list[np.ndarray], scores: list[np.ndarray], pad: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows of word ids and their scores as two arrays, the short rows padded with `pad` at score -inf."""
    width = max(len(row) for row in ids)
    padded_ids, padded_scores = np.full((len(ids), width), pad, dtype=np.int64), np.full((len(ids), width), -np.inf)
    for row, (row_ids, row_scores) in enumerate(zip(ids, scores)):
        padded_ids[row, :len(row_ids)], padded_scores[row, :len(row_scores)] = row_ids, row_scores
    return padded_ids, padded_scores


def _padded(slots: list[Slot], lm: TrigramLM) -> tuple[np.ndarray, np.ndarray]:
    """(ids, channel), each (positions, widest slot): padding is the clause end, which is never a
    context of the model, with channel score -inf, so it never wins and costs no trigram lookup."""
    return padded([slot.ids for slot in slots], [slot.channel for slot in slots], lm.end)


def viterbi(slots: list[Slot], lm: TrigramLM, lm_weight: float = 1.0) -> list[int]:
    """Best candidate index per slot."""
    ids, channel = _padded(slots, lm)
    history = np.concatenate([np.full((2, ids.shape[1]), lm.end), ids])
    history[:2, 0] = lm.start
    # transitions[t, i, j, k]: log P(candidate k at t | candidate i at t - 2, candidate j at t - 1), weighted.
    transitions = lm_weight * lm.logprob(history[:-2, :, None, None], history[1:-1, None, :, None],
                                         ids[:, None, None, :])
    # delta[i, j]: best score of a path ending with candidate i then candidate j.
    delta = np.full((ids.shape[1], ids.shape[1]), -np.inf)
    delta[0, 0] = 0.0
    pointers = []
    for lm_scores, scores in zip(transitions, channel):
        total = delta[:, :, None] + lm_scores  # (prev, cur, next)
        pointers.append(total.argmax(axis=0))  # (cur, next)
        delta = total.max(axis=0) + scores
    path = []
    cur, nxt = np.unravel_index(int(delta.argmax()), delta.shape)
    for back in reversed(pointers):
        path.append(int(nxt))
        cur, nxt = int(back[cur, nxt]), cur
    path.reverse()
    return path


def local_posteriors(slots: list[Slot], path: list[int], lm: TrigramLM, lm_weight: float = 1.0) -> list[Choice]:
    ids, channel = _padded(slots, lm)
    count = len(slots)
    chosen = np.concatenate([[lm.start, lm.start], ids[np.arange(count), path]])
    # Each position's candidates with the chosen words around them: as the next word, and as the
    # context of the one and the two after it (looked up in one call, the three stacked); past the
    # clause end there is nothing to score (0).
    shape = ids.shape
    before2, before1 = np.broadcast_to(chosen[:-2, None], shape), np.broadcast_to(chosen[1:-1, None], shape)
    after1 = np.broadcast_to(np.append(chosen[3:], lm.end)[:, None], shape)
    after2 = np.broadcast_to(np.append(chosen[4:], [lm.end, lm.end])[:, None], shape)
    as_next, before_one, before_two = lm_weight * lm.logprob(
        np.stack([before2, before1, ids]), np.stack([before1, ids, after1]), np.stack([ids, after1, after2]))
    positions = np.arange(count)[:, None]
    scores = channel + as_next
    scores += np.where(positions + 1 < count, before_one, 0.0)
    scores += np.where(positions + 2 < count, before_two, 0.0)
    probabilities = np.exp(scores - scores.max(axis=1, keepdims=True))
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    best = np.array(path)
    posterior = probabilities[np.arange(count), best]
    probabilities[np.arange(count), best] = -1.0
    runner_up = probabilities.argmax(axis=1)
    return [Choice(k, float(p), int(r)) if len(slot.ids) > 1 else Choice(0, 1.0, None)
            for slot, k, p, r in zip(slots, path, posterior.tolist(), runner_up.tolist())]
