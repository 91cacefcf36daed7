"""The restorer on real lines: the legacy OCR of Kế hoạch 267/KH-UBND and its gold text."""
from __future__ import annotations

from pathlib import Path

import pytest
import regex

import pipeline.restore as restore_module
from pipeline.restore import decode
from pipeline.restore import CLEAN, LEGACY, MAX_CLAUSE_TOKENS, STRIPPED, TESSERACT, Restorer
from pipeline.restore.tokens import ABBREVIATION, FIXED, WORD, tokenize
from pipeline.vietnamese import strip_marks

FIXTURES = Path(__file__).parent / "fixtures"
OCR_LINES = (FIXTURES / "restore-kh267-ocr.txt").read_text(encoding="utf-8").split("\n")
GOLD_LINES = (FIXTURES / "restore-kh267-gold.txt").read_text(encoding="utf-8").split("\n")


@pytest.fixture(scope="module")
def restorer() -> Restorer:
    return Restorer.default()


def word_accuracy(gold: list[str], hypothesis: list[str]) -> float:
    """Share of gold words found at the same place of the same line (lines correspond one to one)."""
    right = total = 0
    for g, h in zip(gold, hypothesis):
        gw, hw = regex.findall(r"\w+", g), regex.findall(r"\w+", h)
        total += len(gw)
        right += sum(a == b for a, b in zip(gw, hw)) if len(gw) == len(hw) else 0
    return right / total


def test_fixture_lines_correspond():
    assert len(OCR_LINES) == len(GOLD_LINES) == 111


def test_one_output_line_per_input_line(restorer):
    lines = ["", "   ", "S6: 267/KH-UBND", "-", "2024", "ngay 27 thang 6 nim 2024", ""]
    result = restorer.restore_lines(lines)
    assert len(result.lines) == len(lines)
    assert result.lines[0] == "" and result.lines[1] == "   " and result.lines[3] == "-"


def test_legacy_ocr_excerpt_is_restored(restorer):
    result = restorer.restore_lines(OCR_LINES)
    assert result.profile == LEGACY
    assert word_accuracy(GOLD_LINES, OCR_LINES) < 0.3
    assert word_accuracy(GOLD_LINES, result.lines) > 0.9


@pytest.mark.parametrize("ocr, gold", [
    ("S6: 267/KH-UBND Thira Thién Hué, ngay 27 thang 6 nim 2024",
     "Số: 267/KH-UBND Thừa Thiên Huế, ngày 27 tháng 6 năm 2024"),
    ("I. MUC PiCH, YEU CAU", "I. MỤC ĐÍCH, YÊU CẦU"),
    # Section numbers as English OCR misreads them stay for the parser to read: "Vv." is "V.".
    ("Vv. TO CHUC THUC HIEN", "Vv. TỔ CHỨC THỰC HIỆN"),
    ("Il. MUC TIEU", "Il. MỤC TIÊU"),
    ("- Thoi gian thuc hién: Hoan thanh trong quy III nam 2024.",
     "- Thời gian thực hiện: Hoàn thành trong quý III năm 2024."),
    ("can bé, cong chic, vién cht?c tham gia", "cán bộ, công chức, viên chức tham gia"),
    # The question mark the English model wrote for a mark is no clause end: "bầu cử ở các cấp".
    ("cuoc bau ct? d cac cap", "cuộc bầu cử ở các cấp"),
])
def test_real_lines(restorer, ocr, gold):
    # Each line alone, as a clerk would paste it: the profile must come from the line itself.
    assert restorer.restore_lines([ocr], LEGACY).lines == [gold]


def test_list_marker_junk_is_a_letter(restorer):
    line = restorer.restore_lines(["¢) Thoi gian thyc hién: Trién khai thyuc hién thuong xuyén."], LEGACY).lines[0]
    assert line.startswith("c) Thời gian thực hiện: Triển khai")


