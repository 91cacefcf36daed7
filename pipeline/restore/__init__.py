"""Restore OCR-broken Vietnamese: marks and letters, with a confidence per word.

A noisy-channel restorer. For every word of a clause the channel model
(channel.py) proposes the syllables that could have been printed, scored by
how likely the OCR engine was to turn each into what it read; the trigram
language model (lm.py) scores sequences of syllables, and the case a word is
written in inside a clause tells names from common words ("Tinh" is "Tỉnh"
far more often than "Tính"); Viterbi (decode.py) picks the best sequence over
the whole clause, and each chosen word gets its local posterior as confidence.

Documents repeat their names. The document memory (memory.py) keeps how each
capitalised word was read where the restorer was sure, and the clauses where
the same word was read otherwise are decoded again with that evidence.

Only word spans are rewritten: numbers, codes, punctuation, spacing and
line breaks are kept, so the output has exactly one line per input line.

    from pipeline.restore import Restorer
    result = Restorer.default().restore_lines(["S6: 267/KH-UBND ngay 27 thang 6 nim 2024"])
    result.lines  # ["Số: 267/KH-UBND ngày 27 tháng 6 năm 2024"]
"""
from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import regex
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from pipeline.model import TokenRestoration, TokenRestorations, WordReadings
from pipeline.restore.channel import (CHANNEL_BEAM, CLEAN, LEGACY, TESSERACT, ChannelModel, ChannelProfile, channel_text,
                                      skeleton)
from pipeline.restore.decode import Slot, decode_clauses, padded
from pipeline.restore.gazetteer import Gazetteer
from pipeline.restore.lm import TrigramLM
from pipeline.restore.memory import DocumentMemory
from pipeline.restore.readings import spellings_read, words_with_readings
from pipeline.restore.tokens import ABBREVIATION, DIGITS, FIXED, SYMBOL, WORD, Token, clean_junk, token_case, tokenize
from pipeline.restore.vocab import CLAUSE_END, lm_key
from pipeline.vietnamese import apply_case, looks_like_syllable, strip_marks

DATA_DIR = Path(__file__).parent / "data"
STRIPPED = "stripped"  # text typed or converted without any marks
AUTO = "auto"
PROFILE_CHOICES = (AUTO, LEGACY, TESSERACT, CLEAN, STRIPPED)

# A word is only rewritten when the restorer is at least this sure; text that
# already reads well needs stronger evidence before it is touched.
CHANGE_THRESHOLD = {LEGACY: 0.0, STRIPPED: 0.0, TESSERACT: 0.95, CLEAN: 0.97}
# A word the OCR engine itself was unsure of (its word confidence below DOUBTFUL_WORD) is decided
# by context, at this lower threshold; the words it was sure of keep the profile's.
DOUBTFUL_WORD = 0.95
DOUBTFUL_CHANGE_THRESHOLD = 0.5
# A token that is neither a syllable nor a word of the model ("glao", "nghẻo") is seldom right as it is:
# it is changed at this lower threshold when the decoder prefers a reading.
UNKNOWN_CHANGE_THRESHOLD = 0.5
LOW_CONFIDENCE = 0.8
# log P(capital initial | word) inside a sentence below which a capital OCR may have made is taken for small.
RARELY_CAPITALISED = float(np.log(0.02))
SLOT_CACHE_LIMIT = 200_000
NAME_CACHE_LIMIT = 2_000  # clauses whose names are remembered: more than a usual document has, and 20,000
# clauses of text without punctuation (100 words each) held 160 MB
# A clause longer than this is decoded in pieces: a few words of context are lost at each cut,
# but time and memory stay linear in the length of text without punctuation.
MAX_CLAUSE_TOKENS = 100
PROFILE_SAMPLE_TOKENS = 50_000
VIETNAMESE_OCR_MARKED = 0.6  # share of words with marks: Vietnamese text is about 0.85, English-model OCR of it 0.1-0.3
# Clauses are restored in blocks of about this many tokens: the whole of a usual document, so that its
# memory covers it, and a bounded amount of work held at once in an archive-sized text.
BLOCK_TOKENS = 20_000
# The clauses of a block are narrowed and decoded together in batches of about this many tokens:
# few calls into numpy, and arrays under 4 MB (a grid of 6 x 6 x 6 scores a position). numpy asks
# the kernel for huge pages for any array from 4 MB up; a decode's temporaries come from malloc's
# heap, where such 2 MB pages stay resident once freed (4,000 tokens: 1 MB of stress text peaked
# at 184 MB, with 2,000 at 168 MB).
DECODE_BATCH_TOKENS = 2_000
CASE_WEIGHT = 1.0
DECODE_CANDIDATES = 6
# English-model OCR misreads letters of both syllables of a word ("bi dung": "bồi dưỡng"), whose
# readings are then often only seventh among what the word before fits: one more is weighed for it
# (dev English-model OCR 3 errors fewer, seed 2; its decoding some 10% slower).
LEGACY_DECODE_CANDIDATES = 7
# English-model OCR loses letters, so the word a clause wants may be far from what was read, and
# only the word after it may tell ("Thu hién": "Thực hiện"). Of its DECODE_CANDIDATES, this many are
# chosen by how they fit before the NEXT_READINGS likeliest readings of the next word too.
NEXT_WORD_CANDIDATES = 1
NEXT_READINGS = 3
LOOK_AHEAD_POOL = 15  # the candidates after the first that are weighed so
# Candidates kept before context: the decoder's DECODE_CANDIDATES are those of them that best fit
# the readings of the word before ("theo déi": "dõi" is rarer alone than "đối", not after "theo").
# As many as the channel proposes: a word both rare and far from the OCR is often the one the
# context wants ("tham mut": "mưu").
WIDE_CANDIDATES = 40
PRIOR_MARGIN = 8.0  # candidates this far below the best before context seldom win with it
LM_WEIGHT = 1.0
NAME_BONUS = 2.0  # per word of a name after the first, added to its syllables' channel scores where the words read as it
# Vietnamese marks only stand on syllables, and the foreign words and names kept as written carry none: an
# unknown token with a mark ("ngheéo") is a syllable misread far more often than the keep rate of unknown
# tokens, most of them unmarked, says.
MARKED_NON_SYLLABLE = float(np.log(0.01))
# OCR that loses the space between two syllables writes a token no syllable is near ("Quanly", "khucéng"). It
# is read as two words where a cut gives two readings that, with the language model, are this much likelier
# (log) than the best reading of the whole, and likely enough in themselves: two common syllables read
# almost right, not the pieces of a foreign word ("Viettel", "data").
GLUED_MARGIN = 10.0
GLUED_FLOOR = -15.0
GLUED_READINGS = 8  # the likeliest readings of each piece that are weighed
SYMBOL_READINGS = ("ở",)  # the word English-model OCR most often writes as a lone symbol
SYMBOL_AS_WORD = -2.0  # log P(symbol | word), against 0 for a symbol printed as such
# A line that starts a list item or heading starts a new clause for the language model.
_ITEM_START = regex.compile(r"^\s*(?:[-+•*]|\p{L}{1,2}\)|[\dIVXivx]{1,4}[.)])\s")
_LIST_MARKER_JUNK = regex.compile(r"^(\s*)([¢©€ø])(\))")
_LIST_MARKER_LETTERS = {"¢": "c", "©": "c", "€": "e", "ø": "g"}  # "ø": Tesseract's Vietnamese model
# One or two underscores outside a word are what OCR makes of a table's rules or a speck ("công_ |", "_|Sở",
# "_ đạo" at a line's start); the blank of a form is a longer run, and "a_b" inside a word or a path is kept.
_STRAY_UNDERSCORES = regex.compile(
    r"^(\s*)_{1,2}\s+|(?<!://\S*)(?:(?<![\p{L}\p{N}/_])_{1,2}(?!_)|(?<=[\p{L}\p{N}])_{1,2}(?![\p{L}\p{N}_]))")
