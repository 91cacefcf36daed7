"""The restorer's memory: batched language-model queries give each query's own score, and the caches a
long text fills stay within their bounds."""
from __future__ import annotations

import numpy as np
import pytest

import pipeline.restore as restore
from pipeline.restore import STRIPPED, Restorer


@pytest.fixture(scope="module")
def restorer() -> Restorer:
    return Restorer()


def test_batched_scores_are_each_querys_own(restorer):
    """The decoder's layout, a (position, before, last, next) grid, against each trigram asked alone."""
    lm = restorer.lm
    phrase = [lm.word_id(w) for w in "ủy ban nhân dân tỉnh thực hiện kế hoạch số".split()]
    assert lm.unknown not in phrase
    rng = np.random.default_rng(13)
    u = rng.choice(phrase, size=(4, 3, 1, 1))
    v = rng.choice(phrase, size=(4, 1, 3, 1))
    w = rng.choice(phrase, size=(4, 1, 1, 3))
    grid = lm.logprob(u, v, w)
    assert grid.shape == (4, 3, 3, 3)
    alone = np.array([[[[lm.logprob(u[p, i, 0, 0], v[p, 0, j, 0], w[p, 0, 0, k]) for k in range(3)]
                        for j in range(3)] for i in range(3)] for p in range(4)])
    assert np.array_equal(grid, alone)
    # A stored trigram scores above its backoff: "nhân dân" after "ban" is the one to expect.
    ban, nhan, dan = (lm.word_id(word) for word in ("ban", "nhân", "dân"))
    assert lm.logprob(ban, nhan, dan) > lm.logprob(lm.word_id("số"), nhan, dan)


def test_a_shared_first_word_scores_as_bigrams(restorer):
    """_narrowed asks with </s> as the first word for every query: a bigram each."""
    lm = restorer.lm
    v = np.array([lm.word_id("nhân"), lm.word_id("kế")])[:, None]
    w = np.array([lm.word_id("dân"), lm.word_id("hoạch")])[None, :]
    scores = lm.logprob(lm.end, v, w)
    assert scores.shape == (2, 2)
    assert scores[0, 0] == lm.logprob(lm.end, v[0, 0], w[0, 0])
    assert scores[0, 0] > scores[0, 1] and scores[1, 1] > scores[1, 0]


def test_clause_name_cache_stays_bounded(restorer, monkeypatch):
    """Text of many distinct clauses, as an archive-sized batch gives: the names found per clause
    are kept for at most NAME_CACHE_LIMIT clauses (then forgotten at once), and the output is the same
    as with room for all of them."""
    words = "thuc hien ke hoach so nam tinh uy ban nhan dan xa phuong".split()
    lines = [f"{words[i % 13]} {words[(i // 13) % 13]} {words[(i // 169) % 13]}." for i in range(60)]
    restorer._named.clear()
    unbounded = restorer.restore_lines(lines, STRIPPED)
    assert len(restorer._named) == 60
    restorer._named.clear()
    monkeypatch.setattr(restore, "NAME_CACHE_LIMIT", 10)
    sizes = []
    original = restorer._names_in

    def names_in(clause, channel):
        sizes.append(len(restorer._named))
        return original(clause, channel)

    monkeypatch.setattr(restorer, "_names_in", names_in)
    bounded = restorer.restore_lines(lines, STRIPPED)
    # Filled up to the limit, then emptied: never more than one clause over it.
    assert len(sizes) == 60 and max(sizes) == 10 and sizes.count(0) >= 5
    assert len(restorer._named) <= 11
    assert bounded.lines == unbounded.lines


def test_memory_weighs_a_words_options_anew_once_more_is_learned(monkeypatch):
    """What the readings say of a token's options is kept for a pass, not past the next clause learned,
    and for a bounded number of tokens."""
    from pipeline.restore import Decision
    from pipeline.restore import memory as memory_module
    from pipeline.restore.tokens import WORD, Token

    memory = memory_module.DocumentMemory()
    first = Token(0, 2, "Ke", WORD)

    def learned(reading: str) -> None:
        token = Token(3, 7, "bien", WORD)
        memory.learn(first, [(0, Decision(token, reading, 0.99, [], reading))], [])

    options = ["biển", "biến", "bien"]
    assert memory.word_scores("bien", options) == 0.0
    learned("biển")
    once = memory.word_scores("bien", options)
    assert once[0] > once[1] == once[2]
    learned("biến")
    learned("biến")
    twice = memory.word_scores("bien", options)
    assert twice[1] > twice[0] > twice[2]
    assert np.array_equal(memory.word_scores("bien", options), twice)
    monkeypatch.setattr(memory_module, "EVIDENCE_LIMIT", 3)
    for number in range(10):
        assert memory.word_scores("bien", [*options, f"x{number}"])[1] == twice[1]
    assert len(memory._evidence) <= 3
