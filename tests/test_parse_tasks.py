"""Task extraction: the layouts of the dev plans (read from ../shared, marked `shared`) and short written ones."""
from __future__ import annotations

import pytest

from parse_helpers import fixture_lines, lines_of, shared_lines
from pipeline.model import DocumentWarning
from pipeline.parse import parse


def _tasks(lines):
    return {task.id: task for task in parse(lines).tasks}


@pytest.fixture(scope="module")
def bacninh():
    return _tasks(shared_lines("141"))


@pytest.mark.shared
def test_numbered_groups_closed_by_one_field_block_are_the_tasks(bacninh):
    task = bacninh["III.1"]
    assert task.text.startswith("Rà soát, kiện toàn đội ngũ cán bộ")
    assert task.activities == [
        "Thường xuyên rà soát, kiện toàn đội ngũ cán bộ, công chức xây dựng chính sách, pháp luật trên địa bàn tỉnh "
        "đảm bảo đủ số lượng, tiêu chuẩn, điều kiện theo quy định và đáp ứng yêu cầu nhiệm vụ."
    ]
    assert task.lead_units == ["Các Sở, ngành, đơn vị", "Ủy ban nhân dân cấp xã"]
    assert task.support_units == ["Sở Nội vụ", "Sở Tư pháp"]
    assert task.recurrence == "continuous"
    assert task.lines == (25, 29)


@pytest.mark.shared
def test_bullets_with_their_own_field_blocks_are_tasks(bacninh):
    assert [i for i in bacninh if i.startswith("III.4")] == ["III.4-1", "III.4-2", "III.4-3", "III.4-4"]
    assert bacninh["III.4-3"].lead_units == ["Sở Tư pháp"]
    assert bacninh["III.4-3"].recurrence == "periodic" and bacninh["III.4-3"].period == "year"
    assert bacninh["III.4-4"].lead_units == ["Sở Nội vụ"]
    assert bacninh["III.7-2"].deadline == "2025-12-31"  # "Tháng 12/2025."


@pytest.mark.shared
def test_a_run_of_bullets_without_fields_takes_the_block_after_it(bacninh):
    first, second = bacninh["III.4-1"], bacninh["III.4-2"]
    assert first.lead_units == second.lead_units == ["Các Sở, ngành, đơn vị", "Ủy ban nhân dân cấp xã"]
    assert "lead_units" in first.inferred and first.confidence < second.confidence == 1.0


@pytest.mark.shared
def test_field_lines_written_as_bullets_under_a_group(bacninh):
    task = bacninh["III.9"]
    assert task.lead_units == ["Sở Tư pháp"]
    assert task.support_units == ["Văn phòng Ủy ban nhân dân tỉnh", "các cơ quan, đơn vị, địa phương liên quan"]
    assert task.recurrence == "periodic"


@pytest.mark.shared
def test_unit_first_duties_of_to_chuc_thuc_hien(bacninh):
    assert bacninh["IV.2"].lead_units == ["Sở Tài chính"]
    assert bacninh["IV.2"].support_units == ["các Sở, ban, ngành, đơn vị", "Ủy ban nhân dân cấp xã"]
    assert bacninh["IV.5"].lead_units == ["Ủy ban nhân dân các xã, phường"]
    assert bacninh["IV.6"].kind == "reporting"
    assert bacninh["IV.1"].deadline == "2025-12-31"  # "xong trong tháng 12/2025"


@pytest.mark.shared
def test_aims_and_targets_are_not_tasks(bacninh):
    assert not [i for i in bacninh if i.startswith(("I.", "II."))]


@pytest.mark.shared
def test_unit_headed_groups_lend_their_unit_to_their_bullets():
    tasks = _tasks(shared_lines("159"))
    assert [i for i in tasks if i.startswith("V.1")] == ["V.1-1", "V.1-2", "V.1-3"]
    assert tasks["V.1-1"].lead_units == ["Sở Nông nghiệp và Môi trường"]
    assert "lead_units" in tasks["V.1-1"].inferred
    # "2. Sở Tài chính" has a paragraph, no bullets: the group is the task
    assert tasks["V.2"].lead_units == ["Sở Tài chính"]
    assert tasks["V.2"].support_units == ["các cơ quan, đơn vị liên quan"]
    assert tasks["V.4-1"].lead_units == ["Ủy ban Mặt trận Tổ quốc Việt Nam thành phố", "các Đoàn thể"]


@pytest.mark.shared
def test_unit_headed_groups_with_lettered_duties():
    tasks = _tasks(shared_lines("624"))
    assert tasks["V.2.a"].lead_units == ["Sở Nội vụ"]
    assert tasks["V.2.a"].support_units == ["Sở Giáo dục và Đào tạo"]
    assert tasks["V.10.e"].recurrence == "periodic"  # "Hằng năm, tổ chức kiểm tra …"
    assert tasks["V.8"].lead_units == ["Các sở, cơ quan trực thuộc Sở", "các cơ quan liên quan"]
    assert "V.10.a" in tasks and tasks["V.10.a"].lead_units == ["Ủy ban nhân dân các xã, phường"]


@pytest.mark.shared
def test_groups_of_bullets_without_fields_have_bullet_tasks():
    tasks = _tasks(shared_lines("556"))
    assert [i for i in tasks if i.startswith("IV.1-")][:2] == ["IV.1-1", "IV.1-2"]
    assert tasks["IV.10"].lead_units == ["Công an tỉnh"]  # "10. Công an tỉnh" / paragraph


