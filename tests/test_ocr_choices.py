"""Tesseract's per-character readings (lstm_choice_mode=2): read from hOCR, carried on each Line, and
turned into candidates for the words the engine doubted."""
from __future__ import annotations

import math
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline._exec import tesseract
from pipeline.errors import InputError
from pipeline.ingest import hocr, ocr
from pipeline.restore import Restorer, readings

# Two OCR lines as Tesseract 5 writes them with -c lstm_choice_mode=2: "Đại biểu" (its engine torn
# between "ể" and "ế", and a leading space decoded with "biểu") and "họp" (no doubt worth keeping:
# every other reading at confidence 0).
HOCR = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
    "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
 <body>
  <div class='ocr_page' id='page_1' title='image "stdin"; bbox 0 0 2480 3508; ppageno 0'>
   <div class='ocr_carea' id='block_1_1' title="bbox 100 100 600 220">
    <p class='ocr_par' id='par_1_1' lang='vie' title="bbox 100 100 600 220">
     <span class='ocr_line' id='line_1_1' title="bbox 100 100 600 150; baseline 0 -8; x_size 50">
      <span class='ocrx_word' id='word_1_1' title='bbox 100 100 220 150; x_wconf 96'>Đại
       <span class='ocrx_cinfo' id='lstm_choices_1_1_1'>
        <span class='ocrx_cinfo' id='choice_1_1_1' title='x_confs 95.2'>Đ</span>
        <span class='ocrx_cinfo' id='choice_1_1_2' title='x_confs 0'>D</span></span>
       <span class='ocrx_cinfo' id='lstm_choices_1_1_2'>
        <span class='ocrx_cinfo' id='choice_1_1_3' title='x_confs 96.1'>ạ</span></span>
       <span class='ocrx_cinfo' id='lstm_choices_1_1_3'>
        <span class='ocrx_cinfo' id='choice_1_1_4' title='x_confs 96.4'>i</span></span>
      </span>
      <span class='ocrx_word' id='word_1_2' title='bbox 250 100 400 150; x_wconf 80'>biểu
       <span class='ocrx_cinfo' id='lstm_choices_1_2_1'>
        <span class='ocrx_cinfo' id='choice_1_2_1' title='x_confs 92.2'> </span>
        <span class='ocrx_cinfo' id='choice_1_2_2' title='x_confs 0'>,</span></span>
       <span class='ocrx_cinfo' id='lstm_choices_1_2_2'>
        <span class='ocrx_cinfo' id='choice_1_2_3' title='x_confs 95.2'>b</span></span>
       <span class='ocrx_cinfo' id='lstm_choices_1_2_3'>
        <span class='ocrx_cinfo' id='choice_1_2_4' title='x_confs 88.8'>i</span>
        <span class='ocrx_cinfo' id='choice_1_2_5' title='x_confs 0'>l</span></span>
       <span class='ocrx_cinfo' id='lstm_choices_1_2_4'>
        <span class='ocrx_cinfo' id='choice_1_2_6' title='x_confs 91.7'>ể</span>
        <span class='ocrx_cinfo' id='choice_1_2_7' title='x_confs 56.9'>ế</span>
        <span class='ocrx_cinfo' id='choice_1_2_8' title='x_confs 0'>ề</span></span>
       <span class='ocrx_cinfo' id='lstm_choices_1_2_5'>
        <span class='ocrx_cinfo' id='choice_1_2_9' title='x_confs 94.3'>u</span></span>
      </span>
     </span>
     <span class='ocr_line' id='line_1_2' title="bbox 100 170 300 220; baseline 0 -8; x_size 50">
      <span class='ocrx_word' id='word_1_3' title='bbox 100 170 210 220; x_wconf 95'>họp
       <span class='ocrx_cinfo' id='lstm_choices_1_3_1'>
        <span class='ocrx_cinfo' id='choice_1_3_1' title='x_confs 95.0'>h</span></span>
       <span class='ocrx_cinfo' id='lstm_choices_1_3_2'>
        <span class='ocrx_cinfo' id='choice_1_3_2' title='x_confs 94.1'>ọ</span>
        <span class='ocrx_cinfo' id='choice_1_3_3' title='x_confs 0'>o</span></span>
       <span class='ocrx_cinfo' id='lstm_choices_1_3_3'>
        <span class='ocrx_cinfo' id='choice_1_3_4' title='x_confs 95.5'>p</span></span>
      </span>
     </span>
    </p>
   </div>
  </div>
 </body>
</html>
"""


def test_hocr_words_carry_text_confidence_box_and_the_readings_weighed():
    width, words = hocr.page_words(HOCR, "test page")
    assert width == 2480
    assert [(word.text, word.confidence, word.box) for word in words] == [
        ("Đại", 0.96, (100, 100, 220, 150)), ("biểu", 0.80, (250, 100, 400, 150)), ("họp", 0.95, (100, 170, 210, 220))]
    # The leading space's group is not a character of the word; readings at confidence 0 are dropped.
    assert words[1].readings == ((("b", 0.952),), (("i", 0.888),), (("ể", 0.917), ("ế", 0.569)), (("u", 0.943),))
    assert words[0].readings is None and words[2].readings is None
    assert words[0].line == words[1].line != words[2].line


def test_readings_that_do_not_line_up_with_the_word_are_dropped():
    # One group fewer than the word has characters: which character each reading belongs to is unknown.
    broken = HOCR.replace("""       <span class='ocrx_cinfo' id='lstm_choices_1_2_5'>
        <span class='ocrx_cinfo' id='choice_1_2_9' title='x_confs 94.3'>u</span></span>
