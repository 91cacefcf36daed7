"""Timelines: deadlines as ISO dates, ranges, recurrence - from timeline values in the real plans."""
from __future__ import annotations

from datetime import date

import pytest

from pipeline.parse.timeline import find_timeline, iso_date, read_timeline

ISSUED = date(2024, 6, 27)


@pytest.mark.parametrize(
    ("text", "deadline"),
    [
        ("Hoàn thành trong quý III năm 2024.", "2024-09-30"),
        ("Quý 3/2024.", "2024-09-30"),
        ("Quý III Năm 2026", "2026-09-30"),
        ("Tháng 12/2025.", "2025-12-31"),
        ("tháng 6 năm 2025", "2025-06-30"),
        ("trước ngày 15/12/2024", "2024-12-15"),
        ("Hoàn thành trong năm 2025.", "2025-12-31"),
        ("Từ nay đến hết năm 2025.", "2025-12-31"),
        ("Hoàn thành trong 6 tháng đầu năm 2025", "2025-06-30"),
        ("Quỹ 3/2024.", "2024-09-30"),  # restored OCR: wrong tone on "Quý"
    ],
)
def test_deadline_is_the_last_day_of_the_period(text, deadline):
    assert read_timeline(text, ISSUED).deadline == deadline


@pytest.mark.parametrize(
    ("text", "start", "deadline"),
    [
        ("2024 - 2025", "2024-01-01", "2025-12-31"),
        ("giai đoạn 2021-2025", "2021-01-01", "2025-12-31"),
        ("Quý IV/2025- Quý II/2026", "2025-10-01", "2026-06-30"),
        ("từ tháng 10 năm 2025 đến hết tháng 3 năm 2026", "2025-10-01", "2026-03-31"),
        ("Từ 01/7/2025.", "2025-07-01", None),
        ("Từ ngày 01/01/2026 đến ngày 31/3/2026.", "2026-01-01", "2026-03-31"),
    ],
)
def test_ranges_and_starts(text, start, deadline):
    timeline = read_timeline(text, ISSUED)
    assert (timeline.start, timeline.deadline) == (start, deadline)


@pytest.mark.parametrize(
    ("text", "recurrence", "period"),
    [
        ("triển khai thực hiện thường xuyên.", "continuous", None),
        ("Thường xuyên, theo yêu cầu nhiệm vụ.", "continuous", None),
        ("Giao ban báo chí định kỳ.", "periodic", None),
        ("Hằng năm.", "periodic", "year"),
        ("Theo kế hoạch công tác tư pháp hàng năm.", "periodic", "year"),
        ("Định kỳ hằng quý", "periodic", "quarter"),
        ("báo cáo hằng tháng", "periodic", "month"),
        ("6 tháng một lần", "periodic", "half-year"),
        ("Năm 2025 và các năm tiếp theo.", "continuous", None),
    ],
)
def test_recurrence(text, recurrence, period):
    timeline = read_timeline(text, ISSUED)
    assert (timeline.recurrence, timeline.period) == (recurrence, period)


def test_open_ended_years_start_without_deadline():
    timeline = read_timeline("Năm 2025 và các năm tiếp theo.", ISSUED)
    assert (timeline.start, timeline.deadline) == ("2025-01-01", None)


def test_a_yearly_day_is_an_annual_due_day_not_a_deadline():
    timeline = read_timeline("trước ngày 25 tháng 12 hằng năm", ISSUED)
    assert (timeline.recurrence, timeline.period, timeline.deadline, timeline.annual_due) == ("annual", "year", None, "12-25")
    assert read_timeline("trước ngày 10/3 hằng năm", ISSUED).annual_due == "03-10"
    assert read_timeline("Tháng 12 hằng năm", ISSUED).annual_due == "12-31"  # a month alone: its last day
    assert read_timeline("Tháng 02 hằng năm", ISSUED).annual_due == "02-28"


def test_a_day_and_month_without_a_cadence_is_the_next_such_day():
    once = read_timeline("báo cáo trước ngày 10/3", ISSUED)
    assert (once.deadline, once.recurrence, once.annual_due) == ("2025-03-10", None, None)
    assert read_timeline("trước ngày 25 tháng 12").deadline is None  # no issue date, no occurrence


def test_not_understood():
    timeline = read_timeline("Triển khai đảm bảo theo lộ trình, hướng dẫn của Bộ, ngành.", ISSUED)
    assert not timeline.understood


@pytest.mark.parametrize("text", ["ngày 31/2/2025", "quý 5/2024", "tháng 13/2025"])
def test_impossible_dates_are_not_deadlines(text):
    assert read_timeline(text, ISSUED).deadline is None


