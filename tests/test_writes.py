"""What `-o` and the output folder may write to: streams are streamed into, links followed, nothing else replaced.

Every case goes through the real CLI. The device is a pseudo-terminal this test
opens itself; the machine's own devices are never touched.
"""
from __future__ import annotations

import ctypes
import json
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import tty
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.manifest import Manifest

ROOT = Path(__file__).resolve().parents[1]
# From <linux/prctl.h> and <linux/capability.h>.
PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 24, 1, 2
TEXT = "Số: 267/KH-UBND Thừa Thiên Huế, ngày 27 tháng 6 năm 2024\n"


def cli(*args: str, without_root_powers: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120,
                          preexec_fn=drop_permission_override if without_root_powers else None)


def drop_permission_override() -> None:
    """In the child, before exec: root too must obey file permissions (tests often run as root in CI)."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0 and os.geteuid() == 0:
            raise OSError(ctypes.get_errno(), "cannot drop a capability")


def one_line_error(result: subprocess.CompletedProcess, code: int = InputError.exit_code) -> str:
    error = result.stderr.decode().strip()
    assert result.returncode == code, error
    assert len(error.splitlines()) == 1 and error.startswith("error: "), error
    return error


@pytest.fixture
def source(tmp_path) -> Path:
    path = tmp_path / "in.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


def restore_to(source: Path, target: Path | str) -> subprocess.CompletedProcess:
    return cli("restore", str(source), "--profile", "clean", "-o", str(target))


def read_fifo(path: Path, into: list[bytes]) -> threading.Thread:
    def reader():
        with open(path, "rb") as fifo:
            into.append(fifo.read())
    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("through_link", [False, pytest.param(True, marks=pytest.mark.slow)], ids=["fifo", "link-to-fifo"])
def test_fifo_is_streamed_into_and_stays_a_fifo(tmp_path, source, through_link):
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    target = fifo
    if through_link:
        target = tmp_path / "link"
        target.symlink_to(fifo)
    received: list[bytes] = []
    reader = read_fifo(fifo, received)
    result = restore_to(source, target)
    reader.join(30)
    assert result.returncode == 0, result.stderr.decode()
    assert received == [TEXT.encode()]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and target.is_symlink() == through_link
    assert set(os.listdir(tmp_path)) == {"in.txt", "out.fifo"} | ({"link"} if through_link else set())


@pytest.mark.slow
def test_character_device_is_streamed_into_and_stays_a_device(source):
    primary, secondary = os.openpty()  # a terminal of our own, not a device of the machine's
    try:
        tty.setraw(secondary)  # no newline translation: the bytes arrive as written
        device = Path(os.ttyname(secondary))
        result = restore_to(source, device)
        assert result.returncode == 0, result.stderr.decode()
        received = b""
        while len(received) < len(TEXT.encode()):
            received += os.read(primary, 4096)
        assert received == TEXT.encode()
        assert stat.S_ISCHR(os.stat(device).st_mode)
    finally:
        os.close(primary)
        os.close(secondary)


@pytest.mark.slow
def test_dash_is_standard_output(source):
    result = restore_to(source, "-")
    assert result.returncode == 0
    assert result.stdout.decode() == TEXT


@pytest.mark.slow
def test_symlink_to_a_file_writes_the_target_and_keeps_the_link(tmp_path, source):
    target = tmp_path / "real" / "restored.txt"
    target.parent.mkdir()
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o600)
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    result = restore_to(source, link)
    assert result.returncode == 0, result.stderr.decode()
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text(encoding="utf-8") == TEXT
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # the file it replaced kept its permissions
    assert sorted(p.name for p in target.parent.iterdir()) == ["restored.txt"]  # no temporary file left


def test_socket_is_not_replaced(tmp_path, source):
    path = tmp_path / "s.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    try:
        error = one_line_error(restore_to(source, path))
        assert "not a regular file" in error
        assert stat.S_ISSOCK(os.lstat(path).st_mode)
    finally:
        server.close()


@pytest.mark.slow
def test_folder_is_not_replaced(tmp_path, source):
    folder = tmp_path / "results"
    folder.mkdir()
    (folder / "keep.txt").write_text("kept", encoding="utf-8")
    for command in (["restore", str(source), "--profile", "clean"], ["parse", str(source), "--no-restore"]):
        error = one_line_error(cli(*command, "-o", str(folder)))
        assert "a folder" in error
    assert (folder / "keep.txt").read_text(encoding="utf-8") == "kept"


@pytest.mark.slow
def test_name_too_long_is_an_input_error(tmp_path, source):
    longest = tmp_path / ("ệ" * 85)  # 255 bytes: the longest name the file system takes
    result = restore_to(source, longest)
    assert result.returncode == 0, result.stderr.decode()
    assert longest.read_text(encoding="utf-8") == TEXT
    error = one_line_error(restore_to(source, tmp_path / ("a" + "ệ" * 85)))
    assert "too long" in error.lower()


@pytest.fixture
def read_only_folder():
    """A folder the CLI may not write into."""
    folder = Path(tempfile.mkdtemp(prefix="read-only-"))
    (folder / "in.txt").write_text(TEXT, encoding="utf-8")
    folder.chmod(0o555)
    (folder / "in.txt").chmod(0o444)
    yield folder
    folder.chmod(0o755)
    shutil.rmtree(folder)


@pytest.mark.slow
def test_read_only_folder_is_an_input_error(read_only_folder):
    result = cli("restore", str(read_only_folder / "in.txt"), "--profile", "clean",
                 "-o", str(read_only_folder / "out.txt"), without_root_powers=True)
    assert "permission denied" in one_line_error(result).lower()
    assert sorted(p.name for p in read_only_folder.iterdir()) == ["in.txt"]


@pytest.mark.slow
def test_export_streams_into_a_fifo(tmp_path, machine_json):
    data = tmp_path / "outputs"
    data.mkdir()
    (data / "kh-267.json").write_text(machine_json, encoding="utf-8")
    fifo = tmp_path / "tasks.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = read_fifo(fifo, received)
    result = cli("export", "--data", str(data), "--format", "jsonl", "-o", str(fifo))
    reader.join(30)
    assert result.returncode == 0, result.stderr.decode()
    assert len(received[0].decode().splitlines()) == 14
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def serve(data: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipeline", "serve", "--port", "0", "--data", str(data), *extra],
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stderr=subprocess.PIPE,
                            preexec_fn=drop_permission_override)


@pytest.mark.slow
def test_read_only_data_folder_gives_a_clear_error_on_correction(read_only_folder, machine_json):
    read_only_folder.chmod(0o755)
    (read_only_folder / "kh.json").write_text(machine_json, encoding="utf-8")
    with Manifest(read_only_folder / "manifest.sqlite"):  # written by an earlier run, before uploads were kept
        pass
    read_only_folder.chmod(0o555)
    server = serve(read_only_folder)
    try:
        log = b""
        while not (found := re.search(rb"http://[\d.]+:\d+/", log)):
            line = server.stderr.readline()
            assert line, f"the server stopped: {log.decode()}"
            log += line
        assert b"uploads are unavailable" in log  # said once at start, not on every page
        address = found[0].decode()
        for url in ("", "documents/kh", "tasks"):
            with urllib.request.urlopen(address + url, timeout=30) as page:
                assert page.status == 200  # reading works
        request = urllib.request.Request(address + "api/documents/kh/tasks/III.1.a", method="POST",
                                         data=json.dumps({"field": "deadline", "value": "2025-01-01"}).encode(),
                                         headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(request, timeout=30)
        assert answer.value.code == 503
        assert "không ghi được" in json.loads(answer.value.read())["error"]
        boundary = "b0undary"
        form = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\n"
                f"{TEXT}\r\n--{boundary}--\r\n").encode()
        upload = urllib.request.Request(address + "upload", method="POST", data=form,
                                        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(upload, timeout=30)
        assert answer.value.code == 503 and "không ghi được" in answer.value.read().decode()
    finally:
        server.terminate()
        server.wait(30)


@pytest.mark.slow
def test_serve_blames_the_folder_not_the_port(read_only_folder):
    server = serve(read_only_folder / "new")
    _, stderr = server.communicate(timeout=60)
    error = stderr.decode().strip()
    assert server.returncode == InputError.exit_code, error
    assert "cannot create the data folder" in error and "port" not in error
