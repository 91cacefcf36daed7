"""The command-line contract: commands, outputs, schema, and every bad input a user can give."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import jsonschema
import pandas as pd
import pytest
import regex
from PIL import Image

from pipeline.errors import BatchFailures, InputError

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "raw" / "kh-267-ocr.txt"
SCHEMA = json.loads((ROOT / "pipeline" / "schema" / "document.schema.json").read_text(encoding="utf-8"))
FIXTURES = Path(__file__).parent / "fixtures"


def cli(*args: str, stdin: bytes | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], input=stdin, capture_output=True, cwd=cwd,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)


def validate(document: dict) -> None:
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(document)


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("run")
    result = cli("run", str(SAMPLE), "--out-dir", str(work / "outputs"), "--normalized-dir", str(work / "normalized"))
    assert result.returncode == 0, result.stderr.decode()
    return work


@pytest.mark.slow
def test_help_on_every_command():
    for command in ([], ["restore"], ["parse"], ["run"]):
        result = cli(*command, "--help")
        assert result.returncode == 0
        assert b"usage:" in result.stdout


@pytest.mark.slow
def test_restore_keeps_one_line_per_input_line(tmp_path):
    out = tmp_path / "restored.txt"
    result = cli("restore", str(SAMPLE), "-o", str(out))
    assert result.returncode == 0, result.stderr.decode()
    restored = out.read_text(encoding="utf-8").split("\n")
    original = SAMPLE.read_text(encoding="utf-8").split("\n")
    assert len(restored) == len(original)
    assert restored[3] == "Số: 267/KH-UBND Thừa Thiên Huế, ngày 27 tháng 6 năm 2024"


def test_restore_reads_stdin_and_writes_stdout():
    result = cli("restore", "-", stdin="Trién khai thuc hién Nghi quyét so 47/NQ-CP\n".encode())
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode() == "Triển khai thực hiện Nghị quyết số 47/NQ-CP\n"


@pytest.mark.slow
def test_restore_old_tone_style():
    result = cli("restore", "-", "--profile", "clean", "--style", "old", stdin="Hòa bình, thủy lợi\n".encode())
    assert result.stdout.decode() == "Hoà bình, thuỷ lợi\n"


@pytest.mark.slow
def test_parse_gives_valid_document_json(tmp_path):
    out = tmp_path / "doc.json"
    result = cli("parse", str(SAMPLE), "-o", str(out))
    assert result.returncode == 0, result.stderr.decode()
    document = json.loads(out.read_text(encoding="utf-8"))
    validate(document)
    assert document["schema_version"] == "2.1"
    assert document["source"]["kind"] == "text"
    assert document["document"]["number"] == "267/KH-UBND"
    assert document["document"]["issued_date"] == "2024-06-27"
    assert document["restoration"]["profile"] == "legacy"
    assert document["restoration"]["changed"] > 1000
    assert {"III.1.a", "III.5.c"} <= {task["id"] for task in document["tasks"]}


@pytest.mark.slow
def test_parse_without_restoration_keeps_the_text(tmp_path):
    result = cli("parse", str(SAMPLE), "--no-restore")
    document = json.loads(result.stdout)
    validate(document)
    assert document["restoration"] is None


@pytest.mark.slow
def test_run_writes_every_output(sample_run):
    normalized = (sample_run / "normalized" / "kh-267-ocr.txt").read_text(encoding="utf-8")
    assert "Ủy ban nhân dân tỉnh ban hành Kế hoạch" in normalized
    validate(json.loads((sample_run / "outputs" / "kh-267-ocr.json").read_text(encoding="utf-8")))
    assert (sample_run / "outputs" / "tasks.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # BOM for Excel
    tasks = pd.read_csv(sample_run / "outputs" / "tasks.csv", encoding="utf-8-sig")
    documents = pd.read_csv(sample_run / "outputs" / "documents.csv", encoding="utf-8-sig")
    assert list(documents["doc_number"]) == ["267/KH-UBND"]
    assert "III.2.a" in set(tasks["task_id"])
    assert tasks["text"].str.contains("Tăng cường công tác phối hợp").any()


@pytest.mark.parametrize("name, content, message", [
    ("missing.txt", None, "no such file"),
    ("empty.txt", b"", "empty"),
    ("junk.bin", bytes(range(256)) * 40, "binary"),
    ("scan.pdf", bytes(range(256)) * 40, "named .pdf but not a pdf: damaged"),
])
def test_bad_input_gets_one_line_error(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = cli("parse", str(path))
    assert result.returncode == InputError.exit_code
    error = result.stderr.decode().strip()
    assert len(error.splitlines()) == 1 and error.startswith("error: ")
    assert message in error.lower()
    assert "Traceback" not in error


def test_a_line_of_300000_characters_is_read_in_linear_time(tmp_path):
    """A text layer or a pasted page may hold one huge line: a run of letters and digits without a space,
    comma or "@", and a run of hyphenated pieces. Patterns that rescan such a run from each position took
    hours on it; read in linear time it parses within the CLI helper's timeout, with its few tasks."""
    path = tmp_path / "one-line.txt"
    path.write_text("Kế hoạch số 12 " + "ab1c" * 37_500 + " " + "xy-" * 50_000 + "\n", encoding="utf-8")
    result = cli("parse", str(path), "-o", str(tmp_path / "one-line.json"))
    assert result.returncode == 0, result.stderr.decode()
    document = json.loads((tmp_path / "one-line.json").read_text(encoding="utf-8"))
    assert document["tasks"] == []
    assert len(document["lines"][0]["text"]) > 300_000


