"""The review app without a browser: highlights, task links, corrections, uploads, filters, crops, report."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from pipeline.model import Document, Line, Source
from pipeline.restore import LOW_CONFIDENCE
from pipeline.review import crops
from pipeline.review.app import create_app
from pipeline.export import rebuild
from pipeline.export.folder import OutputFolder, carry_word_corrections
from pipeline.export.lines import ReviewLine, Word
from pipeline.export.report import write_report
from pipeline.review.uploads import (MAX_UPLOAD_BYTES, Upload, UploadError, UploadStore, checked_suffix, free_name,
                                     safe_stem)

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "raw" / "kh-267-ocr.txt"
NAME = "kh-267-ocr"


@pytest.fixture
def data_dir(tmp_path, machine_json) -> Path:
    (tmp_path / f"{NAME}.json").write_text(machine_json, encoding="utf-8")
    return tmp_path


@pytest.fixture
def client(data_dir):
    return create_app(data_dir).test_client()


class _Elements(HTMLParser):
    """Start tags with their attributes and the text up to the next tag (innermost text only)."""

    def __init__(self, html: str):
        super().__init__()
        self.elements: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append({"tag": tag, **dict(attrs), "text": ""})
        self.open = True

    def handle_endtag(self, tag):
        self.open = False

    def handle_data(self, data):
        if self.elements and self.open:
            self.elements[-1]["text"] += data


def elements(html: str, tag: str, css_class: str | None = None) -> list[dict]:
    return [e for e in _Elements(html).elements
            if e["tag"] == tag and (css_class is None or css_class in (e.get("class") or "").split())]


def test_every_low_confidence_change_is_highlighted(data_dir, client, machine_json):
    machine = json.loads(machine_json)
    expected = {(i["line"], i["start"]) for i in machine["restoration"]["items"]
                if i["original"] != i["restored"] and i["confidence"] < LOW_CONFIDENCE}
    assert len(expected) > 20  # the sample is noisy OCR: the restorer guesses a lot

    document = OutputFolder(data_dir).document(NAME)
    placed = {(w.restoration.line, w.restoration.start) for line in document.lines for w in line.words
              if w.changed and w.low_confidence}
    assert placed == expected
    html = client.get(f"/documents/{NAME}").get_data(as_text=True)
    highlighted = [e for e in elements(html, "span", "changed") if "low" in e["class"].split() and "data-start" in e]
    assert len(highlighted) == len(expected)
    assert all(e["title"].startswith("OCR: ") for e in highlighted)


def test_every_task_row_links_to_its_lines(client):
    html = client.get(f"/documents/{NAME}").get_data(as_text=True)
    rows = {int(e["data-line"]) for e in elements(html, "tr") if "data-line" in e}
    links = elements(html, "a", "lines-link")
    assert len(links) == 14
    for link in links:
        first, last = map(int, re.fullmatch(rf"/documents/{NAME}#L(\d+)-L(\d+)", link["href"]).groups())
        assert rows & set(range(first, last + 1)), link


def test_word_correction_is_kept_apart_and_survives_a_restart(data_dir, client):
    before = (data_dir / f"{NAME}.json").read_bytes()
    word = OutputFolder(data_dir).document(NAME).lines[88].words[2]
    answer = client.post(f"/api/documents/{NAME}/words", json={"line": 89, "start": word.start, "corrected": "khảo"})
    assert answer.status_code == 200 and answer.json["corrected"] and answer.json["text"] == "khảo"
    assert word.machine in answer.json["candidates"]  # the clerk can go back to the machine's word

    restarted = create_app(data_dir).test_client()
    html = restarted.get(f"/documents/{NAME}").get_data(as_text=True)
    corrected = [e for e in elements(html, "span", "corrected") if "data-start" in e]
    assert [(e["text"], e["data-machine"]) for e in corrected] == [("khảo", word.machine)]
    assert (data_dir / f"{NAME}.json").read_bytes() == before  # the machine result is never rewritten
    task = OutputFolder(data_dir).document(NAME).task("III.1.a")
    assert "khảo" in task.effective.text and "text" in task.corrected

    client.post(f"/api/documents/{NAME}/words", json={"line": 89, "start": word.start, "corrected": word.machine})
    assert OutputFolder(data_dir).document(NAME).corrections.count == 0


def test_task_fields_are_checked_saved_and_reverted(data_dir, client):
    url = f"/api/documents/{NAME}/tasks/III.1.a"
    answer = client.post(url, json={"field": "deadline", "value": "2024-10-15"})
    assert answer.json == {"value": "2024-10-15", "corrected_cell": True, "machine_text": "2024-09-30"}
    client.post(url, json={"field": "lead_units", "value": ["Sở Nội vụ", " ", "Sở Tài chính "]})
    client.post(url, json={"field": "recurrence", "value": "periodic"})
    client.post(url, json={"field": "period", "value": "quarter"})
    task = OutputFolder(data_dir).document(NAME).task("III.1.a")
    assert task.effective.lead_units == ["Sở Nội vụ", "Sở Tài chính"]
    assert task.corrected == ["lead_units", "deadline", "recurrence", "period"]
    assert task.machine.deadline == "2024-09-30"

    for body, status in [({"field": "deadline", "value": "30/9/2024"}, 400),
                         ({"field": "deadline", "value": "2024-02-30"}, 400),
                         ({"field": "recurrence", "value": "daily"}, 400),
                         ({"field": "text", "value": "  "}, 400),
                         ({"field": "lead_units", "value": "Sở Nội vụ"}, 400),
                         ({"field": "id", "value": "X"}, 400)]:
        assert client.post(url, json=body).status_code == status, body
    assert client.post(f"/api/documents/{NAME}/tasks/IX.9", json={"field": "text", "value": "x"}).status_code == 404
    assert client.post("/api/documents/missing/tasks/III.1.a", json={}).status_code == 404

    client.post(url, json={"field": "deadline", "value": ""})
    client.post(url, json={"field": "deadline", "value": "2024-09-30"})  # the machine's value again: no correction
    assert "deadline" not in OutputFolder(data_dir).document(NAME).task("III.1.a").corrected


def test_word_corrections_reach_the_task_text_at_the_same_occurrence():
    def line(number, text, corrections):
        words = []
        for match in re.finditer(r"\w+", text):
            words.append(Word(match.start(), match[0], corrected=corrections.get(match.start())))
        return ReviewLine(number, 1, text, text, None, None, pieces=words)

    lines = [line(1, "a) công tác công", {12: "cộng"}), line(2, "việc công", {5: "cống"})]
    assert carry_word_corrections("công tác công\nviệc công", lines, 1, 2) == "công tác cộng\nviệc cống"


def test_a_correction_that_no_longer_fits_is_reported(data_dir, client):
    OutputFolder(data_dir).corrections.save_word(NAME, 89, 0, "chữ-khác", "x")
    html = client.get(f"/documents/{NAME}").get_data(as_text=True)
    assert "1 chỉnh sửa từ không còn khớp" in html


def test_tasks_filters(client):
    def task_ids(query):
        html = client.get(f"/tasks?{query}").get_data(as_text=True)
        return [e["data-task"] for e in elements(html, "tr") if "data-task" in e]

    assert len(task_ids("")) == 14
    assert task_ids("from=2024-12-01&to=2024-12-31") == ["IV.1", "IV.2"]
    assert task_ids("unit=so thong tin&from=2024-12-01") == ["IV.1"]  # unit names match without their marks
    # every deadline of 2024 has passed; the yearly reports (IV.1, IV.2: before 25/12 and 10/12 every year) are never
    # overdue as a whole
    assert set(task_ids("overdue=1")) == {"III.1.a", "III.5.c"}
    # ... and the clerk sees the day they are due each year
    rows = client.get("/tasks?from=2024-12-01").get_data(as_text=True).split("<tr ")
    assert "hạn ngày 10/12" in next(row for row in rows if row.startswith('data-task="IV.2"'))
    # the machine's reading, shown under a corrected cell, is written the same way
    answer = client.post(f"/api/documents/{NAME}/tasks/IV.2", json={"field": "recurrence", "value": "continuous"})
    assert answer.json["machine_text"] == "hằng năm · hạn ngày 10/12"
    html = client.get("/tasks?unit=so thong tin").get_data(as_text=True)
    assert "/export/xlsx?unit=so+thong+tin" in html


def test_requests_from_elsewhere_are_refused(client):
    assert client.get("/", headers={"Host": "evil.example:8000"}).status_code == 403
    answer = client.post(f"/api/documents/{NAME}/tasks/III.1.a", json={"field": "deadline", "value": "2025-01-01"},
                         headers={"Origin": "http://evil.example"})
    assert answer.status_code == 403


@pytest.mark.parametrize("filename, stem", [
    ("Kế hoạch 267.pdf", "Ke-hoach-267"),
    ("../../etc/passwd", "passwd"),
    ("..\\..\\boot.ini", "boot"),
    ("...", "upload"),
    ("Đề án/ĐÀ NẴNG.txt", "DA-NANG"),
])
def test_upload_names_are_made_safe(filename, stem):
    assert safe_stem(filename) == stem


def test_free_names_avoid_taken_and_reserved_names():
    assert free_name("kh", {"kh", "kh-2"}) == "kh-3"
    assert free_name("index", set()) == "index-2"


def test_uploads_are_typed_by_content():
    assert checked_suffix(b"%PDF-1.7\n...", "scan.txt") == ".pdf"
    assert checked_suffix(b"\x89PNG\r\n\x1a\n....", "x.pdf") == ".png"
    assert checked_suffix("Kế hoạch".encode(), "x.pdf") == ".txt"
    assert checked_suffix((ROOT / "tests" / "fixtures" / "office" / "plan.docx").read_bytes(), "ke-hoach.bin") == ".docx"
    assert checked_suffix(b"<!DOCTYPE html><html><body>K\xe1\xba\xbf ho\xe1\xba\xa1ch</body></html>", "x.txt") == ".html"
    for data in (b"", b"PK\x03\x04rest", bytes(range(256)) * 20):
        with pytest.raises(UploadError):
            checked_suffix(data, "x.txt")
    with pytest.raises(UploadError, match="50 MB"):
        checked_suffix(b"a" * (MAX_UPLOAD_BYTES + 1), "big.txt")


def test_upload_refusals_are_shown(client, data_dir):
    answer = client.post("/upload", data={"file": (io.BytesIO(b"PK\x03\x04zip"), "a.docx")})
    assert answer.status_code == 400 and "ZIP" in answer.get_data(as_text=True)
    client.application.config["MAX_CONTENT_LENGTH"] = 1000
    answer = client.post("/upload", data={"file": (io.BytesIO(b"a" * 5000), "big.txt")})
    assert answer.status_code == 413
    assert not (data_dir / "uploads").exists()


def test_uploading_a_processed_file_again_opens_it(client):
    answer = client.post("/upload", data={"file": (SAMPLE.open("rb"), "copy.txt")})
    assert answer.status_code == 303 and answer.headers["Location"].endswith(f"/documents/{NAME}")


def test_scan_line_crop(tmp_path):
    page = Image.new("L", (2480, 3508), "white")  # A4 at the OCR resolution
    ImageDraw.Draw(page).rectangle((300, 400, 1300, 460), fill="black")
    pdf = tmp_path / "scan.pdf"
    page.save(pdf, resolution=300)
    machine = Document(Source(str(pdf), hashlib.sha256(pdf.read_bytes()).hexdigest(), "pdf-scan"),
                       [Line(1, "x", "x", bbox=(300, 400, 1300, 460)), Line(2, "y", "y")])
    png = crops.line_crop_png(machine, 1)
    with Image.open(io.BytesIO(png)) as crop:
        assert crop.size == (500 + 2 * crops.MARGIN, 30 + 2 * crops.MARGIN)
        assert crop.getpixel((crop.width // 2, crop.height // 2)) < 50
        assert crop.getpixel((1, 1)) > 200
    assert crops.line_crop_png(machine, 2) is None
    pdf.write_bytes(pdf.read_bytes() + b"\n")  # changed since it was processed: its boxes no longer apply
    assert crops.line_crop_png(machine, 1) is None


def test_static_report(data_dir):
    OutputFolder(data_dir).corrections.save_task_field(NAME, "III.1.a", "deadline", "2024-10-15", "2024-09-30")
    written = write_report(data_dir, OutputFolder(data_dir).documents())
    assert [p.name for p in written] == [f"{NAME}.html", "index.html"]
    page = (data_dir / f"{NAME}.html").read_text(encoding="utf-8")
    assert "<script" not in page and "<textarea" not in page and "<style>" in page
    assert "2024-10-15" in page and "máy: <span>2024-09-30</span>" in page
    index = (data_dir / "index.html").read_text(encoding="utf-8")
    assert f'href="{NAME}.html#L89"' in index


def test_an_upload_the_pipeline_cannot_read_fails_with_its_reason(client, data_dir):
    damaged = b"%PDF-1.4\n" + bytes(range(256)) * 8
    answer = client.post("/upload", data={"file": (io.BytesIO(damaged), "công văn.pdf")})
    assert answer.status_code == 303
    job_url = answer.headers["Location"]
    for _ in range(300):
        page = client.get(job_url).get_data(as_text=True)
        if "lỗi" in page:
            break
        time.sleep(0.1)
    assert "không xử lý được tệp này (" in page and "damaged or not a PDF" in page  # Vietnamese, then the reason
    assert not (data_dir / "uploads" / "cong-van.pdf").exists()  # it made no document: its file is cleaned up
    assert not (data_dir / "cong-van.json").exists()
    assert "cong-van.pdf" in (data_dir / "errors.csv").read_text(encoding="utf-8-sig")


def test_results_written_before_lines_were_kept_still_open(data_dir, client, machine_json):
    machine = json.loads(machine_json)
    del machine["lines"]
    (data_dir / "old.json").write_text(json.dumps(machine), encoding="utf-8")
    html = client.get("/documents/old").get_data(as_text=True)
    assert "hãy xử lý lại văn bản" in html
    assert len(elements(html, "a", "lines-link")) == 14


def test_results_written_before_schema_2_still_open_and_export(data_dir, client, machine_json):
    """Before 2.0 a warning was a plain sentence and a task had no `part`: such a result opens and exports."""
    machine = json.loads(machine_json)
    machine["schema_version"] = "1.1"
    machine["warnings"] = ["Không tìm thấy đơn vị chủ trì ở mục III.2."]
    for task in machine["tasks"]:
        del task["part"]
    (data_dir / "old.json").write_text(json.dumps(machine, ensure_ascii=False), encoding="utf-8")
    folder = OutputFolder(data_dir)
    assert "old.json" not in folder.unreadable and folder.document("old") is not None
    (warning,) = folder.document("old").machine.warnings
    assert (warning.code, warning.message) == ("unclassified", "Không tìm thấy đơn vị chủ trì ở mục III.2.")
    html = client.get("/documents/old").get_data(as_text=True)
    assert "Không tìm thấy đơn vị chủ trì ở mục III.2." in html
    assert len(elements(html, "a", "lines-link")) == len(machine["tasks"])
    rebuild(data_dir, log=io.StringIO())
    rows = [r for r in csv.DictReader(io.StringIO((data_dir / "tasks.csv").read_text(encoding="utf-8-sig")))
            if r["document"] == "old"]
    assert len(rows) == len(machine["tasks"]) and {r["part"] for r in rows} == {""}
    documents = {r["document"]: r for r in
                 csv.DictReader(io.StringIO((data_dir / "documents.csv").read_text(encoding="utf-8-sig")))}
    assert documents["old"]["warnings"] == "Không tìm thấy đơn vị chủ trì ở mục III.2."


def test_a_broken_json_in_the_folder_is_skipped_with_a_notice(data_dir, client):
    (data_dir / "broken.json").write_text('{"schema_version": "1.1", "tasks": [', encoding="utf-8")
    (data_dir / "number.json").write_text("42", encoding="utf-8")
    home = client.get("/")
    assert home.status_code == 200
    assert "Bỏ qua 2 tệp" in home.get_data(as_text=True) and "broken.json" in home.get_data(as_text=True)
    assert client.get("/tasks").status_code == 200
    assert client.get("/export/csv").status_code == 200
    assert client.get("/documents/broken").status_code == 404


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "null", "3"])
def test_a_json_body_that_is_not_an_object_is_refused(client, body):
    for url in (f"/api/documents/{NAME}/words", f"/api/documents/{NAME}/tasks/III.1.a"):
        answer = client.post(url, data=body, content_type="application/json")
        assert answer.status_code == 400, url
        assert answer.get_json()["error"] == "Yêu cầu phải là một đối tượng JSON."


def test_posts_without_origin_are_judged_by_where_the_browser_says_they_started(client):
    """Decided: no Origin and no Sec-Fetch-Site is a local program (accepted); a browser that omits Origin
    still says where the request started, and only this app's own pages may post."""
    url = f"/api/documents/{NAME}/tasks/III.1.a"
    body = {"field": "deadline", "value": "2025-01-01"}
    assert client.post(url, json=body).status_code == 200
    assert client.post(url, json=body, headers={"Sec-Fetch-Site": "same-origin"}).status_code == 200
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"}, {"Origin": "null"}):
        assert client.post(url, json=body, headers=headers).status_code == 403, headers
    assert client.post(url, json=body, headers={"Origin": "http://localhost"}).status_code == 200


