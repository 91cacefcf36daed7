"""The document JSON and the model: to_dict and from_dict round-trip, and what they write the schema accepts."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import jsonschema
import pytest

from pipeline.model import Document, Section, Task, TokenRestoration

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "pipeline" / "schema" / "document.schema.json")
                    .read_text(encoding="utf-8"))


def test_round_trip_through_the_schema(machine_json):
    data = json.loads(machine_json)
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(data)
    document = Document.from_dict(data)
    assert all(isinstance(child, Section) for section in document.sections for child in section.children)
    assert any(section.children for section in document.sections)
    assert isinstance(document.tasks[0], Task) and isinstance(document.tasks[0].lines, tuple)
    assert isinstance(document.restoration.items[0], TokenRestoration)
    assert document.lines[88].text == data["lines"][88]["text"]
    assert json.loads(json.dumps(document.to_dict())) == data  # the same JSON, byte for byte once written


@pytest.mark.parametrize("damage", [
    lambda d: d.pop("tasks"),
    lambda d: d.update(tasks={"III": 1}),
    lambda d: d.update(source=[1]),
    lambda d: d["tasks"][0].pop("id"),
])
def test_what_is_not_a_document_is_refused(machine_json, damage):
    data = json.loads(machine_json)
    damage(data)
    with pytest.raises((TypeError, KeyError)):
        Document.from_dict(data)


def test_a_result_of_schema_2_0_without_annual_due_is_valid_and_reads_back(machine_json):
    data = json.loads(machine_json)
    assert {task["annual_due"] for task in data["tasks"] if task["id"] in ("IV.1", "IV.2")} == {"12-25", "12-10"}
    data["schema_version"] = "2.0"
    for task in data["tasks"]:
        del task["annual_due"]
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(data)
    assert {task.annual_due for task in Document.from_dict(data).tasks} == {None}
    data["tasks"][0]["annual_due"] = "13-01"  # no such month
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(SCHEMA).validate(data)


@pytest.mark.parametrize("annual_due, since, due", [
    ("12-01", "2024-06-30", "2024-12-01"),
    ("12-01", "2024-12-01", "2024-12-01"),  # the day itself is still due
    ("12-01", "2024-12-02", "2025-12-01"),
    ("02-29", "2025-01-10", "2025-02-28"),  # a common year's February ends on the 28th
    ("02-29", "2028-01-10", "2028-02-29"),
])
def test_a_yearly_duty_falls_due_on_its_next_day(annual_due, since, due):
    task = Task("IV.1", [], "", "Báo cáo", recurrence="annual", annual_due=annual_due)
    assert task.yearly_due_from(date.fromisoformat(since)).isoformat() == due
