"""Learn the OCR channel model from aligned (true line, OCR line) pairs.

The pairs come from training/make_ocr_pairs.py: corpus paragraphs rendered
to degraded page images and read back by Tesseract with the English model
(the legacy profile) and the Vietnamese model (the tesseract profile).
Tokens of each pair of lines are aligned, then characters of each pair of
tokens, and the counts become the per-character edit log-probabilities and
the whole-token confusion table of pipeline/restore/channel.py. Usage:

    python training/build_channel.py --pairs /work/cache/ocr-pairs \
        --out pipeline/restore/data/channel.json.gz
"""
from __future__ import annotations

import argparse
import collections
import csv
import functools
import gzip
import json
import math
import sys
import unicodedata
from pathlib import Path

import numpy as np
from rapidfuzz.distance import Levenshtein

from pipeline.restore.channel import LEGACY, TESSERACT, skeleton
from pipeline.restore.edits import EMPTY, LONGEST_READ, align, heuristic_cost
from pipeline.restore.lm import TrigramLM
from pipeline.restore.tokens import DIGITS, WORD, clean_junk, tokenize
from pipeline.vietnamese import restyle, split_tone

SOURCES = {LEGACY: "eng.tsv", TESSERACT: "vie.tsv"}
MIN_TOKEN_PAIR_COUNT = 2
SMOOTHING = 0.5
MAX_SKELETON_DISTANCE = {LEGACY: 2, TESSERACT: 1}
MIN_READ_COUNT = 3  # a letter read as several characters: seen this often to be learned
READ_COST = 1.0


def words(line: str) -> list[str]:
    return [t.text for t in tokenize(line) if t.kind in (WORD, DIGITS)]


def align_tokens(gold: list[str], ocr: list[str]) -> list[tuple[str, str]]:
    """Pairs of gold and OCR words that stand for each other (splits and merges are skipped)."""
    n, m = len(gold), len(ocr)
    cost = np.zeros((n + 1, m + 1))
    cost[:, 0] = np.arange(n + 1)
    cost[0, :] = np.arange(m + 1)
    keys_g = [skeleton(g) for g in gold]
    keys_o = [skeleton(o) for o in ocr]
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            similarity = Levenshtein.normalized_similarity(keys_g[i - 1], keys_o[j - 1])
            cost[i, j] = min(cost[i - 1, j - 1] + 2 * (1 - similarity), cost[i - 1, j] + 1, cost[i, j - 1] + 1)
    pairs = []
    i, j = n, m
    while i and j:
        similarity = Levenshtein.normalized_similarity(keys_g[i - 1], keys_o[j - 1])
        if math.isclose(cost[i, j], cost[i - 1, j - 1] + 2 * (1 - similarity)):
            if similarity >= 0.34:
                pairs.append((gold[i - 1], ocr[j - 1]))
            i, j = i - 1, j - 1
        elif math.isclose(cost[i, j], cost[i - 1, j] + 1):
            i -= 1
        else:
            j -= 1
    return pairs


def read_pairs(path: Path):
    """(gold word, OCR word) pairs, lowercase, gold in the model's tone style."""
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(row) != 3:
                continue
            for gold, ocr in align_tokens(words(row[1]), words(row[2])):
                yield restyle(gold.lower()), clean_junk(unicodedata.normalize("NFC", ocr).lower())


def keep_rates(pairs: list[tuple[str, str]], syllables: set[str], known: set[str]) -> tuple[float, float]:
    """How often an OCR word that is no Vietnamese syllable was printed exactly so: of all such
    words, and of those the language model knows (names, foreign words, units: "IoT", "kW")."""
    unknown = [(g, o) for g, o in pairs if restyle(o) not in syllables and not o.isdigit()]
    words = [(g, o) for g, o in unknown if restyle(o) in known]
    return (sum(g == o for g, o in unknown) / max(len(unknown), 1),
            sum(g == o for g, o in words) / max(len(words), 1))


def count_edits(token_counts: collections.Counter, cost, longest_read: int) -> tuple[dict, collections.Counter, int]:
    """Per gold character, what it was read as; what was read where nothing was printed; and the
    number of places an insertion could have happened."""
    char_counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    insertions = collections.Counter()
    insertion_slots = 0
    for (gold, ocr), count in token_counts.items():
        _, script = align(gold, ocr, cost, longest_read)
        insertion_slots += (len(gold) + 1) * count
        for g, o in script:
            if g == EMPTY:
                insertions[o] += count
            else:
                char_counts[g][o] += count
    return char_counts, insertions, insertion_slots


