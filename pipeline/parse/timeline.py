"""Deadlines, schedules and recurrence from timeline text.

`read_timeline` reads a whole "Thời gian thực hiện" value; `find_timeline`
picks deadline clauses out of a task's free text ("… xong trong tháng
12/2025", "định kỳ hằng năm (trước ngày 25 tháng 12)").

Normalized form:
  deadline    ISO date, the last day of the period named: "quý III năm 2024"
              and "Quý 3/2024" -> 2024-09-30, "tháng 6/2025" -> 2025-06-30,
              "năm 2025" -> 2025-12-31, "trước ngày 15/12/2024" -> 2024-12-15.
  start       ISO date, the first day of a range's first period ("2024 - 2025",
              "giai đoạn 2021-2025", "Quý IV/2025 - Quý II/2026") or of "Từ 01/7/2025".
  recurrence  "continuous" (thường xuyên, "… và các năm tiếp theo"),
              "periodic" (định kỳ, hằng tháng/quý/năm, 6 tháng) with `period`
              "week"/"month"/"quarter"/"half-year"/"year" when written,
              "annual" for a day and month without a year that recurs
              ("trước ngày 25 tháng 12 hằng năm", "Tháng 12 hằng năm",
              "định kỳ … (trước ngày 25 tháng 12)"): no deadline, since every
              year has one; `annual_due` holds the day as "MM-DD" ("12-25"; a
              month alone is its last day, "12-31"). A day and month alone
              ("trước ngày 15/12") is once: the next such day after the issue
              date (none without an issue date).
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

import regex

from pipeline.parse.matching import fold, squash


@dataclass
class Timeline:
    text: str
    deadline: str | None = None
    start: str | None = None
    recurrence: str | None = None
    period: str | None = None
    annual_due: str | None = None  # "MM-DD" of a yearly duty due on a fixed day

    @property
    def understood(self) -> bool:
        return bool(self.deadline or self.start or self.recurrence)


def _day_of_year(day: int, month: int) -> str:
    """ "MM-DD"; a month alone (day 0) ends on its last day, February's in a common year."""
    return f"{month:02d}-{day or calendar.monthrange(2001, month)[1]:02d}"


def iso_date(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


_QUARTER = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_YEAR = r"(?P<y>(?:19|20)\d{2})"
# Alternatives in order of precision; each names its groups so `_span` can tell them apart.
_DATE_PATTERNS = [
    # "Tháng 11 - 12/2025", "Tháng 11, 12/2013": from the first month to the end of the second
    ("months", rf"thang\s+(?P<m1>\d{{1,2}})\s*(?:[-–,]|den)\s*(?:thang\s+)?(?P<m>\d{{1,2}})\s*(?:/|nam)\s*(?:nam\s+)?{_YEAR}"),
    ("day", rf"(?P<d>\d{{1,2}})\s*[/.-]\s*(?P<m>\d{{1,2}})\s*[/.-]\s*{_YEAR}"),
    ("day", rf"ngay\s+(?P<d>\d{{1,2}})\s+thang\s+(?P<m>\d{{1,2}})\s*(?:,\s*)?nam\s+{_YEAR}"),
    ("daymonth", r"ngay\s+(?P<d>\d{1,2})\s+thang\s+(?P<m>\d{1,2})\b"),
    ("daymonth", r"ngay\s+(?P<d>\d{1,2})\s*/\s*(?P<m>\d{1,2})\b(?!\s*/)"),
    ("half", rf"6\s+thang\s+(?P<h>dau|cuoi)\s+nam\s+{_YEAR}"),
    ("month", rf"thang\s+(?P<m>\d{{1,2}})\s*(?:/|nam|-)\s*(?:nam\s+)?{_YEAR}"),
    ("quarter", rf"quy\s+(?P<q>iv|iii|ii|i|\d)\b\s*(?:[/,-]|nam)?\s*(?:nam\s+)?{_YEAR}"),
    ("year", rf"(?:nam\s+)?{_YEAR}\b"),
    # "trong tháng 11": the month of the document's year (or the next year when it has passed)
    ("monthonly", r"thang\s+(?P<m>\d{1,2})\b(?!\s*(?:/|-|nam\b|\d))"),
]
_DATE_RE = regex.compile("|".join(f"(?P<{kind}{i}>{pattern})" for i, (kind, pattern) in enumerate(_DATE_PATTERNS)))
# "01/01/2026 - 31/3/2026", "Từ ngày 01/01/2026 đến ngày 31/3/2026"
_RANGE_JOINER = regex.compile(r"^\s*(?:[-–—]|den(?:\s+het)?|toi)(?:\s+ngay)?\s*$")
_START_CUE = regex.compile(r"(?:\btu|bat dau(?:\s+tu)?)\s*(?:ngay\s*)?$")
_PERIODS = [
    ("week", r"hang tuan|moi tuan"),
    ("half-year", r"(?:6|sau) thang(?: mot lan|/lan)?\b(?!\s+(?:dau|cuoi))|hang 6 thang|nua nam"),
    ("month", r"hang thang|moi thang|thang mot lan"),
    ("quarter", r"hang quy|moi quy|quy mot lan"),
    ("year", r"hang nam|moi nam|nam mot lan"),
]


@dataclass
class _Span:
    kind: str
    start: int
    end: int
    first_day: date | None
    last_day: date | None
    day_month: tuple[int, int] | None = None


def _span(match: regex.Match) -> _Span | None:
    kind = next(name for name, value in match.groupdict().items() if value is not None and name[-1].isdigit())
    kind = kind.rstrip("0123456789")
    groups = {name: value for name, value in match.groupdict().items() if value is not None}
    year = int(groups["y"]) if "y" in groups else None
    try:
        if kind == "day":
            day = date(year, int(groups["m"]), int(groups["d"]))
            return _Span(kind, match.start(), match.end(), day, day)
        if kind == "daymonth":
            month, day = int(groups["m"]), int(groups["d"])
            date(2000, month, day)  # validates, 2000 being a leap year
            return _Span(kind, match.start(), match.end(), None, None, (day, month))
        if kind == "months":
            first, last = int(groups["m1"]), int(groups["m"])
            return _Span(kind, match.start(), match.end(), date(year, first, 1),
                         date(year, last, calendar.monthrange(year, last)[1]))
        if kind == "monthonly":
            month = int(groups["m"])
            date(2000, month, 1)  # validates
            return _Span(kind, match.start(), match.end(), None, None, (0, month))
        if kind == "half":
            first = groups["h"] == "dau"
            return _Span(kind, match.start(), match.end(), date(year, 1 if first else 7, 1), date(year, 6 if first else 12, 30 if first else 31))
        if kind == "month":
            month = int(groups["m"])
            return _Span(kind, match.start(), match.end(), date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))
        if kind == "quarter":
            quarter = _QUARTER[groups["q"]]
            last_month = quarter * 3
            return _Span(kind, match.start(), match.end(), date(year, last_month - 2, 1), date(year, last_month, calendar.monthrange(year, last_month)[1]))
        return _Span(kind, match.start(), match.end(), date(year, 1, 1), date(year, 12, 31))
    except (ValueError, TypeError, KeyError):
        return None


