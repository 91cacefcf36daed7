"""Viterbi decoding of a clause under the channel and the trigram language model.

The state is the pair of the last two chosen words, as a trigram model
needs; with a handful of candidates per position each step is a few small
numpy operations. After the best path is found, each position gets a local
posterior: its candidates re-scored with the rest of the path fixed, which is
the confidence reported to the clerk.
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


def viterbi(slots: list[Slot], lm: TrigramLM, lm_weight: float = 1.0) -> list[int]:
    """Best candidate index per slot."""
    start = np.array([lm.start])
    prev_ids, cur_ids = start, start
    # delta[i, j]: best score ending with prev candidate i and current candidate j.
    delta = np.zeros((1, 1))
    pointers = []
    for slot in slots:
        lm_scores = lm.logprob(prev_ids[:, None, None], cur_ids[None, :, None], slot.ids[None, None, :])
        total = delta[:, :, None] + lm_weight * lm_scores  # (prev, cur, next)
        best_prev = total.argmax(axis=0)  # (cur, next)
        delta = np.take_along_axis(total, best_prev[None], axis=0)[0] + slot.channel[None, :]
        pointers.append(best_prev)
        prev_ids, cur_ids = cur_ids, slot.ids
    path = []
    cur, nxt = np.unravel_index(int(delta.argmax()), delta.shape)
    for back in reversed(pointers):
        path.append(int(nxt))
        cur, nxt = int(back[cur, nxt]), cur
    path.reverse()
    return path


def local_posteriors(slots: list[Slot], path: list[int], lm: TrigramLM, lm_weight: float = 1.0) -> list[Choice]:
    chosen = [lm.start, lm.start] + [int(slot.ids[k]) for slot, k in zip(slots, path)] + [None, None]
    choices = []
    for t, slot in enumerate(slots):
        score = slot.channel.copy()
        u, v = chosen[t], chosen[t + 1]
        score += lm_weight * lm.logprob(u, v, slot.ids)
        after1, after2 = chosen[t + 3], chosen[t + 4]
        if after1 is not None:
            score += lm_weight * lm.logprob(v, slot.ids, after1)
            if after2 is not None:
                score += lm_weight * lm.logprob(slot.ids, after1, after2)
        probabilities = np.exp(score - score.max())
        probabilities /= probabilities.sum()
        best = path[t]
        order = np.argsort(-probabilities)
        runner_up = next((int(k) for k in order if k != best), None)
        choices.append(Choice(best, float(probabilities[best]), runner_up))
    return choices
