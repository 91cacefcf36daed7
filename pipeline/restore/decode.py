"""Viterbi decoding of a clause under the channel and the trigram language model.

The state is the pair of the last two chosen words, as a trigram model
needs. Every language-model score the recursion can ask for is looked up in
one batched call before it starts, so the recursion itself is a few small
numpy operations per word. After the best path is found, each position gets
a local posterior: its candidates re-scored with the rest of the path fixed
(again one batched lookup), which is the confidence reported to the clerk.
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


def _batched(lm: TrigramLM, queries: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> list[np.ndarray]:
    """log P for several broadcastable (u, v, w) id arrays with one model lookup."""
    shaped = [np.broadcast_arrays(u, v, w) for u, v, w in queries]
    flat = [np.concatenate([part[i].ravel() for part in shaped]) for i in range(3)]
    scores = lm.logprob(*flat)
    result, offset = [], 0
    for u, _, _ in shaped:
        result.append(scores[offset:offset + u.size].reshape(u.shape))
        offset += u.size
    return result


def viterbi(slots: list[Slot], lm: TrigramLM, lm_weight: float = 1.0) -> list[int]:
    """Best candidate index per slot."""
    start = np.array([lm.start])
    history = [start, start] + [slot.ids for slot in slots]
    transitions = _batched(lm, [(history[t][:, None, None], history[t + 1][None, :, None], slot.ids[None, None, :])
                                for t, slot in enumerate(slots)])
    # delta[i, j]: best score of a path ending with candidate i then candidate j.
    delta = np.zeros((1, 1))
    pointers = []
    for slot, lm_scores in zip(slots, transitions):
        total = delta[:, :, None] + lm_weight * lm_scores  # (prev, cur, next)
        best_prev = total.argmax(axis=0)  # (cur, next)
        delta = np.take_along_axis(total, best_prev[None], axis=0)[0] + slot.channel[None, :]
        pointers.append(best_prev)
    path = []
    cur, nxt = np.unravel_index(int(delta.argmax()), delta.shape)
    for back in reversed(pointers):
        path.append(int(nxt))
        cur, nxt = int(back[cur, nxt]), cur
    path.reverse()
    return path


def local_posteriors(slots: list[Slot], path: list[int], lm: TrigramLM, lm_weight: float = 1.0) -> list[Choice]:
    chosen = [lm.start, lm.start] + [int(slot.ids[k]) for slot, k in zip(slots, path)]
    uncertain = [t for t, slot in enumerate(slots) if len(slot.ids) > 1]
    queries, owners = [], []
    for t in uncertain:
        ids = slots[t].ids
        u, v = chosen[t], chosen[t + 1]
        queries.append((u, v, ids))
        owners.append(t)
        if t + 1 < len(slots):
            queries.append((v, ids, chosen[t + 3]))
            owners.append(t)
        if t + 2 < len(slots):
            queries.append((ids, chosen[t + 3], chosen[t + 4]))
            owners.append(t)
    scores = {t: slots[t].channel.copy() for t in uncertain}
    for t, lm_scores in zip(owners, _batched(lm, queries) if queries else []):
        scores[t] += lm_weight * lm_scores
    choices = []
    for t, slot in enumerate(slots):
        if t not in scores:
            choices.append(Choice(0, 1.0, None))
            continue
        probabilities = np.exp(scores[t] - scores[t].max())
        probabilities /= probabilities.sum()
        best = path[t]
        order = np.argsort(-probabilities)
        runner_up = next((int(k) for k in order if k != best), None)
        choices.append(Choice(best, float(probabilities[best]), runner_up))
    return choices