def test_codes_numbers_and_addresses_are_kept(restorer):
    line = ("Quyét dinh s6 70/2017/QD-UBND ngay 28/8/2017, Két luan s6 57-KL/TW, "
            "HDND tinh, xem https://thuathienhue.gov.vn hoac vanthu@hue.gov.vn")
    restored = restorer.restore_lines([line], LEGACY).lines[0]
    for kept in ("28/8/2017", "57-KL/TW", "https://thuathienhue.gov.vn", "vanthu@hue.gov.vn"):
        assert kept in restored
    assert "70/2017/QĐ-UBND" in restored  # a code's D restored to Đ, the rest untouched
    assert "HĐND" in restored


def test_codes_joined_by_an_ampersand_get_their_d_bar_code_by_code(restorer):
    line = "Giam doc So KH&DT, Bo VH,TT&DL va Bo NN&PTNT"
    assert restorer.restore_lines([line], STRIPPED).lines == ["Giám đốc Sở KH&ĐT, Bộ VH,TT&DL và Bộ NN&PTNT"]


def test_correct_text_is_left_alone(restorer):
    result = restorer.restore_lines(GOLD_LINES)
    assert result.profile == CLEAN
    assert word_accuracy(GOLD_LINES, result.lines) >= 0.995


def test_text_without_marks_gets_them_back(restorer):
    stripped = [strip_marks(line) for line in GOLD_LINES]
    result = restorer.restore_lines(stripped)
    assert result.profile == STRIPPED
    assert word_accuracy(GOLD_LINES, result.lines) > 0.93


def test_modern_ocr_is_not_taken_for_legacy_ocr(restorer):
    # Tesseract vie output: right but for a few hook/tilde confusions, every word a valid syllable.
    lines = ["Căn cứ Nghị Quyết số 48/NQ-CP ngày 03/4/2023 của Chính phủ về việc",
             "phê duyệt Chiến lược khai thác, sử dụng bền vững tài nguyên, bảo vệ môi",
             "trường biến và hải đảo đến năm 2030, tầm nhìn đến năm 2050 tố chức"]
    result = restorer.restore_lines(lines)
    assert result.profile in (TESSERACT, CLEAN)
    assert "bảo vệ môi" in result.lines[1]


def test_confidences_report_changes(restorer):
    result = restorer.restore_lines(["Trién khai thuc hién Nghi quyét so 47/NQ-CP ngay 15/4/2024 ciia Chinh phii"])
    assert result.changed == len([i for i in result.items if i.original != i.restored]) > 5
    changed = {i.original: i for i in result.items if i.original != i.restored}
    assert changed["ciia"].restored == "của"
    assert all(0.0 <= i.confidence <= 1.0 for i in result.items)
    assert all(i.line == 1 and result.lines[0][i.start:].startswith(i.restored) for i in result.items)
    assert result.low_confidence == [i for i in result.items if i.confidence < 0.8]


def test_empty_and_foreign_input(restorer):
    assert restorer.restore_lines([]).lines == []
    assert restorer.restore_lines([""]).lines == [""]
    # Text in another script is not Vietnamese to restore.
    assert restorer.restore_lines(["中华人民共和国"]).lines == ["中华人民共和国"]


@pytest.mark.parametrize("line, kinds", [
    ("S6: 267/KH-UBND", [("S6", WORD), ("267", FIXED), ("KH", ABBREVIATION), ("UBND", ABBREVIATION)]),
    ("II. ne“}ng luc", [("II", FIXED), ("ne“}ng", WORD), ("luc", WORD)]),
    ("tr¥éng hoc", [("tr¥éng", WORD), ("hoc", WORD)]),
    # An ampersand between capitals joins codes, even codes that spell a syllable ("OM").
    ("(O&M) KH&DT", [("O&M", ABBREVIATION), ("KH&DT", ABBREVIATION)]),
    # A capital letter joined to a code by a hyphen or a dot is part of it, not a word.
    ("(V-10b), P.KT", [("V", FIXED), ("10b", WORD), ("P", FIXED), ("KT", ABBREVIATION)]),
    ("“la mgt by phan", [("la", WORD), ("mgt", WORD), ("by", WORD), ("phan", WORD)]),
    # A question mark between letters is inside the word, and after one where no question ends (a
    # small letter or a comma follows); before a capital it is punctuation.
    ("vién cht?c? Co", [("vién", WORD), ("cht?c", WORD), ("Co", WORD)]),
    ("bau ct? dai, ct?, sao? Cac", [("bau", WORD), ("ct?", WORD), ("dai", WORD), ("ct?", WORD), ("sao", WORD),
                                   ("Cac", WORD)]),
])
def test_tokenize(line, kinds):
    assert [(t.text, t.kind) for t in tokenize(line)] == kinds
    for token in tokenize(line):
        assert line[token.start:token.end] == token.text


