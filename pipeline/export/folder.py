"""An output folder as the reviewer reads it: each machine result with the clerk's corrections laid over.

The machine result is the per-document JSON written by `run`, `parse` or an
upload; it is read as a pipeline.model.Document (results written before
schema 2.0 too, see Document.from_dict), never written, here. What trackers
receive (exports, reports) is the `effective` task: a copy of the machine
task with the clerk's field corrections, and with the clerk's word
corrections carried into its text.
"""
from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import ijson
import regex

from pipeline.corrections import CorrectionStore, DocumentCorrections, WordCorrection, applying
from pipeline.errors import InputError
from pipeline.export.files import batched_text
from pipeline.export.lines import ReviewLine, each_review_line, stale_corrections
from pipeline.export.reading import load_document
from pipeline.model import Document, Task


class UnreadableDocument(InputError):
    """A *.json in an output folder that is not a document result; it is skipped with a warning."""


def read_document(path: Path) -> Document:
    """A per-document JSON file, its restoration items kept compactly (see reading.py);
    UnreadableDocument when it is broken or not one."""
    try:
        with open(path, "rb") as handle:
            return load_document(handle)
    except OSError as exc:
        raise UnreadableDocument(f"{path}: cannot read: {exc.strerror}") from None
    except (UnicodeDecodeError, ijson.JSONError) as exc:
        raise UnreadableDocument(f"{path}: not valid JSON ({exc})") from None
    except (TypeError, KeyError, ValueError) as exc:
        raise UnreadableDocument(f"{path}: not a document result of this pipeline ({exc})") from None


_DOCUMENT_ENCODER = json.JSONEncoder(ensure_ascii=False, indent=2)


def document_json(document: dict[str, Any]) -> str:
    """The per-document JSON text, as every writer of it writes it."""
    return "".join(document_json_chunks(document))


def document_json_chunks(document: dict[str, Any]) -> Iterator[str]:
    """document_json's text in pieces, to be written as they come: joined, the text of a large document
    (one item per word of a text without marks) takes several times its size in memory."""
    yield from _DOCUMENT_ENCODER.iterencode(document)
    yield "\n"


def document_json_bytes(document: dict[str, Any]) -> bytes:
    """document_json's text in UTF-8, encoded piece by piece (see document_json_chunks)."""
    buffer = io.BytesIO()
    for chunk in batched_text(document_json_chunks(document)):
        buffer.write(chunk.encode("utf-8"))
    return buffer.getvalue()


_SCHEMA = json.loads((Path(__file__).parents[1] / "schema" / "document.schema.json").read_text(encoding="utf-8"))
_TASK_PROPERTIES = _SCHEMA["properties"]["tasks"]["items"]["properties"]
RECURRENCES = tuple(_TASK_PROPERTIES["recurrence"]["enum"])
PERIODS = tuple(_TASK_PROPERTIES["period"]["enum"])
EDITABLE_TASK_FIELDS = ("text", "lead_units", "support_units", "deadline", "recurrence", "period")
LIST_FIELDS = ("lead_units", "support_units")


@dataclass
class ReviewedTask:
    document: str
    machine: Task
    effective: Task

    @property
    def corrected(self) -> list[str]:
        """Fields whose effective value is not the machine's, in the order of EDITABLE_TASK_FIELDS."""
        return [name for name in EDITABLE_TASK_FIELDS
                if getattr(self.effective, name) != getattr(self.machine, name)]

    @property
    def anchor(self) -> str:
        """The fragment of the document view that marks the task's lines (review.js reads it)."""
        first, last = self.machine.lines
        return f"L{first}-L{last}"

    @property
    def first_line_anchor(self) -> str:
        return f"L{self.machine.lines[0]}"