@pytest.mark.shared
def test_content_field_items_under_numbered_subgroups():
    tasks = _tasks(shared_lines("308"))
    assert list(tasks)[:7] == ["II.1.1", "II.1.2", "II.2", "II.3", "II.4.1", "II.4.2", "II.4.3"]
    task = tasks["II.1.2"]
    assert len(task.activities) == 3
    assert task.lead_units == ["Các Sở, ban, ngành"]
    assert task.support_units == ["Sở Khoa học và Công nghệ", "Ủy ban nhân dân xã, phường"]
    assert tasks["II.1.1"].deadline == "2025-12-31"


@pytest.mark.shared
def test_deadline_not_understood_is_warned():
    result = parse(shared_lines("308"))
    assert any(w.code == "deadline_not_understood" and w.message == "Không đọc được thời hạn “Triển khai đảm bảo theo lộ trình, "
               "hướng dẫn của Bộ, ngành.” của nhiệm vụ II.1.2." for w in result.warnings)


@pytest.mark.shared
def test_content_and_fields_as_dash_lines():
    tasks = _tasks(shared_lines("172"))
    task = tasks["II.2"]
    assert task.lead_units == ["Sở Nội vụ", "Sở Giáo dục và Đào tạo", "Sở Tài chính"]
    assert "Chi nhánh Ngân hàng Chính sách xã hội Thành phố" in task.support_units
    assert (task.start, task.recurrence) == ("2025-01-01", "continuous")
    assert tasks["II.3"].lead_units == ["Sở, ban, ngành thuộc Ủy ban nhân dân Thành phố"]  # from its paragraph


def test_task_without_unit_is_warned():
    result = parse(lines_of("III. NHIỆM VỤ, GIẢI PHÁP\n1. Hoàn thiện thể chế\na) Rà soát các quy định.\n"))
    assert [t.id for t in result.tasks] == ["III.1.a"]
    assert DocumentWarning("task_without_unit", "Nhiệm vụ III.1.a chưa có đơn vị chủ trì hay phối hợp.", 3) in result.warnings


def test_product_and_budget_fields():
    text = (
        "II. NHIỆM VỤ\n1. Xây dựng cơ sở dữ liệu\n- Đơn vị chủ trì: Sở Tư pháp.\n- Sản phẩm: Cơ sở dữ liệu.\n"
        "- Kinh phí: Ngân sách tỉnh.\n- Thời hạn hoàn thành: trước ngày 15/12/2024.\n"
    )
    task = parse(lines_of(text)).tasks[0]
    assert (task.product, task.budget, task.deadline) == ("Cơ sở dữ liệu.", "Ngân sách tỉnh.", "2024-12-15")


def test_a_unit_given_a_duty_in_a_funding_section_is_a_task():
    tasks = _tasks(lines_of("\n".join((
        "III. KINH PHÍ THỰC HIỆN",
        "1. Kinh phí thực hiện Kế hoạch được bố trí từ nguồn ngân sách nhà nước theo phân cấp hiện hành.",
        "2. Sở Tài chính chủ trì, phối hợp với các sở, ngành bố trí kinh phí thực hiện Kế hoạch.",
        "IV. TỔ CHỨC THỰC HIỆN",
        "1. Sở Nội vụ theo dõi, đôn đốc việc thực hiện Kế hoạch này.",
        "2. Nguồn kinh phí",
        "- Kinh phí thực hiện theo quy định của Thủ tướng Chính phủ.",
        "- Sở Y tế hướng dẫn các đơn vị lập dự toán kinh phí hằng năm.",
    ))))
    assert [i for i in tasks] == ["III.2", "IV.1", "IV.2-2"]
    assert tasks["III.2"].lead_units == ["Sở Tài chính"]
    assert tasks["III.2"].support_units == ["các sở, ngành"]
    assert tasks["IV.2-2"].lead_units == ["Sở Y tế"]


def test_executing_units_beside_a_lead_field_are_not_leads():
    tasks = _tasks(lines_of("\n".join((
        "II. NHIỆM VỤ",
        "1. Tìm kiếm, quy tập hài cốt liệt sĩ ở trong nước",
        "a) Cơ quan chủ trì: Bộ Quốc phòng.",
        "b) Đơn vị thực hiện: Các Đội chuyên trách của quân đội.",
        "c) Thời gian thực hiện: Năm 2026.",
    ))))
    task = tasks["II.1"]
    assert task.lead_units == ["Bộ Quốc phòng"]
    assert "Các Đội chuyên trách" in task.units_text
    assert task.deadline == "2026-12-31"


def test_an_article_written_as_numbered_fields_is_one_task():
    tasks = _tasks(lines_of("\n".join((
        "Điều 2. Bổ sung nhiệm vụ vào Phụ lục như sau:",
        "1. Tên nhiệm vụ: Xây dựng Đề án phát triển mạng lưới chuyên gia pháp lý.",
        "2. Cơ quan chủ trì: Bộ Tư pháp.",
        "3. Cơ quan phối hợp: Các bộ, ngành.",
        "4. Kết quả: Quyết định của Thủ tướng Chính phủ phê duyệt Đề án.",
        "5. Thời gian hoàn thành: Quý IV/2026.",
        "Điều 3. Nghị quyết này có hiệu lực thi hành kể từ ngày ký ban hành.",
    ))))
    assert list(tasks) == ["Đ2"]
    task = tasks["Đ2"]
    assert "Xây dựng Đề án phát triển" in task.text
    assert (task.lead_units, task.support_units) == (["Bộ Tư pháp"], ["Các bộ, ngành"])
    assert task.product.startswith("Quyết định của Thủ tướng")
    assert task.deadline == "2026-12-31"
