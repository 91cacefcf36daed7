"""The local review web app: `python -m pipeline serve [--port 8000] [--data outputs]`.

Server-rendered pages; review.js only sends corrections and marks a task's
lines. It listens on 127.0.0.1 alone and answers only requests addressed to
a loopback name, and refuses cross-site posts, so a web page open in the
same browser cannot upload files or change corrections.
"""
from __future__ import annotations

import sqlite3
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import waitress
from flask import Flask, Response, abort, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from pipeline.errors import InputError, PipelineError
from pipeline.export.folder import (EDITABLE_TASK_FIELDS, LIST_FIELDS, PERIODS, RECURRENCES, OutputFolder,
                                    ReviewedDocument, ReviewedTask)
from pipeline.export.formats import FORMATS, all_tasks
from pipeline.export.pages import FILTERS, GLOBALS, recurrence_text
from pipeline.model import Task
from pipeline.parse.matching import fold
from pipeline.review import crops
from pipeline.review.uploads import MAX_UPLOAD_BYTES, UploadError, Uploads, sha256

HOST = "127.0.0.1"
SERVER_THREADS = 4
_LOOPBACK_NAMES = {"127.0.0.1", "localhost", "[::1]"}
_FORM_OVERHEAD_BYTES = 64 * 1024
_MAX_TEXT = 20_000
_MAX_WORD = 200


class AppLinks:
    """URLs the templates need; the static report has its own (report.ReportLinks)."""

    home = staticmethod(lambda: url_for("home"))
    tasks = staticmethod(lambda: url_for("tasks"))
    upload = staticmethod(lambda: url_for("upload"))
    static = staticmethod(lambda file: url_for("static", filename=file))
    document = staticmethod(lambda name: url_for("document", name=name))
    job = staticmethod(lambda job_id: url_for("job", job_id=job_id))
    word_api = staticmethod(lambda name: url_for("save_word", name=name))
    task_api = staticmethod(lambda name, task_id: url_for("save_task_field", name=name, task_id=task_id))

    @staticmethod
    def lines(name: str, task: ReviewedTask) -> str:
        return url_for("document", name=name, _anchor=task.anchor)

    @staticmethod
    def crop(document: ReviewedDocument, line) -> str | None:
        if not crops.has_crop(document.machine.source.kind, line.bbox):
            return None
        return url_for("line_image", name=document.name, number=line.number)

    @staticmethod
    def export(kind: str, query: str) -> str:
        return url_for("export", kind=kind) + (f"?{query}" if query else "")


@dataclass
class TaskFilter:
    unit: str = ""
    deadline_from: str | None = None
    deadline_to: str | None = None
    overdue: bool = False

    @classmethod
    def from_args(cls, args) -> TaskFilter:
        return cls(unit=args.get("unit", "").strip(), deadline_from=_iso_date(args.get("from")),
                   deadline_to=_iso_date(args.get("to")), overdue=args.get("overdue") == "1")

    @property
    def active(self) -> bool:
        return bool(self.unit or self.deadline_from or self.deadline_to or self.overdue)

    def query(self) -> str:
        pairs = {"unit": self.unit, "from": self.deadline_from, "to": self.deadline_to,
                 "overdue": "1" if self.overdue else None}
        return urlencode({key: value for key, value in pairs.items() if value})

    def matches(self, task: ReviewedTask, today: str) -> bool:
        values = task.effective
        if self.unit:
            # Clerks type unit names with or without marks: "so tai chinh" finds "Sở Tài chính".
            wanted = fold(self.unit)
            if not any(wanted in fold(unit) for unit in values.lead_units + values.support_units):
                return False
        deadline = values.deadline
        if not deadline and values.annual_due and self.deadline_from and not self.overdue:
            # A yearly duty ("trước ngày 01 tháng 12 hằng năm") is due in the range if its day of the first year
            # is; it is never overdue as a whole, as another year always comes.
            deadline = values.yearly_due_from(date.fromisoformat(self.deadline_from)).isoformat()
        if (self.deadline_from or self.deadline_to or self.overdue) and not deadline:
            return False
        return not ((self.deadline_from and deadline < self.deadline_from)
                    or (self.deadline_to and deadline > self.deadline_to)
                    or (self.overdue and deadline >= today))


def _iso_date(value: str | None) -> str | None:
    try:
        return date.fromisoformat(value).isoformat() if value else None
    except ValueError:
        return None


