"""The restorer's fast paths against plain reference computations: language-model lookups,
the clause decoder and the channel's edit distances."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from pipeline.restore import DATA_DIR
from pipeline.restore.decode import Slot, decode_clauses
from pipeline.restore.edits import EMPTY, align, distances_many
from pipeline.restore.lm import BITS, TrigramLM


@pytest.fixture(scope="module")
def lm() -> TrigramLM:
    return TrigramLM(DATA_DIR / "lm.npz")


@pytest.fixture(scope="module")
def stored():
    with np.load(DATA_DIR / "lm.npz") as data:
        return {name: data[name] for name in data.files}


def reference_logprob(stored, u: int, v: int, w: int) -> float:
    """The backoff formula of training/build_lm.py, read from the stored arrays one key at a time."""
    def value(keys, values, key):
        found = np.flatnonzero(keys == key)
        return float(values[found[0]]) if len(found) else None

    trigram = value(stored["tri_keys"], stored["tri_lp"], (u << 2 * BITS) | (v << BITS) | w)
    if trigram is not None:
        return trigram
    backoff3 = value(stored["bow3_keys"], stored["bow3"], (u << BITS) | v) or 0.0
    bigram = value(stored["bi_keys"], stored["bi_lp"], (v << BITS) | w)
    if bigram is None:
        bigram = (value(stored["bow2_keys"], stored["bow2"], v) or 0.0) + float(stored["uni_lp"][w])
    return backoff3 + bigram


def test_logprob_follows_the_backoff_formula_on_every_shape(lm, stored):
    mask = (1 << BITS) - 1
    seen = stored["tri_keys"][[0, len(stored["tri_keys"]) // 2, -1]]
    # Stored trigrams, their contexts with other words (backoff), and words never seen together.
    u = np.concatenate([seen >> 2 * BITS, [lm.start, lm.index["ủy"], 7]])
    v = np.concatenate([(seen >> BITS) & mask, [lm.start, lm.index["ban"], 11]])
    w = np.concatenate([seen & mask, [lm.index["của"], lm.index["nhân"], lm.end]])
    grid = lm.logprob(u[:, None, None], v[None, :, None], w[None, None, :])
    assert grid.shape == (len(u), len(v), len(w))
    for i, j, k in itertools.product(range(len(u)), range(len(v)), range(len(w))):
        expected = reference_logprob(stored, int(u[i]), int(v[j]), int(w[k]))
        assert grid[i, j, k] == pytest.approx(expected, abs=1e-6)
        assert lm.logprob(u[i], v[j], w[k]) == grid[i, j, k]  # one query or many: the same number
    assert lm.logprob(u, v, w).tolist() == [grid[n, n, n] for n in range(len(u))]


def random_clauses(lm, seed: int, count: int) -> list[list[Slot]]:
    """Clauses of 1 to 6 words, each with 1 to 4 candidates, ended by the clause end as the restorer ends them."""
    rng = np.random.default_rng(seed)
    common = np.array([lm.index[w] for w in ("ủy", "ban", "nhân", "dân", "tỉnh", "của", "và", "các")])
    clauses = []
    for _ in range(count):
        slots = [Slot(rng.choice(common, size=n, replace=False), rng.normal(-2, 1.5, size=n))
                 for n in rng.integers(1, 5, size=rng.integers(1, 7))]
        clauses.append([*slots, Slot(np.array([lm.end]), np.zeros(1))])
    return clauses


def test_clause_decoder_finds_the_best_path_and_its_local_posteriors(lm):
    # Clauses of different lengths and widths decoded in one call, each against every path of its own.
    clauses = random_clauses(lm, seed=7, count=30)
    decoded = decode_clauses(clauses, lm, 0.5)
    assert len(decoded) == len(clauses)
    for slots, (path, choices) in zip(clauses, decoded):
        words = [[int(i) for i in slot.ids] for slot in slots]

        def score(path):
            history = [lm.start, lm.start] + [words[t][k] for t, k in enumerate(path)]
            return sum(slots[t].channel[k] + 0.5 * float(lm.logprob(history[t], history[t + 1], history[t + 2]))
                       for t, k in enumerate(path))

        paths = list(itertools.product(*(range(len(w)) for w in words)))
        best = max(paths, key=score)
        assert path == list(best)
        assert len(choices) == len(slots)
        for t, choice in enumerate(choices):
            assert choice.index == path[t]
            if len(words[t]) == 1:
                assert (choice.posterior, choice.runner_up) == (1.0, None)
                continue
            # The local posterior: the other paths that differ from the best at position t only.
            local = np.array([score(path[:t] + [k] + path[t + 1:]) for k in range(len(words[t]))])
            probabilities = np.exp(local - local.max()) / np.exp(local - local.max()).sum()
            assert choice.posterior == pytest.approx(probabilities[path[t]], rel=1e-9)
            probabilities[path[t]] = -1
            assert choice.runner_up == int(probabilities.argmax())


def test_clauses_decoded_together_get_exactly_what_each_gets_alone(lm):
    clauses = random_clauses(lm, seed=11, count=40)
    together = decode_clauses(clauses, lm, 1.0)
    alone = [decode_clauses([slots], lm, 1.0)[0] for slots in clauses]
    assert together == alone  # paths, and posteriors to the last bit


def distances(codes, lengths, substitution, deletion, insertion, reads=None):
    """distances_many with one OCR string: `substitution[c, j]`, `insertion[j]`, `reads[k][c, j]` its own."""
    return distances_many(codes, lengths, np.zeros(len(codes), dtype=np.int64), substitution[None], deletion,
                          insertion[None], np.array([len(insertion)]),
                          {k: read[None] for k, read in (reads or {}).items()})


def test_edit_distances_of_many_golds_equal_one_alignment_each():
    rng = np.random.default_rng(3)
    alphabet = list("aăâbcdđeêghioôơuưy") + ["ạ", "ế"]
    read_as = list("aeiouy16&") + ["ê"]

    def cost(g: str, o: str) -> float:
        if g == o:
            return 0.0
        return 0.3 + (sum(map(ord, g + o)) % 7) / 3

    golds = ["".join(rng.choice(alphabet, size=n)) for n in rng.integers(1, 7, size=40)] + ["a"]
    for ocr in ["", "a", "ngu6i", "&", "cuaa"] + ["".join(rng.choice(read_as, size=3)) for _ in range(5)]:
        letters = sorted(set("".join(golds)))
        codes = np.zeros((len(golds), max(map(len, golds))), dtype=np.int64)
        for row, gold in enumerate(golds):
            codes[row, :len(gold)] = [letters.index(c) for c in gold]
        substitution = np.array([[cost(c, o) for o in ocr] for c in letters]).reshape(len(letters), len(ocr))
        found = distances(codes, np.array([len(g) for g in golds]), substitution,
                          np.array([cost(c, EMPTY) for c in letters]), np.array([cost(EMPTY, o) for o in ocr]))
        assert found.tolist() == pytest.approx([align(gold, ocr, cost)[0] for gold in golds], abs=1e-9)


def test_edit_distances_with_letters_read_as_several_equal_one_alignment_each():
    # English-model OCR reads one printed letter as two or three ("ư" as "it", "ữ" as "tlr"): the
    # many-gold scoring and the single alignment agree on those moves too.
    rng = np.random.default_rng(5)
    alphabet = list("aăâcdđghintuưy") + ["ữ", "ứ"]
    several = {("ư", "it"): 0.2, ("ữ", "tlr"): 0.3, ("ứ", "it"): 0.4, ("a", "aa"): 1.1}

    def cost(g: str, o: str) -> float:
        if len(o) > 1:
            return several.get((g, o), np.inf)
        if g == o:
            return 0.0
        return 0.5 + (sum(map(ord, g + o)) % 5) / 2

    golds = ["".join(rng.choice(alphabet, size=n)) for n in rng.integers(1, 6, size=40)] + ["giữa", "từ", "gia"]
    letters = sorted(set("".join(golds)))
    codes = np.zeros((len(golds), max(map(len, golds))), dtype=np.int64)
    for row, gold in enumerate(golds):
        codes[row, :len(gold)] = [letters.index(c) for c in gold]
    for ocr in ["gitlra", "tit", "it", "i", "giaa", "ntlrit"]:
        substitution = np.array([[cost(c, o) for o in ocr] for c in letters]).reshape(len(letters), len(ocr))
        reads = {k: np.array([[cost(c, ocr[j:j + k]) for j in range(len(ocr) - k + 1)] for c in letters])
                 for k in (2, 3) if k <= len(ocr)}
        found = distances(codes, np.array([len(g) for g in golds]), substitution,
                          np.array([cost(c, EMPTY) for c in letters]), np.array([cost(EMPTY, o) for o in ocr]), reads)
        assert found.tolist() == pytest.approx([align(gold, ocr, cost, 3)[0] for gold in golds], abs=1e-9)
    assert align("giữa", "gitlra", cost, 3) == (0.3, [("g", "g"), ("i", "i"), ("ữ", "tlr"), ("a", "a")])
    assert align("giữa", "gitlra", cost)[1] != [("g", "g"), ("i", "i"), ("ữ", "tlr"), ("a", "a")]


def test_edit_distances_of_several_ocr_strings_at_once_equal_each_alone():
    # The channel scores many tokens in one table, padded to the longest: each gold string's cost
    # must be exactly the one it gets against its own OCR string alone.
    rng = np.random.default_rng(7)
    letters = list("aăcdghintuưy")
    costs = {(g, o): float(rng.uniform(0.1, 3)) for g in letters for o in letters}
    several = {("ư", "it"): 0.2, ("a", "aa"): 1.1}

    def cost(g: str, o: str) -> float:
        if len(o) > 1:
            return several.get((g, o), np.inf)
        return 0.0 if g == o else costs[g, o]

    golds = ["".join(rng.choice(letters, size=n)) for n in rng.integers(0, 6, size=30)]
    codes = np.zeros((len(golds), max(map(len, golds))), dtype=np.int64)
    for row, gold in enumerate(golds):
        codes[row, :len(gold)] = [letters.index(c) for c in gold]
    lengths = np.array([len(g) for g in golds])
    ocrs = ["tit", "gaa", "nhu", "y", "dit"]
    width = max(map(len, ocrs))
    substitution = np.full((len(ocrs), len(letters), width), np.inf)
    insertion = np.full((len(ocrs), width), np.inf)
    reads = {k: np.full((len(ocrs), len(letters), width - k + 1), np.inf) for k in (2, 3)}
    alone = []
    for s, ocr in enumerate(ocrs):
        substitution[s, :, :len(ocr)] = [[cost(c, o) for o in ocr] for c in letters]
        insertion[s, :len(ocr)] = [1.5 + j for j in range(len(ocr))]
        own = {k: np.array([[cost(c, ocr[j:j + k]) for j in range(len(ocr) - k + 1)] for c in letters])
               for k in (2, 3) if k <= len(ocr)}
        for k, read in own.items():
            reads[k][s, :, :read.shape[1]] = read
        alone.append(distances(codes, lengths, substitution[s, :, :len(ocr)], np.full(len(letters), 2.0),
                               insertion[s, :len(ocr)], own))
    reading = np.repeat(np.arange(len(ocrs)), len(golds))
    together = distances_many(np.tile(codes, (len(ocrs), 1)), np.tile(lengths, len(ocrs)), reading, substitution,
                              np.full(len(letters), 2.0), insertion, np.array([len(o) for o in ocrs]), reads)
    assert together.tolist() == np.concatenate(alone).tolist()
    # And the alignment agrees ("nhu": each letter once, so its insertion cost is a cost of the letter).

    def nhu_cost(g: str, o: str) -> float:
        return 1.5 + "nhu".index(o) if g == EMPTY else 2.0 if o == EMPTY else cost(g, o)

    start = ocrs.index("nhu") * len(golds)
    assert together[start:start + len(golds)].tolist() == pytest.approx(
        [align(gold, "nhu", nhu_cost, 3)[0] for gold in golds], abs=1e-9)