def test_text_without_punctuation_is_restored_in_bounded_pieces(restorer, monkeypatch):
    # Words without any punctuation, ten to a line: one endless clause. It is decoded in pieces of
    # MAX_CLAUSE_TOKENS words, each exactly as if a full stop ended it.
    words = [w for line in GOLD_LINES for w in regex.findall(r"\p{L}+", strip_marks(line))]
    pieces = 3
    words = (words * pieces)[:pieces * MAX_CLAUSE_TOKENS]
    lines = [" ".join(words[i:i + 10]) for i in range(0, len(words), 10)]
    per_piece = MAX_CLAUSE_TOKENS // 10
    stopped = [line + "." if (number + 1) % per_piece == 0 else line for number, line in enumerate(lines)]
    decoded_lengths = []

    def decode_clauses(clauses, *args):
        decoded_lengths.extend(len(slots) for slots in clauses)
        return decode.decode_clauses(clauses, *args)

    monkeypatch.setattr(restore_module, "decode_clauses", decode_clauses)
    whole = restorer.restore_lines(lines, STRIPPED)
    assert max(decoded_lengths) == MAX_CLAUSE_TOKENS + 1  # and the clause end
    cut = restorer.restore_lines(stopped, STRIPPED)
    assert whole.lines != lines and whole.tokens == len(words)
    assert [line + "." if (number + 1) % per_piece == 0 else line for number, line in enumerate(whole.lines)] == cut.lines
    assert [(i.line, i.start, i.original, i.restored, i.confidence) for i in whole.items] == [
        (i.line, i.start, i.original, i.restored, i.confidence) for i in cut.items]
    assert all(whole.lines[i.line - 1][i.start:].startswith(i.restored) for i in whole.items)


def test_document_memory_reads_a_name_the_same_way_everywhere(restorer):
    # "Tinh" alone after "ho tro" is read "Tính" (support counting); where the document names the
    # province plainly, the memory carries "Tỉnh" over to it.
    alone = "Kip thoi ho tro Tinh dinh huong thong tin"
    assert restorer.restore_lines([alone], LEGACY).lines[0].split()[4] != "Tỉnh"
    document = ["Bao cao Uy ban nhan dan Tinh ket qua thuc hien.", "Hinh anh cua Tinh, bao dam thong tin.",
                "Lanh dao Tinh tai nuoc ngoai.", alone]
    assert restorer.restore_lines(document, LEGACY).lines[3].split()[4] == "Tỉnh"


def test_document_memory_reads_a_word_in_small_letters_as_the_document_does(restorer):
    # Alone, "so lieu bien" is the figures of a variable ("biến"); in a plan about the sea, which reads
    # "bien" plainly as "biển" again and again, it is the sea's.
    alone = "Thu thap so lieu bien hang nam"
    assert restorer.restore_lines([alone], STRIPPED).lines[0].split()[4] == "biến"
    sea = ["Bao ve moi truong bien.", "Phat trien kinh te bien.", "Quan ly tai nguyen bien.",
           "Khai thac hai san tren bien.", "Nuoi trong thuy san tren bien.", "Du lich bien dao.",
           "Bao ve bo bien.", "Chu quyen bien dao."]
    restored = restorer.restore_lines(sea + [alone], STRIPPED).lines
    assert restored[-1].split()[4] == "biển"
    assert restored[1] == "Phát triển kinh tế biển."


