"""Choices the context decides: which reading of an OCR word the clause around it wants."""
from __future__ import annotations

import pytest

from pipeline.restore import LEGACY, Restorer


@pytest.fixture(scope="module")
def restorer() -> Restorer:
    return Restorer.default()


def test_a_word_with_both_syllables_misread_is_within_reach(restorer):
    # "bi dung": neither syllable reads as "bồi dưỡng" before context; the pair is the seventh reading
    # the word before fits, and "tập huấn bồi dưỡng nghiệp vụ" is what the clause wants.
    restored = restorer.restore_lines(["to chitc tap huan bi dung nghiép vu cho can bd"], LEGACY).lines[0]
    assert restored == "tổ chức tập huấn bồi dưỡng nghiệp vụ cho cán bộ"
