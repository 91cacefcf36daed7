"""The OCR channel as training/build_channel.py learns it from (printed word, OCR word) pairs."""
from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import pytest

from pipeline.restore.channel import LEGACY, ChannelProfile

_SPEC = importlib.util.spec_from_file_location(
    "build_channel", Path(__file__).resolve().parents[1] / "training" / "build_channel.py")
build_channel = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(build_channel)

SYLLABLES = {"từ", "tư", "tu", "sứ", "sử", "hữu", "hưu", "hiu", "giữa", "gia", "giua", "ta", "la", "là", "cửa", "kw"} - {"kw"}
# English-model OCR has no letter for "ư": it reads it as "u", or as two characters ("it", "ir").
PAIRS = ([("từ", "tit")] * 6 + [("sứ", "sit")] * 4 + [("sử", "sir")] * 5 + [("hữu", "hiru")] * 3
         + [("tư", "tu")] * 20 + [("ta", "ta")] * 30 + [("là", "la")] * 30 + [("cửa", "cia")] * 4
         + [("kw", "kw")] * 3)


@pytest.fixture(scope="module")
def params() -> dict:
    return build_channel.train_profile(PAIRS, SYLLABLES, {"kw", "cia"}, LEGACY)


def test_a_letter_read_as_two_characters_is_learned_for_all_its_tones(params):
    substitution = params["substitution"]
    assert substitution["ứ"]["it"] == substitution["ừ"]["it"] == substitution["ử"]["it"]
    assert substitution["ứ"]["ir"] == substitution["ử"]["ir"]
    # Read as one move, not as a letter read as "i" and a "t" added where nothing was printed.
    assert "t" not in params["insertion"]
    assert math.exp(substitution["ừ"]["it"]) == pytest.approx(10 / 47.5, abs=1e-3)  # "it" 10 times in 47.5 smoothed readings of "ư" in any tone


def test_a_word_the_language_model_knows_is_kept_more_often_than_any_unknown_word(params):
    assert params["keep_known"] == pytest.approx(math.log(3 / 7), abs=1e-3)  # "kw" kept 3 times, "cia" 4 times not
    assert params["keep_unknown"] < params["keep_known"]


def test_candidates_undo_a_letter_read_as_several(params):
    profile = ChannelProfile(params, sorted(SYLLABLES))
    # "hitu" is three letters from "huu" but one read away from it.
    assert "hữu" in [c for c, _ in profile.candidates("hitu")]
    scores = dict(profile.candidates("tit"))
    assert scores["từ"] > scores.get("tu", -math.inf)


def test_tokens_scored_together_get_what_each_gets_alone(params):
    # Only some tokens have a piece a letter is read as ("tit", "hitu", "gitlra"): scored in one table with
    # those that have none, each gets the very scores it gets alone, and so do those without.
    tokens = ["tit", "la", "hitu", "cia", "sir", "gitlra", "giua", "ta", "tu"]
    together = ChannelProfile(params, sorted(SYLLABLES))
    together.prepare(tokens)
    for token in tokens:
        alone = ChannelProfile(params, sorted(SYLLABLES))
        assert together.candidates(token) == alone.candidates(token)
    assert "hữu" in [c for c, _ in together.candidates("hitu")]
    syllables = sorted(SYLLABLES)
    scored = together.logprobs_many([("tit", syllables), ("la", syllables), ("sir", syllables)])
    assert [s.tolist() for s in scored] == [together.logprobs_many([(token, syllables)])[0].tolist()
                                           for token in ("tit", "la", "sir")]
