"""Viterbi decoding of a clause under the channel and the trigram language model.

The state is the pair of the last two chosen words, as a trigram model
needs. The clause's candidates are laid out as one (position, candidate)
array, padded with impossible candidates to the widest slot, so every
language-model score the recursion can ask for is looked up in one call
before it starts and the recursion itself is a few small numpy operations per
word. After the best path is found, each position gets a local posterior: its
candidates re-scored with the rest of the path fixed, which is the confidence
reported to the clerk; those scores are read from the same table.
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
    sizes = np.array([len(row) for row in ids])
    real = np.arange(sizes.max()) < sizes[:, None]
    padded_ids, padded_scores = np.full(real.shape, pad, dtype=np.int64), np.full(real.shape, -np.inf)
    padded_ids[real], padded_scores[real] = np.concatenate(ids), np.concatenate(scores)
    return padded_ids, padded_scores


def _padded(slots: list[Slot], lm: TrigramLM) -> tuple[np.ndarray, np.ndarray]:
    """(ids, channel), each (positions, widest slot): padding is the clause end, which is never a
    context of the model, with channel score -inf, so it never wins and costs no trigram lookup."""
    return padded([slot.ids for slot in slots], [slot.channel for slot in slots], lm.end)


def decode_clause(slots: list[Slot], lm: TrigramLM, lm_weight: float = 1.0) -> tuple[list[int], list[Choice]]:
    """The best candidate index per slot, and each slot's choice with its local posterior."""
    ids, channel = _padded(slots, lm)
    history = np.concatenate([np.full((2, ids.shape[1]), lm.end), ids])
    history[:2, 0] = lm.start
    # transitions[t, i, j, k]: log P(candidate k at t | candidate i at t - 2, candidate j at t - 1), weighted.
    transitions = lm_weight * lm.logprob(history[:-2, :, None, None], history[1:-1, None, :, None],
                                         ids[:, None, None, :])
    path = _best_path(transitions, channel)
    return path, _local_posteriors(slots, path, transitions, channel)


def _best_path(transitions: np.ndarray, channel: np.ndarray) -> list[int]:
    # delta[i, j]: best score of a path ending with candidate i then candidate j.
    delta = np.full((channel.shape[1], channel.shape[1]), -np.inf)
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


def _local_posteriors(slots: list[Slot], path: list[int], transitions: np.ndarray, channel: np.ndarray
                      ) -> list[Choice]:
    """Each position's candidates re-scored with the chosen words around them fixed: as the next
    word, and as the context of the one and the two after it. Every such score is in the Viterbi
    table already; past the clause end there is nothing to score (0)."""
    count = len(slots)
    positions = np.arange(count)
    # Candidate index of the chosen word at t - 2 .. t + 2; the clause starts with <s> at index 0.
    chosen = np.concatenate([[0, 0], path, [0, 0]])
    before2, before1, after1, after2 = chosen[:-4], chosen[1:-3], chosen[3:-1], chosen[4:]
    scores = channel + transitions[positions, before2, before1, :]
    one_later = np.minimum(positions + 1, count - 1)
    scores += np.where((positions + 1 < count)[:, None], transitions[one_later, before1, :, after1], 0.0)
    two_later = np.minimum(positions + 2, count - 1)
    scores += np.where((positions + 2 < count)[:, None], transitions[two_later, :, after1, after2], 0.0)
    probabilities = np.exp(scores - scores.max(axis=1, keepdims=True))
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    posterior = probabilities[positions, path]
    probabilities[positions, path] = -1.0
    runner_up = probabilities.argmax(axis=1)
    return [Choice(k, float(p), int(r)) if len(slot.ids) > 1 else Choice(0, 1.0, None)
            for slot, k, p, r in zip(slots, path, posterior.tolist(), runner_up.tolist())]
