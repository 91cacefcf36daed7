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
    """log P(w | u v) for every combination of each query's three id arrays, with one model lookup.

    Query k gives an array of shape (len(u), len(v), len(w)). The combinations of all queries are
    laid out with index arithmetic on the concatenated arrays, not one numpy call per query.
    """
    sizes = np.array([(len(u), len(v), len(w)) for u, v, w in queries], dtype=np.int64)
    counts = sizes.prod(axis=1)
    offsets = np.concatenate([[0], np.cumsum(counts)])
    owner = np.repeat(np.arange(len(queries)), counts)
    local = np.arange(offsets[-1]) - offsets[owner]
    inner = sizes[owner, 2]
    middle = sizes[owner, 1] * inner
    ids = []
    for axis, position in enumerate((local // middle, (local // inner) % sizes[owner, 1], local % inner)):
        flat = np.concatenate([query[axis] for query in queries])
        starts = np.concatenate([[0], np.cumsum(sizes[:, axis])])[:-1]
        ids.append(flat[starts[owner] + position])
    scores = lm.logprob(*ids)
    return [scores[offsets[k]:offsets[k + 1]].reshape(sizes[k]) for k in range(len(queries))]


def viterbi(slots: list[Slot], lm: TrigramLM, lm_weight: float = 1.0) -> list[int]:
    """Best candidate index per slot."""
    start = np.array([lm.start])
    history = [start, start] + [slot.ids for slot in slots]
    transitions = _batched(lm, [(history[t], history[t + 1], slot.ids) for t, slot in enumerate(slots)])
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
    word = [np.array([c]) for c in chosen]
    uncertain = [t for t, slot in enumerate(slots) if len(slot.ids) > 1]
    queries, owners = [], []
    for t in uncertain:
        ids = slots[t].ids
        queries.append((word[t], word[t + 1], ids))
        owners.append((t, (0, 0, slice(None))))
        if t + 1 < len(slots):
            queries.append((word[t + 1], ids, word[t + 3]))
            owners.append((t, (0, slice(None), 0)))
        if t + 2 < len(slots):
            queries.append((ids, word[t + 3], word[t + 4]))
            owners.append((t, (slice(None), 0, 0)))
    scores = {t: slots[t].channel.copy() for t in uncertain}
    for (t, index), lm_scores in zip(owners, _batched(lm, queries) if queries else []):
        scores[t] += lm_weight * lm_scores[index]
    choices = []
    for t, slot in enumerate(slots):
        if t not in scores:
            choices.append(Choice(0, 1.0, None))
            continue
        probabilities = np.exp(scores[t] - scores[t].max())
        probabilities /= probabilities.sum()
        best = path[t]
        others = probabilities.copy()
        others[best] = -1.0
        runner_up = int(others.argmax())
        choices.append(Choice(best, float(probabilities[best]), runner_up))
    return choices
