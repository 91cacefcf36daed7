"""Tasks: the items of the tasks sections, with their units and timelines.

Which items are tasks:
- Sections whose heading names tasks ("NHIỆM VỤ", "GIẢI PHÁP", "TỔ CHỨC
  THỰC HIỆN", "NỘI DUNG", "NHIỆM VỤ CỤ THỂ" …) hold tasks; headings about
  aims, requirements, budget, targets do not (`_is_task_heading`). An item
  anywhere that carries its own field lines is a task too.
- Within them the lowest numbered or lettered items are tasks. Bullets
  inside a task are its activities (kept in its text and in `activities`).
- A numbered group whose only structure is bullets has the bullets as
  tasks - unless one block of field lines closes the group, which makes the
  group the task ("1. Rà soát …" / "- …" / "Đơn vị chủ trì: …").
- When bullets carry different field blocks, each bullet is a task.
- Field lines that follow a run of items without fields apply to that run
  ("a) …", "b) …", "- Đơn vị thực hiện: …" under III.4 of the sample);
  field lines before the first item apply to all items lacking them. Such
  fields are listed in `Task.inferred` and lower `Task.confidence`.
- Units: from unit fields; else from the item's opening words when they
  name a unit ("2. Sở Tài chính chủ trì, phối hợp với …", "1. Sở Nội vụ: …");
  else from the enclosing heading when it names a unit ("1. Ban Quản lý …"
  over bullets) - inferred.
- Timeline: from the timeline field; else deadline clauses in the text.
- kind "reporting": a duty to report on a schedule ("định kỳ … báo cáo").
- Rows of task tables (tables.py) are tasks too: their cells are their
  fields, and they are filled by the same `_Extractor._fill` as items.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import regex

from pipeline.model import DocumentWarning, Task
from pipeline.parse.fields import Field
from pipeline.parse.matching import fold
from pipeline.parse.outline import Node
from pipeline.parse.tables import table_tasks
from pipeline.parse.notices import notice
from pipeline.parse.timeline import Timeline, find_timeline, read_timeline
from pipeline.parse.units import assign_roles, scan_phrase, split_list, title_unit

ITEM_KINDS = {"number", "subnumber", "letter", "article"}
HEADING_KINDS = {"roman", "part", "chapter", "division", "appendix"}
BULLET_KINDS = {"bullet", "subbullet"}
_TASK_HEADING = regex.compile(
    r"nhiem vu|giai phap|to chuc thuc hien|noi dung|phan cong|trach nhiem|hoat dong|chuong trinh hanh dong|danh muc"
)
_OTHER_HEADING = regex.compile(
    r"muc dich|muc tieu|yeu cau|kinh phi|doi tuong|pham vi|quan diem|tinh hinh|hien trang|thuc trang|"
    r"ket qua dat duoc|danh gia|khen thuong|tieu chuan|so luong|thu tuc|can cu|dinh huong|tam nhin|hieu luc"
)
# Under a tasks heading a numbered group is set aside only when its title starts with one of these.
_OTHER_GROUP = regex.compile(
    r"^(?:muc dich|muc tieu|yeu cau|(?:nguon )?kinh phi|doi tuong|pham vi|quan diem|tinh hinh|hien trang|thuc trang|ket qua|dinh huong|tam nhin|"
    r"hieu luc)"
)
# A funding section ("IV. KINH PHÍ THỰC HIỆN", "7. Nguồn kinh phí") states where the money comes from; an item
# there whose subject is a unit ("Sở Tài chính chủ trì … bố trí kinh phí") is still that unit's duty.
_FUNDING_TITLE = regex.compile(r"^(?:nguon )?kinh phi\b")
# Articles and items that only enact, repeal or execute the document: "Quyết định này có hiệu lực …",
# "… chịu trách nhiệm thi hành Quyết định này", "Ban hành kèm theo Quyết định này Kế hoạch …".
_FORMAL_CLAUSE = regex.compile(
    r"co hieu luc|hieu luc thi hanh|chiu trach nhiem thi hanh|ban hanh kem theo|^phe duyet|^bai bo|^thay the|"
    r"^(?:quyet dinh|nghi quyet|chi thi|ke hoach) nay\b"
)
# An unnumbered paragraph that assigns a duty to the unit opening it ("Bộ X chủ trì, phối hợp với …").
_DUTY_RE = regex.compile(r"\b(?:chu tri|co trach nhiem|khan truong|chiu trach nhiem)\b")
# A lead-in naming the addressees of the items that follow: "Thủ tướng Chính phủ yêu cầu Chủ tịch … :".
_ADDRESSEE_RE = regex.compile(r"\b(?:yeu cau|giao|de nghi|chi thi)\s+(?P<units>[^:]+):\s*$")
_REPORTING = regex.compile(
    r"(?:dinh ky|hang (?:thang|quy|nam)|truoc ngay)[^.]{0,200}bao cao|bao cao[^.]{0,200}(?:dinh ky|hang (?:thang|quy|nam)|truoc ngay)"
)
_UNIT_FIELDS = ("units", "lead", "support")
_INFERRED_PENALTY = 0.15  # per inherited field group (units, timeline)
_FIELD_GROUPS = {"lead_units": "units", "support_units": "units", "deadline": "timeline", "recurrence": "timeline"}
_TEXT_UNITS_PENALTY = 0.1


def _is_task_heading(title: str, group: bool = False) -> bool | None:
    """True for a tasks heading, False for another kind, None when it says neither."""
    folded = fold(title)
    if (_OTHER_GROUP if group else _OTHER_HEADING).search(folded):
        return False
    if _TASK_HEADING.search(folded):
        return True
    return None


@dataclass
class _Fields:
    """The field lines that apply to one task."""

    items: list[Field] = field(default_factory=list)
    inherited: bool = False

    def has_any(self) -> bool:
        return any(f.kind != "content" for f in self.items)

    def of(self, *kinds: str) -> list[Field]:
        return [f for f in self.items if f.kind in kinds]


def _funding_duty(node: Node, section: Node | None) -> bool:
    return (section is not None and bool(_FUNDING_TITLE.match(fold(section.text)))
            and _text_units(node, first_paragraph=False) is not None)


def _title_like(text: str) -> bool:
    """A group title ("1. Công tác quán triệt …"), not a duty sentence that bullets merely detail."""
    return len(text.split()) <= 25 and not text.rstrip().endswith((".", ";"))


def _field_nodes(nodes: list[Node]) -> list[Node]:
    """Field nodes among `nodes` and the field lines nested under them ("b) Cơ quan thực hiện:" / "- Đơn vị chủ trì: …")."""
    found = []
    for node in nodes:
        if node.kind == "field":
            found.append(node)
            found.extend(_field_nodes(node.children))
    return found


def _filled(node: Node) -> Field | None:
    """A field node's field; a label written alone takes the lines under it as its value
    ("a) Cơ quan chủ trì" / "- Ban Chỉ đạo quốc gia." / "- Bộ Quốc phòng."), and a label over
    other labels ("2. Cơ quan chủ trì, phối hợp" / "a) Cơ quan chủ trì" …) holds nothing itself."""
    found = node.field
    if found is None or found.value:
        return found
    listed = [child.text for child in node.children if child.kind != "field" and child.text]
    if not listed:
        return None
    return Field(found.kind, found.label, "; ".join(text.rstrip(" .;") for text in listed))


def _own_fields(node: Node) -> list[Field]:
    return [f for f in (_filled(n) for n in _field_nodes(node.children)) if f]


def _text_of(node: Node) -> list[str]:
    parts = [node.text] if node.text else []
    for child in node.children:
        if child.kind == "field":
            if child.field and child.field.kind == "content":
                parts.extend(p for p in [child.field.value] + [t for c in child.children for t in _text_of(c)] if p)
            continue
        if child.kind in BULLET_KINDS:
            parts.extend(f"{child.label} {t}" if i == 0 else t for i, t in enumerate(_text_of(child)))
        elif child.kind not in ("table", "row"):
            parts.extend(_text_of(child))
    return parts


def _activities(node: Node) -> list[str]:
    found = []
    for child in node.children:
        if child.kind in BULLET_KINDS:
            found.append(" ".join(_text_of(child)))
        elif child.kind == "field" and child.field and child.field.kind == "content":
            found.extend(_activities(child))
    return found


def _text_units(node: Node, first_paragraph: bool = True) -> tuple[list[str], list[str], str] | None:
    """(lead, support, phrase) when the item's text or first paragraph opens with a unit ("Sở Nội vụ: …").
    "Yêu cầu X …" names the units directed, not the one assigned."""
    paragraph = next((child.text for child in node.children if child.kind == "paragraph"), "") if first_paragraph else ""
    for sentence in (_past_intro(node.text), paragraph):
        if fold(sentence).startswith("yeu cau "):
            continue
        phrase = scan_phrase(sentence)
        if phrase:
            lead, support = assign_roles(sentence, running=True)
            if lead:
                return lead, support, phrase
    return None


# The end of a lead-in that only introduces the items under it.
_LEAD_IN_RE = regex.compile(r"(?::|\b(?:co|chiu) trach nhiem(?: thuc hien)?(?: (?:cac|mot so) nhiem vu(?: sau)?)?)\s*$")
_SUBJECT_RE = regex.compile(r"^(?P<subject>.+?)\s+(?:co|chiu) trach nhiem\b")


def _lead_in_units(node: Node) -> tuple[list[str], list[str]] | None:
    """(lead, support) named by a lead-in: "12. Các tổ chức, cá nhân … có trách nhiệm" (the whole
    subject), "Giao Sở X chủ trì, phối hợp với Y thực hiện các nhiệm vụ sau:"."""
    folded = fold(node.text)
    if not _LEAD_IN_RE.search(folded):
        return None
    subject = _SUBJECT_RE.match(folded)
    if subject and scan_phrase(node.text) and not regex.search(r"\b(?:chu tri|phoi hop)\b", subject["subject"]):
        units = split_list(regex.sub(r"^(?:Giao|Đề nghị)\s+", "", node.text[: subject.end("subject")]))
        if units:
            return units, []
    found = _text_units(node, first_paragraph=False)
    return (found[0], found[1]) if found else None


# An assignment written in brackets inside the item: "(Giao X chủ trì, phối hợp với Y …)".
_ASSIGNED_RE = regex.compile(r"\(\s*(?P<inner>(?:giao|de nghi)\s+[^()]+)\)")
_HEADING_YEAR_RE = regex.compile(r"\b(?:tu nay )?den (?:het )?nam (?P<y>(?:19|20)\d{2})\b")
_INTRO_RE = regex.compile(r"^(?:tren co so|can cu|thuc hien|de)\b")


def _past_intro(text: str) -> str:
    """The duty sentence after an introductory clause: "Trên cơ sở nội dung Kế hoạch, các sở, ban,
    ngành … triển khai …" -> "các sở, ban, ngành … triển khai …"."""
    folded = fold(text)
    if not _INTRO_RE.match(folded):
        return text
    commas = list(regex.finditer(r",\s*", text))
    if regex.match(r"^(?:tren co so|can cu)\s+(?:\S+\s+){0,3}?cua\b", folded):
        # "Trên cơ sở đề xuất của các bộ, …, Bộ Tài chính tổng hợp": the units after "của" are the intro's.
        commas.reverse()
    for match in commas:
        rest = text[match.end():]
        if scan_phrase(rest) and assign_roles(rest, running=True)[0]:
            return rest
    return text


