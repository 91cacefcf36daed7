"""The document model: plain dataclasses passed from stage to stage.

One `Document` flows through ingest -> restore -> normalize -> parse -> export.
Each stage fills in its own fields and leaves the others alone, so a stage can
be run, tested and replaced on its own.
"""
from __future__ import annotations

import calendar
import functools
import sys
import types
import typing
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from datetime import date
from typing import Any

SCHEMA_VERSION = "2.1"  # 1.1 added the optional top-level "lines"; 2.0 made warnings objects, added Task.part;
# 2.1 added Task.annual_due


@dataclass
class Source:
    """The input file as received."""

    path: str
    sha256: str
    kind: str  # "text", "pdf-text", "pdf-scan", "pdf-mixed", "image", "docx", "doc", "odt", "rtf", "html", "markdown"
    pages: int = 1
    encoding: str | None = None  # for text inputs: the encoding it was decoded from
    scan_pages: list[PageQuality] = field(default_factory=list)  # OCR'd pages only


@dataclass
class PageQuality:
    """How an OCR'd page was read, so a clerk can be sent to the pages worth a look."""

    page: int
    rotation: int = 0  # degrees the page was turned clockwise to stand upright
    skew: float = 0.0  # degrees the text leaned, straightened before OCR
    confidence: float | None = None  # mean Tesseract word confidence, 0..1
    doubted: float | None = None  # share of the page's words the restorer is unsure of
    flagged: bool = False  # worth a clerk's look: low confidence or many doubted words


# The characters an OCR engine weighed for one character it wrote, with their confidence (0..1), likeliest
# first; a word's have one such group per character (pipeline.ingest.hocr, pipeline.restore.readings).
CharacterReadings = tuple[tuple[str, float], ...]
WordReadings = tuple[CharacterReadings, ...]


@dataclass
class Line:
    """One line of text with where it came from.

    `number` is the 1-based line number in the normalized text (there is one
    normalized line per ingested line, so it is also the ingest line number).
    `original` keeps the text as ingested (OCR output) so a reviewer can
    compare; `text` is what later stages read and is rewritten by restore and
    normalize.
    """

    number: int
    text: str
    original: str
    page: int = 1
    bbox: tuple[int, int, int, int] | None = None  # x0, y0, x1, y1 in page pixels, OCR only
    ocr_confidence: float | None = None  # mean Tesseract word confidence, 0..1
    # OCR only: Tesseract's confidence (0..1) in each whitespace-separated word of
    # `original`, capped on pages whose letters were too small to read their tone marks
    # (pipeline.ingest.ocr.SMALL_LETTERS_CONFIDENCE); the restorer decides the doubtful
    # ones by context (pipeline.restore).
    word_confidences: list[float] | None = None
    # OCR only, not written to JSON: for each word of `original`, the readings Tesseract weighed for
    # each of its characters (pipeline.ingest.hocr.HocrWord.readings), None for a word read without
    # doubt; None for a line of such words only. The restorer builds candidates from them.
    word_readings: list[WordReadings | None] | None = None
    # Office and web inputs: where the line was read, "p12" (the 12th body
    # paragraph, from 0), "t2.r3.c1" (a table cell) or "t2.r3" (a table row
    # written as tab-separated cells).
    origin: str | None = None


@dataclass(slots=True)
class TokenRestoration:
    """A word the restorer changed or was unsure about."""

    line: int
    start: int  # character offset in the restored line
    original: str
    restored: str
    confidence: float  # posterior probability of the chosen form, 0..1
    alternatives: list[str] = field(default_factory=list)


_THOUSANDTHS = tuple(k / 1000 for k in range(1001))  # one float object per confidence an item can have