def _spans(folded: str) -> list[_Span]:
    return [span for span in (_span(match) for match in _DATE_RE.finditer(folded)) if span]


def _recurrence(folded: str, field: bool) -> tuple[str | None, str | None]:
    """A time field that says "định kỳ" ("Thời gian thực hiện: Giao ban báo chí định kỳ") makes the task
    periodic; in a duty's own text, "báo cáo định kỳ" without a period is the manner of a report, no cadence."""
    period = next((name for name, pattern in _PERIODS if regex.search(pattern, folded)), None)
    if regex.search(r"thuong xuyen|(?:cac|nhung) nam tiep theo|va tiep theo|lien tuc", folded):
        return "continuous", period
    if period or (field and "dinh ky" in folded):
        return "periodic", period
    return None, None


def _next_occurrence(day_month: tuple[int, int], issued: date | None) -> str | None:
    if issued is None:
        return None
    day, month = day_month
    for year in (issued.year, issued.year + 1):
        candidate = iso_date(year, month, day)
        if candidate and candidate >= issued.isoformat():
            return candidate
    return None


def _in_issue_year(span: _Span, issued: date | None) -> _Span | None:
    """A month named without its year, in the document's year (the next one if it has passed)."""
    if issued is None:
        return None
    month = span.day_month[1]
    year = issued.year + (1 if month < issued.month else 0)
    return _Span("month", span.start, span.end, date(year, month, 1),
                 date(year, month, calendar.monthrange(year, month)[1]))


def _resolve(text: str, folded: str, spans: list[_Span], issued: date | None, field: bool) -> Timeline:
    timeline = Timeline(squash(text))
    timeline.recurrence, timeline.period = _recurrence(folded, field)
    if timeline.period == "year" and spans and all(span.kind in ("daymonth", "monthonly") for span in spans):
        # "trước ngày 01 tháng 12 hằng năm", "Tháng 12 hằng năm": due on that day every year
        day, month = spans[0].day_month
        timeline.recurrence, timeline.annual_due = "annual", _day_of_year(day, month)
        return timeline
    spans = [_in_issue_year(span, issued) if span.kind == "monthonly" else span for span in spans]
    spans = [span for span in spans if span is not None]
    dated = [span for span in spans if span.kind != "daymonth"]
    recurring = [span for span in spans if span.kind == "daymonth"]
    if recurring and not dated:
        if timeline.recurrence:  # "định kỳ (trước ngày 25 tháng 12)": every year
            timeline.recurrence, timeline.period = "annual", "year"
            timeline.annual_due = _day_of_year(*recurring[0].day_month)
        else:  # "báo cáo trước ngày 15/12": once, the next such day after the issue date
            timeline.deadline = _next_occurrence(recurring[0].day_month, issued)
        return timeline
    for first, second in zip(dated, dated[1:]):
        if _RANGE_JOINER.match(folded[first.end: second.start]):
            timeline.start = first.first_day.isoformat()
            timeline.deadline = second.last_day.isoformat()
            return timeline
    if dated:
        span = dated[0]
        before = folded[max(0, span.start - 14): span.start]
        if _START_CUE.search(before) and "den het" not in before:
            timeline.start = span.first_day.isoformat()
        elif len(dated) > 1:
            # "gửi kế hoạch trước ngày 28/2/2023; … báo cáo kết quả trước ngày 10/11/2023": the task is done
            # by the later date
            timeline.deadline = max(span.last_day for span in dated).isoformat()
        elif timeline.recurrence == "continuous" and regex.search(r"(?:cac|nhung) nam tiep theo", folded) and len(dated) == 1:
            timeline.start = span.first_day.isoformat()
        else:
            timeline.deadline = span.last_day.isoformat()
            if span.kind == "months":
                timeline.start = span.first_day.isoformat()
    return timeline