# The number opening a section heading ("III. NHIỆM VỤ") or a numbered item ("5. Sở Tài chính"). OCR drops
# or merges the strokes of Roman numerals ("II", "HI" for "III") and misreads digits ("9." for "5."); the
# numbers before and after tell which one was printed.
# A heading may have lost its dot or its space ("L MỤC TIÊU", "L.MỤC TIÊU") where the numeral is one of
# the strokes OCR misreads and a heading in capitals follows.
_SECTION_NUMBER = regex.compile(
    r"^(?P<indent>[\s_]*)(?:(?P<numeral>[IVXHlLv]{1,5})\.\s*\p{Lu}|(?P<numeral>[IHlL]{1,4})\s+[\p{Lu}\d\W]+$)")
_ITEM_NUMBER = regex.compile(r"^(\s*)(\d{1,2})(\.\s)")
_CODE_PART = regex.compile(r"[^&]+")
# An initial consonant, one group of vowels and consonants after it (read in lower case, a lone Q as O).
_MISREAD_SYLLABLE = regex.compile(r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])[aeiouy]+[^aeiouy]*")
_HORN_MARK = regex.compile(r"[uoUO]['’]")
_HORNED = regex.compile(r"[ưừứửữựơờớởỡợ]")
HORN_BONUS = 2.0  # log-odds of an apostrophe after u or o being a horn
_D_BAR_READS = set("BPO")  # what English-model OCR reads a capital Đ as, besides D
MISREAD_CODE_LENGTH = 4
_ITEM_LETTER = regex.compile(r"^(\s*)(\p{L})(\)\s)")
_VOWEL_CAPITALS = set("AĂÂEÊIOÔƠUƯYÁÀẢÃẠÉÈẺẼẸÍÌỈĨỊÓÒỎÕỌÚÙỦŨỤÝỲỶỸỴ")  # a lone one may be a word ("Ý kiến")
_SAME_SHAPE_CAPITALS = set("CSVXZWO")  # a capital only bigger than the small letter
_ROMAN_NUMERAL = regex.compile(r"[IVXLC]+")
_ROMAN_LOOKALIKES = str.maketrans({"l": "I", "L": "I"})
_ROMAN_NUMERALS = ("", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV",
                   "XV", "XVI", "XVII", "XVIII", "XIX", "XX")


@dataclass
class RestoredText:
    lines: list[str]
    profile: str
    tokens: int = 0
    changed: int = 0
    items: TokenRestorations = field(default_factory=TokenRestorations)  # changed or low-confidence words

    @property
    def low_confidence(self) -> list[TokenRestoration]:
        return [item for item in self.items if item.confidence < LOW_CONFIDENCE]


@dataclass
class RestoredLine:
    """One line of a text as Restorer.restore_stream gives it."""

    text: str
    tokens: int = 0  # words and codes restored
    changed: int = 0
    items: list[TokenRestoration] = field(default_factory=list)  # its changed or low-confidence words


@dataclass
class Decision:
    token: Token
    restored: str
    confidence: float
    alternatives: list[str]
    reading: str = ""  # the chosen syllable in lower case, what the document memory keeps


class StrippedProfile:
    """Text that lost every mark but no letter: the printed syllable shares the token's base letters."""

    def __init__(self, syllables: list[str]):
        self.by_skeleton: dict[str, list[str]] = {}
        for syllable in syllables:
            self.by_skeleton.setdefault(strip_marks(syllable), []).append(syllable)
        self.keep_unknown = self.keep_known = 0.0
        self.digits_as_letters = False

    @staticmethod
    def reading(token: str) -> str:
        return token.lower()

    def candidates(self, ocr: str) -> list[tuple[str, float]]:
        return [(s, 0.0) for s in self.by_skeleton.get(skeleton(ocr), ())]


