"""The restorer's items kept compactly (pipeline.model.TokenRestorations) read back as they were given."""
from __future__ import annotations

import random

from pipeline.model import TokenRestoration, TokenRestorations
from pipeline.restore import Restorer


def test_items_read_back_as_given_with_the_confidence_rounded_to_three_places():
    items = TokenRestorations()
    given = [(1, 0, "So", "Số", 0.98765, ["Sở"]), (1, 4, "ngay", "ngày", 1.0, []),
             (70_000, 123_456, "thang", "tháng", 0.0005, ["thắng", "thẳng"]), (2, 5, "So", "Số", 0.4, ["Sở"])]
    for line, start, original, restored, confidence, alternatives in given:
        items.append(line, start, original, restored, confidence, alternatives)
    assert len(items) == 4
    assert list(items) == [TokenRestoration(line, start, original, restored, round(confidence, 3), alternatives)
                           for line, start, original, restored, confidence, alternatives in given]
    assert items[2] == TokenRestoration(70_000, 123_456, "thang", "tháng", 0.001, ["thắng", "thẳng"])
    assert items[-1].confidence == 0.4
    # Each item is a new object: changing one (normalize moves offsets) leaves the others as they are.
    first = items[0]
    first.alternatives.append("Sổ")
    assert items[0].alternatives == items[3].alternatives == ["Sở"]


def test_every_confidence_reads_back_as_round_to_three_places():
    generator = random.Random(13)
    confidences = [generator.random() for _ in range(20_000)]
    confidences += [k / 1000 + d for k in range(1000) for d in (-1e-9, 5e-4, 1e-9) if 0 <= k / 1000 + d <= 1]
    items = TokenRestorations()
    for confidence in confidences:
        items.append(1, 0, "a", "á", confidence)
    assert [item.confidence for item in items] == [round(c, 3) for c in confidences]


def test_a_restored_text_holds_its_items_compactly_each_spelling_once():
    result = Restorer.default().restore_lines(["Uy ban nhan dan tinh", "", "Uy ban nhan dan tinh"], profile="stripped")
    assert isinstance(result.items, TokenRestorations)
    assert result.lines == ["Ủy ban nhân dân tỉnh", "", "Ủy ban nhân dân tỉnh"]
    first = [item for item in result.items if item.line == 1]
    second = [item for item in result.items if item.line == 3]
    assert [(i.start, i.original, i.restored) for i in first] == [(i.start, i.original, i.restored) for i in second]
    assert {"Ủy", "nhân", "tỉnh"} <= {i.restored for i in first}
    assert all(a.restored is b.restored and a.original is b.original for a, b in zip(first, second))