def test_iso_date_rejects_invalid_days():
    assert iso_date(2024, 2, 29) == "2024-02-29"
    assert iso_date(2025, 2, 29) is None


def test_deadline_clauses_in_free_text():
    found = find_timeline(
        "Giao Sở Thông tin và Truyền thông theo dõi, đôn đốc việc thực hiện Kế hoạch này; định kỳ hằng năm, "
        "lồng ghép vào báo cáo về việc thực hiện Kế hoạch thông tin đối ngoại hằng năm của Tỉnh, báo cáo Ủy ban "
        "nhân dân tỉnh kết quả thực hiện (trước ngày 25 tháng 12), hoặc đột xuất (khi có yêu cầu).",
        ISSUED,
    )
    assert (found.recurrence, found.deadline, found.annual_due) == ("annual", None, "12-25")
    assert "25 tháng 12" in found.text
    found = find_timeline("xây dựng Kế hoạch triển khai thực hiện xong trong tháng 12/2025. Định kỳ báo cáo UBND tỉnh", ISSUED)
    assert (found.deadline, found.recurrence) == ("2025-12-31", None)  # "Định kỳ báo cáo" names no period
    # In a time field it is the task's timing: "Thời gian thực hiện: Giao ban báo chí định kỳ."
    assert read_timeline("Giao ban báo chí định kỳ.", ISSUED).recurrence == "periodic"


def test_dates_of_cited_documents_are_not_deadlines():
    assert find_timeline("Thực hiện Nghị quyết số 47/NQ-CP ngày 15/4/2024 của Chính phủ", ISSUED) is None
    # the yearly budget cycle is a cadence of the duty (dev-wild convention), but gives no date
    budget = find_timeline("bố trí kinh phí trong dự toán ngân sách nhà nước hàng năm cho các cơ quan", ISSUED)
    assert (budget.deadline, budget.recurrence, budget.period) == (None, "periodic", "year")


def test_thuong_xuyen_as_a_cadence_and_as_a_name():
    assert find_timeline("thường xuyên kiểm tra việc khai thác nước", ISSUED).recurrence == "continuous"
    assert find_timeline("mở lớp giáo dục thường xuyên cho người lao động", ISSUED) is None
    assert find_timeline("bố trí từ nguồn kinh phí chi thường xuyên của đơn vị", ISSUED) is None
    assert find_timeline("đưa vào Nghị quyết hằng năm của Hội đồng nhân dân", ISSUED) is None


def test_cells_of_a_narrow_table_column_broken_mid_word():
    # kh-310 text.pdf appendix, timeline column as pdf ingest reads it
    assert (read_timeline("Quý I V/202 5- Quý I I/202 6").start, read_timeline("Quý I V/202 5- Quý I I/202 6").deadline) == (
        "2025-10-01",
        "2026-06-30",
    )
    assert read_timeline("Thườ ng xuyên").recurrence == "continuous"


def test_dates_in_free_text_a_closing_bracket_a_range_and_the_later_of_two():
    bracket = find_timeline("Phát huy sức mạnh của các lực lượng (Quý IV/2025, Quý I/2026 và thường xuyên).", ISSUED)
    assert (bracket.deadline, bracket.recurrence) == ("2026-03-31", "continuous")
    span = find_timeline("Tập trung triển khai các nội dung, nhiệm vụ từ năm 2025 đến năm 2027.", ISSUED)
    assert (span.start, span.deadline) == ("2025-01-01", "2027-12-31")
    reviews = find_timeline("Sơ kết giai đoạn 2024-2025 vào năm 2025; tổng kết giai đoạn 2026-2030 vào năm 2030.", ISSUED)
    assert reviews.deadline == "2030-12-31"
    # a bracket that cites a document is no date of the duty
    assert find_timeline("Thực hiện Luật Lưu trữ (Luật số 33/2024/QH15 ngày 21/6/2024).", ISSUED) is None


def test_from_a_year_on_in_free_text_is_continuous_but_a_cited_horizon_is_not():
    found = find_timeline("làm cơ sở đánh giá Chỉ số cải cách hành chính năm 2025 và các năm tiếp theo tại các sở.", ISSUED)
    assert (found.recurrence, found.start, found.deadline) == ("continuous", "2025-01-01", None)
    cited = find_timeline("triển khai Đề án tìm kiếm hài cốt liệt sĩ từ nay đến năm 2020 và những năm tiếp theo.", ISSUED)
    assert cited is None