def test_document_memory_keeps_no_bigram_of_unknown_words(restorer):
    # The symbol kept where it ends a clause must not teach the document that "non" goes before words
    # the model does not know.
    document = ["Danh sach truong mam non @.", "Lop mam non @, lop mot @."] * 4 + ["Ho tro tre mam non @ dia ban tinh."]
    assert restorer.restore_lines(document, LEGACY).lines[-1] == "Hỗ trợ trẻ mầm non ở địa bàn tỉnh."


def test_capitals_inside_a_clause_look_to_names(restorer):
    # A capital initial inside a clause is the mark of a name: "Pang" is the Party, "pang" is not.
    assert "Đảng" in restorer.restore_lines(["giua doi ngoai Pang, ngoai giao Nha nuoc"], LEGACY).lines[0]


@pytest.mark.parametrize("ocr, gold", [
    # A lone symbol English-model OCR writes for "ở" is the word where the context wants it.
    ("cong dong nguoi Viét Nam & nudc ngoai", "cộng đồng người Việt Nam ở nước ngoài"),
    ("tre mam non @ dia ban tinh", "trẻ mầm non ở địa bàn tỉnh"),
    # A word rarer alone than its look-alikes is kept for the context that wants it.
    ("chi dao, theo déi, dén doc", "chỉ đạo, theo dõi, đôn đốc"),
    # A reading both rare and far from the OCR word is still weighed where the context wants it.
    ("tham mut cho Uy ban", "tham mưu cho Ủy ban"),
    # A reading far from the OCR word that only the word after it wants ("thực hiện").
    ("Thu hién cac nhiém vu", "Thực hiện các nhiệm vụ"),
])
def test_context_decides(restorer, ocr, gold):
    assert restorer.restore_lines([ocr], LEGACY).lines == [gold]


def test_the_word_after_a_list_marker_opens_its_sentence(restorer):
    # After "a)" a capital is the sentence's, not a name's: "Chu trong" is "Chú trọng", not "Chủ trương".
    lines = ["a) Chu trong thong tin, tuyén truyén", "1. Chu trong thong tin, tuyén truyén"]
    assert restorer.restore_lines(lines, LEGACY).lines == [
        "a) Chú trọng thông tin, tuyên truyền", "1. Chú trọng thông tin, tuyên truyền"]


def test_a_capital_after_a_label_colon_is_not_read_as_a_name(restorer):
    # The document reads "Thang" as the name "Thắng"; after "Thời gian thực hiện:" it is the month.
    lines = ["Giao ong Nguyen Van Thang, Pho Chu tich UBND tinh chi dao.", "Thoi gian thuc hien: Thang 12/2025."]
    assert restorer.restore_lines(lines, STRIPPED).lines[1] == "Thời gian thực hiện: Tháng 12/2025."


def test_a_capital_ocr_made_of_a_small_letter_of_the_same_shape_is_put_back(restorer):
    # "X" is only a bigger "x": "đột Xuất" mid-sentence is "đột xuất"; a capital that names ("Sở") or
    # opens a line stays.
    lines = ["bao cao dinh ky hoac dot Xuét khi co yéu cau cua So Tu phap", "Sé 12 ngay 5 thang 6"]
    assert restorer.restore_lines(lines, LEGACY).lines == [
        "báo cáo định kỳ hoặc đột xuất khi có yêu cầu của Sở Tư pháp", "Số 12 ngày 5 tháng 6"]


def test_symbols_stay_symbols_outside_legacy_ocr(restorer):
    assert restorer.restore_lines(["Sở KH&ĐT và Công ty R & D"], TESSERACT).lines == ["Sở KH&ĐT và Công ty R & D"]


