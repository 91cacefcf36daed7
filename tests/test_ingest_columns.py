"""The two-column band finder on small rows of word boxes, as both the PDF and the OCR reader give them."""
from __future__ import annotations

from pipeline.ingest.columns import Band, Row, column_gaps, find_bands

LINE = 40  # a line's height; rows below are 60 apart, 20 of space between them
GAP = 100  # a gap this wide separates columns
LINE_GAP = 1.5 * LINE


def row(y: int, *words: tuple[int, int]) -> Row:
    return Row(list(words), top=y, bottom=y + LINE, column_gap=GAP, min_gutter=0.8 * LINE)


def test_a_row_gap_wider_than_column_gap_separates_columns():
    assert column_gaps(row(0, (0, 100), (130, 300), (500, 900))) == [(300, 500)]
    assert column_gaps(row(0, (0, 100), (130, 300))) == []


def test_letterhead_band_spans_the_split_rows_and_the_one_sided_rows_near_them():
    rows = [
        row(0, (100, 500), (1100, 2000)),  # ỦY BAN NHÂN DÂN | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
        row(60, (150, 450), (1200, 1900)),  # TỈNH X | Độc lập - Tự do - Hạnh phúc
        row(120, (200, 400)),  # a rule under the issuer read as dashes: left only
        row(180, (120, 560), (1150, 1950)),  # Số: 12/KH-UBND | X, ngày 1 tháng 2 năm 2025
        row(300, (900, 1300)),  # KẾ HOẠCH, centred, a blank line below
        row(360, (100, 2000)),  # body text
    ]
    assert find_bands(rows, LINE_GAP) == [Band(0, 4, (560, 1100))]


def test_a_word_reaching_into_the_gutter_narrows_it_from_its_side():
    rows = [row(0, (100, 500), (1100, 2000)), row(60, (100, 700)), row(120, (100, 500), (1000, 2000))]
    [band] = find_bands(rows, LINE_GAP)
    assert band == Band(0, 3, (700, 1000))
    assert [band.side(span) for span in rows[1].spans] == [0]
    assert [band.side(span) for span in rows[2].spans] == [0, 1]


def test_a_row_covering_the_gutter_ends_the_band():
    rows = [row(0, (100, 500), (1100, 2000)), row(60, (100, 500), (1100, 2000)), row(120, (100, 2000)),
            row(180, (100, 500), (1100, 2000))]
    # The last row starts a band of its own, even though its gutter is where the first band's was.
    assert find_bands(rows, LINE_GAP) == [Band(0, 2, (500, 1100)), Band(3, 4, (500, 1100))]


def test_a_split_row_far_below_still_joins_but_a_one_sided_one_does_not():
    rows = [row(0, (100, 500), (1100, 2000)), row(60, (100, 500), (1100, 2000)),
            row(300, (120, 560), (1150, 1950)),  # the number and date row below the rules
            row(600, (1150, 1950))]  # a right-aligned line far below: not the letterhead
    assert find_bands(rows, LINE_GAP) == [Band(0, 3, (560, 1100))]


def test_the_band_grows_upward_to_one_sided_rows_just_above_its_first_split_row():
    rows = [row(0, (100, 2000)), row(60, (1100, 2000)), row(120, (100, 500), (1100, 2000))]
    assert find_bands(rows, LINE_GAP) == [Band(1, 3, (500, 1100))]


def test_rows_with_several_wide_gaps_start_no_band():
    # An unruled table row, or a header with a stamp box between its columns.
    rows = [row(0, (100, 300), (600, 800), (1200, 1400)), row(60, (100, 300), (600, 800), (1200, 1400))]
    assert find_bands(rows, LINE_GAP) == []


def test_a_gutter_narrowed_below_its_minimum_ends_the_band():
    rows = [row(0, (100, 500), (1100, 2000)), row(60, (100, 1080))]  # 20 left of a 32 minimum
    assert find_bands(rows, LINE_GAP) == [Band(0, 1, (500, 1100))]