@pytest.mark.slow
def test_folder_without_supported_files(tmp_path):
    (tmp_path / "notes.xlsx").write_bytes(b"PK\x03\x04")
    result = cli("run", str(tmp_path), "--out-dir", str(tmp_path / "o"), "--normalized-dir", str(tmp_path / "n"))
    assert result.returncode == InputError.exit_code
    assert "no supported files" in result.stderr.decode()


def cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: letters with their vowel marks, tones as combining marks."""
    decomposed = unicodedata.normalize("NFD", text)
    return regex.sub(r"\p{L}[\u0302\u0306\u031b]", lambda m: unicodedata.normalize("NFC", m[0]), decomposed).encode("cp1258")


@pytest.mark.slow
@pytest.mark.parametrize("encode", [cp1258, lambda text: text.encode("utf-16")], ids=["cp1258", "utf-16"])
def test_other_text_encodings_are_read(tmp_path, encode):
    path = tmp_path / "doc.txt"
    path.write_bytes(encode("Số: 267/KH-UBND Thừa Thiên Huế, ngày 27 tháng 6 năm 2024\n"))
    result = cli("restore", str(path), "--profile", "clean")
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode() == "Số: 267/KH-UBND Thừa Thiên Huế, ngày 27 tháng 6 năm 2024\n"


@pytest.mark.slow
def test_run_goes_on_past_bad_files(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a-good.txt").write_bytes(SAMPLE.read_bytes())
    (inputs / "b-empty.txt").write_bytes(b"")
    (inputs / "c-junk.pdf").write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 8)
    (inputs / "d good copy.txt").write_bytes(SAMPLE.read_bytes())
    out, normalized = tmp_path / "outputs", tmp_path / "normalized"
    result = cli("run", str(inputs), "--out-dir", str(out), "--normalized-dir", str(normalized), "--jobs", "2")
    assert result.returncode == BatchFailures.exit_code
    assert sorted(p.name for p in out.glob("*.json")) == ["a-good.json", "d good copy.json"]
    errors = pd.read_csv(out / "errors.csv", encoding="utf-8-sig")
    assert sorted(Path(p).name for p in errors["source_path"]) == ["b-empty.txt", "c-junk.pdf"]
    assert errors["message"].notna().all()
    documents = pd.read_csv(out / "documents.csv", encoding="utf-8-sig")
    assert len(documents) == 2


@pytest.mark.slow
def test_bad_jobs_value():
    result = cli("run", "--jobs", "0")
    assert result.returncode != 0
    assert "--jobs" in result.stderr.decode()


@pytest.mark.slow
def test_decompression_bomb_image_is_an_input_error(tmp_path):
    bomb = tmp_path / "bomb.png"
    Image.new("1", (20_000, 20_000), 1).save(bomb)  # 90 KB on disk, 400 million pixels once opened
    result = cli("parse", str(bomb))
    assert result.returncode == InputError.exit_code
    error = result.stderr.decode().strip()
    assert len(error.splitlines()) == 1 and "decompression bomb" in error


@pytest.mark.slow
def test_outline_nested_past_the_recursion_limit(tmp_path):
    lines = ["KẾ HOẠCH", "Thực hiện nhiệm vụ năm 2024"]
    lines += [".".join(["1"] * depth) + f". Nội dung mục {depth}" for depth in range(1, 1201)]
    path = tmp_path / "deep.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli("parse", "--no-restore", str(path))
    assert result.returncode == 0, result.stderr.decode()[-500:]
    document = json.loads(result.stdout)
    validate(document)
    depth, sections = 0, document["sections"]
    while sections:
        depth, sections = depth + 1, sections[-1]["children"]
    assert depth == 32
    assert [w["code"] for w in document["warnings"]].count("outline_too_deep") == 1