def _last_line(node: Node) -> int:
    return max([node.last] + [_last_line(child) for child in node.children])


class _Runs:
    """Field inheritance among siblings, in document order.

    A block of field lines applies to the run of fieldless tasks before it;
    a task with fields applies them to that run too when it `passes_back`;
    a block before any task applies to every task left without fields.
    """

    def __init__(self, extractor: _Extractor):
        self.extractor = extractor
        self.pending: list[Task] = []
        self.created: list[Task] = []
        self.leading: list[Field] = []
        self.block_fields: list[Field] = []  # consecutive field lines form one block

    def block(self, node: Node) -> None:
        self.block_fields.extend(f for f in [_filled(node)] + [_filled(n) for n in _field_nodes(node.children)] if f)

    def _end_block(self) -> None:
        if self.block_fields:
            if not self.created:
                self.leading.extend(self.block_fields)
            self._settle(self.block_fields)
            self.block_fields = []

    def tasks(self, made: list[Task], passes_back: bool) -> None:
        self._end_block()
        for task in made:
            self.created.append(task)
            if not self.extractor.has_fields(task):
                self.pending.append(task)
            elif passes_back:
                self._settle(self.extractor.fields[task.id].items if task.id in self.extractor.fields else [])
            else:
                self.pending = []

    def close(self) -> None:
        self._end_block()
        for task in self.created:
            if self.leading and not self.extractor.has_fields(task):
                self.extractor.inherit(task, self.leading)

    def _settle(self, fields: list[Field]) -> None:
        for task in self.pending:
            self.extractor.inherit(task, fields)
        self.pending = []