class TokenRestorations(Sequence[TokenRestoration]):
    """The restorer's items of a text, 14 bytes a word: text without marks has one for nearly every
    word, and as objects the items of a 5 MB text took 300 MB. Each item is a line, an offset, a
    confidence in thousandths and the index of its (original, restored, alternatives) spelling, kept
    once; the TokenRestoration objects are made when read."""

    def __init__(self):
        self._lines, self._starts = array("I"), array("I")
        self._confidences = array("H")  # thousandths: confidences are rounded to three places
        self._spellings = array("I")
        self._spelling_table: list[tuple[str, str, tuple[str, ...]]] = []
        self._spelling_index: dict[tuple[str, str, tuple[str, ...]], int] = {}

    def append(self, line: int, start: int, original: str, restored: str, confidence: float,
               alternatives: Sequence[str] = ()) -> None:
        spelling = (sys.intern(original), sys.intern(restored), tuple(sys.intern(a) for a in alternatives))
        index = self._spelling_index.get(spelling)
        if index is None:
            index = self._spelling_index[spelling] = len(self._spelling_table)
            self._spelling_table.append(spelling)
        self._lines.append(line)
        self._starts.append(start)
        self._confidences.append(round(round(confidence, 3) * 1000))  # exactly round(confidence, 3) once read
        self._spellings.append(index)

    @staticmethod
    def holds(line: Any, start: Any, original: Any, restored: Any, confidence: Any, alternatives: Any) -> bool:
        """Whether an item of these fields (read from JSON, say) would be read back from here exactly as it is."""
        return (type(line) is int and type(start) is int and 0 <= line < 1 << 32 and 0 <= start < 1 << 32
                and type(original) is str and type(restored) is str
                and type(confidence) is float and 0.0 <= confidence <= 1.0
                and _THOUSANDTHS[round(confidence * 1000)] == confidence
                and type(alternatives) is list and all(type(a) is str for a in alternatives))

    def __len__(self) -> int:
        return len(self._lines)

    def __getitem__(self, index: int) -> TokenRestoration:
        original, restored, alternatives = self._spelling_table[self._spellings[index]]
        return TokenRestoration(self._lines[index], self._starts[index], original, restored,
                                _THOUSANDTHS[self._confidences[index]], list(alternatives))

    def __iter__(self) -> Iterator[TokenRestoration]:
        for line, start, confidence, spelling in zip(self._lines, self._starts, self._confidences, self._spellings):
            original, restored, alternatives = self._spelling_table[spelling]
            yield TokenRestoration(line, start, original, restored, _THOUSANDTHS[confidence], list(alternatives))

    @property
    def line_numbers(self) -> Sequence[int]:
        """Each item's line, without making the items (read only)."""
        return self._lines

    def start_of(self, index: int) -> int:
        return self._starts[index]

    def move(self, index: int, start: int) -> None:
        """The item now begins at `start` in its line (normalization moved its word)."""
        self._starts[index] = start

    def respell(self, spell: Callable[[str], str]) -> None:
        """Each restored form and alternative spelled by `spell`, called once for each distinct spelling
        rather than for each item."""
        self._spelling_table = [(original, sys.intern(spell(restored)),
                                 tuple(sys.intern(spell(a)) for a in alternatives))
                                for original, restored, alternatives in self._spelling_table]
        self._spelling_index = {spelling: index for index, spelling in enumerate(self._spelling_table)}

    def as_dicts(self) -> Iterator[dict[str, Any]]:
        """The items in their JSON form (asdict of each TokenRestoration), made one at a time."""
        for line, start, confidence, spelling in zip(self._lines, self._starts, self._confidences, self._spellings):
            original, restored, alternatives = self._spelling_table[spelling]
            yield {"line": line, "start": start, "original": original, "restored": restored,
                   "confidence": _THOUSANDTHS[confidence], "alternatives": list(alternatives)}


def item_lines(items: Sequence[TokenRestoration]) -> Sequence[int]:
    """The line of each restoration item, read without making item objects where they are kept compactly."""
    return items.line_numbers if isinstance(items, TokenRestorations) else [item.line for item in items]


@dataclass
class RestorationReport:
    profile: str = ""  # the OCR channel assumed: legacy, tesseract, clean, stripped
    tokens: int = 0
    changed: int = 0
    low_confidence: int = 0
    # Changed or low-confidence words; from the restorer a TokenRestorations, from JSON a list.
    items: Sequence[TokenRestoration] = field(default_factory=list)


@dataclass
class Signer:
    name: str | None = None
    title: str | None = None  # "Chủ tịch", "Phó Chủ tịch", "Giám đốc" ...
    authority: str | None = None  # "TM.", "KT.", "TL.", "Q.", "TUQ."


@dataclass
class Reference:
    """A document cited in the text, e.g. "Kết luận số 57-KL/TW ngày 15/6/2023"."""

    number: str
    type: str | None = None  # "Kết luận", "Nghị quyết", ...
    date: str | None = None  # ISO date when given


@dataclass
class DocumentMeta:
    issuer: str | None = None
    issuer_parent: str | None = None
    number: str | None = None
    doc_type: str | None = None
    issued_date: str | None = None
    place: str | None = None
    title: str | None = None
    signer: Signer = field(default_factory=Signer)
    recipients: list[str] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)


@dataclass
class Section:
    """A node of the outline: "III", "III.1", "III.1.a" ..."""

    id: str
    label: str  # the marker as written: "III", "1", "a", "-"
    kind: str  # "roman", "number", "letter", "bullet", "part", "chapter", "article", ...
    title: str
    lines: tuple[int, int]  # first and last line of the node's own text
    children: list[Section] = field(default_factory=list)


@dataclass
class Task:
    id: str
    path: list[str]
    section_title: str
    text: str
    activities: list[str] = field(default_factory=list)  # bullets inside the item
    lead_units: list[str] = field(default_factory=list)
    support_units: list[str] = field(default_factory=list)
    units_text: str | None = None
    timeline_text: str | None = None
    deadline: str | None = None  # ISO date
    start: str | None = None  # ISO date, for ranges
    recurrence: str | None = None  # "continuous", "periodic", "annual", ...
    period: str | None = None  # "month", "quarter", "half-year", "year"
    annual_due: str | None = None  # "MM-DD": a yearly duty due that day every year (its deadline is then None)
    product: str | None = None
    budget: str | None = None
    kind: str = "task"  # "task", or "reporting" for reporting duties
    lines: tuple[int, int] = (0, 0)
    page: int | None = None
    inferred: list[str] = field(default_factory=list)  # fields not read on the item itself
    confidence: float = 1.0
    part: str | None = None  # the attachment holding the task ("Kế hoạch", "Phụ lục"); None in the main text

    def yearly_due_from(self, since: date) -> date:
        """The first day on or after `since` that a yearly duty (`annual_due`) falls due; 29 February
        falls on the 28th in common years."""
        month, day = (int(part) for part in self.annual_due.split("-"))

        def in_year(year: int) -> date:
            return date(year, month, min(day, calendar.monthrange(year, month)[1]))

        return in_year(since.year) if in_year(since.year) >= since else in_year(since.year + 1)


