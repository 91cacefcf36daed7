"""The clerk's round trip in real headless Chromium: upload, read, correct, reload, export."""
from __future__ import annotations

import re
import threading
from datetime import date
from pathlib import Path

import icalendar
import pandas as pd
import pytest
from playwright.sync_api import expect, sync_playwright

from pipeline.review.app import make_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "raw" / "kh-267-ocr.txt"
# No downloads, updates or background traffic: the test talks to the local server only.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
CORRECTED_WORD = "Khảo"
CORRECTED_DEADLINE = "2024-10-15"


@pytest.fixture
def server_url(tmp_path):
    server = make_server(tmp_path / "outputs", 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    thread.join(timeout=10)


@pytest.fixture
def page():
    # A missing browser fails the test: CI must not pass without having driven one.
    assert CHROMIUM.exists(), f"{CHROMIUM} is not installed (Debian package chromium; `make install` installs it)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser.new_page(accept_downloads=True)
        browser.close()


def test_upload_correct_reload_export(server_url, page, tmp_path):
    page.set_default_timeout(20_000)
    page.goto(server_url)
    page.set_input_files("input[type=file]", str(SAMPLE))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_url("**/documents/kh-267-ocr", timeout=90_000)  # through the progress page

    expect(page.locator("table.lines")).to_contain_text("Ủy ban nhân dân tỉnh ban hành Kế hoạch")
    expect(page.locator("table.tasks tr[data-task]")).to_have_count(14)
    task = page.locator('table.tasks tr[data-task="III.1.a"]')
    expect(task.locator("a.lines-link")).to_have_attribute("href", "/documents/kh-267-ocr#L89-L97")

    # A word of the task's first line: the one after the item marker.
    word = page.locator("tr#L89 .w[tabindex]").nth(1)
    machine_word = word.get_attribute("data-machine")
    word.click()
    editor = page.locator("#word-editor")
    expect(editor).to_be_visible()
    editor.locator("input").fill(CORRECTED_WORD)
    editor.locator("button[type=submit]").click()
    expect(word).to_have_class(re.compile(r"\bcorrected\b"))
    expect(word).to_have_text(CORRECTED_WORD)

    deadline = task.locator("input[name=deadline]")
    deadline.fill(CORRECTED_DEADLINE)
    deadline_cell = task.locator('td[data-field="deadline"]')
    expect(deadline_cell).to_have_class(re.compile(r"\bsaved\b"))
    expect(deadline_cell).to_have_class(re.compile(r"\bcorrected\b"))

    page.reload()
    word = page.locator("tr#L89 .w[tabindex]").nth(1)
    expect(word).to_have_text(CORRECTED_WORD)
    expect(word).to_have_attribute("data-machine", machine_word)  # the machine's reading stays visible
    task = page.locator('table.tasks tr[data-task="III.1.a"]')
    expect(task.locator("input[name=deadline]")).to_have_value(CORRECTED_DEADLINE)
    expect(task.locator('td[data-field="deadline"] .machine')).to_contain_text("2024-09-30")

    page.click("header nav >> text=Nhiệm vụ")
    with page.expect_download() as xlsx_download:
        page.click("a.button >> text=Excel")
    xlsx = tmp_path / "tasks.xlsx"
    xlsx_download.value.save_as(xlsx)
    with page.expect_download() as ics_download:
        page.click("a.button >> text=Lịch hạn")
    ics = tmp_path / "deadlines.ics"
    ics_download.value.save_as(ics)

    row = pd.read_excel(xlsx, sheet_name="tasks", dtype=str).set_index("task_id").loc["III.1.a"]
    assert row["deadline"].startswith(CORRECTED_DEADLINE)
    assert CORRECTED_WORD in row["text"]
    todo = next(t for t in icalendar.Calendar.from_ical(ics.read_bytes()).walk("VTODO")
                if str(t["summary"]).startswith("[III.1.a]"))
    assert todo["due"].dt == date.fromisoformat(CORRECTED_DEADLINE)
    assert CORRECTED_WORD in str(todo["description"])
