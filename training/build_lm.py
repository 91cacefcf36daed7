"""Train the syllable trigram language model of the restorer.

Interpolated modified Kneser-Ney (three discounts per order, for n-grams
seen once, twice and more often, from the count-of-counts), stored in
backoff form so a query is one sorted-array lookup per order:

    log P(w | u v) = tri[u v w]                    if the trigram was kept
                   = bow3[u v] + log P(w | v)       otherwise
    log P(w | v)   = bi[v w]  or  bow2[v] + uni[w]

Every trigram is kept, those seen once too: the corpus is small enough (about
1.2 million distinct trigrams) and pruning them cost accuracy. Usage:

    python training/build_lm.py --corpus ../shared/corpus/legal-vi.txt.xz \
        --out pipeline/restore/data/lm.npz
"""
from __future__ import annotations

import argparse
import collections
import lzma
import time
from pathlib import Path

import numpy as np

from pipeline.restore.vocab import SENTENCE_END, SENTENCE_START, SPECIALS, UNKNOWN, clauses, is_title, lm_key, sentences
from pipeline.restore.lm import BITS, pack
from pipeline.vietnamese import restyle, strip_marks

MIN_OTHER_WORD_COUNT = 20  # non-syllable words rarer than this become <unk>
# Capital codes the corpus only writes with Đ ("BCĐ", "LĐVP") are kept from this count on: the restorer
# gives a code its Đ back if the model has it and not the code without (Restorer._abbreviation_marks).
MIN_CODE_COUNT = 2


def read_syllables(path: Path) -> dict[str, int]:
    counts: dict[str, int] = collections.Counter()
    for row in path.read_text(encoding="utf-8").splitlines():
        word, count = row.split("\t")
        counts[restyle(word)] += int(count)
    return counts


def corpus_clauses(path: Path):
    with lzma.open(path, "rt", encoding="utf-8") as lines:
        for paragraph in lines:
            yield from sentences(paragraph)


def build_vocabulary(corpus: Path, syllables: dict[str, int]) -> tuple[list[str], np.ndarray, int]:
    """The words of the model, which of them are syllables, and how many distinct words <unk> stands for."""
    counts = collections.Counter()
    for words in corpus_clauses(corpus):
        counts.update(words)
    restorable = set(syllables) | {w for w, c in counts.items() if c >= MIN_OTHER_WORD_COUNT and is_k_spelling(w, syllables)}
    others = [w for w, c in counts.items() if w not in restorable and w not in SPECIALS
              and c >= (MIN_CODE_COUNT if is_code_with_d(w) and strip_marks(w) not in counts else MIN_OTHER_WORD_COUNT)]
    words = list(SPECIALS) + sorted(restorable) + sorted(others)
    assert len(words) < 2**BITS, "vocabulary does not fit the key packing"
    is_syllable = np.array([w in restorable for w in words], dtype=bool)
    known = set(words)
    unknown_types = sum(1 for w in counts if w not in known)
    return words, is_syllable, unknown_types


def is_k_spelling(word: str, syllables: dict[str, int]) -> bool:
    """A syllable of a place name in a minority language, written with a final k where Vietnamese
    writes c ("Đắk Lắk" beside "đắc", "lắc"): the syllable list lacks them, the restorer needs them."""
    return word.endswith("k") and word[:-1] + "c" in syllables


def is_code_with_d(word: str) -> bool:
    """A code with Đ: letters without marks, but one Đ at least ("bcđ", "lđvp")."""
    return "đ" in word and word.isalpha() and strip_marks(word) == word.replace("đ", "d")


def encode(corpus: Path, index: dict[str, int]) -> np.ndarray:
    start, end, unknown = index[SENTENCE_START], index[SENTENCE_END], index[UNKNOWN]
    ids: list[int] = []
    for words in corpus_clauses(corpus):
        ids.append(start)
        ids.append(start)
        ids.extend(index.get(w, unknown) for w in words)
        ids.append(end)
    return np.array(ids, dtype=np.int64)


def case_model(corpus: Path, index: dict[str, int]) -> dict[str, np.ndarray]:
    """log P(written with a capital initial | word) and log P(written in lower case | word), for words
    inside a clause (a clause's first word is capitalised whatever it is); and log P(written in capitals
    | word) for a word among words in small letters, where capitals are the writer's choice of a code or
    a foreign word ("AI", "COP"), not a heading's."""
    unknown = index[UNKNOWN]
    title = np.zeros(len(index))
    lower = np.zeros(len(index))
    upper = np.zeros(len(index))
    with lzma.open(corpus, "rt", encoding="utf-8") as lines:
        for paragraph in lines:
            for words in clauses(paragraph):
                for position, word in enumerate(words[1:], 1):
                    word_id = index.get(lm_key(word), unknown)
                    if is_title(word):
                        title[word_id] += 1
                    elif word.islower():
                        lower[word_id] += 1
                    elif is_capitals_among_small(words, position):
                        upper[word_id] += 1
    total = title + lower + 1.0
    return {"title_lp": np.log((title + 0.1) / total).astype(np.float32),
            "lower_lp": np.log((lower + 0.1) / total).astype(np.float32),
            "upper_lp": np.log((upper + 0.1) / (total + upper)).astype(np.float32)}