def test_corrections_stay_with_the_input_they_were_made_on(data_dir, client, machine_json):
    url = f"/api/documents/{NAME}/tasks/III.1.a"
    assert client.post(url, json={"field": "deadline", "value": "2025-01-01"}).status_code == 200
    other = json.loads(machine_json)
    other["source"]["sha256"] = "0" * 64  # the name now stands for another input
    (data_dir / f"{NAME}.json").write_text(json.dumps(other), encoding="utf-8")
    task = OutputFolder(data_dir).document(NAME).task("III.1.a")
    assert task.effective.deadline == task.machine.deadline and task.corrected == []
    (data_dir / f"{NAME}.json").write_text(machine_json, encoding="utf-8")  # the input it was made on is back
    assert OutputFolder(data_dir).document(NAME).task("III.1.a").effective.deadline == "2025-01-01"
    assert OutputFolder(data_dir).documents()[0].task("III.1.a").effective.deadline == "2025-01-01"


def wait_for(client, job_url: str) -> str:
    for _ in range(1200):
        page = client.get(job_url)
        if page.status_code == 303 or "lỗi" in page.get_data(as_text=True):
            return page.headers.get("Location") or page.get_data(as_text=True)
        time.sleep(0.1)
    raise AssertionError(f"{job_url} did not finish")


