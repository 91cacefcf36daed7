"""The document model: plain dataclasses passed from stage to stage.

One `Document` flows through ingest -> restore -> normalize -> parse -> export.
Each stage fills in its own fields and leaves the others alone, so a stage can
be run, tested and replaced on its own.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

SCHEMA_VERSION = "1.1"  # 1.1 added the optional top-level "lines"


@dataclass
class Source:
    """The input file as received."""

    path: str
    sha256: str
    kind: str  # "text", "pdf-text", "pdf-scan", "pdf-mixed", "image"
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
    # OCR only: one confidence (0..1) per space-separated word of `original`,
    # so the restorer can try its least certain words first.
    word_confidences: list[float] | None = None


@dataclass
class TokenRestoration:
    """A word the restorer changed or was unsure about."""

    line: int
    start: int  # character offset in the restored line
    original: str
    restored: str
    confidence: float  # posterior probability of the chosen form, 0..1
    alternatives: list[str] = field(default_factory=list)


@dataclass
class RestorationReport:
    profile: str = ""  # the OCR channel assumed: legacy, tesseract, clean, stripped
    tokens: int = 0
    changed: int = 0
    low_confidence: int = 0
    items: list[TokenRestoration] = field(default_factory=list)  # changed or low-confidence words


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
    product: str | None = None
    budget: str | None = None
    kind: str = "task"  # "task", or "reporting" for reporting duties
    lines: tuple[int, int] = (0, 0)
    page: int | None = None
    inferred: list[str] = field(default_factory=list)  # fields not read on the item itself
    confidence: float = 1.0


@dataclass
class Document:
    source: Source
    lines: list[Line]
    meta: DocumentMeta = field(default_factory=DocumentMeta)
    sections: list[Section] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    restoration: RestorationReport | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    def to_dict(self) -> dict[str, Any]:
        """The versioned JSON form, described by `schema/document.schema.json`."""
        meta = asdict(self.meta)
        restoration = asdict(self.restoration) if self.restoration else None
        return {
            "schema_version": SCHEMA_VERSION,
            "source": asdict(self.source),
            "document": meta,
            "sections": [asdict(s) for s in self.sections],
            "tasks": [asdict(t) for t in self.tasks],
            "restoration": restoration,
            "warnings": list(self.warnings),
            # The reviewer shows each OCR line beside its restored form and crops the scan by its box.
            "lines": [{"number": line.number, "page": line.page, "text": line.text, "original": line.original,
                       "bbox": list(line.bbox) if line.bbox else None, "ocr_confidence": line.ocr_confidence}
                      for line in self.lines],
        }
