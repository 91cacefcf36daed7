"""Writing files: atomically into place, or streamed into what `-o` names.

Every file is written to a temporary name and renamed into place, so a run
killed at any moment leaves either the old file or the new one, never half
of one. Nothing but a regular file is ever replaced.
"""
from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from pipeline.errors import InputError

STDOUT = "-"
# Text given in pieces is encoded and written this many characters at a time: the JSON encoder's
# pieces are a few characters each, and writing each on its own costs more than encoding them.
BATCH_CHARACTERS = 1 << 16
Content = str | bytes | Iterable[str]  # an iterable of str: text in pieces, written as they come


def batched_text(pieces: Iterable[str]) -> Iterator[str]:
    """The pieces joined into strings of about BATCH_CHARACTERS."""
    batch: list[str] = []
    size = 0
    for piece in pieces:
        batch.append(piece)
        size += len(piece)
        if size >= BATCH_CHARACTERS:
            yield "".join(batch)
            batch, size = [], 0
    if batch:
        yield "".join(batch)


def _encoded(data: Content) -> Iterator[bytes]:
    if isinstance(data, bytes):
        yield data
    elif isinstance(data, str):
        yield data.encode("utf-8")
    else:
        for text in batched_text(data):
            yield text.encode("utf-8")


def write_atomic(path: Path, data: Content) -> None:
    """Write `path` whole or not at all: a temporary file beside it, renamed over it.

    A symbolic link is followed, so its target gets the new content and the link
    stays. Only a regular file (or nothing) is ever replaced; anything else at the
    path, or a folder that cannot be written, is an InputError saying so.
    """
    path = Path(os.path.realpath(path)) if os.path.islink(path) else Path(path)
    existing = _existing(path)
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        what = "a folder" if stat.S_ISDIR(existing.st_mode) else "not a regular file"
        raise InputError(f"{path}: {what}; not replacing it")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # A short temporary name: one built from a long output name would itself be too long.
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".tmp")
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror}") from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            for piece in _encoded(data):
                handle.write(piece)
            handle.flush()
            os.fsync(handle.fileno())
        # Temporary files are private; outputs are for others to read, and a replaced file keeps its mode.
        os.chmod(temporary, stat.S_IMODE(existing.st_mode) if existing is not None else 0o644)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise InputError(f"{path}: cannot write: {exc.strerror}") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_output(target: str | Path, data: Content) -> None:
    """What `-o TARGET` means: "-" is standard output; a FIFO or a character device
    (a terminal, a pipe, a null device) is written into as a stream; anything else
    is written atomically (write_atomic), following a symbolic link to its target."""
    if str(target) == STDOUT:
        sys.stdout.flush()
        for piece in _encoded(data):
            sys.stdout.buffer.write(piece)
        sys.stdout.buffer.flush()
        return
    existing = _existing(Path(target))
    if existing is None or not (stat.S_ISFIFO(existing.st_mode) or stat.S_ISCHR(existing.st_mode)):
        write_atomic(Path(target), data)
        return
    try:
        # Never created or truncated: the stream is there already and is not ours.
        descriptor = os.open(target, os.O_WRONLY)
        with os.fdopen(descriptor, "wb") as stream:
            for piece in _encoded(data):
                stream.write(piece)
    except OSError as exc:
        raise InputError(f"{target}: cannot write: {exc.strerror}") from None


def _existing(path: Path) -> os.stat_result | None:
    """What is at `path` (following links), None when nothing is; an unreachable path is an InputError."""
    try:
        return os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror}") from None