@pytest.mark.parametrize("line, kinds", [
    # One letter-like digit before lower-case letters is a misread syllable, unless it is a measure.
    ("6n dinh 4p dung", [("6n", WORD), ("dinh", WORD), ("4p", WORD), ("dung", WORD)]),
    ("9h 6ha 4G", [("9h", FIXED), ("6ha", FIXED), ("4G", FIXED)]),
])
def test_tokenize_digit_misreads(line, kinds):
    assert [(t.text, t.kind) for t in tokenize(line)] == kinds


def test_list_item_letters_are_kept(restorer):
    lines = ["c) Thoi gian thuc hién: thuong xuyén.", "d) Tang cuong cong tac truyén thong"]
    assert [line[:3] for line in restorer.restore_lines(lines, LEGACY).lines] == ["c) ", "d) "]


def test_a_word_the_ocr_doubted_is_decided_by_context(restorer):
    line = "cán bộ, công chức, viên chức vá đảng viên nhằm nâng cao nhận thức"
    words = len(line.split())
    # The restorer prefers "và" (posterior about 0.73): below the Tesseract profile's threshold for a
    # word the OCR was sure of, above the one for a word it doubted.
    doubted = [0.99] * words
    doubted[line.split().index("vá")] = 0.6
    assert restorer.restore_lines([line], TESSERACT, [doubted]).lines == [line.replace(" vá ", " và ")]
    assert restorer.restore_lines([line], TESSERACT, [[0.99] * words]).lines == [line]
    assert restorer.restore_lines([line], TESSERACT).lines == [line]
    # Confidences that do not match the line's words (the text was edited) are not used.
    assert restorer.restore_lines([line], TESSERACT, [[0.6] * (words - 1)]).lines == [line]


def test_the_restore_stage_reads_the_ocr_word_confidences():
    from pipeline.model import Document, Line, Source
    from pipeline.process import restore

    text = "cán bộ, công chức, viên chức vá đảng viên nhằm nâng cao nhận thức"
    confidences = [0.6 if word == "vá" else 0.99 for word in text.split()]
    doubted = Document(Source("scan.png", "0" * 64, "image"), [Line(1, text, text, word_confidences=confidences)])
    typed = Document(Source("a.txt", "0" * 64, "text"), [Line(1, text, text)])
    assert restore(doubted).lines[0].text == text.replace(" vá ", " và ")
    assert restore(typed).lines[0].text == text


@pytest.mark.parametrize("ocr, gold", [
    # English-model OCR writes "l" as a capital I or J before lower-case letters: the word is the
    # one with "l", in lower case; a code with capitals of its own ("IoT") is not read so.
    ("bao vé quyén Idi hop phap cua nguoi dan", "bảo vệ quyền lợi hợp pháp của người dân"),
    ("phat huy Idi thé cua dia phuong", "phát huy lợi thế của địa phương"),
    ("tang cuong Jan thu hai trong nam", "tăng cường lần thứ hai trong năm"),
])
def test_capital_i_of_english_model_ocr_is_l(restorer, ocr, gold):
    assert restorer.restore_lines([ocr], LEGACY).lines == [gold]


def test_channel_text_reads_a_capital_i_as_l_only_before_lower_case():
    from pipeline.restore.channel import channel_text
    assert [channel_text(t) for t in ("Idi", "Itta", "IoT", "II", "Tinh", "I")] == ["ldi", "ltta", "iot", "ii", "tinh", "i"]


def test_capital_i_is_read_as_l_only_in_english_model_ocr(restorer):
    # Text that lost only its marks has its letters right: "In" is "In", never "ln".
    assert restorer.restore_lines(["In an, phat hanh to roi va tai lieu"], STRIPPED).lines == [
        "In ấn, phát hành tờ rơi và tài liệu"]


def test_a_word_the_language_model_knows_is_kept_as_read(restorer):
    # "IoT" is no syllable but a word of the corpus: English-model OCR that reads it so is right more
    # often than a syllable one letter away ("lót").
    assert restorer.restore_lines(["ung dung IoT trong nong nghiép"], LEGACY).lines == ["ứng dụng IoT trong nông nghiệp"]