@dataclass
class DocumentWarning:
    """Something a clerk should check: a stable `code` for machines ("no_tasks",
    "task_without_unit" …), a Vietnamese `message` for people, the line when there is one."""

    code: str
    message: str
    line: int | None = None


@dataclass
class Document:
    source: Source
    lines: list[Line]
    meta: DocumentMeta = field(default_factory=DocumentMeta)
    sections: list[Section] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    restoration: RestorationReport | None = None
    warnings: list[DocumentWarning] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    def to_dict(self, streamed: bool = False) -> dict[str, Any]:
        """The versioned JSON form, described by `schema/document.schema.json`.

        `streamed`: the restoration items are a list made item by item as json's iterencode writes it
        (see _StreamedItems), for a writer that streams the JSON; it is empty to anything else."""
        meta = asdict(self.meta)
        restoration = _restoration_dict(self.restoration, streamed) if self.restoration else None
        return {
            "schema_version": SCHEMA_VERSION,
            "source": asdict(self.source),
            "document": meta,
            "sections": [asdict(s) for s in self.sections],
            "tasks": [asdict(t) for t in self.tasks],
            "restoration": restoration,
            "warnings": [asdict(w) for w in self.warnings],
            # The reviewer shows each OCR line beside its restored form and crops the scan by its box.
            "lines": [{"number": line.number, "page": line.page, "text": line.text, "original": line.original,
                       "bbox": list(line.bbox) if line.bbox else None, "ocr_confidence": line.ocr_confidence,
                       "origin": line.origin}
                      for line in self.lines],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        """The document from its JSON form (to_dict's output); TypeError or KeyError when it is not one.

        Each part is rebuilt by its dataclass's own fields and types, so a field added to a part is read
        back without a change here.
        """
        if not isinstance(data, dict) or not isinstance(data.get("schema_version"), str):
            raise TypeError("not a document: no schema_version")
        return cls(source=_from_json(Source, data["source"]),
                   lines=[_from_json(Line, line) for line in data.get("lines", [])],
                   meta=_from_json(DocumentMeta, data["document"]),
                   sections=_from_json(list[Section], data["sections"]),
                   tasks=_from_json(list[Task], data["tasks"]),
                   restoration=_from_json(RestorationReport | None, data["restoration"]),
                   warnings=[_warning(w) for w in data["warnings"]])


class _StreamedItems(list):
    """Restoration items for json's JSONEncoder.iterencode, which reads a list by its length and by
    iterating it: each item's dict is made as it is written, never all at once. Anything reading the
    list's own storage instead (json.dumps's C encoder, ==, slicing) sees an empty list."""

    def __init__(self, items: TokenRestorations):
        super().__init__()
        self._items = items

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self._items.as_dicts()


def _restoration_dict(report: RestorationReport, streamed: bool) -> dict[str, Any]:
    """asdict(report), without a dict for every item at once when its items are kept compactly."""
    items = report.items
    if isinstance(items, TokenRestorations):
        item_dicts = _StreamedItems(items) if streamed else list(items.as_dicts())
    else:
        item_dicts = [asdict(item) for item in items]
    return {**{f.name: getattr(report, f.name) for f in fields(report) if f.name != "items"}, "items": item_dicts}


def _warning(value: Any) -> DocumentWarning:
    """A warning as JSON holds it; before schema 2.0 it was a plain sentence, kept as an unclassified one."""
    if isinstance(value, str):
        return DocumentWarning(code="unclassified", message=value)
    return _from_json(DocumentWarning, value)


@functools.cache
def _type_hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)


def _from_json(kind: Any, value: Any) -> Any:
    """`value`, read from JSON, as the type `kind` (a dataclass, a list, tuple or optional of one, or plain)."""
    if value is None:
        return None
    if is_dataclass(kind):
        if not isinstance(value, dict):
            raise TypeError(f"{kind.__name__}: expected an object, not {type(value).__name__}")
        hints = _type_hints(kind)
        return kind(**{f.name: _from_json(hints[f.name], value[f.name]) for f in fields(kind) if f.name in value})
    origin, arguments = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        return _from_json(next(a for a in arguments if a is not type(None)), value)
    if origin in (list, Sequence):
        if not isinstance(value, list):
            raise TypeError(f"expected a list, not {type(value).__name__}")
        return [_from_json(arguments[0], item) for item in value]
    if origin is tuple:
        return tuple(value)
    return value