class Restorer:
    def __init__(self, data_dir: Path = DATA_DIR):
        self.lm = TrigramLM(data_dir / "lm.npz")
        self.syllables = [w for w, is_syllable in zip(self.lm.words, self.lm.is_syllable) if is_syllable]
        self._syllable_set = set(self.syllables)
        channel = ChannelModel(data_dir / "channel.json.gz", self.syllables)
        self.profiles: dict[str, ChannelProfile | StrippedProfile] = {
            LEGACY: channel[LEGACY],
            TESSERACT: channel[TESSERACT],
            CLEAN: channel[TESSERACT],
            STRIPPED: StrippedProfile(self.syllables),
        }
        self._abbreviations = self._abbreviation_marks()
        self._by_skeleton = self.profiles[STRIPPED].by_skeleton
        self._skeletons = list(self._by_skeleton)
        self.gazetteer = Gazetteer(data_dir / "gazetteer.txt")
        self.words = Gazetteer(data_dir / "words.txt")
        self._slots: dict[tuple[int, str, str], tuple[Slot, list[str]]] = {}
        self._named: dict[tuple, list[tuple[int, str, float]]] = {}
        self._channel_scores: dict[tuple[int, str, str], float] = {}
        self._neighbours: dict[tuple[int, str], list[tuple[str, float]]] = {}  # see _short_neighbours
        self._cuts: dict[tuple[int, str], int | None] = {}  # see _unglued
        # A word of English-model OCR is ranked for its slot and, if it may be two glued words, for that test too.
        self._rankings: dict[tuple[int, str], list[tuple[str, float, int]]] = {}

    @classmethod
    @functools.cache
    def default(cls) -> Restorer:
        return cls()

    def _abbreviation_marks(self) -> dict[str, str]:
        """"QD" -> "QĐ", "HDND" -> "HĐND": capital codes the corpus only writes with Đ."""
        words = set(self.lm.words)
        return {
            strip_marks(w).upper(): w.upper()
            for w in words
            if "đ" in w and w not in self._syllable_set and strip_marks(w) not in words
        }

    def detect_profile(self, tokens: list[Token]) -> str:
        # Lone letters ("R & D", "điểm a") say nothing of the source and weigh much in a short text.
        words = [t.text for t in tokens if t.kind == WORD and len(t.text) > 1]
        if not words:
            return CLEAN
        marked = sum(not w.isascii() for w in words) / len(words)
        valid = sum(lm_key(w) in self._syllable_set for w in words) / len(words)
        if marked < 0.02:
            return STRIPPED
        if valid >= 0.985:
            return CLEAN
        # Marks on most words: Tesseract's Vietnamese model, however badly it read the page (the
        # English model writes few marks); its confusions are not the English model's.
        if valid >= 0.85 or marked >= VIETNAMESE_OCR_MARKED:
            return TESSERACT
        return LEGACY

    def restore_lines(self, lines: list[str], profile: str = AUTO,
                      word_confidences: list[list[float] | None] | None = None,
                      word_readings: list[list[WordReadings | None] | None] | None = None) -> RestoredText:
        """`word_confidences`: for OCR'd lines, the engine's confidence (0..1) in each
        whitespace-separated word of the line, or None where there is none; `word_readings`: the
        readings the engine weighed for each character of those words (Line.word_readings)."""
        profile, restored = self.restore_stream(lines, profile, word_confidences, word_readings)
        result = RestoredText(lines=[], profile=profile)
        for line in restored:
            result.lines.append(line.text)
            result.tokens += line.tokens
            result.changed += line.changed
            for item in line.items:
                result.items.append(item.line, item.start, item.original, item.restored, item.confidence,
                                    item.alternatives)
        return result

    def restore_stream(self, lines: list[str], profile: str = AUTO,
                       word_confidences: list[list[float] | None] | None = None,
                       word_readings: list[list[WordReadings | None] | None] | None = None
                       ) -> tuple[str, Iterator[RestoredLine]]:
        """restore_lines's result line by line: the profile, and the restored lines, each given as soon
        as no later clause can reach it. A caller that writes each line out holds no more than a block
        of clauses, whatever the length of the text."""
        lines = [_LIST_MARKER_JUNK.sub(lambda m: m[1] + _LIST_MARKER_LETTERS[m[2]] + m[3], line) for line in lines]
        lines = [_without_stray_underscores(line) if "_" in line else line for line in lines]
        lines = _renumbered(lines)
        doubtful = _doubtful_words(lines, word_confidences)
        read_as = words_with_readings(lines, word_readings, doubtful)
        # The first lines' tokens tell the kind of source, and are restored as they are.
        tokenized = self._first_lines_tokens(lines) if profile == AUTO else []
        if profile == AUTO:
            profile = self.detect_profile([token for line in tokenized for token in line])
        return profile, self._restored(lines, tokenized, profile, doubtful, read_as)

    def _restored(self, lines: list[str], tokenized: list[list[Token]], profile: str,
                  doubtful: dict[int, list[range]], read_as: dict[int, list[tuple[int, WordReadings]]]
                  ) -> Iterator[RestoredLine]:
        channel = self.profiles[profile]
        # The decisions held at any moment are those of a block and of the lines a clause of it ends on.
        pending: dict[int, list[Decision]] = {}
        memory = DocumentMemory()
        block: list[list[tuple[int, Token]]] = []
        size = written = 0
        for clause in self._clauses(lines, tokenized):
            block.append(clause)
            size += len(clause)
            if size >= BLOCK_TOKENS:
                self._restore_block(block, channel, profile, memory, pending, doubtful, read_as)
                while written < clause[-1][0]:
                    yield self._restored_line(lines, written, pending.pop(written, []))
                    written += 1
                block, size = [], 0
        self._restore_block(block, channel, profile, memory, pending, doubtful, read_as)
        for index in range(written, len(lines)):
            yield self._restored_line(lines, index, pending.pop(index, []))

    def _restore_block(self, block, channel, profile: str, memory: DocumentMemory,
                       pending: dict[int, list[Decision]], doubtful: dict[int, list[range]],
                       read_as: dict[int, list[tuple[int, WordReadings]]]) -> None:
        """Restore clauses, learn from what was read with confidence, and decode again the clauses
        left unsure or where a name was read otherwise than elsewhere in the document."""
        # What the document memory does not change is read once for both passes.
        read = self._read_block(block, channel, read_as)
        decoded = self._restore_clauses(read, profile, memory, doubtful)
        # The clauses as read: their first token may be a code read as a word, or a glued word's first half.
        for (clause, _, _), (decisions, path) in zip(read, decoded):
            memory.learn(clause[0][1], decisions, path)
        again = [number for number, ((clause, _, _), (decisions, _)) in enumerate(zip(read, decoded))
                 if memory.worth_another_pass(clause[0][1], decisions)]
        redecoded = self._restore_clauses([read[number] for number in again], profile, memory, doubtful)
        for number, result in zip(again, redecoded):
            decoded[number] = result
        for decisions, _ in decoded:
            for index, decision in decisions:
                pending.setdefault(index, []).append(decision)

    def restore_text(self, text: str, profile: str = AUTO) -> RestoredText:
        return self.restore_lines(text.split("\n"), profile)

    @staticmethod
    def _first_lines_tokens(lines: list[str]) -> list[list[Token]]:
        """The tokens of the text's first lines: enough to tell the kind of source, whatever its length."""
        tokenized: list[list[Token]] = []
        count = 0
        for line in lines:
            if count >= PROFILE_SAMPLE_TOKENS:
                break
            tokenized.append(tokenize(line))
            count += len(tokenized[-1])
        return tokenized

    @staticmethod
    def _restored_line(lines: list[str], index: int, decisions: list[Decision]) -> RestoredLine:
        line = lines[index]
        restored = RestoredLine("")
        pieces, cursor, length = [], 0, 0
        for decision in sorted(decisions, key=lambda d: d.token.start):
            token = decision.token
            kept = line[cursor:token.start] + (" " if token.glued else "")
            pieces.append(kept)
            start = length + len(kept)
            pieces.append(decision.restored)
            length = start + len(decision.restored)
            cursor = token.end
            restored.tokens += 1
            # A word joined from two pieces of the line ("N ghị") spans the space between them.
            original = line[token.start:token.end]
            changed = decision.restored != original or token.glued
            restored.changed += changed
            if changed or decision.confidence < LOW_CONFIDENCE:
                restored.items.append(TokenRestoration(index + 1, start, original, decision.restored,
                                                       decision.confidence, decision.alternatives))
        pieces.append(line[cursor:])
        restored.text = "".join(pieces)
        return restored

    @staticmethod
    def _clauses(lines: list[str], tokenized: list[list[Token]]):
        """(line index, token) runs the language model reads as one context: a clause, cut at
        MAX_CLAUSE_TOKENS so that text without punctuation costs time and memory linear in its length.
        `tokenized`: the tokens of the first lines, where they are known already."""
        clause: list[tuple[int, Token]] = []
        previous: tuple[int, Token] | None = None
        after_blank = False
        for index, line in enumerate(lines):
            item = _ITEM_START.match(line)
            if item:
                if clause:
                    yield clause
                clause, previous = [], None
            elif not line.strip():
                # OCR leaves blank lines inside sentences too ("ô nhiễm môi" / blank / "trường, …"):
                # the sentence goes on over one if the next line opens in small letters.
                after_blank = True
                continue
            tokens = tokenized[index] if index < len(tokenized) else tokenize(line)
            if item:
                # The item's marker ("a)", "2.") is a clause of its own: the word after it opens the
                # sentence, and its capital says nothing of a name ("a) Chu trong" is "Chú trọng").
                marker = list(itertools.takewhile(lambda t: t.end <= item.end() and t.kind in (FIXED, DIGITS), tokens))
                if marker:
                    yield [(index, t) for t in marker]
                tokens = tokens[len(marker):]
            for token in tokens:
                if previous is not None:
                    p_index, p_token = previous
                    between = (lines[p_index][p_token.end:] + " " + line[:token.start]
                               if p_index != index else line[p_token.end:token.start])
                    if clause and (CLAUSE_END.search(between) or len(clause) >= MAX_CLAUSE_TOKENS
                                   or after_blank and not token.text[:1].islower()):
                        yield clause
                        clause = []
                    elif ":" in between:
                        token = dataclasses.replace(token, after_colon=True)
                clause.append((index, token))
                previous, after_blank = (index, token), False
        if clause:
            yield clause

    def _prepare_candidates(self, block, channel) -> None:
        """The channel's candidates for the words of a block of clauses, found together (as `_make_slot`
        asks for them) rather than word by word."""
        if isinstance(channel, ChannelProfile):
            tokens = [channel.reading(token.text) if token.kind == WORD else token.text for clause in block
                      for _, token in clause if token.kind == WORD or (token.kind == DIGITS and channel.digits_as_letters)]
            channel.prepare(tokens)
            if channel.digits_as_letters:
                # Each new word is asked once whether it may be two glued together (`_unglued`); the pieces of
                # those that may are looked up at once too, and then their cuts found.
                new = [text for text in dict.fromkeys(token.text for clause in block for _, token in clause
                                                      if token.kind == WORD) if (id(channel), text) not in self._cuts]
                glued = {text for text in new if self._may_be_glued(text, channel)}
                pieces = [channel.reading(piece) for text in glued for at in range(2, len(text) - 1)
                          for piece in (text[:at], text[at:])]
                channel.prepare(pieces)
                self._prepare_short_neighbours(tokens + pieces, channel)
                for text in new:
                    _cached(self._cuts, (id(channel), text), lambda: self._glued_cut(text, channel) if text in glued else None)

    def _slot(self, token: Token, channel) -> tuple[Slot, list[str]]:
        """Candidate word ids and channel scores for a token, and the candidates' spellings."""
        return _cached(self._slots, (id(channel), token.kind, token.text), lambda: self._make_slot(token, channel))

    def _make_slot(self, token: Token, channel) -> tuple[Slot, list[str]]:
        if token.kind == DIGITS and channel.digits_as_letters:
            # Most often a number; the language model tells when it is a word ("ở" read as "6").
            candidates = self._ranked(token.text, channel) + [(token.text, 0.0, self.lm.number)]
        elif token.kind == SYMBOL and channel.digits_as_letters:
            # "Việt Nam & nước ngoài", "mầm non @ địa bàn": the language model tells the word from the symbol.
            candidates = [(token.text, 0.0, self.lm.word_id(token.text))] + [
                (word, SYMBOL_AS_WORD, self.lm.word_id(word)) for word in SYMBOL_READINGS]
        elif token.kind == WORD and isinstance(channel, ChannelProfile) and (written := self._mixed_case_word(token.text)):
            candidates = [(written, 0.0, self.lm.word_id(written.lower()))]
        elif token.kind == WORD:
            lower = token.text.lower()
            candidates = self._ranked(channel.reading(token.text), channel)
            if channel.digits_as_letters and _HORN_MARK.search(token.text):
                # The English model writes a horn as an apostrophe ("cu'c"), which the channel reads as junk.
                candidates = [(c, score + HORN_BONUS * bool(_HORNED.search(c)), i) for c, score, i in candidates]
            if lm_key(lower) not in self._syllable_set:
                # Kept as written (a name, a foreign word): <unk> in the model, and one spelling among many.
                identity = self.lm.word_id(lower)
                keep = channel.keep_unknown + self.lm.unknown_spelling if identity == self.lm.unknown else channel.keep_known
                if identity == self.lm.unknown and len(clean_junk(lower)) > 1 and not clean_junk(lower).isascii():
                    keep += MARKED_NON_SYLLABLE
                candidates.append((token.text, keep, identity))
        elif token.kind == ABBREVIATION:
            # Codes joined by "&" are restored code by code: "KH&DT" is "KH&ĐT".
            spelling = _CODE_PART.sub(lambda part: self._code_with_d_bar(part[0], channel.digits_as_letters), token.text)
            candidates = [(spelling, 0.0, self.lm.word_id(spelling))]
        else:
            candidates = [(token.text, 0.0, self.lm.word_id(token.text))]
        ids = np.array([c[2] for c in candidates], dtype=np.int64)
        scores = np.array([c[1] for c in candidates])
        return Slot(ids, scores), [c[0] for c in candidates]

    def _ranked(self, ocr: str, channel) -> list[tuple[str, float, int]]:
        """The channel's candidates likeliest before context, so frequent words are never crowded
        out by rare ones the channel finds just as plausible: (spelling, channel score, word id)."""
        return list(_cached(self._rankings, (id(channel), ocr), lambda: self._rank(ocr, channel)))  # callers add to their copy

    def _rank(self, ocr: str, channel) -> list[tuple[str, float, int]]:
        proposed = channel.candidates(ocr)
        if channel.digits_as_letters:
            proposed = proposed + self._short_neighbours(ocr, channel)
        candidates = [(c, score, self.lm.word_id(c)) for c, score in proposed]
        if not candidates:
            return []
        prior = [c[1] + self.lm.unigram[c[2]] for c in candidates]
        ranked = sorted(zip(prior, candidates), key=lambda pair: -pair[0])[:WIDE_CANDIDATES]
        return [c for p, c in ranked if p >= ranked[0][0] - PRIOR_MARGIN]

    def _short_neighbours(self, ocr: str, channel) -> list[tuple[str, float]]:
        """For a two-letter word of English-model OCR, the syllables one letter away too: the channel
        only proposes those with its letters, and "by phan" is "bộ phận", "ty" in "Tinh ty" "ủy"."""
        found = self._neighbours.get((id(channel), ocr))
        if found is None:
            self._prepare_short_neighbours([ocr], channel)
            found = self._neighbours[id(channel), ocr]
        return found

    def _prepare_short_neighbours(self, tokens: list[str], channel) -> None:
        """`_short_neighbours` for many OCR tokens (lowercase), scored by the channel together."""
        if len(self._neighbours) > SLOT_CACHE_LIMIT:  # bound memory over archive-sized batches
            self._neighbours.clear()
        queries = []
        for ocr in dict.fromkeys(tokens):
            key = skeleton(ocr)
            if (id(channel), ocr) in self._neighbours:
                continue
            self._neighbours[id(channel), ocr] = []
            if len(key) != 2:
                continue
            found = process.extract(key, self._skeletons, scorer=Levenshtein.distance, score_cutoff=1, limit=None)
            proposed = {c for c, _ in channel.candidates(ocr)}
            syllables = [s for k, _, _ in found for s in self._by_skeleton[k] if s not in proposed]
            if syllables:
                queries.append((ocr, syllables))
        scored = channel.logprobs_many([(clean_junk(ocr), syllables) for ocr, syllables in queries])
        for (ocr, syllables), scores in zip(queries, scored):
            self._neighbours[id(channel), ocr] = [(s, v) for s, v in zip(syllables, scores.tolist()) if v >= -CHANNEL_BEAM]

    def _restore_clauses(self, read: list[tuple[list, list[Slot], list[list[str]]]], profile: str,
                         memory: DocumentMemory, doubtful: dict[int, list[range]]
                         ) -> list[tuple[list[tuple[int, Decision]], list[tuple[int, float]]]]:
        """For each clause as `_read`, (line index, Decision) for every word and code, and the word id
        and confidence chosen at each position. The memory is the same for all of them, so they are
        narrowed and decoded together, DECODE_BATCH_TOKENS at a time."""
        lm = memory.language_model(self.lm)
        # The clause end is a word of the model too: it tells how likely each reading is to end there.
        end = Slot(np.array([self.lm.end]), np.zeros(1))
        restored = []
        for batch in _batches(read):
            in_context = [[self._in_context(slot, options, clause, position, memory, profile)
                           for position, (slot, options) in enumerate(zip(slots, spellings))]
                          for clause, slots, spellings in batch]
            narrowed = self._narrowed([(slots, spellings) for slots, (_, _, spellings) in zip(in_context, batch)], lm,
                                      LEGACY_DECODE_CANDIDATES if profile == LEGACY else DECODE_CANDIDATES,
                                      looks_ahead=profile == LEGACY)
            decoded = decode_clauses([[*slots, end] for slots, _ in narrowed], lm, LM_WEIGHT)
            for (clause, _, _), (slots, spellings), (_, choices) in zip(batch, narrowed, decoded):
                chosen = [(int(slot.ids[choice.index]), choice.posterior) for slot, choice in zip(slots, choices)]
                restored.append((list(self._decisions(clause, spellings, choices, profile, doubtful)), chosen))
        return restored

    def _read_block(self, block, channel, read_as: dict[int, list[tuple[int, WordReadings]]]
                    ) -> list[tuple[list, list[Slot], list[list[str]]]]:
        """Each clause of a block as read (codes that are misread words made words), and each position's
        candidates with their channel scores and the names the words read as. The channel scores the
        block's new words, and then the names' syllables they do not propose, all in one go."""
        self._prepare_candidates(block, channel)
        read = [self._read(clause, channel) for clause in block]
        if not isinstance(channel, StrippedProfile):
            self._score_syllables([(clause[position][1].text, syllable) for clause, _, spellings, named in read
                                   for position, syllable, _ in named if syllable not in spellings[position]], channel)
        return [(clause, *self._with_names(clause, *self._with_readings(clause, slots, spellings, read_as), named,
                                           channel))
                for clause, slots, spellings, named in read]

    def _with_readings(self, clause, slots: list[Slot], spellings: list[list[str]],
                       read_as: dict[int, list[tuple[int, WordReadings]]]) -> tuple[list[Slot], list[list[str]]]:
        """The slots of the doubted words with the syllables their OCR readings spell (pipeline.restore.readings)
        added as candidates, or scored up to what those readings tell."""
        for position, (index, token) in enumerate(clause):
            if token.kind != WORD or index not in read_as or not token.text.isalpha():
                continue
            made = [(spelling.lower(), score) for spelling, score in spellings_read(token.start, token.text, read_as[index])
                    if lm_key(spelling) in self._syllable_set]
            if not made:
                continue
            slot, options = slots[position], list(spellings[position])
            best = float(slot.channel.max(initial=0.0))
            ids, scores = slot.ids.tolist(), slot.channel.tolist()
            for spelling, score in made:
                if spelling in options:
                    at = options.index(spelling)
                    scores[at] = max(scores[at], best + score)
                else:
                    options.append(spelling)
                    ids.append(self.lm.word_id(spelling))
                    scores.append(best + score)
            slots[position] = Slot(np.array(ids, dtype=np.int64), np.array(scores))
            spellings[position] = options
        return slots, spellings

    def _read(self, clause, channel) -> tuple[list, list[Slot], list[list[str]], list[tuple[int, str, float]]]:
        """The clause as read, each position's candidates with their channel scores, and the names
        in it (`_names_in`)."""
        if channel.digits_as_letters:
            clause = [(index, self._misread_code(clause, position)) for position, (index, _) in enumerate(clause)]
            # Only here: elsewhere a word is changed only where the decoder is sure of it, and a cut is no
            # choice of the decoder's.
            clause = [(index, piece) for index, token in clause for piece in self._unglued(token, channel)]
        if isinstance(channel, ChannelProfile):
            clause = self._joined_letter(clause, channel)
        slots, spellings = zip(*(self._slot(token, channel) for _, token in clause))
        # A clause decoded twice, or repeated in a document, is matched once.
        named = _cached(self._named, (id(channel), tuple((token.text, token.kind) for _, token in clause)),
                        lambda: self._names_in(clause, channel), NAME_CACHE_LIMIT)
        return clause, list(slots), list(spellings), named

    def _decisions(self, clause, spellings, choices, profile: str, doubtful: dict[int, list[range]]):
        for position, ((index, token), options, choice) in enumerate(zip(clause, spellings, choices)):
            if token.kind in (FIXED, DIGITS, SYMBOL) and len(options) == 1:
                continue
            if token.kind == ABBREVIATION:
                yield index, Decision(token, options[choice.index], choice.posterior, [])
                continue
            # Text that lost only its marks keeps its writer's capitals ("AI", "COP"): no OCR made them.
            pattern = token_case(token.text) if profile == STRIPPED else _word_case(clause, position)
            best = options[choice.index]
            if pattern == "title" and position > 0 and token.text[0] in "IJ" and best[:1] == "l":
                pattern = "lower"  # English-model OCR writes "l" as "I" or "J": "Idi" is "lợi", "Jan" "lần"
            if pattern == "title" and profile != STRIPPED and self._capital_initial_read_for_small(clause, position, best):
                pattern = "lower"
            # A word read right is kept exactly as written, mixed case included ("IoT").
            threshold = CHANGE_THRESHOLD[profile]
            if any(token.start in word for word in doubtful.get(index, ())):
                threshold = min(threshold, DOUBTFUL_CHANGE_THRESHOLD)
            same = best.lower() == token.text.lower()
            keep = same or choice.posterior < threshold
            unknown = keep and self._unknown(token.text)
            if unknown and not same and choice.posterior >= UNKNOWN_CHANGE_THRESHOLD:
                keep = False
            restored = token.text if keep else apply_case(best, pattern)
            if keep and unknown:
                restored = self._foreign_word(token.text) or token.text
            if profile in (TESSERACT, CLEAN) and self._capitals_read_for_small(clause, position):
                restored = restored.lower()
            alternatives = [] if choice.runner_up is None else [apply_case(options[choice.runner_up], pattern)]
            yield index, Decision(token, restored, choice.posterior, alternatives, best.lower())

    def _unknown(self, text: str) -> bool:
        """Neither a syllable nor a word of the language model."""
        return lm_key(text.lower()) not in self._syllable_set and self.lm.word_id(text.lower()) == self.lm.unknown

    def _capitals_read_for_small(self, clause: list[tuple[int, Token]], position: int) -> bool:
        """A syllable in small letters that Tesseract's Vietnamese model wrote with capitals: a short one
        after a word in lower case, its first letter one whose capital only is bigger ("đơn VỊ", "cơ SỞ",
        "bảo VỆ"), or one with a capital after a small letter ("vỊ")."""
        token = clause[position][1]
        if token.kind == WORD and token.text[0].islower() and not token.text.islower():
            return lm_key(token.text.lower()) in self._syllable_set  # "vỊ": a capital inside a syllable
        if position == 0 or token.kind != WORD or token_case(token.text) != "upper" or len(token.text) > 3:
            return False
        if strip_marks(token.text[0]) not in _SAME_SHAPE_CAPITALS or _ROMAN_NUMERAL.fullmatch(token.text):
            return False
        before = clause[position - 1][1]
        after = clause[position + 1][1] if position + 1 < len(clause) else None
        return (before.kind == WORD and token_case(before.text) == "lower" and lm_key(token.text.lower()) in self._syllable_set
                and (after is None or token_case(after.text) != "upper"))

    def _capital_initial_read_for_small(self, clause: list[tuple[int, Token]], position: int, reading: str) -> bool:
        """A capital initial OCR wrote for a small letter of the same shape (c, o, s, v, w, x, z: only
        bigger), inside a sentence after a word in lower case, on a word the corpus hardly ever
        capitalises there ("đột Xuất" is "đột xuất"; "Sở", "Công" keep theirs). A line may open with a
        capital of its own ("Số: 267"), whatever the line before ends with."""
        token = clause[position][1]
        if position == 0 or token.after_colon or strip_marks(token.text[0]) not in _SAME_SHAPE_CAPITALS:
            return False
        (line_before, before), (line, _) = clause[position - 1], clause[position]
        if not (line_before == line and before.kind == WORD and token_case(before.text) == "lower"):
            return False
        word = self.lm.word_id(reading.lower())
        if set(strip_marks(token.text)) <= _SAME_SHAPE_CAPITALS:
            # Written in such capitals only ("CO" for "cơ"), the word's case is not in its shapes at all: it
            # is the case the corpus writes it in, unless a capitalised word follows, a name ("SO Tu phap").
            after = clause[position + 1][1] if position + 1 < len(clause) else None
            return self.lm.title[word] < self.lm.lower[word] and (after is None or token_case(after.text) == "lower")
        return self.lm.title[word] < RARELY_CAPITALISED

    def _foreign_word(self, text: str) -> str | None:
        """The word of the model that is no syllable ("IoT", "Internet") an unknown token is as
        Tesseract misreads such words: a capital I as "l" ("loT", "lnternet"), "o" as "ø" or "ơ"
        or with a speck "ø" beside it ("IøT", "IoøT", "IơøT")."""
        text = _capital_i(text)
        for variant in (text, text.replace("ø", ""), text.replace("ø", "o")):
            variant = variant.replace("ơ", "o")  # never in a word that is no Vietnamese syllable
            if self._known_non_syllable(variant):
                return variant
        return None

    def _known_non_syllable(self, word: str) -> bool:
        """A word of the language model that is no Vietnamese syllable ("IoT", "Internet", "kW")."""
        key = word.lower()
        return bool(key) and self.lm.word_id(key) != self.lm.unknown and lm_key(key) not in self._syllable_set

    def _code_with_d_bar(self, code: str, misread: bool) -> str:
        """The code with the Đ the corpus writes in it ("HDND": "HĐND"). `misread`: for English-model OCR,
        which reads a capital Đ as B, P or O too, a code the model does not know is the one Đ code it
        is a letter away from that way ("HPND": "HĐND"); shorter codes are too many to tell ("CB", "CĐ")."""
        if (code in self._abbreviations or not misread or len(code) < MISREAD_CODE_LENGTH
                or self.lm.word_id(code.lower()) != self.lm.unknown):
            return self._abbreviations.get(code, code)
        found = {self._abbreviations[read] for at, letter in enumerate(code) if letter in _D_BAR_READS
                 if (read := code[:at] + "D" + code[at + 1:]) in self._abbreviations}
        return found.pop() if len(found) == 1 else code

    def _mixed_case_word(self, text: str) -> str | None:
        """The word of the model that is no syllable a token written with a capital after a small letter is
        ("IoT", "kW", and "loT": OCR writes a capital I as l), or None. OCR that misreads a
        syllable writes capitals at its start or throughout, so such a case pattern was printed. So was a
        known code with small letters after its capitals ("TTr", "TTg"), which no syllable is, in any case."""
        letters = [c for c in text if c.isalpha()]
        capital_after_small = any(a.islower() and b.isupper() for a, b in zip(letters, letters[1:]))
        small_after_capitals = any(a.isupper() and b.isupper() and c.islower() for a, b, c in zip(letters, letters[1:], letters[2:]))
        if not capital_after_small:
            return text if small_after_capitals and self._known_non_syllable(text) else None
        written = _capital_i(text)
        if self._known_non_syllable(written):
            return written
        # The thin stroke of a capital I may be lost altogether before a small letter ("oT" for "IoT"); a
        # capital vowel after a small letter is a marked vowel misread ("sO" for "số"), not such a word.
        restored = "I" + text
        misread_vowel = any(c.isupper() and c in "AEIOUY" for c in letters[1:])
        return restored if text[0].islower() and not misread_vowel and self._known_non_syllable(restored) else None

    def _misread_code(self, clause: list[tuple[int, Token]], position: int) -> Token:
        """The token at `position`, a word if it is a code of two capitals the language model has never
        seen, between words: in English-model OCR that is a short word with a letter misread ("SG Tu
        phap" for "Sở Tư pháp"), where a list of codes ("Lưu: VT, GD") is left alone."""
        token = clause[position][1]
        if (token.kind == ABBREVIATION and len(token.text) == 2 and len(clause) > 1 and token.text not in self._abbreviations
                and self.lm.word_id(token.text) == self.lm.unknown
                and all(t.kind == WORD for _, t in clause[max(0, position - 1):position + 2] if t is not token)):
            return Token(token.start, token.end, token.text, WORD)
        if self._misread_capital_word(clause, position):
            return Token(token.start, token.end, token.text, WORD)
        return token

    def _misread_capital_word(self, clause: list[tuple[int, Token]], position: int) -> bool:
        """A longer code the model has never seen, between words in capitals, that reads as a syllable but
        for a letter of its end: a word of a heading with a letter misread ("DOI TUQNG", "THAG"). Codes
        that are no words start with a vowel or a letter no syllable starts with, or have no vowel or
        two vowel groups ("ĐMPT", "ICT", "FDI", "PAPI")."""
        token = clause[position][1]
        if (token.kind != ABBREVIATION or len(token.text) < 3 or token.text in self._abbreviations
                or not _MISREAD_SYLLABLE.fullmatch(strip_marks(channel_text(token.text)))
                or self.lm.word_id(token.text.lower()) != self.lm.unknown):
            return False
        neighbours = [t for _, t in clause[max(0, position - 1):position + 2] if t is not token]
        return bool(neighbours) and all(t.kind == WORD and t.text.isupper() for t in neighbours)

    def _unglued(self, token: Token, channel: ChannelProfile) -> list[Token]:
        """The token, or the two words it is where the OCR lost the space between them (see GLUED_MARGIN):
        a token neither a syllable nor a word of the model, cut where the best reading of the two pieces,
        the first by its unigram and the second by the bigram after it, beats the whole by far."""
        if token.kind != WORD:
            return [token]
        cut = _cached(self._cuts, (id(channel), token.text),
                      lambda: self._glued_cut(token.text, channel) if self._may_be_glued(token.text, channel) else None)
        if cut is None:
            return [token]
        return [dataclasses.replace(token, end=token.start + cut, text=token.text[:cut]),
                Token(token.start + cut, token.end, token.text[cut:], WORD, glued=True)]

    def _may_be_glued(self, text: str, channel: ChannelProfile) -> bool:
        """A word neither a syllable nor a word of the model, whose likeliest reading is unlikely enough for
        a cut to beat it by GLUED_MARGIN."""
        if (len(clean_junk(text)) < 4 or lm_key(text.lower()) in self._syllable_set
                or self.lm.word_id(text.lower()) != self.lm.unknown):
            return False
        return self._best_reading(text, channel) <= -GLUED_MARGIN

    def _best_reading(self, text: str, channel: ChannelProfile) -> float:
        """The best channel score and unigram log-probability together of the token's readings."""
        return max((score + self.lm.unigram[identity] for _, score, identity in self._ranked(channel.reading(text), channel)),
                   default=-np.inf)

    def _glued_cut(self, text: str, channel: ChannelProfile) -> int | None:
        """Where a word `_may_be_glued` is two words, or None."""
        cuts = list(range(2, len(text) - 1))
        if not cuts:
            return None
        scores = self._pair_readings([(text[:at], text[at:]) for at in cuts], channel)
        best = int(np.argmax(scores))
        return cuts[best] if scores[best] > max(self._best_reading(text, channel) + GLUED_MARGIN, GLUED_FLOOR) else None

    def _pair_readings(self, pairs: list[tuple[str, str]], channel: ChannelProfile) -> np.ndarray:
        """For each pair of OCR tokens, the best channel score and language model log-probability together
        (the first by its unigram, the second by the bigram after it) of their likeliest readings; all
        pairs in one call of the language model."""
        owners, firsts, seconds, scores = [], [], [], []
        for number, (first_text, second_text) in enumerate(pairs):
            first = self._ranked(channel.reading(first_text), channel)[:GLUED_READINGS]
            second = self._ranked(channel.reading(second_text), channel)[:GLUED_READINGS]
            if not first or not second:
                continue
            # Every reading of the first piece with every reading of the second.
            owners.append(np.full(len(first) * len(second), number))
            firsts.append(np.repeat([identity for _, _, identity in first], len(second)))
            seconds.append(np.tile([identity for _, _, identity in second], len(first)))
            scores.append(np.add.outer([score for _, score, _ in first], [score for _, score, _ in second]).ravel())
        best = np.full(len(pairs), -np.inf)
        if owners:
            firsts = np.concatenate(firsts)
            # </s> is never a context of the model: with it as the first word, a query is a bigram.
            together = (np.concatenate(scores) + self.lm.unigram[firsts]
                        + self.lm.logprob(self.lm.end, firsts, np.concatenate(seconds)))
            np.maximum.at(best, np.concatenate(owners), together)
        return best

    def _joined_letter(self, clause: list[tuple[int, Token]], channel: ChannelProfile) -> list[tuple[int, Token]]:
        """The clause with a lone capital consonant and the word in small letters one space after it made one
        word where the OCR split it ("N ghi quyết": "Nghị quyết"): the two read as one syllable are
        GLUED_MARGIN likelier than read as a letter and a word, or likelier at all and, with the word after,
        a word of the corpus or a name ("nghị quyết"). A lone letter may be a label ("nhóm C hạng 2"), but no label
        makes a word of the corpus with the words after it."""
        joined: list[tuple[int, Token]] = []
        for position, (index, token) in enumerate(clause):
            if joined and token.kind == WORD and token.text[:1].islower():
                line, letter = joined[-1]
                text = letter.text + token.text
                if (line == index and letter.kind == WORD and len(letter.text) == 1 and letter.text.isupper()
                        and letter.text not in _VOWEL_CAPITALS and token.start == letter.end + 1
                        and looks_like_syllable(text)):
                    margin = (self._best_reading(text, channel)
                              - self._pair_readings([(letter.text, token.text)], channel)[0])
                    after = clause[position + 1][1].text if position + 1 < len(clause) else ""
                    pair = ([skeleton(text), skeleton(after)], [text, after])
                    if margin > GLUED_MARGIN or margin > 0 and any(
                            next(names.matches(*pair, misread=False), None) for names in (self.words, self.gazetteer)):
                        joined[-1] = (index, Token(letter.start, token.end, text, WORD, after_colon=letter.after_colon))
                        continue
            joined.append((index, token))
        return joined

    def _with_names(self, clause, slots: list[Slot], spellings: list[list[str]], named: list[tuple[int, str, float]],
                    channel) -> tuple[list[Slot], list[list[str]]]:
        """The slots with the syllables of the names the clause's words read as given NAME_BONUS, and
        added as candidates where the channel did not propose them ("ty" in "Tinh ty": "ủy"; scored
        by `_score_syllables` before)."""
        texts = [token.text for _, token in clause]
        for position, syllable, bonus in named:
            slot, options = slots[position], spellings[position]
            # The channel's candidates are spelled as the model's words, as the names' syllables are.
            if syllable in options:
                if not bonus:
                    continue
                scores = slot.channel.copy()
                scores[options.index(syllable)] += bonus
                slots[position] = Slot(slot.ids, scores)
            elif not isinstance(channel, StrippedProfile):
                score = self._channel_scores[id(channel), texts[position], syllable] + bonus  # scored above
                slots[position] = Slot(np.append(slot.ids, self.lm.word_id(syllable)), np.append(slot.channel, score))
                spellings[position] = [*options, syllable]
        return slots, spellings

    def _names_in(self, clause, channel) -> list[tuple[int, str, float]]:
        """(position, syllable, bonus) for each word of the clause inside a name or a corpus word."""
        letters = [skeleton(token.text) if token.kind == WORD else None for _, token in clause]
        texts = [token.text for _, token in clause]
        # Text that lost only its marks has every letter right: only names it spells exactly.
        exact_only = isinstance(channel, StrippedProfile)
        named: dict[tuple[int, str], float] = {}
        # The corpus's words only propose syllables: of use where the OCR loses letters, English-model OCR;
        # elsewhere they would rewrite a writer's own word ("thu nhập số liệu").
        for start, word in self.words.matches(letters, texts, exact=False) if channel.digits_as_letters else ():
            for offset, syllable in enumerate(word):
                named.setdefault((start + offset, syllable), 0.0)
        # A longer name read in the words is stronger evidence: each word after the first adds NAME_BONUS.
        for start, name in self.gazetteer.matches(letters, texts, misread=not exact_only):
            for offset, syllable in enumerate(name):
                key = (start + offset, syllable)
                named[key] = max(named.get(key, 0.0), NAME_BONUS * (len(name) - 1))
        return [(position, syllable, bonus) for (position, syllable), bonus in sorted(named.items())]

    def _score_syllables(self, pairs: list[tuple[str, str]], channel) -> None:
        """Keep log P(text | syllable) for each (text, syllable) not kept yet: the syllables of a text
        are scored in one call."""
        if len(self._channel_scores) > SLOT_CACHE_LIMIT:  # bound memory over archive-sized batches
            self._channel_scores.clear()
        by_text: dict[str, list[str]] = {}
        for text, syllable in pairs:
            if (id(channel), text, syllable) not in self._channel_scores and syllable not in by_text.get(text, ()):
                by_text.setdefault(text, []).append(syllable)
        reads = [clean_junk(channel.reading(text)) for text in by_text]
        for (text, syllables), scores in zip(by_text.items(), channel.logprobs_many(list(zip(reads, by_text.values())))):
            self._channel_scores.update(((id(channel), text, s), score) for s, score in zip(syllables, scores.tolist()))

    def _narrowed(self, clauses: list[tuple[list[Slot], list[list[str]]]], lm, width: int, looks_ahead: bool
                  ) -> list[tuple[list[Slot], list[list[str]]]]:
        """Each clause's slots cut to the `width` candidates that best fit, by their channel score and
        the bigram from the likeliest readings of the word before (all clauses looked up in one call);
        `looks_ahead`: some by the bigram to the readings of the word after too (see NEXT_WORD_CANDIDATES)."""
        wide = [(c, t) for c, (slots, _) in enumerate(clauses) for t, slot in enumerate(slots)
                if len(slot.ids) > width]
        if not wide:
            return clauses
        # All wide slots at once, padded with the clause end at channel score -inf: it never fits best.
        start = Slot(np.array([self.lm.start]), np.zeros(1))
        contexts = [start if t == 0 else clauses[c][0][t - 1] for c, t in wide]
        context_ids, context_channel = padded([c.ids[:width] for c in contexts],
                                              [c.channel[:width] for c in contexts], self.lm.end)
        ids, channel = padded([clauses[c][0][t].ids for c, t in wide], [clauses[c][0][t].channel for c, t in wide],
                              self.lm.end)
        # </s> is never a context of the model: with it as the first word, a query is a bigram. Only the pairs
        # of real readings are looked up, a third of the grid: the padding's, at channel score -inf, would
        # never count.
        real = np.isfinite(context_channel)[:, :, None] & np.isfinite(channel)[:, None, :]
        bigrams = np.zeros(real.shape)
        bigrams[real] = lm.logprob(self.lm.end, np.broadcast_to(context_ids[:, :, None], real.shape)[real],
                                   np.broadcast_to(ids[:, None, :], real.shape)[real])
        fit = (context_channel[:, :, None] - context_channel.max(axis=1)[:, None, None] + bigrams).max(axis=1)
        order = np.argsort(-(channel + fit), axis=1, kind="stable")
        if looks_ahead:
            # The first by how they fit after the word before, and of the next few, the best by how they
            # fit before the word after too.
            first = width - NEXT_WORD_CANDIDATES
            pool = order[:, first:first + LOOK_AHEAD_POOL]
            both = np.take_along_axis(channel + fit, pool, axis=1) + self._fit_before(
                clauses, wide, np.take_along_axis(ids, pool, axis=1), lm)
            extra = np.take_along_axis(pool, np.argsort(-both, axis=1, kind="stable")[:, :NEXT_WORD_CANDIDATES], axis=1)
            keep = np.sort(np.concatenate([order[:, :first], extra], axis=1), axis=1)
        else:
            keep = np.sort(order[:, :width], axis=1)
        rows = np.arange(len(wide))[:, None]
        kept_ids, kept_channel = ids[rows, keep], channel[rows, keep]
        narrowed = [(list(slots), list(spellings)) for slots, spellings in clauses]
        for row, (c, t) in enumerate(wide):
            slots, spellings = narrowed[c]
            slots[t] = Slot(kept_ids[row], kept_channel[row])
            spellings[t] = [spellings[t][k] for k in keep[row].tolist()]
        return narrowed

    def _fit_before(self, clauses: list[tuple[list[Slot], list[list[str]]]], wide: list[tuple[int, int]],
                    ids: np.ndarray, lm) -> np.ndarray:
        """How well each candidate `ids` of the wide slots fits before the likeliest readings of the next word,
        by the bigram: "Thu hién" at a line's start is "Thực hiện", though "thực" is far from "Thu"
        and alone no likelier than "thu" after the start of a sentence. At the clause end, 0."""
        nexts = [clauses[c][0][t + 1] if t + 1 < len(clauses[c][0]) else None for c, t in wide]
        inside = np.array([slot is not None for slot in nexts])
        if not inside.any():
            return np.zeros(ids.shape)
        following = [slot for slot in nexts if slot is not None]
        next_ids, next_channel = padded([s.ids[:NEXT_READINGS] for s in following],
                                        [s.channel[:NEXT_READINGS] for s in following], self.lm.end)
        bigrams = lm.logprob(self.lm.end, ids[inside][:, :, None], next_ids[:, None, :])
        fit = (next_channel[:, None, :] - next_channel.max(axis=1)[:, None, None] + bigrams).max(axis=2)
        before = np.zeros(ids.shape)
        before[inside] = fit
        return before

    def _in_context(self, slot: Slot, options: list[str], clause: list[tuple[int, Token]], position: int,
                    memory: DocumentMemory, profile: str) -> Slot:
        """The slot's scores with what its place tells: the case the word is written in inside the
        clause, and how the document read the same word elsewhere."""
        token = clause[position][1]
        if token.kind != WORD or len(options) == 1:
            return slot
        case = token_case(token.text)
        if profile == STRIPPED and _short_capitals_among_small(clause, position):
            return Slot(slot.ids, slot.channel + CASE_WEIGHT * self.lm.upper[slot.ids])
        if position == 0 or token.after_colon:
            # Its capital comes from its place: the word is the one the document writes in small letters.
            return slot if case == "upper" else Slot(slot.ids, slot.channel + memory.word_scores(token.text.lower(), options))
        if case == "lower":
            return Slot(slot.ids, slot.channel + CASE_WEIGHT * self.lm.lower[slot.ids] + memory.word_scores(token.text, options))
        if case != "title":
            return slot
        scores = slot.channel + CASE_WEIGHT * self.lm.title[slot.ids] + memory.scores(token.text, options)
        return Slot(slot.ids, scores)


