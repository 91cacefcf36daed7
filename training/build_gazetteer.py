"""Write the restorer's gazetteer: multi-syllable names and fixed phrases of administrative text.

The names are those written by hand in training/gazetteer-names.txt and the unit names the parser
knows (pipeline/parse/data/units.json: expansions of abbreviations, canonical unit names, fixed
groups, unit heads), split at commas, kept when they have at least two syllables the language model
knows. One name per line, as written. Usage:

    python training/build_gazetteer.py --out pipeline/restore/data/gazetteer.txt
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import regex

from pipeline.restore.lm import TrigramLM
from pipeline.restore.vocab import lm_key

HERE = Path(__file__).parent
REPO = HERE.parent
WORD = regex.compile(r"\w+")


def unit_names(path: Path) -> list[str]:
    units = json.loads(path.read_text(encoding="utf-8"))
    names = list(units["abbreviations"].values()) + list(units["names"].values()) + units["groups"] + units["heads"]
    return [piece.strip() for name in names for piece in name.split(",")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=Path, default=HERE / "gazetteer-names.txt")
    parser.add_argument("--units", type=Path, default=REPO / "pipeline" / "parse" / "data" / "units.json")
    parser.add_argument("--lm", type=Path, default=REPO / "pipeline" / "restore" / "data" / "lm.npz")
    parser.add_argument("--out", type=Path, default=REPO / "pipeline" / "restore" / "data" / "gazetteer.txt")
    args = parser.parse_args()
    lm = TrigramLM(args.lm)
    syllables = {w for w, is_syllable in zip(lm.words, lm.is_syllable) if is_syllable}
    written = [line.strip() for line in args.names.read_text(encoding="utf-8").splitlines()
               if line.strip() and not line.startswith("#")]
    kept = {}
    for name in written + unit_names(args.units):
        words = WORD.findall(name)
        if len(words) >= 2 and all(lm_key(w) in syllables for w in words):
            kept.setdefault(" ".join(words).lower(), " ".join(words))
    args.out.write_text("\n".join(sorted(kept.values())) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: {len(kept)} names")


if __name__ == "__main__":
    main()