class _Extractor:
    def __init__(self, issued: date | None):
        self.issued = issued
        self.warnings: list[DocumentWarning] = []
        self.fields: dict[str, _Fields] = {}  # task id -> its fields, until finished
        self.nodes: dict[str, Node] = {}
        self.hints: dict[str, list[str]] = {}  # task id -> units named by the enclosing heading
        self.support_hints: dict[str, list[str]] = {}  # task id -> support units named by its lead-in
        self.heading_years: dict[str, int | None] = {}  # task id -> "… ĐẾN NĂM 2015" of a heading above it
        self.tasks: list[Task] = []

    # -- which items are tasks ------------------------------------------------
    def walk_top(self, roots: list[Node]) -> None:
        """The top level. Outside any heading, a document without a tasks section (Chỉ thị,
        Công văn, Công điện, the articles of a Quyết định) gives its numbered items as tasks;
        a lead-in naming one addressee ("… yêu cầu Chủ tịch Ủy ban nhân dân các tỉnh:") is their unit."""
        hint: list[str] = []
        paragraphs = []
        for node in roots:
            if node.kind == "paragraph":
                paragraphs.append(node)
                addressee = _ADDRESSEE_RE.search(fold(node.text))
                if addressee:
                    units = split_list(node.text[addressee.start("units"):addressee.end("units")])
                    hint = units if len(units) == 1 else []
                continue
            if node.kind in ITEM_KINDS:
                if _FORMAL_CLAUSE.search(fold(node.text)) and not self._has_structure(node):
                    continue
                self.item(node, [], True, hint)
            else:
                self.walk([node], [], None, [])
        if not self.tasks:
            # A letter with no numbered items (a one-paragraph Công văn): its duty paragraphs are the tasks.
            for node in paragraphs:
                if _DUTY_RE.search(fold(node.text)) and _text_units(node, first_paragraph=False):
                    self._make(node, [], [], [], activities=[])

    @staticmethod
    def _has_structure(node: Node) -> bool:
        return any(child.kind in ITEM_KINDS or child.kind in HEADING_KINDS or child.kind == "table"
                   for child in node.children)

    def walk(self, nodes: list[Node], ancestors: list[Node], in_tasks: bool | None, hint: list[str]) -> None:
        for node in nodes:
            if node.kind == "table":
                for row in table_tasks(node, ancestors):
                    self._track(row.task, row.node, ancestors, row.fields, hint)
            elif node.kind in HEADING_KINDS:
                # What a heading holds is said by its first words: "BẢO ĐẢM PHƯƠNG TIỆN, KINH PHÍ …" holds
                # tasks, "KINH PHÍ THỰC HIỆN" does not.
                verdict = _is_task_heading(node.text, group=True)
                inside = in_tasks if verdict is None else verdict
                self.group(node, ancestors + [node], inside, hint)
            elif node.kind in ITEM_KINDS:
                self.item(node, ancestors, in_tasks, hint)

    def group(self, node: Node, ancestors: list[Node], in_tasks: bool | None, hint: list[str]) -> None:
        """Tasks under a heading or a group item."""
        items = [child for child in node.children if child.kind in ITEM_KINDS or child.kind in HEADING_KINDS]
        runs = _Runs(self)
        for child in node.children:
            if child.kind == "field":
                runs.block(child)
            elif child in items or child.kind == "table":
                before = len(self.tasks)
                if child.kind in ITEM_KINDS:
                    self.item(child, ancestors, in_tasks, hint)
                else:
                    self.walk([child], ancestors, in_tasks, hint)
                # Only the group's last item passes its fields back: "fields written after the last item".
                # Tasks found deeper inside it (a sub-group's bullets) have settled their runs in there.
                made = self.tasks[before:]
                last = bool(items) and child is items[-1] and [task.id for task in made] == [child.id]
                runs.tasks(made, passes_back=last)
        runs.close()

    def item(self, node: Node, ancestors: list[Node], in_tasks: bool | None, hint: list[str]) -> None:
        # A numbered group's short title may say what it holds ("2. Mục tiêu cụ thể"); a long item text may not.
        is_heading = node.kind != "letter" and node.children and len(node.text.split()) <= 15
        verdict = _is_task_heading(node.text, group=True) if is_heading else None
        if in_tasks is False and verdict:
            verdict = None  # "Nội dung thi đua" under "ĐỐI TƯỢNG, NỘI DUNG THI ĐUA" does not make tasks
        if verdict is False and not _own_fields(node):
            for child in node.children:
                if child.kind in BULLET_KINDS and _funding_duty(child, node):
                    self._make(child, ancestors + [node], _own_fields(child), [], activities=_activities(child))
            return
        own_hint = title_unit(node.text) if node.kind in ("number", "subnumber") else []
        path = ancestors + [node]
        if any(child.kind in HEADING_KINDS or child.kind == "table" for child in node.children):
            # An article holding a whole plan ("Điều 1. Phê duyệt Đề án …" / "I. …" / "V. TỔ CHỨC THỰC HIỆN").
            self.walk(node.children, path, None, own_hint or hint)
            return
        if any(child.kind in ITEM_KINDS for child in node.children):
            if not own_hint:
                # "3. Bộ trưởng Bộ Tài chính … thực hiện một số nhiệm vụ sau:" / "3.1. …": the lead-in's unit.
                found = _lead_in_units(node)
                own_hint = found[0] if found else []
            self.group(node, path, verdict if verdict is not None else in_tasks, own_hint or hint)
            return
        bullets = [child for child in node.children if child.kind in BULLET_KINDS]
        holders = [b for b in bullets if _field_nodes(b.children)]
        node_fields = _own_fields(node)
        holder_count = len(holders) + (1 if node_fields else 0)
        content_field = any(f.kind == "content" for f in node_fields)
        if bullets and holder_count >= 2 and not content_field:
            self.bullet_tasks(node, path, own_hint or hint)
        elif bullets and not holder_count and in_tasks and _LEAD_IN_RE.search(fold(node.text)):
            # A lead-in ("Giao Sở X chủ trì, phối hợp với Y thực hiện các nhiệm vụ sau:") is not a task;
            # its bullets are, and the units it names are theirs.
            found = _lead_in_units(node)
            lead, support = (found[0], found[1]) if found else (own_hint or hint, [])
            if ";" in node.text and not regex.match(r"(?:giao|de nghi)\b", fold(node.text)):
                # "9. UBND các xã chủ động bố trí kinh phí …; đồng thời huy động …, tập trung các nhiệm vụ sau:"
                # a clause closed by ';' is a duty of the lead-in's own, a task beside its bullets. An
                # assignment ("Giao Sở X là cơ quan đầu mối, chủ trì …; tổ chức thực hiện:") only introduces them.
                task = self._make(node, ancestors, [], lead, activities=[])
                task.text, task.lines = node.text, (node.first, node.last)
            self.bullet_tasks(node, path, lead, support)
        elif holder_count == 1 or not bullets or node.kind == "letter" or content_field or not _title_like(node.text):
            if in_tasks or node_fields or holders or (in_tasks is False and _funding_duty(node, ancestors[-1] if ancestors else None)):
                fields = node_fields + [f for b in holders for f in _own_fields(b)]
                self._make(node, ancestors, fields, hint, activities=_activities(node))
        elif in_tasks:
            self._opening_duty(node, ancestors, own_hint or hint)
            self.bullet_tasks(node, path, own_hint or hint)

    def _opening_duty(self, node: Node, ancestors: list[Node], hint: list[str]) -> None:
        """"1. Công an tỉnh" / "Tham mưu giúp UBND tỉnh …." / "Trong đó giao … thực hiện:" / "- …": a duty
        paragraph between a unit heading and its bullets is a task of the heading's own, beside them.
        Paragraphs ending in ':' only introduce the bullets."""
        opening = []
        for child in node.children:
            if child.kind != "paragraph":
                break
            opening.append(child)
        duties = [child for child in opening if not child.text.rstrip().endswith(":")]
        if not duties or not title_unit(node.text):
            return
        task = self._make(node, ancestors, [], hint, activities=[])
        task.text = "\n".join(child.text for child in duties)
        task.lines = (duties[0].first, duties[-1].last)

    def bullet_tasks(self, node: Node, path: list[Node], hint: list[str], support_hint: list[str] = ()) -> None:
        runs = _Runs(self)
        for child in node.children:
            if child.kind == "field":
                runs.block(child)
            elif child.kind in BULLET_KINDS:
                task = self._make(child, path, _own_fields(child), hint, activities=_activities(child))
                self.support_hints[task.id] = list(support_hint)
                runs.tasks([task], passes_back=True)
        runs.close()

    # -- building one task -----------------------------------------------------
    def _make(self, node: Node, ancestors: list[Node], fields: list[Field], hint: list[str], activities: list[str]) -> Task:
        parent = ancestors[-1] if ancestors else None
        task = Task(
            id=node.id,
            path=[a.id for a in ancestors if a.kind != "table"] + [node.id],
            section_title=parent.text if parent else "",
            text="\n".join(_text_of(node)),
            activities=activities,
            lines=(node.first, _last_line(node)),
            page=node.page,
            part=node.part,
        )
        return self._track(task, node, ancestors, fields, hint)

    def _track(self, task: Task, node: Node, ancestors: list[Node], fields: list[Field], hint: list[str]) -> Task:
        """Keep a task, prose item or table row, to be filled by finish() with what applies to it."""
        self.fields[task.id] = _Fields(list(fields))
        self.heading_years[task.id] = next(
            (int(found["y"]) for found in (_HEADING_YEAR_RE.search(fold(a.text)) for a in reversed(ancestors) if a.kind in HEADING_KINDS)
             if found), None)
        self.nodes[task.id] = node
        self.hints[task.id] = hint
        self.tasks.append(task)
        return task

    def has_fields(self, task: Task) -> bool:
        return self.fields[task.id].has_any()

    def inherit(self, task: Task, fields: list[Field]) -> None:
        own = self.fields[task.id]
        # An item whose own words name its units ("Sở, ban, ngành … có trách nhiệm …") stands on its own.
        if own.has_any() or _text_units(self.nodes[task.id]):
            return
        own.items.extend(f for f in fields if f.kind != "content")
        own.inherited = True

    def finish(self) -> list[Task]:
        for task in self.tasks:
            self._fill(task)
        return self.tasks

    def _fill(self, task: Task) -> None:
        fields = self.fields[task.id]
        node = self.nodes[task.id]
        unit_fields = fields.of(*_UNIT_FIELDS)
        if unit_fields:
            task.units_text = "; ".join(
                f.value if len(unit_fields) == 1 else f"{f.label}: {f.value}" for f in unit_fields
            )
            has_lead_field = any(f.kind == "lead" for f in unit_fields)
            for f in unit_fields:
                lead, support = assign_roles(f.value)
                if f.kind == "support":
                    support, lead = lead + support, []
                elif f.kind == "units" and has_lead_field:
                    # "Cơ quan chủ trì: …" and "Đơn vị thực hiện: Các Đội chuyên trách": the bodies that carry
                    # out what the lead directs are not leads themselves (units_text keeps them).
                    lead = []
                task.lead_units += [u for u in lead if u not in task.lead_units]
                # A support field is kept whole even where it repeats the lead ("Các Bộ, ngành, địa phương" in both).
                task.support_units += [u for u in support if u not in task.support_units
                                       and (f.kind == "support" or u not in task.lead_units)]
            if fields.inherited:
                task.inferred += ["lead_units", "support_units"]
        else:
            self._units_from_text(task, node)
        timelines = fields.of("timeline")
        if timelines:
            value = " ".join(f.value for f in timelines)
            timeline = read_timeline(value, self.issued)
            if not timeline.understood and value:
                self.warnings.append(notice("deadline_not_understood", task.lines[0], text=value, task=task.id))
            self._apply(task, timeline)
            if fields.inherited:
                task.inferred += ["deadline", "recurrence"]
                # The item's own words come before its section's field: "Tổng kết … vào năm 2020" under
                # "Thời gian thực hiện: 6 tháng, hằng năm", "kiểm tra thường xuyên" under a yearly field.
                own = find_timeline(task.text, self.issued)
                if own and (own.deadline or own.start):
                    self._apply(task, own)
                    task.inferred = [name for name in task.inferred if name not in ("deadline", "recurrence")]
                elif own:
                    task.recurrence, task.period, task.annual_due = own.recurrence, own.period, own.annual_due
                    task.inferred.remove("recurrence")
        else:
            found = find_timeline(task.text, self.issued)
            if found:
                self._apply(task, found)
            if task.deadline is None and task.start is None and self.heading_years.get(task.id):
                # "C. NỘI DUNG TRỌNG TÂM TỪ NAY ĐẾN NĂM 2015": the heading's date, for items without their own
                task.deadline = f"{self.heading_years[task.id]}-12-31"
                task.inferred.append("deadline")
        products = fields.of("product")
        budgets = fields.of("budget")
        task.product = "; ".join(f.value for f in products) or None
        task.budget = "; ".join(f.value for f in budgets) or None
        if _REPORTING.search(fold(task.text)):
            task.kind = "reporting"
        if not task.lead_units and not task.support_units:
            self.warnings.append(notice("task_without_unit", task.lines[0], task=task.id))
        penalty = _INFERRED_PENALTY * len({_FIELD_GROUPS[name] for name in task.inferred})
        task.confidence = round(max(0.3, task.confidence - penalty), 2)

    def _units_from_text(self, task: Task, node: Node) -> None:
        assigned = _ASSIGNED_RE.search(fold(node.text))
        if assigned:  # "… (Giao Công an tỉnh chủ trì, phối hợp với Sở Tư pháp tham mưu)"
            inner = node.text[assigned.start("inner"): assigned.end("inner")]
            lead, support = assign_roles(inner, running=True)
            if lead:
                task.lead_units, task.support_units, task.units_text = lead, support, inner
                return
        named = title_unit(node.text)
        if named:
            task.lead_units = named
            task.units_text = node.text
            _, support = assign_roles(task.text, running=True)
            task.support_units = [u for u in support if u not in named]
            return
        found = _text_units(node)
        if found:
            task.lead_units, task.support_units, task.units_text = found
            task.confidence -= _TEXT_UNITS_PENALTY
            return
        hint = self.hints.get(task.id) or []
        if hint:
            task.lead_units = list(hint)
            folded = fold(task.text)
            # "phối hợp cụ thể với X": every such clause names support units, except in a detail line
            # with a unit of its own ("+ Sở A phối hợp Sở B: …" is that line's duty)
            own = "\n".join(line for line in task.text.split("\n")
                             if not (line[:2] in ("+ ", "- ") and scan_phrase(line[2:])))
            matches = list(regex.finditer(r"phoi hop(?:(?:\s+\S+){0,2}?\s+voi)?\s+", fold(own)))
            if matches:
                named = [u for match in matches for u in split_list(scan_phrase(own[match.end():]))]
                task.support_units = [u for i, u in enumerate(named) if u not in hint and u not in named[:i]]
            else:
                task.support_units = [u for u in self.support_hints.get(task.id, []) if u not in hint]
            task.inferred.append("lead_units")

    @staticmethod
    def _apply(task: Task, timeline: Timeline) -> None:
        task.timeline_text = timeline.text or None
        task.deadline = timeline.deadline
        task.start = timeline.start
        task.recurrence = timeline.recurrence
        task.period = timeline.period
        task.annual_due = timeline.annual_due


def extract_tasks(roots: list[Node], issued: date | None) -> tuple[list[Task], list[DocumentWarning]]:
    """All tasks in the tree, in document order, and the warnings met on the way."""
    extractor = _Extractor(issued)
    extractor.walk_top(roots)
    tasks = extractor.finish()
    return tasks, extractor.warnings