""", "")
    _, words = hocr.page_words(broken, "test page")
    assert words[1].text == "biểu" and words[1].readings is None


def test_lines_from_hocr_give_each_word_its_readings():
    lines = ocr.lines_from_hocr(HOCR, page=3)
    assert [(line.text, line.page, line.word_confidences) for line in lines] == [
        ("Đại biểu", 3, [0.96, 0.8]), ("họp", 3, [0.95])]
    assert lines[0].word_readings == [None, hocr.page_words(HOCR, "")[1][1].readings]
    assert lines[1].word_readings is None


def test_damaged_hocr_is_an_input_error():
    with pytest.raises(InputError, match="scan.pdf page 2: unreadable Tesseract hOCR"):
        hocr.page_words(HOCR[:700], "scan.pdf page 2")


def test_readings_spell_the_other_words_with_how_sure_the_engine_was():
    word = ((("b", 0.95),), (("i", 0.89),), (("ể", 0.92), ("ế", 0.57)), (("u", 0.94),))
    [(spelling, score)] = readings.spellings_read(10, "biểu", [(10, word)])
    assert spelling == "biếu" and score == pytest.approx(math.log(0.57 / 0.92))
    # A token inside the word (after a dot the tokenizer splits off) takes its own characters' readings.
    dotted = ((("I", 0.9),), ((".", 0.9),)) + word
    assert [s for s, _ in readings.spellings_read(12, "biểu", [(10, dotted)])] == ["biếu"]
    assert readings.spellings_read(0, "biểu", [(10, word)]) == []


def test_readings_the_engine_hardly_weighed_make_no_candidate():
    word = ((("s", 0.95),), (("ố", 0.95), ("õ", 0.01)))
    assert readings.spellings_read(0, "số", [(0, word)]) == []


def test_spellings_from_many_doubted_characters_are_bounded_best_first():
    word = tuple((("a", 0.9), ("ă", 0.8), ("â", 0.7)) for _ in range(8))
    made = readings.spellings_read(0, "a" * 8, [(0, word)])
    assert len(made) == readings.MAX_SPELLINGS
    assert [score for _, score in made] == sorted((score for _, score in made), reverse=True)
    assert made[0][1] == pytest.approx(math.log(0.8 / 0.9))


def test_only_doubted_words_whose_readings_spell_them_are_used():
    word = ((("b", 0.95),), (("i", 0.89),), (("ể", 0.92), ("ế", 0.57)), (("u", 0.94),))
    lines = ["Đại biểu họp", "Đại biểu họp", "Đại biểu"]
    found = readings.words_with_readings(lines, [[None, word, None], [None, word, None], [None, word, None]],
                                         {0: [range(4, 8)], 2: [range(4, 8)]})
    # Line 1's word was read with confidence; line 2 has fewer words than readings (edited since).
    assert found == {0: [(4, word)]}


def test_a_doubted_word_is_decided_by_context_among_the_readings_the_engine_weighed():
    # "biếu" (to give) is not among the channel's candidates for "biểu", so without the readings the
    # restorer keeps what was read however doubtful it was.
    line = "Nhà trường tặng quà biểu cho học sinh nghèo."
    confidences = [0.96, 0.96, 0.96, 0.96, 0.8, 0.96, 0.96, 0.96, 0.96]
    weighed = ((("b", 0.95),), (("i", 0.89),), (("ể", 0.92), ("ế", 0.6)), (("u", 0.94),))
    word_readings = [None] * 9
    word_readings[4] = weighed
    restorer = Restorer.default()
    assert restorer.restore_lines([line], word_confidences=[confidences]).lines == [line]
    assert restorer.restore_lines([line], word_confidences=[confidences], word_readings=[word_readings]).lines == [
        "Nhà trường tặng quà biếu cho học sinh nghèo."]
    # Read with confidence, the same word keeps its letters: the readings are for the words the engine doubted.
    sure = [0.96] * 9
    assert restorer.restore_lines([line], word_confidences=[sure], word_readings=[word_readings]).lines == [line]


FONT = Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf")
# Short lines of my own in 13 pt Liberation Serif at 300 dpi: on a page this clean Tesseract still
# hesitates at a few characters ("ị" or "j", "i" or "ỉ").
TEXT = ["Các sở, ban, ngành chủ trì tổ chức thực hiện nhiệm vụ được giao;",
        "định kỳ báo cáo kết quả về Ủy ban nhân dân tỉnh trước ngày 15 tháng 12;",
        "Sở Thông tin và Truyền thông theo dõi, đôn đốc, tổng hợp tình hình."]


@pytest.mark.ocr
def test_tesseract_gives_the_readings_of_the_characters_of_the_words_it_wrote(tmp_path):
    image = Image.new("L", (2300, 300), "white")
    draw = ImageDraw.Draw(image)
    for index, line in enumerate(TEXT):
        draw.text((60, 40 + index * 80), line, font=ImageFont.truetype(str(FONT), 54), fill="black")
    path = tmp_path / "page.png"
    image.save(path, dpi=(300, 300))
    [(_, lines, _)] = list(ocr.ocr_image_file(path, jobs=1))
    read = [(word, readings) for line in lines for word, readings in zip(line.text.split(), line.word_readings or [])
            if readings]
    assert read, "no word with readings on the page"
    for word, readings in read:
        assert len(readings) == len(word)
        assert all(letter in {c for c, _ in place} for letter, place in zip(word, readings))
        assert any(len(place) > 1 for place in readings)
    assert [line.text for line in lines if line.text] == TEXT


@pytest.mark.ocr
def test_bytes_tesseract_cannot_read_are_an_input_error_naming_the_page():
    with pytest.raises(InputError, match="scan.pdf page 4: tesseract failed"):
        tesseract.image_to_hocr(b"not an image", languages=["vie"], label="scan.pdf page 4", timeout=60)
