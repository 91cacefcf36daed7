"""Candidates from the readings the OCR engine weighed for the characters of a word it doubted.

Tesseract's LSTM gives each character it wrote the other characters it hesitated between, with
their confidence ("biểu": "ể" 0.92, "ế" 0.57; pipeline.ingest.hocr). The spellings those readings
make are candidates for the word, each scored as close to the one written as the engine found it:

    channel score = best channel score of the word + log(confidence of each reading / best at its place)

so a reading the engine found nearly as likely as the one it wrote is left to the language model,
even where the channel alone would not propose it ("biếu" for "biểu").
"""
from __future__ import annotations

import math

import regex

from pipeline.model import WordReadings

# Readings less likely than this many times the best at their character are not worth a candidate.
MIN_READING_SHARE = 0.05
# Spellings made from one word's readings, likeliest first: a word the engine doubted at every
# character would make thousands.
MAX_SPELLINGS = 16


def words_with_readings(lines: list[str], word_readings: list[list[WordReadings | None] | None] | None,
                        doubtful: dict[int, list[range]]) -> dict[int, list[tuple[int, WordReadings]]]:
    """Line index -> (start, readings) of each doubtful word (`doubtful`: its character spans) whose
    readings spell it as it is written now: one reading per character, the written one among them."""
    found: dict[int, list[tuple[int, WordReadings]]] = {}
    for index, readings in enumerate(word_readings or ()):
        if not readings or index not in doubtful:
            continue
        words = list(regex.finditer(r"\S+", lines[index]))
        if len(words) != len(readings):
            continue
        kept = [(word.start(), read) for word, read in zip(words, readings)
                if read and any(word.start() in span for span in doubtful[index]) and _spells(word[0], read)]
        if kept:
            found[index] = kept
    return found


def _spells(text: str, readings: WordReadings) -> bool:
    return len(text) == len(readings) and all(any(c == letter for c, _ in read) for letter, read in zip(text, readings))


def spellings_read(start: int, text: str, line: list[tuple[int, WordReadings]]) -> list[tuple[str, float]]:
    """The spellings other than `text` (a token starting at `start` in its line) that the readings of
    its characters make, each with log(its readings' confidence / the best at each character), best first."""
    for word_start, readings in line:
        offset = start - word_start
        if 0 <= offset and offset + len(text) <= len(readings):
            break
    else:
        return []
    places = []
    for letter, read in zip(text, readings[offset:offset + len(text)]):
        best = max(confidence for _, confidence in read)
        if best <= 0:
            places.append([(letter, 0.0)])
            continue
        places.append([(c, math.log(confidence / best)) for c, confidence in read
                       if confidence >= MIN_READING_SHARE * best])
        if not any(c == letter for c, _ in places[-1]):
            places[-1].append((letter, 0.0))
    if all(len(place) == 1 for place in places):
        return []
    # Scores only fall as characters are added: the best spellings of the whole word begin with the
    # best ones of each of its beginnings.
    made = [("", 0.0)]
    for place in places:
        made = sorted(((spelling + c, score + value) for spelling, score in made for c, value in place),
                      key=lambda pair: -pair[1])[:MAX_SPELLINGS + 1]
    return [(spelling, score) for spelling, score in made if spelling != text][:MAX_SPELLINGS]