SHORT = "\n".join(SAMPLE.read_text(encoding="utf-8").splitlines()[:60]) + "\n"


@pytest.mark.slow
def test_the_same_file_uploaded_three_times_is_one_document(data_dir, client):
    locations = {client.post("/upload", data={"file": (io.BytesIO(SHORT.encode()), f"ban-{i}.txt")}).headers["Location"]
                 for i in range(3)}
    assert len(locations) == 1
    assert wait_for(client, locations.pop()).endswith("/documents/ban-0")
    assert sorted(p.name for p in data_dir.glob("*.json")) == ["ban-0.json", f"{NAME}.json"]
    again = client.post("/upload", data={"file": (io.BytesIO(SHORT.encode()), "ban-3.txt")})
    assert again.headers["Location"].endswith("/documents/ban-0")
    uids = re.findall(rb"UID:(\S+)", (data_dir / "deadlines.ics").read_bytes())
    assert uids and len(uids) == len(set(uids))


@pytest.mark.slow
def test_uploads_are_recorded_in_the_manifest_and_a_run_never_takes_their_name(data_dir, client, tmp_path_factory):
    location = client.post("/upload", data={"file": (io.BytesIO(SHORT.encode()), "kh.txt")}).headers["Location"]
    assert wait_for(client, location).endswith("/documents/kh")
    with sqlite3.connect(data_dir / "manifest.sqlite") as db:
        assert db.execute("SELECT name, status FROM documents").fetchall() == [("kh", "done")]
    uploaded = (data_dir / "kh.json").read_bytes()
    archive = tmp_path_factory.mktemp("archive")
    (archive / "kh.txt").write_text(SHORT.replace("Kế hoạch", "Chương trình", 1), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "pipeline", "run", str(archive), "--out-dir", str(data_dir),
                             "--normalized-dir", str(archive / "normalized")],
                            cwd=ROOT, capture_output=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr.decode()
    assert (data_dir / "kh.json").read_bytes() == uploaded
    assert {p.stem for p in data_dir.glob("*.json")} == {NAME, "kh", f"{archive.name}-kh"}


