"""Viterbi decoding of a clause under the channel and the trigram language model.

The state is the pair of the last two chosen words, as a trigram model
needs. The clause's candidates are laid out as one (position, candidate)
array, padded with impossible candidates to the widest slot, so every
language-model score the recursion can ask for is looked up in one call
before it starts and the recursion itself is a few small numpy operations per
word. After the best path is found, each position gets a local posterior: its
candidates re-scored with the rest of the path fixed, which is the confidence
reported to the clerk; those scores are read from the same table.

Many clauses are decoded in one call: those whose widest slots are as wide
share one array, their positions one after the other, and the recursion
steps through all of them at once. Each clause is padded exactly as it would
be alone, so it gets the same path and the same posteriors to the last bit.
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


def decode_clauses(clauses: list[list[Slot]], lm: TrigramLM, lm_weight: float = 1.0
                   ) -> list[tuple[list[int], list[Choice]]]:
    """For each clause, the best candidate index per slot and each slot's choice with its local
    posterior. Clauses are decoded together, those of the same width in one array: the language
    model is asked once for all their positions and the recursion steps through all of them at
    once, each clause's positions giving the same numbers as if it were decoded alone."""
    decoded: list[tuple[list[int], list[Choice]]] = [([], [])] * len(clauses)
    by_width: dict[int, list[int]] = {}
    for number, slots in enumerate(clauses):
        by_width.setdefault(max(len(slot.ids) for slot in slots), []).append(number)
    for numbers in by_width.values():
        for number, result in zip(numbers, _decode_group([clauses[n] for n in numbers], lm, lm_weight)):
            decoded[number] = result
    return decoded


def _decode_group(clauses: list[list[Slot]], lm: TrigramLM, lm_weight: float) -> list[tuple[list[int], list[Choice]]]:
    """Clauses whose widest slots are as wide, laid out as one (position, candidate) array, all
    clauses one after the other: padding is the clause end, which is never a context of the model,
    with channel score -inf, so it never wins and costs no trigram lookup. As the word scored the
    padding is the clause start, which never follows a word: a clause end would be a stored bigram,
    and searched for as a trigram, two in five of the searches."""
    slots = [slot for clause in clauses for slot in clause]
    ids, channel = padded([slot.ids for slot in slots], [slot.channel for slot in slots], lm.end)
    lengths = np.array([len(clause) for clause in clauses])
    ends = np.cumsum(lengths)
    starts = ends - lengths
    # The words before each position: <s> (then clause-end padding) before a clause's first two.
    opening = np.full(ids.shape[1], lm.end)
    opening[0] = lm.start
    offsets = np.arange(len(slots)) - np.repeat(starts, lengths)
    before1 = np.where((offsets >= 1)[:, None], np.roll(ids, 1, axis=0), opening)
    before2 = np.where((offsets >= 2)[:, None], np.roll(ids, 2, axis=0), opening)
    # transitions[p, i, j, k]: log P(candidate k at p | candidate i at p - 2, candidate j at p - 1), weighted.
    scored = np.where(channel == -np.inf, lm.start, ids)
    transitions = lm.logprob(before2[:, :, None, None], before1[:, None, :, None], scored[:, None, None, :])
    transitions *= lm_weight
    paths = _best_paths(transitions, channel, starts, lengths)
    path = np.concatenate(paths)
    choices = _local_posteriors(slots, path, transitions, channel, starts, lengths)
    return [(clause_path, choices[start:end])
            for clause_path, start, end in zip(paths, starts.tolist(), ends.tolist())]


def _best_paths(transitions: np.ndarray, channel: np.ndarray, starts: np.ndarray, lengths: np.ndarray
                ) -> list[list[int]]:
    """Viterbi over every clause at once. The clauses are stepped through longest first, so those
    still going at a step are the first rows, and a clause that has ended drops out."""
    order = np.argsort(-lengths, kind="stable")
    lengths, starts = lengths[order], starts[order]
    width = channel.shape[1]
    # delta[c, i, j]: best score of a path of clause c ending with candidate i then candidate j.
    delta = np.full((len(order), width, width), -np.inf)
    delta[:, 0, 0] = 0.0
    final = np.empty_like(delta)
    pointers = []
    going = len(order)
    # How many clauses are longer than each step: they are sorted, so one search tells for every step.
    longer = np.searchsorted(-lengths, -np.arange(1, int(lengths[0]) + 1), side="left").tolist()
    for step, still in enumerate(longer):
        at = starts[:going] + step
        total = transitions[at]  # (clause, prev, cur, next)
        total += delta[:going, :, :, None]  # in place: broadcast into a new array is several times slower
        pointers.append(total.argmax(axis=1))  # (clause, cur, next)
        delta = total.max(axis=1)
        delta += channel[at][:, None, :]
        final[still:going] = delta[still:]
        going = still
    paths: list[list[int]] = [[]] * len(order)
    for row, clause in enumerate(order.tolist()):
        path = []
        cur, nxt = np.unravel_index(int(final[row].argmax()), (width, width))
        for back in reversed(pointers[:lengths[row]]):
            path.append(int(nxt))
            cur, nxt = int(back[row, cur, nxt]), cur
        path.reverse()
        paths[clause] = path
    return paths


def _local_posteriors(slots: list[Slot], path: np.ndarray, transitions: np.ndarray, channel: np.ndarray,
                      starts: np.ndarray, lengths: np.ndarray) -> list[Choice]:
    """Each position's candidates re-scored with the chosen words around them fixed: as the next
    word, and as the context of the one and the two after it. Every such score is in the Viterbi
    table already; past the clause end there is nothing to score (0)."""
    positions = np.arange(len(slots))
    offsets = positions - np.repeat(starts, lengths)
    counts = np.repeat(lengths, lengths)
    last = np.repeat(starts + lengths - 1, lengths)

    def chosen(shift: int) -> np.ndarray:
        """Candidate index of the chosen word at p + shift, within the clause; <s> or nothing is 0."""
        inside = (offsets + shift >= 0) & (offsets + shift < counts)
        return np.where(inside, path[np.clip(positions + shift, 0, len(path) - 1)], 0)

    before2, before1, after1, after2 = chosen(-2), chosen(-1), chosen(1), chosen(2)
    scores = channel + transitions[positions, before2, before1, :]
    one_later = np.minimum(positions + 1, last)
    scores += np.where((offsets + 1 < counts)[:, None], transitions[one_later, before1, :, after1], 0.0)
    two_later = np.minimum(positions + 2, last)
    scores += np.where((offsets + 2 < counts)[:, None], transitions[two_later, :, after1, after2], 0.0)
    probabilities = np.exp(scores - scores.max(axis=1, keepdims=True))
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    posterior = probabilities[positions, path]
    probabilities[positions, path] = -1.0
    runner_up = probabilities.argmax(axis=1)
    return [Choice(k, float(p), int(r)) if len(slot.ids) > 1 else Choice(0, 1.0, None)
            for slot, k, p, r in zip(slots, path.tolist(), posterior.tolist(), runner_up.tolist())]
