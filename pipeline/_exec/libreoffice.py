"""LibreOffice headless: convert .doc, .odt and .rtf documents to .docx.

The converted file is then read by the same .docx reader as Word's own
files, so paragraphs, tables, list numbering and per-run fonts (legacy
Vietnamese fonts) come out the same way for every format.

Each call gets its own throw-away user profile: LibreOffice refuses to run
twice on one profile, and a fresh profile carries no trusted macro locations.
Macros are never run on conversion (the default security level asks first,
and headless nobody answers); macro-bearing files are refused before this anyway.
"""
from __future__ import annotations

import functools
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from pipeline.errors import InputError, MissingDependencyError

PROGRAMS = ("soffice", "libreoffice")
# 7.x converts Word 97 files with their list numbering as Word shows it.
MIN_VERSION = (7, 0)
VERSION_CHECK_TIMEOUT = 60
CONVERT_TIMEOUT = 180

_APT_PACKAGE = "libreoffice-writer-nogui"


def _program() -> str:
    for name in PROGRAMS:
        found = shutil.which(name)
        if found:
            return found
    raise MissingDependencyError(
        f"LibreOffice is not installed (needed for .doc, .odt and .rtf files);"
        f" install it with: sudo apt-get install {_APT_PACKAGE} (or run: make install)"
    )


def _run(args: list[str], profile: Path, timeout: float) -> subprocess.CompletedProcess:
    command = [_program(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--nolockcheck", *args]
    return subprocess.run(command, capture_output=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL)


@functools.cache
def version() -> tuple[int, ...]:
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        completed = _run(["--version"], Path(profile), VERSION_CHECK_TIMEOUT)
    output = (completed.stdout + completed.stderr).decode(errors="replace")
    match = re.search(r"LibreOffice (\d+)\.(\d+)", output)
    if not match:
        raise MissingDependencyError(f"could not read the version of LibreOffice from its output: {output.strip()[:80]!r}")
    return int(match.group(1)), int(match.group(2))


def check() -> None:
    found = version()
    if found < MIN_VERSION:
        raise MissingDependencyError(
            f"LibreOffice {'.'.join(map(str, found))} is too old, {'.'.join(map(str, MIN_VERSION))} or newer is needed;"
            f" install it with: sudo apt-get install {_APT_PACKAGE} (or run: make install)"
        )


def convert_to_docx(path: Path, kind: str, workdir: Path, label: str, timeout: float = CONVERT_TIMEOUT) -> Path:
    """Convert `path` (a "doc", "odt" or "rtf" file, told by its bytes) to a .docx in `workdir`.

    `label` names the input in errors.
    """
    check()
    # LibreOffice picks the import filter from the name: a copy named by its
    # kind also keeps odd characters of the user's file name off the command line.
    source = workdir / f"input.{kind}"
    shutil.copyfile(path, source)
    out_dir = workdir / "converted"
    out_dir.mkdir()
    args = ["--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out_dir), str(source)]
    try:
        completed = _run(args, workdir / "profile", timeout)
    except subprocess.TimeoutExpired:
        raise InputError(f"{label}: LibreOffice did not finish converting within {timeout:.0f} s") from None
    converted = out_dir / "input.docx"
    if completed.returncode != 0 or not converted.exists():
        message = completed.stderr.decode(errors="replace").strip().splitlines()
        detail = message[-1] if message else "no output"
        raise InputError(f"{label}: damaged document, LibreOffice could not open it ({detail[:100]})")
    return converted
