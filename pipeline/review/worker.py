"""Process one upload in a child process, reporting each stage as a JSON line on stdout.

    python -m pipeline.review.worker UPLOAD OUT_DIR NAME

Writes OUT_DIR/NAME.json and refreshes the folder's tables, exports and
report. A file the pipeline cannot read ends with {"error": message} and
the error's exit code; the server shows the message to the clerk.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.export import document_json, rebuild_outputs, write_atomic
from pipeline.process import Options, normalize, read, restore, structure

READING = "đọc tệp (nhận dạng chữ nếu là bản quét)"
DOCUMENT_STAGES = (
    ("khôi phục dấu và chữ", restore),
    ("chuẩn hóa", normalize),
    ("tìm mục, nhiệm vụ, đơn vị, thời hạn", structure),
)
STEPS = len(DOCUMENT_STAGES) + 3  # reading first; writing the result and refreshing the folder's outputs last


def _progress(step: int, stage: str) -> None:
    print(json.dumps({"stage": stage, "step": step, "steps": STEPS}, ensure_ascii=False), flush=True)


def process_upload(upload: Path, out_dir: Path, name: str) -> None:
    options = Options()
    _progress(0, READING)
    doc = read(upload, options)
    for step, (stage, run) in enumerate(DOCUMENT_STAGES, start=1):
        _progress(step, stage)
        doc = run(doc, options)
    _progress(STEPS - 2, "ghi kết quả")
    write_atomic(out_dir / f"{name}.json", document_json(doc.to_dict()))
    _progress(STEPS - 1, "cập nhật bảng nhiệm vụ và báo cáo")
    rebuild_outputs(out_dir)


def main(argv: list[str]) -> int:
    upload, out_dir, name = Path(argv[0]), Path(argv[1]), argv[2]
    try:
        process_upload(upload, out_dir, name)
    except PipelineError as error:
        print(json.dumps({"error": str(error)}, ensure_ascii=False), flush=True)
        return error.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