@dataclass
class ReviewedDocument:
    name: str
    machine: Document
    corrections: DocumentCorrections = field(default_factory=DocumentCorrections)

    @cached_property
    def _lines(self) -> list[ReviewLine]:
        return list(each_review_line(self.machine, self.corrections.words))

    @property
    def lines(self) -> list[ReviewLine]:
        return self._lines

    @cached_property
    def stale_corrections(self) -> list[WordCorrection]:
        return stale_corrections(self.machine, self.corrections.words)

    @property
    def has_lines(self) -> bool:
        """False for results written before the JSON kept its lines (schema 1.1)."""
        return bool(self.machine.lines)

    @cached_property
    def tasks(self) -> list[ReviewedTask]:
        reviewed = []
        for task in self.machine.tasks:
            fields = self.corrections.tasks.get(task.id, {})
            effective = replace(task, **{name: value for name, value in fields.items() if name in EDITABLE_TASK_FIELDS})
            if "text" not in fields and self.corrections.words:  # the text as it is when no word is corrected
                effective.text = carry_word_corrections(task.text, self._lines, *task.lines)
            reviewed.append(ReviewedTask(self.name, task, effective))
        return reviewed

    def summary(self) -> ReviewedDocument:
        """The document as tables, exports and the index read it: the same tasks, without the restoration
        items, and without the lines when no word correction is carried from them into a task, so that
        a folder's documents may be held at once."""
        restoration = self.machine.restoration
        machine = replace(self.machine, lines=self.machine.lines if self.corrections.words else [],
                          restoration=restoration and replace(restoration, items=[]))
        return ReviewedDocument(self.name, machine, self.corrections)

    def task(self, task_id: str) -> ReviewedTask | None:
        return next((t for t in self.tasks if t.machine.id == task_id), None)

    @property
    def low_confidence_share(self) -> float | None:
        restoration = self.machine.restoration
        if not restoration or not restoration.tokens:
            return None
        return restoration.low_confidence / restoration.tokens


def carry_word_corrections(text: str, lines: list[ReviewLine], first: int, last: int) -> str:
    """The task text with the clerk's word corrections from the task's lines.

    The task text is its lines joined, less item markers and field lines, so
    a word keeps its rank among the occurrences of the same spelling: the
    third "công" of the lines is the third "công" of the text.
    """
    seen: Counter[str] = Counter()
    replacements = []
    for line in lines[max(first, 1) - 1:last]:
        for word in line.words:
            seen[word.machine] += 1
            if word.corrected is None:
                continue
            occurrences = list(regex.finditer(rf"(?<![\p{{L}}\p{{M}}\p{{N}}]){regex.escape(word.machine)}"
                                              rf"(?![\p{{L}}\p{{M}}\p{{N}}])", text))
            if seen[word.machine] <= len(occurrences):
                match = occurrences[seen[word.machine] - 1]
                replacements.append((match.start(), match.end(), word.corrected))
    for start, end, corrected in sorted(replacements, reverse=True):
        text = text[:start] + corrected + text[end:]
    return text


class OutputFolder:
    """The per-document JSON files of one folder and the corrections beside them."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.corrections = CorrectionStore(self.path)
        self._cache: dict[Path, tuple[int, Document | None]] = {}  # read documents by path, with their mtime
        self.unreadable: dict[str, str] = {}  # file name -> why it is skipped, from the latest read

    def machine_results(self) -> dict[str, Document]:
        """Document name (file stem) -> machine result, by name."""
        found = {}
        for path in sorted(self.path.glob("*.json")):
            document = self._load(path)
            if document is not None:
                found[path.stem] = document
        return found

    def _load(self, path: Path) -> Document | None:
        """The document at `path`; None, noted in `unreadable`, for a broken file or one gone meanwhile."""
        try:
            mtime = path.stat().st_mtime_ns
        except FileNotFoundError:
            return None
        cached = self._cache.get(path)
        if cached is None or cached[0] != mtime:
            try:
                cached = (mtime, read_document(path))
                self.unreadable.pop(path.name, None)
            except UnreadableDocument as problem:
                cached = (mtime, None)
                self.unreadable[path.name] = str(problem)
            self._cache[path] = cached
        return cached[1]

    def documents(self) -> list[ReviewedDocument]:
        corrections = self.corrections.all()
        return [ReviewedDocument(name, machine, applying(corrections, name, machine.source.sha256))
                for name, machine in self.machine_results().items()]

    def each_document(self) -> Iterator[ReviewedDocument]:
        """documents(), read one at a time as they are asked for and not kept (nor taken from what
        earlier reads kept): a folder's largest document is the most held at once."""
        corrections = self.corrections.all()
        for path in sorted(self.path.glob("*.json")):
            try:
                machine = read_document(path)
            except UnreadableDocument as problem:
                if path.exists():  # not one gone meanwhile
                    self.unreadable[path.name] = str(problem)
                continue
            self.unreadable.pop(path.name, None)
            yield ReviewedDocument(path.stem, machine, applying(corrections, path.stem, machine.source.sha256))

    def document(self, name: str) -> ReviewedDocument | None:
        # Names come from URLs: only a document listed in this folder, never a path built from the name.
        path = next((p for p in self.path.glob("*.json") if p.stem == name), None)
        if path is None:
            return None
        machine = self._load(path)
        if machine is None:
            return None
        return ReviewedDocument(name, machine, self.corrections.for_document(name, machine.source.sha256))