def is_capitals_among_small(words: list[str], position: int) -> bool:
    """A word in capitals, of two letters or more, beside a word in small letters."""
    word = words[position]
    beside = words[max(0, position - 1):position] + words[position + 1:position + 2]
    return len(word) > 1 and word.isupper() and any(w.islower() for w in beside)


def discounts(counts: np.ndarray) -> np.ndarray:
    """Modified Kneser-Ney discounts (Chen & Goodman) indexed by count: 0, D1, D2, D3+."""
    n1, n2, n3, n4 = (np.sum(counts == k) for k in (1, 2, 3, 4))
    y = n1 / (n1 + 2 * n2)
    return np.array([0.0, 1 - 2 * y * n2 / n1, 2 - 3 * y * n3 / n2, 3 - 4 * y * n4 / n3])


def discounted(context_keys: np.ndarray, counts: np.ndarray, table: np.ndarray):
    """Per n-gram its discount; per context (sorted) its total count and the mass the discounts free."""
    contexts, inverse = np.unique(context_keys, return_inverse=True)
    discount = table[np.minimum(counts, 3)]
    totals = np.bincount(inverse, weights=counts.astype(np.float64))
    return discount, contexts, totals, np.bincount(inverse, weights=discount) / totals


def lookup(sorted_keys: np.ndarray, values: np.ndarray, queries: np.ndarray) -> np.ndarray:
    positions = np.searchsorted(sorted_keys, queries)
    assert np.all(sorted_keys[positions] == queries)
    return values[positions]


def train(ids: np.ndarray, vocab_size: int, start_id: int) -> dict[str, np.ndarray]:
    mask = 2**BITS - 1
    u, v, w = ids[:-2], ids[1:-1], ids[2:]
    keep = w != start_id
    tri_keys, tri_counts = np.unique(pack(u[keep], v[keep], w[keep]), return_counts=True)
    tri_v, tri_w = (tri_keys >> BITS) & mask, tri_keys & mask

    # Continuation counts: in how many distinct contexts a lower-order n-gram occurs.
    bi_keys, bi_cont = np.unique(pack(0, tri_v, tri_w), return_counts=True)
    bi_v, bi_w = bi_keys >> BITS, bi_keys & mask
    uni_cont = np.bincount(bi_w, minlength=vocab_size).astype(np.float64)

    d3, d2 = discounts(tri_counts), discounts(bi_cont)

    # Unigrams: continuation probability, with a floor for words never continued.
    uni_p = (uni_cont + 0.5) / (uni_cont.sum() + 0.5 * vocab_size)
    uni_lp = np.log(uni_p)

    # Bigrams.
    bi_discount, ctx2, ctx2_total, gamma2 = discounted(bi_v, bi_cont, d2)
    bi_p = (bi_cont - bi_discount) / lookup(ctx2, ctx2_total, bi_v) + lookup(ctx2, gamma2, bi_v) * uni_p[bi_w]

    # Trigrams.
    ctx3_keys = tri_keys >> BITS
    tri_discount, ctx3, ctx3_total, gamma3 = discounted(ctx3_keys, tri_counts, d3)
    lower = lookup(bi_keys, bi_p, pack(0, tri_v, tri_w))
    tri_p = (tri_counts - tri_discount) / lookup(ctx3, ctx3_total, ctx3_keys) + lookup(ctx3, gamma3, ctx3_keys) * lower

    print(f"trigrams {len(tri_keys):,}; bigrams {len(bi_keys):,}; D3={np.round(d3[1:], 3)} D2={np.round(d2[1:], 3)}")
    return {
        "tri_keys": tri_keys,
        "tri_lp": np.log(tri_p).astype(np.float32),
        "bow3_keys": ctx3,
        "bow3": np.log(gamma3).astype(np.float32),
        "bi_keys": bi_keys,
        "bi_lp": np.log(bi_p).astype(np.float32),
        "bow2_keys": ctx2,
        "bow2": np.log(gamma2).astype(np.float32),
        "uni_lp": uni_lp.astype(np.float32),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--syllables", type=Path, help="syllables.tsv (default: beside the corpus)")
    parser.add_argument("--out", type=Path, default=Path("pipeline/restore/data/lm.npz"))
    args = parser.parse_args()
    began = time.time()
    syllables = read_syllables(args.syllables or args.corpus.parent / "syllables.tsv")
    words, is_syllable, unknown_types = build_vocabulary(args.corpus, syllables)
    index = {w: i for i, w in enumerate(words)}
    ids = encode(args.corpus, index)
    print(f"vocabulary {len(words):,} ({is_syllable.sum():,} syllables, {unknown_types:,} words left to <unk>); tokens {len(ids):,}; {time.time() - began:.0f}s")
    model = train(ids, len(words), index[SENTENCE_START])
    model.update(case_model(args.corpus, index))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, vocab=np.array("\n".join(words)), is_syllable=is_syllable,
                        unknown_types=np.array(unknown_types), **model)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB) in {time.time() - began:.0f}s")


if __name__ == "__main__":
    main()
