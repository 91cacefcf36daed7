"""The restorer's language model as training/build_lm.py builds it: its vocabulary rules, its
modified Kneser-Ney discounts, and what they give the restorer on short texts."""
from __future__ import annotations

import importlib.util
import lzma
from pathlib import Path

import numpy as np
import pytest

from pipeline.restore import STRIPPED, Restorer
from pipeline.restore.lm import _both_found
from pipeline.restore.vocab import SENTENCE_START

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def build_lm():
    spec = importlib.util.spec_from_file_location("build_lm", REPO / "training" / "build_lm.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_minority_place_names_spelled_with_k_are_syllables(build_lm):
    syllables = {"đắc": 5, "lắc": 3, "ngọc": 9}
    assert build_lm.is_k_spelling("đắk", syllables)
    assert build_lm.is_k_spelling("lắk", syllables)
    assert not build_lm.is_k_spelling("krông", syllables)  # no final k
    assert not build_lm.is_k_spelling("pắk", syllables)  # "pắc" is not in the list


@pytest.mark.parametrize("word, is_code", [
    ("bcđ", True), ("lđvp", True), ("đ", True),
    ("hd", False),  # no Đ
    ("đắk", False), ("được", False),  # Đ in a marked word: a syllable, not a code
    ("đ1", False),
])
def test_codes_with_d(build_lm, word, is_code):
    assert build_lm.is_code_with_d(word) is is_code


def test_vocabulary_keeps_rare_codes_only_written_with_d(build_lm, tmp_path):
    corpus = tmp_path / "corpus.txt.xz"
    text = ("Ban chỉ đạo BCĐ họp. Văn bản BCĐ số 2. Hướng dẫn HĐ và HD. HĐ ký. HD ký. "
            + "Tỉnh Đắk Lắk. " * 20 + "Từ QĐ số 1.\n")
    with lzma.open(corpus, "wt", encoding="utf-8") as out:
        out.write(text)
    syllables = {w: 1 for w in "ban chỉ đạo họp văn bản số hướng dẫn và ký tỉnh từ đắc lắc".split()}
    words, is_syllable, unknown_types = build_lm.build_vocabulary(corpus, syllables)
    restorable = {w for w, s in zip(words, is_syllable) if s}
    assert {"đắk", "lắk"} <= restorable
    assert "bcđ" in words  # twice, never without its Đ
    assert "hđ" not in words and "hd" not in words  # written both ways, and rare: <unk>
    assert "qđ" not in words  # once only
    assert unknown_types == 3  # hđ, hd, qđ


def test_case_model_counts_capitals_only_beside_small_letters(build_lm, tmp_path):
    corpus = tmp_path / "corpus.txt.xz"
    with lzma.open(corpus, "wt", encoding="utf-8") as out:
        out.write("Ứng dụng AI trong quản lý, trợ lý AI mới.\nKẾ HOẠCH ỨNG DỤNG AI\nGiao Sở Tư pháp chủ trì\n")
    index = {w: i for i, w in enumerate(["<s>", "<unk>", "<num>", "</s>", "ai", "sở", "tư", "ứng"])}
    model = build_lm.case_model(corpus, index)
    upper, title = np.exp(model["upper_lp"]), np.exp(model["title_lp"])
    # "AI" twice beside small letters, once in a heading (not counted): 2.1 / (0 + 0 + 1 + 2).
    assert upper[index["ai"]] == pytest.approx(2.1 / 3, rel=1e-6)
    assert upper[index["ứng"]] == pytest.approx(0.1 / 1, rel=1e-6)  # first in its clause, then a heading
    assert title[index["sở"]] == pytest.approx(1.1 / 2, rel=1e-6)
    assert build_lm.is_capitals_among_small(["dụng", "AI", "trong"], 1)
    assert not build_lm.is_capitals_among_small(["ỨNG", "DỤNG", "AI"], 2)
    assert not build_lm.is_capitals_among_small(["giao", "A", "trong"], 1)  # a lone letter


def test_modified_kneser_ney_discounts_from_the_count_of_counts(build_lm):
    counts = np.array([1] * 40 + [2] * 15 + [3] * 8 + [4] * 5)
    table = build_lm.discounts(counts)
    y = 40 / (40 + 2 * 15)
    assert table.tolist() == pytest.approx([0.0, 1 - 2 * y * 15 / 40, 2 - 3 * y * 8 / 15, 3 - 4 * y * 5 / 8])


def test_trained_trigrams_are_distributions(build_lm):
    """On a toy corpus every kept context's continuations, with the backoff for the rest, sum to one."""
    rng = np.random.default_rng(3)
    vocab_size = 40
    start = 0
    # Zipf-like words, so that n-grams are seen once, twice, three and four times as in real text.
    weights = 1 / np.arange(1, vocab_size)
    ids = np.concatenate([np.concatenate([[start, start], rng.choice(np.arange(1, vocab_size), size=8,
                                                                     p=weights / weights.sum())])
                          for _ in range(400)])
    model = build_lm.train(ids, vocab_size, start)
    bits = 14
    mask = (1 << bits) - 1
    uni = np.exp(model["uni_lp"].astype(float))
    bigram = {int(k): float(np.exp(p)) for k, p in zip(model["bi_keys"], model["bi_lp"])}
    bow2 = dict(zip(model["bow2_keys"].tolist(), np.exp(model["bow2"].astype(float))))
    trigram = {int(k): float(np.exp(p)) for k, p in zip(model["tri_keys"], model["tri_lp"])}
    bow3 = dict(zip(model["bow3_keys"].tolist(), np.exp(model["bow3"].astype(float))))

    def p2(v, w):
        return bigram.get((v << bits) | w, bow2.get(v, 1.0) * uni[w])

    for context in list(bow3)[:20]:
        u, v = context >> bits, context & mask
        total = sum(trigram.get((u << 2 * bits) | (v << bits) | w, bow3[context] * p2(v, w))
                    for w in range(1, vocab_size))
        assert total == pytest.approx(1.0, abs=0.02)  # unigram floor mass on <s>, never predicted


@pytest.mark.parametrize("text, restored", [
    ("Ke hoach so 01/KH-BCD cua Uy ban nhan dan tinh Dak Lak",
     "Kế hoạch số 01/KH-BCĐ của Ủy ban nhân dân tỉnh Đắk Lắk"),
    ("Gui Van phong (LDVP, TKCT) va So Noi vu", "Gửi Văn phòng (LĐVP, TKCT) và Sở Nội vụ"),
    ("Theo Huong dan so 12/HD-BNV cua Bo Noi vu", "Theo Hướng dẫn số 12/HD-BNV của Bộ Nội vụ"),
])
def test_place_names_and_codes_with_d_are_restored(text, restored):
    assert Restorer.default().restore_text(text).lines == [restored]


def test_a_word_written_in_lower_case_is_rarely_a_name():
    """"sở" is a department ("Sở Xây dựng"), written with a capital: "so" in lower case is "số"."""
    restorer = Restorer.default()
    assert restorer.restore_text("Day manh chuyen doi so xay dung chinh quyen so").lines == [
        "Đẩy mạnh chuyển đổi số xây dựng chính quyền số"]
    assert restorer.restore_text("Giao So Xay dung chu tri").lines == ["Giao Sở Xây dựng chủ trì"]
    lm = restorer.lm
    assert lm.lower[lm.index["sở"]] < lm.lower[lm.index["số"]]
    assert lm.title[lm.index["sở"]] > lm.title[lm.index["số"]]


@pytest.mark.parametrize("text, restored", [
    ("Nang cap he thong IT cho co quan", "Nâng cấp hệ thống IT cho cơ quan"),
    ("Nghi quyet so 12-NQ/TU cua Tinh uy", "Nghị quyết số 12-NQ/TU của Tỉnh ủy"),
])
def test_text_without_marks_keeps_its_codes_in_capitals(text, restored):
    """Capitals beside small letters in text that only lost its marks are a code the writer typed:
    "IT" is not "Ít", "TU" not "Tư"; the corpus writes "ai", "tu" in capitals, hardly "ải", "từ"."""
    restorer = Restorer.default()
    assert restorer.restore_lines([text], STRIPPED).lines == [restored]
    lm = restorer.lm
    assert lm.upper[lm.index["ai"]] > lm.upper[lm.index["ải"]]
    assert lm.upper[lm.index["tu"]] > lm.upper[lm.index["từ"]]


def test_the_word_after_a_list_marker_starts_a_sentence():
    """Its capital says nothing of a name: "Chu" after "b)" is "Chú" (trọng), not "Chủ" (tịch)."""
    assert Restorer.default().restore_text("b) Chu trong cong tac thong tin tuyen truyen").lines == [
        "b) Chú trọng công tác thông tin tuyên truyền"]


def test_every_word_of_the_model_is_its_own_key():
    """word_id takes a word of the vocabulary as its key without working it out."""
    from pipeline.restore.vocab import lm_key
    lm = Restorer.default().lm
    assert all(lm_key(word) == word for word in lm.words)
    assert lm.word_id("Sở") == lm.word_id("sở") == lm.index["sở"] != lm.unknown
    assert lm.word_id("2024") == lm.number and lm.word_id("xyzzy") == lm.unknown


def test_pair_index_finds_exactly_the_stored_pairs():
    from pipeline.restore.lm import BITS, PairIndex
    words = 37
    stored = {(0, 0): -0.5, (0, 36): -1.5, (5, 7): -2.0, (7, 5): -3.0, (36, 36): -4.0, (12, 16): -5.0, (12, 17): -6.0}
    keys = np.array([(v << BITS) | w for v, w in stored], dtype=np.int64)[::-1]  # any order
    index = PairIndex(keys, np.array(list(stored.values()))[::-1], words)
    v, w = np.meshgrid(np.arange(words), np.arange(words), indexing="ij")
    found, values = index.find(v, w)
    assert found.shape == values.shape == (words, words)
    assert {(int(a), int(b)) for a, b in zip(*np.nonzero(found))} == set(stored)
    assert all(values[pair] == value for pair, value in stored.items())
    assert not values[~found].any()


@pytest.mark.parametrize("context_shape, bigram_shape", [
    ((5, 3, 4, 1), (5, 1, 4, 6)),  # the decoder's grid: (position, word before last, last word, next word)
    ((5, 4, 1), (5, 4, 6)),  # a shared first word ("</s>"): the contexts span what the last words span
    ((1, 4, 1), (5, 4, 6)),
    ((5, 1, 4, 1), (1, 3, 4, 6)),
    ((7,), (7,)),  # one query each
    ((), (3,)),
])
def test_trigram_places_are_those_where_both_context_and_bigram_are_stored(context_shape, bigram_shape):
    rng = np.random.default_rng(len(context_shape) * 10 + len(bigram_shape))
    has_context = np.array(rng.random(context_shape) < 0.3)
    has_bigram = np.array(rng.random(bigram_shape) < 0.5)
    has_context.flat[0] = has_bigram.flat[0] = True
    shape = np.broadcast_shapes(context_shape, bigram_shape)
    found = _both_found(has_context, has_bigram, shape)
    expected = np.nonzero(np.broadcast_to(has_context & has_bigram, shape))
    assert len(found) == len(shape)
    assert sorted(zip(*(axis.tolist() for axis in found))) == sorted(zip(*(axis.tolist() for axis in expected)))
    assert len(expected[0]) > 0


def test_a_first_word_no_context_starts_with_scores_as_the_full_search_does():
    """</s> first (as _narrowed asks) is answered without looking for contexts: the same scores."""
    lm = Restorer.default().lm
    v = np.array([lm.word_id(w) for w in ("ủy", "nhân", "kế", "<unk>")])[:, None]
    w = np.array([lm.word_id(x) for x in ("ban", "dân", "hoạch", "số")])[None, :]
    shortcut = lm.logprob(lm.end, v, w)
    searched = lm.logprob(np.full((1, 1), lm.end), v, w)
    assert shortcut.shape == searched.shape == (4, 4)
    assert np.array_equal(shortcut, searched)
    assert shortcut[0, 0] > shortcut[0, 1]  # "ủy ban"