def _doubtful_words(lines: list[str], word_confidences: list[list[float] | None] | None) -> dict[int, list[range]]:
    """Line index -> character spans of the words the OCR engine read with low confidence. A line
    whose word count differs from its confidences' (text edited since it was read) has none."""
    doubtful: dict[int, list[range]] = {}
    for index, (line, confidences) in enumerate(zip(lines, word_confidences or ())):
        words = list(regex.finditer(r"\S+", line))
        if confidences and len(words) == len(confidences):
            spans = [range(*word.span()) for word, confidence in zip(words, confidences) if confidence < DOUBTFUL_WORD]
            if spans:
                doubtful[index] = spans
    return doubtful


def _cached(cache: dict, key, make, limit: int = SLOT_CACHE_LIMIT):
    """cache[key], made by `make()` the first time it is asked for. A cache past `limit` entries is emptied
    first: that bounds memory over archive-sized batches, and a document repeats its words, so it soon
    holds the ones asked for again."""
    if key in cache:
        return cache[key]
    if len(cache) > limit:
        cache.clear()
    value = cache[key] = make()
    return value


def _without_stray_underscores(line: str) -> str:
    """The line without the underscores OCR made of table rules and specks (`_STRAY_UNDERSCORES`); where
    they stood between two characters, a space keeps what was beside them apart ("quy__|nghiép")."""
    def replacement(match: regex.Match) -> str:
        if match[1] is not None:
            return match[1]
        before, after = line[match.start() - 1:match.start()], line[match.end():match.end() + 1]
        return " " if before.strip() and after.strip() else ""
    return _STRAY_UNDERSCORES.sub(replacement, line)


