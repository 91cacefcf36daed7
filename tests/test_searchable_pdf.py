"""Searchable PDF out: the scanned pages with the restored text invisibly over them."""
from __future__ import annotations

import difflib
import subprocess
import sys

import pypdfium2
import pytest

from test_ingest_prepare import BODY, _page, _sealed, _skewed, _turned


def _pipeline(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True)


def _words_ratio(expected: str, got: str) -> float:
    return difflib.SequenceMatcher(None, expected.split(), got.split()).ratio()


@pytest.fixture
def scanned_pdf(tmp_path):
    """Two pages: one upright; one turned upside down, skewed and sealed."""
    path = tmp_path / "scan.pdf"
    first, second = _page(), _turned(_sealed(_skewed(_page(BODY[::-1]), 2.0)), 180)
    first.save(path, "PDF", resolution=300, save_all=True, append_images=[second])
    return path


@pytest.mark.slow
@pytest.mark.ocr
def test_restore_to_pdf_round_trips_the_restored_text(scanned_pdf, tmp_path):
    text = _pipeline("restore", str(scanned_pdf))
    assert text.returncode == 0, text.stderr
    output = tmp_path / "searchable.pdf"
    made = _pipeline("restore", str(scanned_pdf), "-o", str(output))
    assert made.returncode == 0, made.stderr
    # -raw: the text in the order it was written, which is the restored text's; pdftotext's own
    # layout analysis may put two side-by-side header columns line by line instead.
    layer = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(output), "-"], capture_output=True, text=True,
                           check=True).stdout
    assert _words_ratio(text.stdout, layer) >= 0.99
    assert "Thời gian hoàn thành: trước ngày 30 tháng 6 năm 2026." in " ".join(layer.split())
    document = pypdfium2.PdfDocument(str(output))
    assert len(document) == 2
    # The pages keep the scan's size (1750 px at 300 dpi = 420 pt), and the turned one is upright:
    # its first line is found near its top.
    assert document[0].get_size()[0] == pytest.approx(420, abs=1)
    turned = document[1].get_textpage()
    last_line = turned.search("báo cáo định kỳ", match_case=True).get_next()
    assert last_line is not None
    assert turned.get_charbox(last_line[0])[3] > 0.7 * document[1].get_size()[1]
    # Words sit where they are on the picture: the first body line near the top of page one.
    page = document[0]
    text_page = page.get_textpage()
    found = text_page.search("Thực hiện Kế hoạch", match_case=True).get_next()
    assert found is not None
    left, bottom, right, top = text_page.get_charbox(found[0])
    assert left == pytest.approx(130 * 72 / 300, abs=3)
    assert page.get_size()[1] - top == pytest.approx(120 * 72 / 300, abs=6)


def test_pdf_of_a_text_file_is_refused(tmp_path):
    source = tmp_path / "note.txt"
    source.write_text("Kế hoạch số 1\n", encoding="utf-8")
    made = _pipeline("restore", str(source), "-o", str(tmp_path / "note.pdf"))
    assert made.returncode == 3
    assert "has no scanned pages" in made.stderr
    assert not (tmp_path / "note.pdf").exists()


@pytest.mark.slow
@pytest.mark.ocr
def test_run_with_pdf_writes_one_beside_the_json(scanned_pdf, tmp_path):
    source = tmp_path / "in" / "scan.pdf"
    source.parent.mkdir()
    source.write_bytes(scanned_pdf.read_bytes())
    out = tmp_path / "out"
    done = _pipeline("run", str(source), "--out-dir", str(out), "--normalized-dir", str(tmp_path / "norm"), "--pdf")
    assert done.returncode == 0, done.stderr
    assert (out / "scan.json").exists()
    searchable = (out / "scan.pdf").read_bytes()
    layer = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(out / "scan.pdf"), "-"], capture_output=True,
                           text=True, check=True).stdout
    assert _words_ratio((tmp_path / "norm" / "scan.txt").read_text(encoding="utf-8"), layer) >= 0.99
    # Its input gone, the document is set aside: the searchable PDF goes with its JSON, not left behind.
    source.unlink()
    (source.parent / "note.txt").write_text("Giao Sở Tài chính bố trí kinh phí.\n", encoding="utf-8")
    gone = _pipeline("run", str(source.parent), "--out-dir", str(out), "--normalized-dir", str(tmp_path / "norm"),
                     "--pdf")
    assert gone.returncode == 6, gone.stderr  # setting the document aside is a failure of this run
    assert not (out / "scan.pdf").exists() and (out / "stale" / "scan.pdf").read_bytes() == searchable


@pytest.mark.ocr
def test_low_quality_page_is_flagged_in_the_review_app(scanned_pdf, tmp_path):
    import json

    from pipeline.export import document_json
    from pipeline.process import Options, process_file
    from pipeline.review.app import create_app

    doc = process_file(scanned_pdf, Options())
    assert [page.rotation for page in doc.source.scan_pages] == [0, 180]
    assert not any(page.flagged for page in doc.source.scan_pages)
    machine = doc.to_dict()
    machine["source"]["scan_pages"][1].update(confidence=0.55, flagged=True)  # as a bad photo reads
    (tmp_path / "scan.json").write_text(document_json(machine), encoding="utf-8")
    html = create_app(tmp_path).test_client().get("/documents/scan").get_data(as_text=True)
    assert "Trang 2: chất lượng thấp" in html
    assert "Trang 1: chất lượng thấp" not in html
    assert json.loads(document_json(machine))["source"]["scan_pages"][0]["page"] == 1