@pytest.mark.slow
def test_a_restart_resumes_uploads_and_cleans_up_after_failed_ones(data_dir, machine_json):
    folder = data_dir / "uploads"
    folder.mkdir()
    (folder / "interrupted.txt").write_text(SHORT, encoding="utf-8")
    (folder / "failed.txt").write_text("x", encoding="utf-8")
    store = UploadStore(data_dir)
    store.save(Upload("a", "interrupted.txt", "interrupted", str(folder / "interrupted.txt"), "1" * 64, state="running",
                      step=2))
    store.save(Upload("b", "lost.txt", "lost", str(folder / "lost.txt"), "2" * 64, state="queued"))
    store.save(Upload("c", "failed.txt", "failed", str(folder / "failed.txt"), "3" * 64, state="failed",
                      message="không đọc được"))
    client = create_app(data_dir).test_client()  # the server starting again
    assert wait_for(client, "/jobs/a").endswith("/documents/interrupted")
    assert "tệp tải lên không còn" in client.get("/jobs/b").get_data(as_text=True)
    assert not (folder / "failed.txt").exists()
    assert "không đọc được" in client.get("/jobs/c").get_data(as_text=True)


@pytest.mark.slow
def test_the_document_page_is_linear_in_its_words(data_dir, machine_json):
    """One line of 60,000 words, each one a restoration item: the old placement compared every item with every
    word (3.6 billion steps, hours); placed by spelling and offset it renders in seconds."""
    machine = json.loads(machine_json)
    count = 60_000
    text = " ".join(["và"] * count)
    machine["lines"] = [{"number": 1, "page": 1, "text": text, "original": text.replace("à", "a"), "bbox": None,
                         "ocr_confidence": None}]
    machine["restoration"]["items"] = [{"line": 1, "start": 3 * i, "original": "va", "restored": "và",
                                        "confidence": 0.5, "alternatives": ["vá"]} for i in range(count)]
    (data_dir / "long.json").write_text(json.dumps(machine, ensure_ascii=False), encoding="utf-8")
    script = ("import sys; from pipeline.review.app import create_app; "
              "page = create_app(sys.argv[1]).test_client().get('/documents/long'); "
              "print(page.status_code, page.get_data(as_text=True).count('data-original=\"va\"'))")
    result = subprocess.run([sys.executable, "-c", script, str(data_dir)], cwd=ROOT, capture_output=True,
                            timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr.decode()[-300:]
    assert result.stdout.split() == [b"200", str(count).encode()]
