"""Document kinds and layouts beyond the Roman-numbered Kế hoạch, each on a short text written for the test."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from parse_helpers import codes, lines_of
from pipeline.model import DocumentWarning
from pipeline.parse import parse

HEADER = (
    "ỦY BAN NHÂN DÂN\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
    "TỈNH BÌNH AN\tĐộc lập - Tự do - Hạnh phúc\n"
    "Số: {number}\tBình An, ngày 12 tháng 3 năm 2026\n"
)
CLOSING = "Nơi nhận:\n- Như trên;\n- Lưu: VT.\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nLê Văn Hòa\n"


def _tasks(text: str) -> dict:
    return {task.id: task for task in parse(lines_of(text)).tasks}


def test_chi_thi_with_duties_under_unit_headings():
    text = HEADER.format(number="05/CT-UBND") + (
        "CHỈ THỊ\nVề tăng cường quản lý chợ đêm\n"
        "Để chấn chỉnh hoạt động chợ đêm, Chủ tịch Ủy ban nhân dân tỉnh yêu cầu:\n"
        "1. Sở Công Thương\n"
        "- Rà soát các chợ đêm đang hoạt động, báo cáo trước ngày 30/6/2026.\n"
        "- Phối hợp với Công an tỉnh kiểm tra hàng hóa không rõ nguồn gốc.\n"
        "2. Ủy ban nhân dân các xã, phường\n"
        "- Bố trí địa điểm họp chợ bảo đảm an toàn.\n"
    ) + CLOSING
    result = parse(lines_of(text))
    tasks = {task.id: task for task in result.tasks}
    assert result.meta.doc_type == "Chỉ thị"
    assert list(tasks) == ["1-1", "1-2", "2-1"]
    assert tasks["1-1"].lead_units == ["Sở Công Thương"] and tasks["1-1"].deadline == "2026-06-30"
    assert tasks["1-2"].lead_units == ["Sở Công Thương"] and tasks["1-2"].support_units == ["Công an tỉnh"]
    assert tasks["2-1"].lead_units == ["Ủy ban nhân dân các xã, phường"]


def test_cong_dien_items_name_their_unit_inline():
    text = (
        "THỦ TƯỚNG CHÍNH PHỦ\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "Số: 12/CĐ-TTg\tHà Nội, ngày 02 tháng 10 năm 2025\n"
        "CÔNG ĐIỆN\nVề ứng phó bão số 9\nTHỦ TƯỚNG CHÍNH PHỦ điện:\n- Bộ trưởng các Bộ: Quốc phòng, Công an;\n"
        "Để chủ động ứng phó với bão, Thủ tướng Chính phủ yêu cầu:\n"
        "1. Bộ Nông nghiệp và Môi trường chủ trì, phối hợp với Bộ Quốc phòng, các bộ, ngành liên quan theo dõi "
        "chặt chẽ diễn biến của bão.\n"
        "2. Giao Bộ Công an bảo đảm an ninh trật tự tại vùng sơ tán dân.\n"
        "3. Đề nghị Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam vận động ủng hộ người dân vùng bão, báo cáo kết quả "
        "về Văn phòng Chính phủ.\n"
    ) + CLOSING
    tasks = _tasks(text)
    assert list(tasks) == ["1", "2", "3"]
    assert tasks["1"].lead_units == ["Bộ Nông nghiệp và Môi trường"]
    assert tasks["1"].support_units == ["Bộ Quốc phòng", "các bộ, ngành liên quan"]  # the group stays whole
    assert tasks["2"].lead_units == ["Bộ Công an"]
    assert tasks["3"].lead_units == ["Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam"]
    assert tasks["3"].support_units == []  # the report recipient is not a support unit


def test_cong_van_of_one_duty_paragraph():
    text = (
        "VĂN PHÒNG CHÍNH PHỦ\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "Số: 900/VPCP-KGVX\tHà Nội, ngày 05 tháng 9 năm 2025\n"
        "Kính gửi: Bộ Y tế.\n"
        "Xét đề nghị của Bộ Y tế, Phó Thủ tướng Chính phủ có ý kiến như sau:\n"
        "Bộ Y tế chủ trì, phối hợp với Bộ Tài chính hoàn thiện đề án, báo cáo Thủ tướng Chính phủ trong quý I năm 2026.\n"
        "Văn phòng Chính phủ thông báo để Bộ Y tế biết, thực hiện./.\n"
    ) + CLOSING
    tasks = list(_tasks(text).values())
    assert len(tasks) == 1
    assert tasks[0].text.startswith("Bộ Y tế chủ trì")
    assert (tasks[0].lead_units, tasks[0].support_units, tasks[0].deadline) == (["Bộ Y tế"], ["Bộ Tài chính"], "2026-03-31")


def test_decision_with_its_plan_after_the_signature():
    text = HEADER.format(number="310/QĐ-UBND") + (
        "QUYẾT ĐỊNH\nBan hành Kế hoạch phòng chống dịch\nCăn cứ Luật Tổ chức chính quyền địa phương;\nQUYẾT ĐỊNH:\n"
        "Điều 1. Ban hành kèm theo Quyết định này Kế hoạch phòng chống dịch năm 2026.\n"
        "Điều 2. Giao Sở Y tế hướng dẫn các xã triển khai Kế hoạch, xong trong tháng 4 năm 2026.\n"
        "Điều 3. Quyết định này có hiệu lực kể từ ngày ký.\n"
        "Điều 4. Chánh Văn phòng Ủy ban nhân dân tỉnh, Giám đốc Sở Y tế chịu trách nhiệm thi hành Quyết định này.\n"
    ) + CLOSING + (
        "ỦY BAN NHÂN DÂN\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "KẾ HOẠCH\nPHÒNG CHỐNG DỊCH NĂM 2026\n"
        "(Ban hành kèm theo Quyết định số 310/QĐ-UBND ngày 12/3/2026 của Ủy ban nhân dân tỉnh)\n"
        "I. MỤC ĐÍCH, YÊU CẦU\n1. Chủ động phòng chống dịch.\n"
        "II. TỔ CHỨC THỰC HIỆN\n1. Sở Y tế chủ trì, phối hợp với Sở Tài chính:\n"
        "- Xây dựng phương án cách ly, hoàn thành trong Quý II năm 2026.\n"
        "- Tổ chức tập huấn cho y tế cơ sở.\n"
        "2. Sở Tài chính bố trí kinh phí trong dự toán hằng năm.\n"
    )
    result = parse(lines_of(text))
    tasks = {task.id: task for task in result.tasks}
    assert list(tasks) == ["Đ2", "II.1-1", "II.1-2", "II.2"]
    assert tasks["Đ2"].part is None and tasks["Đ2"].lead_units == ["Sở Y tế"] and tasks["Đ2"].deadline == "2026-04-30"
    assert {tasks[i].part for i in ("II.1-1", "II.1-2", "II.2")} == {"Kế hoạch"}
    assert tasks["II.1-1"].lead_units == ["Sở Y tế"] and tasks["II.1-1"].support_units == ["Sở Tài chính"]
    assert tasks["II.1-1"].deadline == "2026-06-30"
    assert (tasks["II.2"].recurrence, tasks["II.2"].period) == ("periodic", "year")
    assert result.meta.number == "310/QĐ-UBND" and result.meta.doc_type == "Quyết định"
    assert result.line_roles[text.split("\n").index("KẾ HOẠCH") + 1] == "header"


def test_decimal_numbering():
    text = (
        "KẾ HOẠCH\nThực hiện chuyển đổi số\nIV. TỔ CHỨC THỰC HIỆN\n1. Các sở, ngành\n"
        "1.1. Sở Nội vụ\n- Rà soát thủ tục hành chính nội bộ.\n- Số hóa hồ sơ cán bộ, xong trong năm 2026.\n"
        "1.2. Sở Tài chính\n- Bảo đảm kinh phí thực hiện.\n"
        "2. Các xã, phường\n2.10. Ủy ban nhân dân xã Tân An\n- Cập nhật dữ liệu dân cư thường xuyên.\n"
    )
    tasks = _tasks(text)
    assert list(tasks) == ["IV.1.1-1", "IV.1.1-2", "IV.1.2-1", "IV.2.10-1"]
    assert tasks["IV.1.1-2"].lead_units == ["Sở Nội vụ"] and tasks["IV.1.1-2"].deadline == "2026-12-31"
    assert tasks["IV.1.2-1"].lead_units == ["Sở Tài chính"]
    assert tasks["IV.2.10-1"].recurrence == "continuous"


def test_resolution_with_its_action_programme():
    text = (
        "CHÍNH PHỦ\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 40/NQ-CP\tHà Nội, ngày 10 tháng 2 năm 2026\n"
        "NGHỊ QUYẾT\nBan hành Chương trình hành động về kinh tế biển\nCHÍNH PHỦ\nQUYẾT NGHỊ:\n"
        "Điều 1. Ban hành kèm theo Nghị quyết này Chương trình hành động về kinh tế biển.\n"
        "Điều 2. Nghị quyết này có hiệu lực kể từ ngày ký ban hành.\n"
        "TM. CHÍNH PHỦ\nTHỦ TƯỚNG\nNguyễn Văn Minh\n"
        "CHÍNH PHỦ\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "CHƯƠNG TRÌNH HÀNH ĐỘNG CỦA CHÍNH PHỦ\nvề kinh tế biển\n(Kèm theo Nghị quyết số 40/NQ-CP ngày 10 tháng 2 năm 2026)\n"
        "I. MỤC TIÊU\n1. Phát triển bền vững kinh tế biển.\n"
        "II. TỔ CHỨC THỰC HIỆN\n"
        "1. Các bộ, cơ quan ngang bộ, Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương xây dựng kế hoạch "
        "hành động, hoàn thành trong Quý II năm 2026.\n"
        "2. Bộ Tài chính định kỳ trước ngày 15/12 hằng năm báo cáo Thủ tướng Chính phủ kết quả thực hiện.\n"
    )
    tasks = _tasks(text)
    assert list(tasks) == ["II.1", "II.2"]
    assert tasks["II.1"].part == "Chương trình hành động"
    assert tasks["II.1"].lead_units == ["Các bộ, cơ quan ngang bộ", "Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương"]
    assert tasks["II.1"].deadline == "2026-06-30"
    assert (tasks["II.2"].recurrence, tasks["II.2"].deadline, tasks["II.2"].annual_due, tasks["II.2"].kind) == (
        "annual", None, "12-15", "reporting")


def test_appendix_table_with_groups_sub_rows_and_page_breaks():
    header = "TT\tNhiệm vụ\tĐơn vị chủ trì\tĐơn vị phối hợp\tThời hạn\tKết quả"
    text = (
        "KẾ HOẠCH\nThực hiện Đề án\nI. NHIỆM VỤ\n1. Thực hiện các nhiệm vụ tại Phụ lục.\n" + CLOSING
        + "PHỤ LỤC\nDANH MỤC NHIỆM VỤ\n(Kèm theo Kế hoạch số 15/KH-UBND)\n" + header + "\n"
        "I\tHOÀN THIỆN THỂ CHẾ\n"
        "1\tSửa đổi quy chế phối hợp\tSở Tư pháp\tSở Nội vụ; các sở, ngành\tQuý III/2026\tQuyết định\n"
        "2\tXây dựng cơ sở dữ liệu\tSở Khoa học và Công nghệ\tCác sở, ngành\tTháng 9/2026\tCơ sở dữ liệu được\n"
        "\t\t\t\t\tđưa vào vận hành\n"
        "II\tTUYÊN TRUYỀN\n"
        "1\tTuyên truyền trên báo, đài\tBáo và Đài tỉnh\t\tThường xuyên\n"
        "2\tTổ chức hội nghị sơ kết\tSở Nội vụ\tCác sở, ngành\tTháng 6/2026\tHội nghị\n"
        "Tháng 12/2026\tBáo cáo tổng kết\n"
        "Trang 2\n" + header + "\n"
        "3\tKiểm tra việc thực hiện\tSở Nội vụ\tCác sở, ngành\t2026 - 2027\tBáo cáo\n"
    )
    result = parse(lines_of(text))
    rows = {task.id: task for task in result.tasks if task.part == "Phụ lục"}
    assert list(rows) == ["PL.I.1", "PL.I.2", "PL.II.1", "PL.II.2", "PL.II.2b", "PL.II.3"]
    assert rows["PL.I.1"].support_units == ["Sở Nội vụ", "các sở, ngành"] and rows["PL.I.1"].deadline == "2026-09-30"
    assert rows["PL.I.2"].product == "Cơ sở dữ liệu được đưa vào vận hành"  # a wrapped cell joined
    assert rows["PL.II.1"].section_title == "TUYÊN TRUYỀN" and rows["PL.II.1"].recurrence == "continuous"
    # a sub-row with its own date inherits the merged cells above it
    assert (rows["PL.II.2b"].text, rows["PL.II.2b"].lead_units, rows["PL.II.2b"].deadline) == (
        "Tổ chức hội nghị sơ kết", ["Sở Nội vụ"], "2026-12-31")
    assert (rows["PL.II.3"].start, rows["PL.II.3"].deadline) == ("2026-01-01", "2027-12-31")  # after the page break


def test_part_letters_and_field_blocks_per_section():
    text = (
        "KẾ HOẠCH\nTriển khai Đề án\nA. MỤC ĐÍCH, YÊU CẦU\n1. Mục đích\nCụ thể hóa Đề án.\n"
        "B. NỘI DUNG, NHIỆM VỤ\nI. CÔNG TÁC TUYÊN TRUYỀN\n1. Nội dung, biện pháp\n"
        "a) Tổ chức hội nghị quán triệt;\nb) Biên soạn tài liệu tuyên truyền.\n"
        "2. Cơ quan chủ trì, phối hợp\na) Cơ quan chủ trì\n- Ban Chỉ đạo tỉnh.\n- Sở Văn hóa, Thể thao và Du lịch.\n"
        "b) Cơ quan phối hợp\n- Hội Cựu chiến binh tỉnh.\n3. Thời gian thực hiện: Tháng 11, 12/2025 và thường xuyên.\n"
    )
    tasks = _tasks(text)
    assert list(tasks) == ["B.I.1.a", "B.I.1.b"]
    task = tasks["B.I.1.b"]
    assert task.lead_units == ["Ban Chỉ đạo tỉnh", "Sở Văn hóa, Thể thao và Du lịch"]
    assert task.support_units == ["Hội Cựu chiến binh tỉnh"]
    assert (task.deadline, task.recurrence) == ("2025-12-31", "continuous")


def test_lead_ins_give_their_units_and_are_not_tasks():
    text = (
        "CHỈ THỊ\nVề tài nguyên nước\nChủ tịch Ủy ban nhân dân tỉnh yêu cầu:\n"
        "1. Các đơn vị cấp nước sạch trên địa bàn tỉnh có trách nhiệm\n"
        "a) Kiểm tra chất lượng nước hằng tháng.\nb) Yêu cầu các hộ dân sử dụng nước tiết kiệm.\n"
        "2. Sở Xây dựng chủ trì, phối hợp với Sở Y tế thực hiện các nhiệm vụ sau:\n"
        "2.1. Rà soát quy hoạch cấp nước.\n2.2. Báo cáo kết quả trước ngày 20/12/2026.\n"
    )
    tasks = _tasks(text)
    assert list(tasks) == ["1.a", "1.b", "2.1", "2.2"]
    assert tasks["1.a"].lead_units == tasks["1.b"].lead_units == ["Các đơn vị cấp nước sạch trên địa bàn tỉnh"]
    assert tasks["1.a"].period == "month"
    assert tasks["2.1"].lead_units == ["Sở Xây dựng"] and tasks["2.2"].deadline == "2026-12-20"


def test_a_lead_in_with_a_duty_of_its_own_is_a_task_beside_its_bullets():
    text = (
        "KẾ HOẠCH\nPhòng, chống thiên tai\nV. TỔ CHỨC THỰC HIỆN\n"
        "1. Giao Sở Nông nghiệp và Môi trường là cơ quan đầu mối, chủ trì triển khai Kế hoạch; thực hiện các nhiệm vụ sau:\n"
        "- Hướng dẫn các địa phương lập kế hoạch.\n"
        "2. Ủy ban nhân dân các xã chủ động bố trí kinh phí trong dự toán hằng năm; đồng thời huy động "
        "các nguồn lực hợp pháp khác, tập trung các nhiệm vụ sau:\n"
        "- Tổ chức tập huấn cho cộng đồng.\n- Báo cáo kết quả trước ngày 15/12/2026.\n"
    )
    tasks = _tasks(text)
    # An assignment ("Giao X là cơ quan đầu mối …; thực hiện:") only introduces its bullets.
    assert list(tasks) == ["V.1-1", "V.2", "V.2-1", "V.2-2"]
    own = tasks["V.2"]
    assert own.text.startswith("Ủy ban nhân dân các xã chủ động bố trí kinh phí") and own.lines == (6, 6)
    assert own.lead_units == tasks["V.2-1"].lead_units == ["Ủy ban nhân dân các xã"]
    assert (own.recurrence, own.period, own.deadline) == ("periodic", "year", None)  # the bullets' date is theirs
    assert tasks["V.2-2"].deadline == "2026-12-15"


def test_preamble_naming_one_addressee_gives_the_unit():
    text = (
        "CHỈ THỊ\nVỀ ĐÀO TẠO NGHỀ\nThủ tướng Chính phủ yêu cầu Chủ tịch Ủy ban nhân dân các tỉnh, thành phố trực thuộc "
        "Trung ương:\n1. Chỉ đạo các cấp đưa đào tạo nghề vào kế hoạch hằng năm.\n"
        "2. Sở Lao động - Thương binh và Xã hội ở địa phương thống kê số người cần đào tạo.\n"
    )
    tasks = _tasks(text)
    assert tasks["1"].lead_units == ["Chủ tịch Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương"]
    assert tasks["2"].lead_units == ["Sở Lao động - Thương binh và Xã hội"]


def test_directive_without_tasks_is_never_silent():
    text = (
        "CÔNG VĂN\nVề việc góp ý dự thảo\nĐề nghị các cơ quan nghiên cứu, góp ý dự thảo gửi về trước ngày 20/3/2026.\n"
    )
    result = parse(lines_of(text))
    assert result.tasks == []
    assert result.warnings[0].code == "no_tasks"
    assert result.warnings[0].message.startswith("Không tìm thấy nhiệm vụ nào, dù văn bản có lời giao việc (Đề nghị)")


def test_text_without_directive_language_gets_no_no_tasks_warning():
    result = parse(lines_of("BÁO CÁO\nTình hình kinh tế quý I\nTổng sản phẩm tăng 6,5% so với cùng kỳ.\n"))
    assert result.tasks == [] and "no_tasks" not in [code for code, _ in codes(result)]


def test_warnings_are_coded_and_worded_for_clerks():
    result = parse(lines_of("III. NHIỆM VỤ\n1. Rà soát văn bản.\n2. Thời hạn: sau khi có hướng dẫn.\n"))
    assert DocumentWarning("task_without_unit", "Nhiệm vụ III.1 chưa có đơn vị chủ trì hay phối hợp.", 2) in result.warnings


def test_no_tasks_reaches_the_json_through_the_cli(tmp_path):
    source = tmp_path / "cong-van.txt"
    source.write_text("CÔNG VĂN\nVề việc góp ý\nĐề nghị các sở góp ý dự thảo.\n", encoding="utf-8")
    out = tmp_path / "cong-van.json"
    result = subprocess.run([sys.executable, "-m", "pipeline", "parse", str(source), "--no-restore", "-o", str(out)],
                            capture_output=True)
    assert result.returncode == 0, result.stderr.decode()
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["tasks"] == []
    assert document["warnings"][0]["code"] == "no_tasks"
    assert "Không tìm thấy nhiệm vụ" in document["warnings"][0]["message"]


def test_cong_van_header_gives_its_subject_and_the_first_date_is_the_documents():
    text = (
        "BỘ TÀI CHÍNH\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "Số: 4512/BTC-NSNN V/v bố trí kinh phí phòng chống thiên tai\tHà Nội, ngày 03 tháng 10 năm 2025\n"
        "Kính gửi: Ủy ban nhân dân các tỉnh.\n"
        "Xét văn bản số 77/UBND ngày 20 tháng 9 năm 2025 của Ủy ban nhân dân tỉnh Bình An, Bộ Tài chính có ý kiến:\n"
        "1. Ủy ban nhân dân các tỉnh rà soát nhu cầu kinh phí.\n"
    )
    meta = parse(lines_of(text)).meta
    assert (meta.doc_type, meta.number, meta.issued_date) == ("Công văn", "4512/BTC-NSNN", "2025-10-03")
    assert meta.title == "bố trí kinh phí phòng chống thiên tai"
    assert parse(lines_of("Số: 7/CĐ-TTg\tHà Nội, ngày 1 tháng 8 năm 2025\nCÔNG ĐIỆN\nVỀ PHÒNG CHỐNG LŨ\n")).meta.doc_type == "Công điện"


@pytest.mark.slow
def test_a_batch_lists_documents_without_tasks_apart_from_failures(tmp_path):
    archive = tmp_path / "in"
    archive.mkdir()
    (archive / "cong-van.txt").write_text("CÔNG VĂN\nVề việc góp ý\nĐề nghị các sở góp ý dự thảo.\n", encoding="utf-8")
    (archive / "chi-thi.txt").write_text(
        "CHỈ THỊ\nVỀ CHỢ ĐÊM\n1. Sở Công Thương rà soát các chợ đêm, xong trong tháng 6/2026.\n", encoding="utf-8")
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "pipeline", "run", str(archive), "--out-dir", str(out),
                             "--normalized-dir", str(tmp_path / "normalized"), "--no-restore"], capture_output=True)
    assert result.returncode == 0, result.stderr.decode()  # a document without tasks is not a failure
    errors = (out / "errors.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(errors) == 2 and errors[1].startswith("cong-van,") and ",no_tasks,no tasks found," in errors[1]
    summary = json.loads((out / "run" / "summary.json").read_text(encoding="utf-8"))
    assert (summary["failed"], summary["no_tasks"]) == (0, [str(archive / "cong-van.txt")])
    assert "no tasks found: " in result.stderr.decode()


def test_an_assignment_in_brackets_inside_the_item():
    tasks = _tasks("II. NỘI DUNG CÔNG TÁC\n1. Xây dựng quy chế bảo vệ bí mật nhà nước (Giao Công an tỉnh chủ trì, "
                   "phối hợp với Sở Tư pháp tham mưu).\n")
    assert (tasks["II.1"].lead_units, tasks["II.1"].support_units) == (["Công an tỉnh"], ["Sở Tư pháp"])


def test_chu_tri_cung_names_support_units():
    tasks = _tasks("1. Bộ Tài chính chủ trì cùng Bộ Xây dựng và các bộ, ngành liên quan rà soát đề xuất khen thưởng.\n")
    assert (tasks["1"].lead_units, tasks["1"].support_units) == (["Bộ Tài chính"], ["Bộ Xây dựng", "các bộ, ngành liên quan"])


def test_closing_request_paragraph_is_no_part_of_the_last_item():
    result = parse(lines_of(
        "CHỈ THỊ\nVỀ CẢI CÁCH HÀNH CHÍNH\n1. Văn phòng UBND tỉnh\na) Theo dõi, đôn đốc việc thực hiện Chỉ thị.\n"
        "Chủ tịch UBND tỉnh yêu cầu Thủ trưởng các sở, ban, ngành nghiêm túc thực hiện Chỉ thị này.\n"))
    assert [(t.id, t.lead_units) for t in result.tasks] == [("1.a", ["Văn phòng Ủy ban nhân dân tỉnh"])]
    assert result.tasks[0].lines == (4, 4)


def test_a_heading_listing_several_units():
    tasks = _tasks("D. TỔ CHỨC THỰC HIỆN\n4. Ban Chỉ đạo cấp quân khu, Ban Chỉ đạo các tỉnh, thành phố trực thuộc "
                   "Trung ương\n- Xây dựng kế hoạch triển khai chi tiết.\n")
    assert tasks["D.4-1"].lead_units == ["Ban Chỉ đạo cấp quân khu", "Ban Chỉ đạo các tỉnh, thành phố trực thuộc Trung ương"]


def test_a_unit_heading_glossed_in_brackets_and_a_date_line_after_plus_lines():
    tasks = _tasks(
        "IV. NHIỆM VỤ CỤ THỂ\n1. Nhiệm vụ của các thành viên\n"
        "1.1. Sở Tư pháp\n"
        "- Tổng hợp kết quả rà soát, báo cáo Bộ Tư pháp. Thời gian hoàn thành: Trước ngày 30/4/2026.\n"
        "1.2. Các cơ quan tham mưu quản lý ngành (gồm các Sở: Xây dựng, Công Thương, Y tế)\n"
        "- Hướng dẫn rà soát văn bản thuộc ngành. Trong đó:\n"
        "+ Sở Xây dựng: hướng dẫn rà soát văn bản về quy hoạch.\n"
        "+ Sở Công Thương: hướng dẫn rà soát văn bản về chợ.\n"
        "Thời gian thực hiện: Từ ngày 01/01/2026 đến ngày 31/3/2026.\n"
        "- Cử công chức tham gia đoàn kiểm tra.\n"
        "Thời gian thực hiện: Tháng 5/2026.\n")
    assert list(tasks) == ["IV.1.1-1", "IV.1.2-1", "IV.1.2-2"]
    # The date written inline on the last bullet of 1.1 is its own, not the next group's.
    assert tasks["IV.1.1-1"].deadline == "2026-04-30"
    # The date line after the "+" lines dates the "-" bullet they detail, which stays a task of its own.
    assert (tasks["IV.1.2-1"].start, tasks["IV.1.2-1"].deadline) == ("2026-01-01", "2026-03-31")
    assert tasks["IV.1.2-2"].deadline == "2026-05-31"
    assert tasks["IV.1.2-1"].lead_units == ["Các cơ quan tham mưu quản lý ngành"]
    assert "+ Sở Công Thương" in tasks["IV.1.2-1"].text


def test_a_duty_paragraph_under_a_unit_heading_before_its_bullets():
    tasks = _tasks(
        "III. PHÂN CÔNG NHIỆM VỤ\n1. Sở Nội vụ\n"
        "Tham mưu Ủy ban nhân dân tỉnh chỉ đạo công tác cải cách hành chính.\n"
        "Trong đó giao Giám đốc Sở Nội vụ chỉ đạo thực hiện:\n"
        "- Kiểm tra việc thực hiện quy chế văn hóa công sở.\n"
        "- Tổng hợp kết quả cải cách hành chính.\n")
    assert list(tasks) == ["III.1", "III.1-1", "III.1-2"]
    assert tasks["III.1"].text == "Tham mưu Ủy ban nhân dân tỉnh chỉ đạo công tác cải cách hành chính."
    assert tasks["III.1"].lead_units == ["Sở Nội vụ"] and tasks["III.1-2"].lead_units == ["Sở Nội vụ"]


def test_every_coordinating_clause_names_support_and_the_later_of_two_dates_is_the_deadline():
    tasks = _tasks(
        "II. NHIỆM VỤ\n1. Sở Tư pháp: Phối hợp với Công an tỉnh kiểm tra việc thi hành pháp luật. "
        "Phối hợp với Văn phòng UBND tỉnh tham mưu ban hành quy chế.\n"
        "2. Các sở, ngành xây dựng kế hoạch gửi về Sở Nội vụ trước ngày 28/2/2026; báo cáo kết quả thực hiện "
        "trước ngày 10/11/2026.\n")
    assert tasks["II.1"].lead_units == ["Sở Tư pháp"]
    assert tasks["II.1"].support_units == ["Công an tỉnh", "Văn phòng Ủy ban nhân dân tỉnh"]
    assert tasks["II.2"].deadline == "2026-11-10"


def test_an_items_own_date_and_cadence_come_before_its_sections_field():
    tasks = _tasks(
        "B. NHIỆM VỤ\nI. KIỂM TRA, TỔNG KẾT\n1. Nội dung, biện pháp\n"
        "a) Tổ chức kiểm tra thường xuyên việc thực hiện kế hoạch.\n"
        "b) Sơ kết giai đoạn 2025-2026 vào năm 2026; tổng kết giai đoạn 2027-2030 vào năm 2030.\n"
        "c) Hướng dẫn các địa phương xây dựng kế hoạch.\n"
        "2. Cơ quan chủ trì: Sở Nội vụ.\n"
        "3. Thời gian thực hiện: 6 tháng, hằng năm.\n"
        "II. TỔ CHỨC THỰC HIỆN\n"
        "1. Trách nhiệm của các sở, ngành, địa phương; Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh, Hội Cựu chiến binh tỉnh\n\n"
        "Căn cứ Kế hoạch này, xây dựng kế hoạch triển khai; phối hợp với Sở Nội vụ kiểm tra việc thực hiện.\n")
    assert [tasks[i].lead_units for i in ("B.I.1.a", "B.I.1.c")] == [["Sở Nội vụ"], ["Sở Nội vụ"]]
    assert (tasks["B.I.1.a"].recurrence, tasks["B.I.1.c"].period) == ("continuous", "half-year")
    assert (tasks["B.I.1.b"].deadline, tasks["B.I.1.b"].recurrence) == ("2030-12-31", None)
    assert tasks["B.II.1"].lead_units == ["các sở, ngành, địa phương", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
                                          "Hội Cựu chiến binh tỉnh"]
    assert tasks["B.II.1"].support_units == ["Sở Nội vụ"]


def test_army_and_veterans_in_a_list_of_units():
    tasks = _tasks("C. NỘI DUNG TRỌNG TÂM\n1. Các cơ quan báo chí Trung ương, địa phương, quân đội, Hội Cựu chiến binh "
                   "các cấp và các tổ chức chính trị - xã hội tập trung tuyên truyền sâu rộng.\n")
    assert tasks["C.1"].lead_units == ["Các cơ quan báo chí Trung ương, địa phương, quân đội", "Hội Cựu chiến binh các cấp",
                                       "các tổ chức chính trị - xã hội"]


def test_coordination_clauses_under_a_unit_heading_and_long_addressee_lists():
    tasks = _tasks(
        "1. Chủ tịch Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương, Chủ tịch Hội đồng thành viên, "
        "Tổng giám đốc các Tập đoàn khẩn trương rà soát các dự án.\n"
        "2. Bộ Xây dựng:\n"
        "a) Chủ trì, phối hợp với Bộ Tài chính rà soát danh mục dự án; phối hợp với Đài Truyền hình Việt Nam "
        "xây dựng kịch bản kết nối trực tuyến.\n"
        "3. Đài Tiếng nói Việt Nam và hệ thống các cơ quan báo chí phối hợp với các bộ, ngành tăng thời lượng "
        "tuyên truyền.\n"
        "4. Sở Tài chính\n"
        "- Hướng dẫn các địa phương kiểm kê tài sản. Trong đó:\n"
        "+ Sở Xây dựng phối hợp Sở Công Thương: hướng dẫn kiểm kê chợ.\n"
        "+ Sở Y tế: hướng dẫn kiểm kê bệnh viện.\n"
        "- Tổng hợp kết quả kiểm kê.\n")
    assert tasks["1"].lead_units == ["Chủ tịch Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương",
                                     "Chủ tịch Hội đồng thành viên, Tổng giám đốc các Tập đoàn"]
    assert tasks["2.a"].support_units == ["Bộ Tài chính", "Đài Truyền hình Việt Nam"]
    assert tasks["4-1"].lead_units == ["Sở Tài chính"]
    assert tasks["4-1"].support_units == []  # the "+" line's partner is that line's own, not the item's
    assert tasks["3"].lead_units == ["Đài Tiếng nói Việt Nam", "hệ thống các cơ quan báo chí"]
    assert tasks["3"].support_units == ["các bộ, ngành"]
