"""Rule-based structure parser: restored text lines -> metadata, section tree, tasks.

    from pipeline.parse import parse
    result = parse(lines)          # list[pipeline.model.Line]
    result.meta, result.sections, result.tasks, result.warnings
    result.line_roles              # line number -> role, for lines outside the tree

Every non-blank input line is accounted for: it lies within the `lines`
range of a node of `sections`, or `line_roles` gives it a role: "header",
"recipients", "signature", "page-number" or "running-header".

Conventions (details in the module named):
- ids (outline): "III", "III.1", "III.1.a"; "1.2." under "1." is "II.1.2";
  bullets "III.4.-3" (third "-" bullet of III.4), "+" bullets "+n",
  paragraphs "pn", field lines "fn"; appendix "PL"; table rows take their
  number cell ("PL.3"); articles "Đ.5", chapters "Ch.II".
- Task.path is the ids from the top section down to the task.
- dates ISO; recurrence "continuous" / "periodic" (+ period) / "annual";
  a yearly duty due on a fixed day has no deadline but `annual_due`
  "MM-DD" (timeline).
- Task.inferred names fields taken from sibling or group field lines or
  from an enclosing unit heading; each lowers Task.confidence (tasks).

Modules: header (metadata, signature, recipients), references (cited
documents), markers and outline (section tree, paragraph joining, page
numbers), fields (field labels), tasks, units (+ data/units.json), timeline,
tables (task tables).
"""
from __future__ import annotations

import unicodedata

import regex
from dataclasses import dataclass, field, replace
from datetime import date

from pipeline.model import DocumentMeta, DocumentWarning, Line, Section, Task
from pipeline.parse.matching import fold
from pipeline.parse.header import read_attachment, read_closing, read_frame
from pipeline.parse.notices import notice
from pipeline.parse.outline import Node, Part, build_outline, dropped_lines
from pipeline.parse.references import find_references
from pipeline.parse.tasks import extract_tasks

__all__ = ["ParseResult", "parse"]


@dataclass
class ParseResult:
    meta: DocumentMeta
    sections: list[Section]
    tasks: list[Task]
    warnings: list[DocumentWarning] = field(default_factory=list)
    line_roles: dict[int, str] = field(default_factory=dict)


def _section(node: Node) -> Section:
    return Section(
        id=node.id,
        label=node.label,
        kind=node.kind,
        title=node.text,
        lines=(node.first, node.last),
        children=[_section(child) for child in node.children],
    )


# Words that give or ask for work: a document using them and yielding no task must say so.
_DIRECTIVE_RE = regex.compile(r"\b(?:giao|yeu cau|de nghi|chu tri|phoi hop|trien khai|chi dao|khan truong|co trach nhiem|"
                              r"to chuc thuc hien|thuc hien)\b")


def _cue_words(body: list[Line], cue) -> str:
    """The words of `body` the folded match `cue` stands on, as written."""
    return " ".join(line.text for line in body)[cue.start(): cue.end()]


def _parts(lines: list[Line], body_start: int, closing: tuple[int, int], dropped: set[int],
           roles: dict[int, str]) -> tuple[list[Line], dict[int, Part]]:
    """The body lines of the main text and of each attachment after a signature, and where each
    attachment starts. An attachment's heading lines take the role "header", its own closing
    block "recipients"/"signature"; text after a signature that opens no attachment stays body."""
    body = lines[body_start:closing[0]]
    parts: dict[int, Part] = {}
    position = closing[1]
    while position < len(lines):
        attachment = read_attachment(lines, position, dropped)
        if attachment is None:
            body.extend(lines[position:])
            break
        for line in lines[position: attachment.body_start]:
            if line.text.strip() and line.number not in dropped:
                roles[line.number] = "header"
        begin, end = read_closing(lines, attachment.body_start, roles)
        segment = lines[attachment.body_start:begin]
        type_line = lines[attachment.type_index]
        part = Part(attachment.doc_type, attachment.title or attachment.doc_type, type_line.number, type_line.page,
                    appendix=attachment.doc_type == "Phụ lục", label=attachment.label)
        if segment:
            parts[segment[0].number] = part
            body.extend(segment)
        # An empty closing block (a line that only looks like one) is no closing: the text goes on from it.
        position = (end if end > begin else begin) if begin < len(lines) else len(lines)
    return body, parts


def parse(lines: list[Line]) -> ParseResult:
    """Parse the lines of one document."""
    lines = [replace(line, text=unicodedata.normalize("NFC", line.text or "")) for line in lines]
    frame, body_start, (closing_begin, closing_end) = read_frame(lines)
    roles = dict(frame.roles)
    dropped = dropped_lines(lines[body_start:])
    body, parts = _parts(lines, body_start, (closing_begin, closing_end), set(dropped), roles)
    roles.update(dropped)
    outline = build_outline(body, set(dropped), parts)
    issued = date.fromisoformat(frame.meta.issued_date) if frame.meta.issued_date else None
    tasks, task_warnings = extract_tasks(outline.roots, issued)
    paragraphs = [frame.meta.title or ""] + [node.text for root in outline.roots for node in root.walk()]
    frame.meta.references = find_references(paragraphs, frame.meta.number)
    warnings = outline.warnings + task_warnings
    if not tasks:
        cue = _DIRECTIVE_RE.search(fold(" ".join(line.text for line in body)))
        if cue:
            warnings.insert(0, notice("no_tasks", cue=_cue_words(body, cue)))
    return ParseResult(
        meta=frame.meta,
        sections=[_section(root) for root in outline.roots],
        tasks=tasks,
        warnings=warnings,
        line_roles=roles,
    )
