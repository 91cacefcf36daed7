"""Write the restorer's gazetteer: multi-syllable names, and the two-syllable words of the corpus.

The names are those written by hand in training/gazetteer-names.txt, the unit names the parser
knows (pipeline/parse/data/units.json: expansions of abbreviations, canonical unit names, fixed
groups, unit heads) split at commas, and the provinces, wards, communes and special zones after the
July 2025 merger (the vietnam-provinces package, `pip install -e '.[train]'`); kept when all their
words are syllables the language model knows.

The words are the pairs of syllables the corpus writes together far more often than chance
(at least MIN_WORD_COUNT times, pointwise mutual information at least MIN_WORD_PMI): "kịp thời",
"tham mưu", "chặt chẽ"; not "có thể", whose syllables go with anything. Usage:

    python training/build_gazetteer.py --corpus ../shared/corpus/legal-vi.txt.xz \
        --out pipeline/restore/data/gazetteer.txt --words pipeline/restore/data/words.txt
"""
from __future__ import annotations

import argparse
import collections
import json
import lzma
import math
from pathlib import Path

import regex
from vietnam_provinces import Province, Ward

from pipeline.restore.lm import TrigramLM
from pipeline.restore.vocab import lm_key, sentences
from pipeline.vietnamese import strip_marks

HERE = Path(__file__).parent
REPO = HERE.parent
WORD = regex.compile(r"\w+")
MIN_WORD_COUNT = 50
MIN_WORD_PMI = 4.0
KIND_OF_PLACE = regex.compile(r"^(?:Thành phố|Tỉnh|Phường|Xã|Đặc khu) ")


def unit_names(path: Path) -> list[str]:
    units = json.loads(path.read_text(encoding="utf-8"))
    names = list(units["abbreviations"].values()) + list(units["names"].values()) + units["groups"] + units["heads"]
    return [piece.strip() for name in names for piece in name.split(",")]


def place_names() -> list[str]:
    """The 34 provinces and the 3,321 wards, communes and special zones of July 2025, without the word
    of their kind ("Phường Hoàn Kiếm", "Xã Tân Phú Đông", "Thành phố Hà Nội": "Hoàn Kiếm", "Tân Phú
    Đông", "Hà Nội"): documents write that word in small letters, or leave it out."""
    return [KIND_OF_PLACE.sub("", division.name) for division in [*Province.iter_all(), *Ward.iter_all()]]


def corpus_words(corpus: Path, syllables: set[str]) -> list[str]:
    """Two-syllable words: pairs seen together far more often than their syllables' frequencies predict."""
    pairs: collections.Counter[tuple[str, str]] = collections.Counter()
    singles: collections.Counter[str] = collections.Counter()
    with lzma.open(corpus, "rt", encoding="utf-8") as lines:
        for paragraph in lines:
            for words in sentences(paragraph):
                singles.update(words)
                pairs.update((a, b) for a, b in zip(words, words[1:]) if a in syllables and b in syllables)
    total = sum(singles.values())
    return sorted(f"{a} {b}" for (a, b), count in pairs.items()
                  if count >= MIN_WORD_COUNT and math.log(count * total / (singles[a] * singles[b])) >= MIN_WORD_PMI)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=Path, default=HERE / "gazetteer-names.txt")
    parser.add_argument("--units", type=Path, default=REPO / "pipeline" / "parse" / "data" / "units.json")
    parser.add_argument("--lm", type=Path, default=REPO / "pipeline" / "restore" / "data" / "lm.npz")
    parser.add_argument("--out", type=Path, default=REPO / "pipeline" / "restore" / "data" / "gazetteer.txt")
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--words", type=Path, default=REPO / "pipeline" / "restore" / "data" / "words.txt")
    args = parser.parse_args()
    lm = TrigramLM(args.lm)
    syllables = {w for w, is_syllable in zip(lm.words, lm.is_syllable) if is_syllable}
    written = [line.strip() for line in args.names.read_text(encoding="utf-8").splitlines()
               if line.strip() and not line.startswith("#")]
    kept = {}
    for name in written + unit_names(args.units) + place_names():
        words = WORD.findall(name)
        if len(words) >= 2 and all(lm_key(w) in syllables for w in words):
            # Spelled as the model's words, with the name's capitals.
            styled = " ".join(lm_key(w).capitalize() if w[:1].isupper() else lm_key(w) for w in words)
            kept.setdefault(styled.lower(), styled)
    write(args.out, sorted(kept.values()))
    print(f"wrote {args.out}: {len(kept)} names")
    words = corpus_words(args.corpus, syllables)
    write(args.words, words)
    print(f"wrote {args.words}: {len(words)} words")


def write(path: Path, names: list[str]) -> None:
    """One name a line, and after a tab its letters without marks, so the restorer loads it fast."""
    path.write_text("".join(f"{name}\t{strip_marks(name).lower()}\n" for name in names), encoding="utf-8")


if __name__ == "__main__":
    main()