def _renumbered(lines: list[str]) -> list[str]:
    """The lines with the numbers of section headings and numbered items the OCR misread put back
    where their neighbours leave no doubt: a Roman numeral that repeats the one before or is not
    one ("I. … II. … II. … IV." is "III" the second time, "HI." after "II." is "III"), an item
    number between two that skip it ("4. … 9. … 6." is "5"), an item letter "d)" after "d)" ("đ)")
    and "đ)" after "c)" ("d)")."""
    lines = list(lines)
    sections = [(index, match) for index, line in enumerate(lines) if (match := _SECTION_NUMBER.match(line))]
    previous = 0
    for position, (index, match) in enumerate(sections):
        expected = previous + 1
        written = match["numeral"]
        values = _roman_values(written)
        following = [_roman_values(later["numeral"]) for _, later in sections[position + 1:position + 3]]
        if previous == 0 and len(values) > 1:
            # "H." first is "I." or "II." after a heading lost: the headings after it tell which.
            agreeing = {value: sum(value + step in later for step, later in enumerate(following, start=1))
                        for value in values}
            best = max(agreeing.values())
            if not best or list(agreeing.values()).count(best) > 1:
                continue
            values = [value for value in values if agreeing[value] == best]
            expected = values[0]
        value = expected if expected in values else (values[0] if values else None)
        # Before the first heading read, a numeral skipped may as well be a heading lost.
        skipped = previous > 0 and bool(following) and expected + 1 in following[0]
        if expected < len(_ROMAN_NUMERALS) and (value is None or value == previous or skipped):
            value = expected
        # Only a numeral the sequence confirms is rewritten: a lone "Il." may be "II" or a heading lost.
        if value == expected and _ROMAN_NUMERALS[value] != written:
            rest = lines[index][match.end("numeral"):]
            # The dot a heading's number lost is written back ("L MỤC TIÊU" is "I. MỤC TIÊU").
            lines[index] = match["indent"] + _ROMAN_NUMERALS[value] + (rest if rest.startswith(".") else "." + rest)
        previous = value or previous
    items = [(index, match) for index, line in enumerate(lines) if (match := _ITEM_NUMBER.match(line))]
    for position in range(1, len(items) - 1):
        index, match = items[position]
        previous, value = int(items[position - 1][1][2]), int(match[2])
        expected = previous + 1
        # A number that starts a list again ("1.") is a list of its own, not a misreading.
        if int(items[position + 1][1][2]) == expected + 1 and value not in (1, expected) and len(str(expected)) == len(match[2]):
            lines[index] = match[1] + str(expected) + lines[index][match.end(2):]
    # Items are lettered a, b, c, d, đ, e: a second "d)" in a row is "đ)" without its bar, and an
    # "đ)" right after "c)" is "d)" read with a bar (a list may skip đ, never d).
    previous_letter = None
    for index, line in enumerate(lines):
        if match := _ITEM_LETTER.match(line):
            letter = match[2]
            if letter in "dD" and previous_letter == letter:
                letter = "đ" if letter == "d" else "Đ"
            elif letter in "đĐ" and previous_letter in ("c", "C"):
                letter = "d" if letter == "đ" else "D"
            if letter != match[2]:
                lines[index] = match[1] + letter + line[match.end(2):]
            previous_letter = letter
    return lines


