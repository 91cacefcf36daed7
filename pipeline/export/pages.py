"""What the HTML templates share, in the web app and in the static report alike.

The templates and the style sheet stay beside the web app (pipeline/review/templates, static); the
static report renders the same pages without editing, so it reads them from there.
"""
from __future__ import annotations

from pathlib import Path

from pipeline.export.folder import EDITABLE_TASK_FIELDS, PERIODS, RECURRENCES

TEMPLATES = Path(__file__).parents[1] / "review" / "templates"
STATIC = Path(__file__).parents[1] / "review" / "static"

RECURRENCE_LABELS = {None: "không", "continuous": "thường xuyên", "periodic": "định kỳ", "annual": "hằng năm"}
PERIOD_LABELS = {None: "—", "week": "tuần", "month": "tháng", "quarter": "quý", "half-year": "6 tháng",
                 "year": "năm"}
FIELD_LABELS = {"text": "nội dung", "lead_units": "chủ trì", "support_units": "phối hợp", "deadline": "thời hạn",
                "recurrence": "lặp lại", "period": "chu kỳ"}


def percent(share: float | None) -> str:
    return "—" if share is None else f"{share:.0%}"


def yearly_day(annual_due: str) -> str:
    """A yearly duty's day ("12-25") as a clerk reads it: "hạn ngày 25/12"."""
    month, day = annual_due.split("-")
    return f"hạn ngày {day}/{month}"


def recurrence_text(task) -> str:
    """How often a task recurs, as the review page and the report write it: "hằng năm · hạn ngày 25/12"."""
    # "hằng năm" says the period already: "hằng năm · năm" would say it twice.
    said_twice = (task.recurrence, task.period) == ("annual", "year")
    period = f" · {PERIOD_LABELS[task.period]}" if task.period and not said_twice else ""
    yearly = f" · {yearly_day(task.annual_due)}" if task.annual_due else ""
    return RECURRENCE_LABELS[task.recurrence] + period + yearly


FILTERS = {"percent": percent, "yearly_day": yearly_day, "recurrence_text": recurrence_text}
GLOBALS = {
    "RECURRENCES": RECURRENCES, "PERIODS": PERIODS, "EDITABLE_TASK_FIELDS": EDITABLE_TASK_FIELDS,
    "RECURRENCE_LABELS": RECURRENCE_LABELS, "PERIOD_LABELS": PERIOD_LABELS, "FIELD_LABELS": FIELD_LABELS,
}
