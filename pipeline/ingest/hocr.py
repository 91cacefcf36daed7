"""Tesseract's hOCR read as words: text, confidence, box, and the other readings of its characters.

With `-c lstm_choice_mode=2` Tesseract 5 writes, inside each word (`ocrx_word`), one group
(`ocrx_cinfo`, id `lstm_choices_...`) per character it decoded, listing the characters its LSTM
weighed there with their confidence (`x_confs`, 0..100). Nearly all of them have confidence 0;
the few that do not ("ể" 89, "ế" 80) are the readings the engine hesitated between.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from lxml import etree

from pipeline.errors import InputError
from pipeline.model import WordReadings

_XHTML = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True, slots=True)
class HocrWord:
    line: tuple[str, str, str]  # ids of its block, paragraph and line: equal for the words of one line
    text: str
    confidence: float  # 0..1
    box: tuple[int, int, int, int]  # left, top, right, bottom
    # One CharacterReadings per character of `text`, where the engine gave another character than the one
    # written a confidence above 0 at one of them at least; None for the usual word read without doubt.
    readings: WordReadings | None = None


def page_words(hocr: str, label: str) -> tuple[int, list[HocrWord]]:
    """The page width and the words of one page of hOCR, in Tesseract's reading order."""
    try:
        root = etree.fromstring(hocr.encode("utf-8"))
    except etree.XMLSyntaxError as error:
        raise InputError(f"{label}: unreadable Tesseract hOCR: {error}") from None
    page_width = 0
    words = []
    for element in root.iter(f"{_XHTML}div", f"{_XHTML}span"):
        kind = element.get("class")
        if kind == "ocr_page":
            page_width = _properties(element)["bbox"][2]
        elif kind == "ocrx_word":
            text = unicodedata.normalize("NFC", (element.text or "").strip())
            if not text:
                continue
            properties = _properties(element)
            line = element.getparent()
            paragraph = line.getparent()
            block = paragraph.getparent()
            words.append(HocrWord((block.get("id", ""), paragraph.get("id", ""), line.get("id", "")), text,
                                  max(0, properties.get("x_wconf", (0,))[0]) / 100, tuple(properties["bbox"]),
                                  _readings(element, text)))
    return page_width, words


def _properties(element) -> dict[str, list[int]]:
    """An hOCR title ("bbox 485 334 558 381; x_wconf 96") as {name: integer values}."""
    properties = {}
    for part in element.get("title", "").split(";"):
        name, *values = part.split()
        if name in ("bbox", "x_wconf"):
            properties[name] = [int(value) for value in values]
    return properties


def _readings(word, text: str) -> WordReadings | None:
    """The readings of each character of `text`, when the engine weighed another one somewhere."""
    groups = []
    for group in word.iterfind(f"{_XHTML}span"):
        choices = []
        for choice in group.iterfind(f"{_XHTML}span"):
            confidence = float(choice.get("title", "x_confs 0").split()[1])
            character = unicodedata.normalize("NFC", choice.text or "")
            if confidence > 0 and character:
                choices.append((character, round(confidence / 100, 3)))
        groups.append(tuple(sorted(choices, key=lambda choice: -choice[1])))
    # The space before a word is decoded with it.
    while groups and groups[0] and groups[0][0][0].isspace():
        groups.pop(0)
    if len(groups) != len(text) or not any(len(group) > 1 for group in groups):
        return None
    return tuple(group if any(character == letter for character, _ in group) else ((letter, 0.0), *group)
                 for group, letter in zip(groups, text))