def _roman_values(written: str) -> list[int]:
    """The values a Roman section number as OCR writes it may have, least first: "H" is two strokes
    run together ("HI." for "III.") or one with a speck ("IH." for "II."); see below for a small v."""
    numeral = written.translate(_ROMAN_LOOKALIKES)
    readings = {numeral.replace("H", "II"), numeral.replace("H", "I")}
    if written.endswith("L"):  # "IL." is "II." or "I." with its dot smeared into a stroke
        readings |= {reading[:-1] for reading in readings}
    if "v" in numeral:  # a small v is a V ("Iv." for "IV."), or the echo of the capital before it ("Vv." for "V.")
        readings |= {numeral.replace("v", "V"), numeral.replace("Vv", "V")}
    return sorted(_ROMAN_NUMERALS.index(reading) for reading in readings if reading in _ROMAN_NUMERALS[1:])


def _batches(read: list[tuple[list, list[Slot], list[list[str]]]]) -> list[list]:
    """The clauses as read in runs of about DECODE_BATCH_TOKENS tokens, in order."""
    batches, batch, size = [], [], 0
    for clause in read:
        batch.append(clause)
        size += len(clause[0])
        if size >= DECODE_BATCH_TOKENS:
            batches.append(batch)
            batch, size = [], 0
    return [*batches, batch] if batch else batches


