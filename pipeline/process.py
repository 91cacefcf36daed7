"""The pipeline as a Python API: one `Document` through the named stages.

    from pipeline.process import process_file
    doc = process_file(Path("raw/kh-267-ocr.txt"))
    doc.meta.number, [t.id for t in doc.tasks]

Each stage is a function of the document; the CLI and the batch runner are
thin layers over these.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.ingest import ingest
from pipeline.model import Document, RestorationReport
from pipeline.normalize import normalize_line, normalize_lines
from pipeline.parse import parse
from pipeline.quality import record_doubted_words
from pipeline.restore import AUTO, Restorer
from pipeline.vietnamese import MODERN


@dataclass(frozen=True)
class Options:
    restore: bool = True
    profile: str = AUTO  # which OCR channel to assume; "auto" decides from the text
    style: str = MODERN  # tone-mark placement: "modern" (hòa) or "old" (hoà)
    jobs: int = 1  # pages OCR'd at once
    pdf: bool = False  # also make a searchable PDF of scanned documents (`run --pdf`)


def read(path: Path, options: Options = Options()) -> Document:
    source, lines = ingest(path, jobs=options.jobs)
    return Document(source=source, lines=lines)


def restore(doc: Document, options: Options = Options()) -> Document:
    if not options.restore:
        return doc
    result = Restorer.default().restore_lines([line.text for line in doc.lines], options.profile,
                                              [line.word_confidences for line in doc.lines],
                                              [line.word_readings for line in doc.lines])
    for line, text in zip(doc.lines, result.lines):
        line.text = text
    doc.restoration = RestorationReport(
        profile=result.profile, tokens=result.tokens, changed=result.changed,
        low_confidence=len(result.low_confidence), items=result.items)
    return record_doubted_words(doc)


def normalize(doc: Document, options: Options = Options()) -> Document:
    items = doc.restoration.items if doc.restoration else ()
    for line, text in zip(doc.lines, normalize_lines([line.text for line in doc.lines], options.style, items)):
        line.text = text
    return doc


def structure(doc: Document, options: Options = Options()) -> Document:
    result = parse(doc.lines)
    doc.meta, doc.sections, doc.tasks = result.meta, result.sections, result.tasks
    doc.warnings.extend(result.warnings)
    return doc


@dataclass(frozen=True)
class Stage:
    label: str  # what the stage does, in words a clerk reads while waiting (Vietnamese)
    run: Callable[[Document, Options], Document]


# Reading comes first and takes a path, not a document.
READING = "đọc tệp (nhận dạng chữ nếu là bản quét)"
STAGES = (
    Stage("khôi phục dấu và chữ", restore),
    Stage("chuẩn hóa", normalize),
    Stage("tìm mục, nhiệm vụ, đơn vị, thời hạn", structure),
)
# Told as (step, label): step 0 is reading, step i the i-th of STAGES.
ProgressCallback = Callable[[int, str], None]


def process_file(path: Path, options: Options = Options(), progress: ProgressCallback | None = None) -> Document:
    tell = progress or (lambda step, label: None)
    tell(0, READING)
    doc = read(path, options)
    for step, stage in enumerate(STAGES, start=1):
        tell(step, stage.label)
        doc = stage.run(doc, options)
    return doc


def restored_text(path: Path, options: Options = Options()) -> Document:
    """Ingest, restore and normalize only: what `pipeline restore` prints."""
    return normalize(restore(read(path, options), options), options)


def restored_lines(path: Path, options: Options = Options()) -> Iterator[str]:
    """The lines of restored_text's document, each given as soon as it is restored and normalized: a
    long text is printed without a restored copy of it (or its restoration items) held whole. The input
    is read before this returns."""
    lines = read(path, options).lines
    texts: Iterable[str] = [line.text for line in lines]
    if options.restore:
        _, restored = Restorer.default().restore_stream(texts, options.profile, [line.word_confidences for line in lines],
                                                        [line.word_readings for line in lines])
        texts = (line.text for line in restored)
    return (normalize_line(text, options.style) for text in texts)