def _mend_cell_wraps(folded: str) -> str:
    """Undo words broken by a narrow table column: "quy i v/202 5" -> "quy iv/2025", "thuo ng xuyen"."""
    folded = regex.sub(r"(?<=\d) (?=\d)", "", folded)
    folded = regex.sub(r"(?<=\bquy [iv]) (?=[iv]\b)", "", folded)
    return regex.sub(r"\bthuo ng\b", "thuong", folded)


def read_timeline(text: str, issued: date | None = None) -> Timeline:
    """The normalized form of a timeline field's value."""
    folded = fold(text)
    timeline = _resolve(text, folded, _spans(folded), issued, field=True)
    mended = _mend_cell_wraps(folded)
    if not timeline.understood and mended != folded:
        timeline = _resolve(text, mended, _spans(mended), issued, field=True)
    return timeline


def find_timeline(text: str, issued: date | None = None) -> Timeline | None:
    """Deadline and reporting-schedule clauses in a task's free text, if any.

    Dates there mostly belong to cited documents ("Nghị quyết … ngày
    15/4/2024"), so only a date right after a deadline cue counts, and only
    "định kỳ"/"hằng …" count as recurrence (a "thường xuyên" in running text
    is an adverb, not a schedule).
    """
    folded = fold(text)
    clauses: list[tuple[int, int]] = []
    spans = _spans(folded)
    for span in spans:
        before = folded[max(0, span.start - 24): span.start]
        cue = regex.search(r"(?:hoan thanh|xong|truoc|cham nhat|han|den het|trong|vao)\s*(?:trong\s+|truoc\s+|ngay\s+|la\s+|vao\s+)?$", before)
        if cue:
            clauses.append((max(0, span.start - 24) + cue.start(), span.end))
    for first, second in zip(spans, spans[1:]):
        # "… các nhiệm vụ từ năm 2013 đến năm 2015": a range the duty runs over
        if _START_CUE.search(folded[max(0, first.start - 14): first.start]) and _RANGE_JOINER.match(folded[first.end: second.start]):
            clauses.append((first.start, second.end))
    for bracket in regex.finditer(r"\((?P<inner>[^()]*)\)", folded):
        # "… hài cốt liệt sĩ (Quý IV/2013, Quý I/2014 và thường xuyên)": a bracket opening with a date dates the item
        inner = [span for span in spans if bracket.start("inner") <= span.start and span.end <= bracket.end("inner")]
        if inner and regex.match(r"(?:(?:trong|tu|truoc|den)\s+)?$", folded[bracket.start("inner"): inner[0].start]):
            clauses.append((bracket.start("inner"), bracket.end("inner")))
    schedule = (
        r"dinh ky(?:\s+(?:hang|moi)\s+(?:tuan|thang|quy|nam)|\s+(?:6|sau) thang)?"
        # "Hằng năm, tổ chức kiểm tra …", "… trong kế hoạch hàng năm"; not "Nghị quyết hằng năm của HĐND"
        r"|(?<!nghi quyet\s)(?:hang|moi)\s+(?:tuan|thang|quy|nam)\b"
        # "thường xuyên kiểm tra"; not continuing education, recurrent spending or regular duties
        r"|(?<!(?:giao duc|chi|kinh phi|nhiem vu|du toan|ngan sach|von|hoat dong)\s)thuong xuyen\b"
        # "… đánh giá Chỉ số cải cách hành chính năm 2025 và các năm tiếp theo": from that year on; not the
        # horizon of a programme named in a citation ("Đề án … từ nay đến năm 2020 và những năm tiếp theo")
        r"|(?<!den )\bnam (?:19|20)\d{2} va (?:cac|nhung) nam tiep theo\b"
    )
    for match in regex.finditer(schedule, folded):
        clauses.append((match.start(), match.end()))
    if not clauses:
        return None
    kept: list[tuple[int, int]] = []
    for start, end in sorted(clauses):
        if kept and start < kept[-1][1]:
            kept[-1] = (kept[-1][0], max(end, kept[-1][1]))
        else:
            kept.append((start, end))
    pieces: list[str] = []
    for start, end in kept:
        piece = squash(text[start:end])
        if not any(fold(piece) in fold(other) for other in pieces):
            pieces.append(piece)
    snippet = "; ".join(pieces)
    timeline = _resolve(snippet, fold(snippet), _spans(fold(snippet)), issued, field=False)
    return timeline if timeline.understood else None
