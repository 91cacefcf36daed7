"""Character edit alignment, shared by channel training and channel scoring.

An OCR token is the true syllable passed through character substitutions,
deletions and insertions, where one printed letter may also be read as two or
three ("ư" as "it", "ữ" as "tlr": English-model OCR has no letter for it).
Training counts those operations on aligned pairs; scoring finds the cheapest
sequence of them under the learned costs.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from pipeline.vietnamese import strip_marks

EMPTY = ""
LONGEST_READ = 3  # the most OCR characters one printed letter is read as


def heuristic_cost(g: str, o: str) -> float:
    """Costs for the first alignment pass, before any are learned."""
    if g == o:
        return 0.0
    if g and o and strip_marks(g).lower() == strip_marks(o).lower():
        return 0.4  # same letter, other marks: the commonest OCR error
    return 1.0


def align(gold: str, ocr: str, cost: Callable[[str, str], float] = heuristic_cost,
          longest_read: int = 1) -> tuple[float, list[tuple[str, str]]]:
    """Cheapest edit script turning `gold` into `ocr`: (total cost, [(g, o), ...]).

    A pair with g == EMPTY is an insertion, with o == EMPTY a deletion; `o` may be up to
    `longest_read` characters, at the cost `cost` gives (infinite where it is not allowed).
    """
    n, m = len(gold), len(ocr)
    table = [[0.0] * (m + 1) for _ in range(n + 1)]
    back = [[0] * (m + 1) for _ in range(n + 1)]
    for j in range(1, m + 1):
        table[0][j] = table[0][j - 1] + cost(EMPTY, ocr[j - 1])
        back[0][j] = 2
    for i in range(1, n + 1):
        g = gold[i - 1]
        table[i][0] = table[i - 1][0] + cost(g, EMPTY)
        back[i][0] = 1
        row, prev = table[i], table[i - 1]
        for j in range(1, m + 1):
            o = ocr[j - 1]
            best, move = prev[j - 1] + cost(g, o), 0
            deletion = prev[j] + cost(g, EMPTY)
            if deletion < best:
                best, move = deletion, 1
            insertion = row[j - 1] + cost(EMPTY, o)
            if insertion < best:
                best, move = insertion, 2
            for length in range(2, min(longest_read, j) + 1):
                read = prev[j - length] + cost(g, ocr[j - length:j])
                if read < best:
                    best, move = read, length + 1
            row[j], back[i][j] = best, move
    script = []
    i, j = n, m
    while i or j:
        move = back[i][j]
        if move == 0:
            script.append((gold[i - 1], ocr[j - 1]))
            i, j = i - 1, j - 1
        elif move == 1:
            script.append((gold[i - 1], EMPTY))
            i -= 1
        elif move == 2:
            script.append((EMPTY, ocr[j - 1]))
            j -= 1
        else:
            length = move - 1
            script.append((gold[i - 1], ocr[j - length:j]))
            i, j = i - 1, j - length
    script.reverse()
    return table[n][m], script


def distances_many(codes: np.ndarray, lengths: np.ndarray, reading: np.ndarray, substitution: np.ndarray,
                   deletion: np.ndarray, insertion: np.ndarray, widths: np.ndarray,
                   reads: dict[int, np.ndarray]) -> np.ndarray:
    """Cost of the cheapest edit script from each gold string to the OCR string `reading[row]` of several.

    The gold strings are rows of character codes (`codes`, padded; `lengths` the real lengths);
    `substitution[s, c, j]` is the cost of gold character c read as OCR string s's j-th character,
    `deletion[c]` of c dropped, `insertion[s, j]` of s's j-th character added, and `reads[k][s, c, j]`,
    for k of 2 up to LONGEST_READ, of c read as the k characters of s from the j-th (a k left out: no
    letter is read as k characters); each OCR string's arrays are padded with infinite costs to the
    longest, `widths[s]` its length.

    The candidates of many tokens are scored together: the table is filled row by row for all of
    them at once with numpy, far faster than one Python loop each, and each cell is the same sum as
    when a token is scored alone (a padded cell only leads to longer ones).
    """
    n, width = len(codes), insertion.shape[1]
    # Few OCR strings have a piece some letter is read as (the others' reads are infinite throughout): the
    # gold strings scored against those come first, and only they are read so at each step.
    has_reads = np.zeros(len(insertion), dtype=bool)
    for read in reads.values():
        has_reads |= np.isfinite(read).any(axis=(1, 2))
    order = np.argsort(~has_reads[reading], kind="stable")
    codes, lengths, reading = codes[order], lengths[order], reading[order]
    readers = int(np.count_nonzero(has_reads[reading]))
    columns = np.arange(n)
    ends = widths[reading]
    # One row of the table per OCR position, one column per gold string: each step reads whole rows.
    added = insertion[reading].T
    prev = np.concatenate([np.zeros((1, n)), np.cumsum(added, axis=0)])
    result = np.where(lengths == 0, prev[ends, columns], 0.0)
    # The costs as (OCR position, OCR string and gold character) tables: each step takes one column per
    # gold string, and gets rows laid out as the table's.
    substitution = _by_position(substitution)
    reads = {length: _by_position(read) for length, read in reads.items()}
    letters = reading * len(deletion)
    for i in range(int(lengths.max(initial=0))):
        code = codes[:, i]
        delete = deletion[code]
        row = np.empty_like(prev)
        np.add(prev[0], delete, out=row[0])
        best = np.minimum(prev[:-1] + substitution.take(letters + code, axis=1), prev[1:] + delete)
        for length, read in reads.items():
            np.minimum(best[length - 1:, :readers], prev[:width - length + 1, :readers]
                       + read.take(letters[:readers] + code[:readers], axis=1), out=best[length - 1:, :readers])
        for j in range(1, width + 1):
            np.minimum(best[j - 1], row[j - 1] + added[j - 1], out=row[j])
        prev = row
        done = np.flatnonzero(lengths == i + 1)
        result[done] = row[ends[done], done]
    unordered = np.empty_like(result)
    unordered[order] = result
    return unordered


def _by_position(costs: np.ndarray) -> np.ndarray:
    """costs[s, c, j] as a table of rows j and columns s * letters + c."""
    strings, letters, positions = costs.shape
    return np.ascontiguousarray(costs.transpose(2, 0, 1)).reshape(positions, strings * letters)
