"""How running text maps onto the language model's vocabulary.

Shared by the training script and the restorer so both see the same tokens:
lowercased syllables in one tone style, every number folded into <num>,
other words (abbreviations, foreign words) kept when frequent, else <unk>.
"""
from __future__ import annotations

import functools

import regex

from pipeline.vietnamese import restyle

SENTENCE_START = "<s>"
SENTENCE_END = "</s>"
UNKNOWN = "<unk>"
NUMBER = "<num>"
SPECIALS = (SENTENCE_START, UNKNOWN, NUMBER, SENTENCE_END)

WORD = regex.compile(r"\w+")
# Punctuation that ends a clause: the language model's context restarts after it. A colon does not:
# what follows a label ("Số: 267", "Thời gian thực hiện: thường xuyên") depends on the label.
CLAUSE_END = regex.compile(r"[.;!?…]")


@functools.lru_cache(maxsize=1 << 16)  # a text repeats its words; the restorer asks for each candidate's key
def lm_key(word: str) -> str:
    """The vocabulary key of a word as written (before the unknown check)."""
    if word.isdigit():
        return NUMBER
    return restyle(word.lower())


def clauses(paragraph: str):
    """The words of each clause of a paragraph, as written."""
    for clause in CLAUSE_END.split(paragraph):
        words = WORD.findall(clause)
        if words:
            yield words


def sentences(paragraph: str):
    """Word lists of the clauses of a paragraph, as the model is trained on them."""
    for words in clauses(paragraph):
        yield [lm_key(w) for w in words]


def is_title(word: str) -> bool:
    """A capital initial on a word that is not all capitals: inside a clause, the mark of a name."""
    return word[:1].isupper() and not word.isupper()