def create_app(data_dir: Path) -> Flask:
    data_dir = Path(data_dir).resolve()
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(f"{data_dir}: cannot create the data folder: {error.strerror}") from None
    folder = OutputFolder(data_dir)
    jobs = Uploads(data_dir)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_UPLOAD_BYTES + _FORM_OVERHEAD_BYTES
    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.globals.update(GLOBALS)

    @app.context_processor
    def common() -> dict[str, Any]:
        return {"links": AppLinks, "editable": True, "today": date.today().isoformat()}

    @app.before_request
    def only_this_machine() -> None:
        if request.host.rsplit(":", 1)[0] not in _LOOPBACK_NAMES:
            abort(403, "Ứng dụng chỉ nhận yêu cầu từ chính máy này.")
        if request.method == "POST" and not _same_site_post():
            abort(403, "Yêu cầu từ trang web khác bị từ chối.")

    @app.errorhandler(sqlite3.OperationalError)
    @app.errorhandler(PermissionError)
    def cannot_save(error: Exception):
        message = (f"Không lưu được: thư mục dữ liệu {data_dir} không ghi được (chỉ đọc hoặc không có quyền). "
                   f"Hãy báo quản trị viên.")
        print(f"error: cannot write to {data_dir}: {error}", file=sys.stderr)
        if request.path.startswith("/api/"):
            return jsonify(error=message), 503
        return render_template("error.html", title="Không lưu được", message=message), 503

    @app.errorhandler(HTTPException)
    def error_page(error: HTTPException):
        if request.path.startswith("/api/"):
            return jsonify(error=error.description), error.code
        titles = {404: "Không tìm thấy", 413: "Tệp quá lớn"}
        message = (f"Tệp tải lên tối đa {MAX_UPLOAD_BYTES // 2**20} MB." if error.code == 413
                   else error.description)
        return render_template("error.html", title=titles.get(error.code, "Không thực hiện được"),
                               message=message), error.code

    def reviewed(name: str) -> ReviewedDocument:
        document = folder.document(name)
        if document is None:
            abort(404, f"Không có văn bản {name}.")
        return document

    warned: set[str] = set()

    def readable_documents() -> list[ReviewedDocument]:
        """The folder's documents; a broken *.json is skipped, and said so once on the server's log."""
        found = folder.documents()
        for problem in set(folder.unreadable.values()) - warned:
            print(f"warning: skipped {problem}", file=sys.stderr)
            warned.add(problem)
        return found

    @app.get("/")
    def home():
        return render_template("index.html", documents=readable_documents(), jobs=jobs.recent(),
                               max_upload_mb=MAX_UPLOAD_BYTES // 2**20, skipped=sorted(folder.unreadable))

    @app.post("/upload")
    def upload():
        file = request.files.get("file")
        if file is None or not file.filename:
            abort(400, "Chưa chọn tệp.")
        data = file.read(MAX_UPLOAD_BYTES + 1)
        digest = sha256(data)
        inputs = {name: machine.source.sha256 for name, machine in folder.machine_results().items()}
        same = next((name for name, input_sha256 in inputs.items() if input_sha256 == digest), None)
        if same is not None:  # already processed: open it rather than do the work again
            return redirect(url_for("document", name=same), 303)
        try:
            upload = jobs.submit(data, file.filename, inputs)
        except UploadError as error:
            abort(400, str(error))
        except PipelineError as error:  # the data folder cannot be written
            print(f"error: {error}", file=sys.stderr)
            abort(503, f"Không lưu được tệp tải lên: thư mục dữ liệu {data_dir} không ghi được.")
        return redirect(url_for("job", job_id=upload.id), 303)

    @app.get("/jobs/<job_id>")
    def job(job_id: str):
        found = jobs.get(job_id)
        if found is None:
            abort(404, "Không có việc xử lý này (máy chủ đã khởi động lại?).")
        if found.state == "done":
            return redirect(url_for("document", name=found.name), 303)
        return render_template("job.html", job=found)

    @app.get("/documents/<name>")
    def document(name: str):
        found = reviewed(name)
        return render_template("document.html", document=found, rows=[(found, task) for task in found.tasks])

    @app.get("/documents/<name>/lines/<int:number>.png")
    def line_image(name: str, number: int):
        png = crops.line_crop_png(reviewed(name).machine, number)
        if png is None:
            abort(404, "Không có ảnh quét cho dòng này.")
        return Response(png, mimetype="image/png", headers={"Cache-Control": "max-age=3600"})

    @app.post("/api/documents/<name>/words")
    def save_word(name: str):
        body = _json_object()
        found = reviewed(name)
        line = next((line for line in found.lines if line.number == body.get("line")), None)
        word = next((w for w in line.words if w.start == body.get("start")), None) if line else None
        if word is None:
            abort(400, "Không có từ ở vị trí này.")
        corrected = str(body.get("corrected", "")).strip() or word.machine
        if len(corrected) > _MAX_WORD:
            abort(400, "Từ quá dài.")
        folder.corrections.save_word(name, line.number, word.start, word.machine, corrected,
                                     sha256=found.machine.source.sha256)
        word.corrected = None if corrected == word.machine else corrected
        return jsonify(text=word.text, corrected=word.corrected is not None, candidates=word.candidates)

    @app.post("/api/documents/<name>/tasks/<task_id>")
    def save_task_field(name: str, task_id: str):
        body = _json_object()
        field = body.get("field")
        found = reviewed(name)
        task = found.task(task_id)
        if task is None:
            abort(404, f"Không có nhiệm vụ {task_id}.")
        if field not in EDITABLE_TASK_FIELDS:
            abort(400, "Trường này không sửa được.")
        try:
            value = task_field_value(field, body.get("value"))
        except ValueError as error:
            abort(400, str(error))
        folder.corrections.save_task_field(name, task_id, field, value, getattr(task.machine, field),
                                           sha256=found.machine.source.sha256)
        task = reviewed(name).task(task_id)
        cell = ("recurrence", "period") if field in ("recurrence", "period") else (field,)
        return jsonify(value=getattr(task.effective, field), corrected_cell=any(f in task.corrected for f in cell),
                       machine_text=_cell_text(field, task.machine))

    @app.get("/tasks")
    def tasks():
        task_filter = TaskFilter.from_args(request.args)
        documents = readable_documents()
        units = sorted({unit for _, task in all_tasks(documents)
                        for unit in task.effective.lead_units + task.effective.support_units})
        return render_template("tasks.html", rows=_selected(documents, task_filter), filter=task_filter,
                               units=units, query=task_filter.query(), formats=FORMATS.values())

    @app.get("/export/<kind>")
    def export(kind: str):
        export = FORMATS.get(kind)
        if export is None:
            abort(404, "Không có định dạng này.")
        documents = readable_documents()
        data = export.writer(_selected(documents, TaskFilter.from_args(request.args)), documents)
        return Response(data, mimetype=export.media_type,
                        headers={"Content-Disposition": f'attachment; filename="{export.file_name}"'})

    return app


def _same_site_post() -> bool:
    """Whether a POST comes from this app's own pages (or from a program on this machine).

    A browser names the page a POST comes from in Origin ("null" when it hides it:
    refused). Without Origin the browser tells where the request started in
    Sec-Fetch-Site; a request with neither is not from a browser but from a local
    program such as curl, which could write the data folder directly anyway, so
    it is let through.
    """
    origin = request.headers.get("Origin")
    if origin is not None:
        return urlsplit(origin).netloc == request.host
    return request.headers.get("Sec-Fetch-Site", "same-origin") in ("same-origin", "none")


def _json_object() -> dict[str, Any]:
    body = request.get_json(force=False, silent=True)
    if not isinstance(body, dict):
        abort(400, "Yêu cầu phải là một đối tượng JSON.")
    return body


def _selected(documents: list[ReviewedDocument], task_filter: TaskFilter):
    today = date.today().isoformat()
    return [(document, task) for document, task in all_tasks(documents) if task_filter.matches(task, today)]


def task_field_value(field: str, value: Any) -> Any:
    """The clerk's value for a task field, checked; ValueError says what is wrong."""
    if field in LIST_FIELDS:
        if not isinstance(value, list) or not all(isinstance(unit, str) for unit in value):
            raise ValueError("Đơn vị phải là một danh sách.")
        units = [unit.strip() for unit in value if unit.strip()]
        if sum(map(len, units)) > _MAX_TEXT:
            raise ValueError("Danh sách đơn vị quá dài.")
        return units
    if not isinstance(value, str | None):
        raise ValueError("Giá trị không hợp lệ.")
    value = (value or "").strip()
    if field == "text":
        if not value or len(value) > _MAX_TEXT:
            raise ValueError("Nội dung không được trống và tối đa 20000 ký tự.")
        return value
    if field == "deadline":
        if not value:
            return None
        iso = _iso_date(value)
        if iso is None or len(value) != 10:
            raise ValueError("Thời hạn phải là một ngày (năm-tháng-ngày).")
        return iso
    choices = RECURRENCES if field == "recurrence" else PERIODS
    if (value or None) not in choices:
        raise ValueError("Giá trị không có trong danh sách.")
    return value or None


def _cell_text(field: str, values: Task) -> str:
    if field in LIST_FIELDS:
        return "; ".join(getattr(values, field)) or "—"
    if field in ("recurrence", "period"):
        return recurrence_text(values)
    return getattr(values, field) or "—"


def make_server(data_dir: Path, port: int):
    """The app behind a waitress server bound to 127.0.0.1 (port 0: any free port).

    A data folder that cannot be used is an InputError; a port that cannot be had, a PipelineError.
    """
    app = create_app(data_dir)
    try:
        return waitress.create_server(app, host=HOST, port=port, threads=SERVER_THREADS)
    except OSError as error:
        raise PipelineError(f"cannot listen on {HOST}:{port}: {error.strerror}; choose another --port") from None


def serve(data_dir: Path, port: int) -> None:
    server = make_server(data_dir, port)
    print(f"Review app: http://{HOST}:{server.effective_port}/  (documents in {Path(data_dir).resolve()}; "
          f"Ctrl+C stops it)", file=sys.stderr)
    server.run()
