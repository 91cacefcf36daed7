"""Warnings the parser raises: a stable code for machines, a Vietnamese sentence for clerks.

Each code has one message template here, so the wording shown in the review
app and the report is written in one place.
"""
from __future__ import annotations

from pipeline.model import DocumentWarning

_MESSAGES = {
    "no_tasks": "Không tìm thấy nhiệm vụ nào, dù văn bản có lời giao việc ({cue}): cần đọc và nhập nhiệm vụ bằng tay.",
    "task_without_unit": "Nhiệm vụ {task} chưa có đơn vị chủ trì hay phối hợp.",
    "deadline_not_understood": "Không đọc được thời hạn “{text}” của nhiệm vụ {task}.",
    "numeral_fixed": "Số La Mã “{written}” ở dòng {line} được đọc là {read} theo thứ tự mục.",
    "item_number_fixed": "Số thứ tự “{written}” ở dòng {line} được đọc là {read} theo thứ tự mục.",
    "items_out_of_order": "Số thứ tự các mục không liên tiếp ở dòng {line}.",
    "outline_too_deep": "Dàn ý sâu hơn {depth} cấp từ dòng {line}: các mục sâu hơn được xếp ở cấp {depth}.",
    "table_row_number_fixed": "Số thứ tự hàng “{written}” ở dòng {line} được đọc là {read} theo thứ tự bảng.",
}


def notice(code: str, line: int | None = None, **values: object) -> DocumentWarning:
    """The warning `code` with its message filled from `values` (and `line`)."""
    return DocumentWarning(code, _MESSAGES[code].format(line=line, **values), line)