@pytest.mark.parametrize("ocr, gold", [
    # A capital after a small letter was printed: "cốt" fits "nền tảng" better, yet is not what was read.
    ("Xay dung nén tang IoT: Xay dung", "Xây dựng nền tảng IoT: Xây dựng"),
    # English-model OCR writes the capital I of such a word as l.
    ("Trién khai nén tang loT", "Triển khai nền tảng IoT"),
])
def test_a_word_written_with_a_capital_after_a_small_letter_is_kept(restorer, ocr, gold):
    assert restorer.restore_lines([ocr], LEGACY).lines == [gold]


@pytest.mark.parametrize("ocr, gold", [
    # In capitals English-model OCR writes Ợ as Q; Vietnamese has no Q without U.
    ("DOI TUQNG, PHAM VI", "ĐỐI TƯỢNG, PHẠM VI"),
    ("CHIEN LUQC PHAT TRIEN", "CHIẾN LƯỢC PHÁT TRIỂN"),
    # A capital word of a heading that is no syllable as read ("DOL") is a word with a letter misread.
    ("DOL TUONG AP DUNG", "ĐỐI TƯỢNG ÁP DỤNG"),
])
def test_misread_words_of_capital_headings(restorer, ocr, gold):
    assert restorer.restore_lines([ocr], LEGACY).lines == [gold]


@pytest.mark.parametrize("code", ["DMPT", "FDI", "ICT", "WHO", "PAPI"])
def test_a_code_that_reads_as_no_syllable_in_a_heading_stays_a_code(restorer, code):
    # No vowel, a vowel or a letter no syllable starts with first, or two vowel groups: no misread word.
    assert restorer.restore_lines([f"VON {code} CUA TINH"], LEGACY).lines == [f"VỐN {code} CỦA TỈNH"]


def test_channel_text_reads_a_lone_q_in_capitals_as_o():
    from pipeline.restore.channel import channel_text
    assert channel_text("LUQNG") == "luong"
    assert channel_text("QUAN") == "quan"
    assert channel_text("Qua") == "qua"


@pytest.mark.parametrize("ocr, gold", [
    # English-model OCR reads a capital Đ as P, B or O: a code the model does not know is the Đ code
    # one such letter away.
    ("Thuong truc HPND tinh", "Thường trực HĐND tỉnh"),
    ("Cong TTOT tinh", "Cổng TTĐT tỉnh"),
    # A short code has too many neighbours to tell: "CB" stays.
    ("Trung tam CB-TH", "Trung tâm CB-TH"),
])
def test_a_misread_d_bar_in_a_code_is_put_back(restorer, ocr, gold):
    assert restorer.restore_lines([ocr], LEGACY).lines == [gold]


def test_an_unknown_code_keeps_its_letters_outside_english_model_ocr(restorer):
    assert restorer.restore_lines(["Thường trực HPND tỉnh"], CLEAN).lines == ["Thường trực HPND tỉnh"]


def test_an_initial_capital_d_bar_read_as_p_is_proposed(restorer):
    # "Péc" is a syllable itself, and "độc" two letters from it: only a P read for Đ proposes it.
    assert restorer.restore_lines(["Péc lap - Tu do - Hanh phic"], LEGACY).lines == ["Độc lập - Tự do - Hạnh phúc"]
    assert restorer.restore_lines(["Phai bao dam"], LEGACY).lines == ["Phải bảo đảm"]


def test_an_apostrophe_after_u_or_o_is_a_horn(restorer):
    # "cuc" alone is "cục" as often as "cực"; the apostrophe says which.
    assert restorer.restore_lines(["do tré cu'c thap"], LEGACY).lines[0].split()[2] == "cực"
    assert restorer.restore_lines(["do tré cuc thap"], LEGACY).lines[0].split()[2] == "cục"
