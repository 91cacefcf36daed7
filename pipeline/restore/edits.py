"""Character edit alignment, shared by channel training and channel scoring.

An OCR token is the true syllable passed through character substitutions,
deletions and insertions. Training counts those operations on aligned pairs;
scoring finds the cheapest sequence of them under the learned costs.
"""
from __future__ import annotations

from collections.abc import Callable

from pipeline.vietnamese import strip_marks

EMPTY = ""


def heuristic_cost(g: str, o: str) -> float:
    """Costs for the first alignment pass, before any are learned."""
    if g == o:
        return 0.0
    if g and o and strip_marks(g).lower() == strip_marks(o).lower():
        return 0.4  # same letter, other marks: the commonest OCR error
    return 1.0


def align(gold: str, ocr: str, cost: Callable[[str, str], float] = heuristic_cost) -> tuple[float, list[tuple[str, str]]]:
    """Cheapest edit script turning `gold` into `ocr`: (total cost, [(g, o), ...]).

    A pair with g == EMPTY is an insertion, with o == EMPTY a deletion.
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
        else:
            script.append((EMPTY, ocr[j - 1]))
            j -= 1
    script.reverse()
    return table[n][m], script


def distance(gold: str, ocr: str, cost: Callable[[str, str], float]) -> float:
    """Cost of the cheapest edit script, without keeping the script (the scoring hot path)."""
    m = len(ocr)
    prev = [0.0] * (m + 1)
    for j in range(1, m + 1):
        prev[j] = prev[j - 1] + cost(EMPTY, ocr[j - 1])
    for g in gold:
        row = [prev[0] + cost(g, EMPTY)]
        deletion_cost = cost(g, EMPTY)
        for j in range(1, m + 1):
            o = ocr[j - 1]
            row.append(min(prev[j - 1] + cost(g, o), prev[j] + deletion_cost, row[j - 1] + cost(EMPTY, o)))
        prev = row
    return prev[m]