def _capital_i(text: str) -> str:
    """The text with a leading l made the capital I that OCR reads as l ("loT": "IoT")."""
    return "I" + text[1:] if text[:1] == "l" else text


def _short_capitals_among_small(clause: list[tuple[int, Token]], position: int) -> bool:
    """A word of two or three capitals beside a word in small letters: a code or foreign word, or a
    word its writer stressed; the corpus tells which of its readings are written so (`upper_lp`)."""
    token = clause[position][1]
    if not 1 < len(token.text) <= 3 or token_case(token.text) != "upper":
        return False
    return any(t.kind == WORD and token_case(t.text) == "lower"
               for _, t in clause[max(0, position - 1):position] + clause[position + 1:position + 2])


def _capital_o_for_small(text: str) -> bool:
    """A capital initial, small letters at the end, and only capital O's between: the English model's
    capital O for a small "ô" or "ơ" ("NOi" for "Nội", "MO6i" for "Môi"), not a word in capitals."""
    letters = [c for c in text if c.isalpha()]
    return (len(letters) > 2 and letters[0].isupper() and letters[-1].islower()
            and all(c == "O" for c in letters[1:] if c.isupper()))


def _word_case(clause: list[tuple[int, Token]], position: int) -> str:
    """The case to write a word in. A short all-capital word among words that are not is a capital
    initial plus a mark the OCR read as a capital letter ("SO" for "Sở", "BO" for "Bộ")."""
    token = clause[position][1]
    pattern = token_case(token.text)
    if pattern == "upper" and _capital_o_for_small(token.text):
        return "title"
    if pattern == "upper" and sum(c.isalpha() for c in token.text) <= 3:
        neighbours = [t for _, t in clause[max(0, position - 2):position + 3]
                      if t is not token and t.kind == WORD and sum(c.isalpha() for c in t.text) >= 2]
        upper = [t for t in neighbours if token_case(t.text) == "upper" and not _capital_o_for_small(t.text)]
        # Other short capital words may be misread the same way ("BO trudng BO Tai chinh"): they only
        # outvote the words in lower case, while a longer capital word marks a heading.
        if (len(neighbours) > 2 * len(upper)
                and all(sum(c.isalpha() for c in t.text) <= 3 for t in upper)):
            return "title"
    return pattern


def restore_text(text: str, profile: str = AUTO) -> RestoredText:
    return Restorer.default().restore_text(text, profile)
