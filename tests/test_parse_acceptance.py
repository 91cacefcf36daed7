"""Acceptance: Kế hoạch 267/KH-UBND (seed gold text) against its expected tasks and metadata."""
from __future__ import annotations

import json

import pytest

from parse_helpers import FIXTURES, fixture_lines
from pipeline.parse import parse

EXPECTED = json.loads((FIXTURES / "parse-kh-267-tasks.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def result():
    return parse(fixture_lines("parse-kh-267-gold.txt"))


def _contains(units: list[str], wanted: str) -> bool:
    return any(wanted in unit for unit in units)


def test_exactly_the_expected_tasks_in_section_three(result):
    ids = [task.id for task in result.tasks if task.kind == "task"]
    assert ids == [task["id"] for task in EXPECTED["tasks"]]


@pytest.mark.parametrize("expected", EXPECTED["tasks"], ids=lambda task: task["id"])
def test_task_fields(result, expected):
    task = next(task for task in result.tasks if task.id == expected["id"])
    assert task.text.startswith(expected["starts"])
    assert task.deadline == expected["deadline"]
    assert task.recurrence == expected["recurrence"]
    units = task.lead_units + task.support_units
    for unit in expected.get("lead", []):
        assert unit in task.lead_units
    for unit in expected.get("support_any", []):
        assert _contains(task.support_units, unit)
    if "units_any" in expected:
        assert any(_contains(units, unit) for unit in expected["units_any"])
    for unit in expected.get("units_all", []):
        assert unit in units
    assert task.path == [task.id.rsplit(".", 2)[0], task.id.rsplit(".", 1)[0], task.id]


def test_metadata(result):
    meta, expected = result.meta, EXPECTED["document"]
    assert meta.number == expected["number"]
    assert meta.doc_type == expected["doc_type"]
    assert meta.issued_date == expected["issued_date"]
    assert meta.issuer == expected["issuer"]
    assert meta.place == expected["place"]
    assert meta.title.startswith(expected["title_starts"])
    assert meta.signer.name == expected["signer_name"]
    assert meta.signer.title == expected["signer_title"]
    assert meta.signer.authority == "KT."
    assert sorted(ref.number for ref in meta.references) == sorted(expected["references"])


def test_references_carry_type_and_date_even_across_wrapped_lines(result):
    by_number = {ref.number: ref for ref in result.meta.references}
    assert by_number["57-KL/TW"].type == "Kết luận"
    assert by_number["57-KL/TW"].date == "2023-06-15"
    assert by_number["70/2017/QĐ-UBND"].date == "2017-08-28"  # "ngày 28" / "tháng 8 năm 2017" on the next line


def test_recipients_split_from_the_merged_signature_column(result):
    recipients = result.meta.recipients
    assert recipients[0] == "Cục TTĐN"
    assert "TVTU, TT.HĐND tỉnh" in recipients
    assert recipients[-1] == "Lưu: VT, GD"
    assert not any("CHỦ TỊCH" in recipient for recipient in recipients)


def test_top_level_sections(result):
    romans = [(section.id, section.title) for section in result.sections if section.kind == "roman"]
    assert romans == [tuple(pair) for pair in EXPECTED["sections"]]


def test_lettered_field_lines_attach_to_the_item_before_them(result):
    section = next(s for s in result.sections if s.id == "III")
    group = next(s for s in section.children if s.id == "III.2")
    assert [child.kind for child in group.children] == ["letter", "field", "field"]
    task = next(task for task in result.tasks if task.id == "III.2.a")
    assert "Sở Tư pháp" in task.support_units
    # "thường xuyên rà soát" in its own words: the recurrence is the item's, the rest comes from the fields.
    assert set(task.inferred) == {"lead_units", "support_units", "deadline"}
    assert task.recurrence == "continuous"
    assert task.confidence < 1.0


def test_bullets_inside_an_item_are_its_activities(result):
    task = next(task for task in result.tasks if task.id == "III.3.b")
    assert len(task.activities) == 2
    assert task.activities[0].startswith("Triển khai Kế hoạch số 84/KH-UBND")
    assert "Nâng cao chất lượng nội dung" in task.text


def test_fields_after_the_last_item_apply_to_the_group(result):
    first = next(task for task in result.tasks if task.id == "III.4.a")
    assert first.recurrence == "periodic"
    assert "Sở Thông tin và Truyền thông" in first.lead_units
    assert "lead_units" in first.inferred


def test_reporting_duties_of_section_four(result):
    reporting = [task for task in result.tasks if task.kind == "reporting"]
    assert [task.id for task in reporting] == ["IV.1", "IV.2"]
    # yearly reports due on a fixed day: no one deadline, the day of every year instead
    assert [(task.deadline, task.annual_due) for task in reporting] == [(None, "12-25"), (None, "12-10")]
    assert all(task.recurrence == "annual" for task in reporting)
    assert "25 tháng 12" in reporting[0].timeline_text


def test_task_provenance_lines(result):
    task = next(task for task in result.tasks if task.id == "III.1.a")
    lines = fixture_lines("parse-kh-267-gold.txt")
    assert lines[task.lines[0] - 1].text.startswith("a) Tổ chức nghiên cứu")
    assert lines[task.lines[1] - 1].text.startswith("- Thời gian thực hiện")
    assert task.page == 1


def test_restored_ocr_of_the_sample_gives_the_same_tasks_and_deadlines(result):
    # tests/fixtures/parse-kh-267-restored-ocr.txt: raw/kh-267-ocr.txt after pipeline.restore (tone errors remain:
    # "Số Thông tin", "Thớt gian thực hiện", "Quỹ 3/2024").
    restored = parse(fixture_lines("parse-kh-267-restored-ocr.txt"))
    assert [(t.id, t.deadline, t.recurrence) for t in restored.tasks] == [
        (t.id, t.deadline, t.recurrence) for t in result.tasks
    ]
    assert (restored.meta.number, restored.meta.issued_date) == ("267/KH-UBND", "2024-06-27")
    assert restored.meta.signer.name == "Nguyễn Thanh Bình"
    by_id = {task.id: task for task in restored.tasks}
    assert by_id["III.1.b"].lead_units == ["Sở Thông tin và Truyền thông"]
    assert "Sở Tư pháp" in by_id["III.2.a"].support_units
    assert {"Sở Văn hóa và Thể thao", "Sở Du lịch", "Sở Kế hoạch và Đầu tư", "Sở Ngoại vụ"} <= set(by_id["III.3.d"].lead_units)