def multi_reads(token_counts: collections.Counter) -> dict[str, collections.Counter]:
    """Letters read as several characters, proposed from first alignments: a letter read as one
    character next to characters read where nothing was printed ("ư" -> "i" + "t": "it")."""
    found: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for (gold, ocr), count in token_counts.items():
        _, script = align(gold, ocr)
        for at, (g, o) in enumerate(script):
            if g == EMPTY or o == EMPTY:
                continue
            before = after = ""
            for printed, extra in script[at + 1:]:
                if printed != EMPTY or len(o) + len(after) + 1 > LONGEST_READ:
                    break
                after += extra
                found[g][o + after] += count
            for printed, extra in reversed(script[:at]):
                if printed != EMPTY or len(o) + len(before) + 1 > LONGEST_READ:
                    break
                before = extra + before
                found[g][before + o] += count
    return found


def shape_cost(reads: set[tuple[str, str]], g: str, o: str) -> float:
    """The first alignments' cost by letter shape, with the letters read as several characters
    `reads` allows: one move, cheaper than a letter read as one and another added."""
    if len(o) > 1:
        return READ_COST if (g, o) in reads else math.inf
    return heuristic_cost(g, o)


def log_probabilities(char_counts: dict, insertions: collections.Counter, insertion_slots: int):
    """Per gold letter, log P of each thing it was read as; per character, log P of it added. A
    letter read as several characters is counted over the letter's tones together: the reading
    comes from its shape ("ư" as "ir"), and each tone alone is seen too seldom to tell them apart."""
    totals = {g: sum(row.values()) + SMOOTHING * (len(row) + 1) for g, row in char_counts.items()}
    families: dict[str, list[str]] = collections.defaultdict(list)
    for g in char_counts:
        families[split_tone(g)[0]].append(g)
    substitution = {}
    for letters in families.values():
        reads = collections.Counter()
        for g in letters:
            reads.update({o: c for o, c in char_counts[g].items() if len(o) > 1})
        total = sum(totals[g] for g in letters)
        shared = {o: round(math.log(c / total), 3) for o, c in reads.items() if c >= MIN_READ_COUNT}
        for g in letters:
            substitution[g] = {o: round(math.log((c + SMOOTHING) / totals[g]), 3)
                               for o, c in char_counts[g].items() if len(o) == 1} | shared
    insertion = {o: round(math.log(c / insertion_slots), 3) for o, c in insertions.items()}
    return substitution, insertion


def train_profile(all_pairs: list[tuple[str, str]], syllables: set[str], known: set[str], profile: str) -> dict:
    pairs = [(g, o) for g, o in all_pairs if g in syllables]
    token_counts = collections.Counter(pairs)
    syllable_counts = collections.Counter(g for g, _ in pairs)
    # Alignments by letter shape, where a letter read as several characters is one move wherever
    # first alignments saw it often enough (else "ư" read as "it" counts as "ư" -> "i" and an added "t").
    reads = {(g, o) for g, found in multi_reads(token_counts).items() for o, count in found.items()
             if count >= MIN_READ_COUNT}
    char_counts, insertions, insertion_slots = count_edits(
        token_counts, functools.partial(shape_cost, reads), LONGEST_READ)
    substitution, insertion = log_probabilities(char_counts, insertions, insertion_slots)
    tokens: dict[str, dict[str, int]] = collections.defaultdict(dict)
    for (gold, ocr), count in token_counts.items():
        if count >= MIN_TOKEN_PAIR_COUNT:
            tokens[ocr][gold] = count
    unknown, known_word = keep_rates(all_pairs, syllables, known)
    print(f"{profile}: {len(pairs):,} token pairs, {len(token_counts):,} distinct, unknown kept {unknown:.4f}, "
          f"known words kept {known_word:.4f}", file=sys.stderr)
    return {
        "substitution": substitution,
        "insertion": insertion,
        "tokens": tokens,
        "syllable_counts": dict(syllable_counts),
        "keep_unknown": round(math.log(max(unknown, 1e-4)), 3),
        "keep_known": round(math.log(max(known_word, 1e-4)), 3),
        "max_skeleton_distance": MAX_SKELETON_DISTANCE[profile],
        # Only the English model writes digits for letters often enough to consider it.
        "digits_as_letters": profile == LEGACY,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, required=True, help="folder with eng.tsv and vie.tsv")
    parser.add_argument("--lm", type=Path, default=Path("pipeline/restore/data/lm.npz"))
    parser.add_argument("--out", type=Path, default=Path("pipeline/restore/data/channel.json.gz"))
    args = parser.parse_args()
    lm = TrigramLM(args.lm)
    syllables = {w for w, is_syllable in zip(lm.words, lm.is_syllable) if is_syllable}
    known = {w for w, is_syllable in zip(lm.words, lm.is_syllable) if not is_syllable}
    profiles = {}
    for profile, name in SOURCES.items():
        pairs = list(read_pairs(args.pairs / name))
        profiles[profile] = train_profile(pairs, syllables, known, profile)
    with gzip.open(args.out, "wt", encoding="utf-8") as handle:
        json.dump({"profiles": profiles}, handle, ensure_ascii=False, separators=(",", ":"))
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)", file=sys.stderr)


if __name__ == "__main__":
    main()
