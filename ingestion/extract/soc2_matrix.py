"""SOC 2 Type II section IV control matrices: one finding per tested control whose result is an exception."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from analyzer.models import FindingLayout
from ingestion.controlrefs import CONTROL_REF_RE
from ingestion.extract._refs import leading_ref, normalise_ref
from ingestion.extract.cell_matrix import (
    RESULT_START,
    TEST_START,
    assign_cells,
    bare_ref,
    header_runs,
    result_complete,
)
from ingestion.extract.document import (
    NO_EXCEPTION,
    RESPONSES_HEADING,
    SECTION_HEADING,
    Block,
    MatrixColumns,
    cell,
    locate_header,
    table_rows,
    title_row,
)
from ingestion.extract.draft import Draft, join, row_key

# Labels of a control row written as running text (how matrices come out of PDF text extraction).
ROW_START = re.compile(
    r"^\s*control\s*(?:no\.?|number|#|ref(?:erence)?|id)\s*[:.]?\s*"
    r"(?P<ref>" + CONTROL_REF_RE.pattern + r")[\s:.–—-]*",
    re.IGNORECASE,
)
FIELD_LABELS: list[tuple[str, re.Pattern[str]]] = [
    (
        "description",
        re.compile(
            r"^\s*(?:control\s+activit(?:y|ies)(?:\s+specified[^:]{0,60})?|control\s+description"
            r"|description\s+of\s+(?:the\s+)?control)\s*:\s*",
            re.IGNORECASE,
        ),
    ),
    (
        "test",
        re.compile(
            r"^\s*(?:tests?\s+(?:performed|applied|procedures?)(?:\s+by[^:]{0,60})?|testing\s+performed"
            r"|test\s+of\s+controls?)\s*:\s*",
            re.IGNORECASE,
        ),
    ),
    (
        "result",
        re.compile(
            r"^\s*(?:results?\s+of\s+(?:tests?|testing)|test(?:ing)?\s+results?)\s*:\s*", re.IGNORECASE
        ),
    ),
    ("response", re.compile(r"^\s*management'?s?\s+response\s*:\s*", re.IGNORECASE)),
]
_SENTENCE_END = re.compile(r"[.!?)\"'”:;]\s*$")


@dataclass
class _Row:
    ref: str
    start: int
    page: int | None
    section: str | None
    fields: dict[str, list[str]] = field(default_factory=dict)
    keys: set[str] = field(default_factory=set)
    result_page: int | None = None
    cells: list[tuple[str, int | None]] = field(default_factory=list)  # cell-sequence rows only
    # A further test of the control above (its cells hold no description): the control's description.
    inherited: list[str] | None = None

    def add(self, name: str, text: str, page: int | None) -> None:
        self.fields.setdefault(name, []).append(text)
        if name == "result" and self.result_page is None and text.strip():
            self.result_page = page

    def draft(self) -> Draft | None:
        if self.cells:
            texts = [text for text, _ in self.cells]
            for name, parts in assign_cells(texts, with_description=self.inherited is None).items():
                self.fields[name] = parts
            if self.inherited is not None:
                self.fields["description"] = list(self.inherited)
            result_first = self.fields.get("result", [""])[0]
            self.result_page = next(
                (page for text, page in self.cells if result_first.startswith(text)), None
            )
        parts = [p for p in self.fields.get("result", []) if p.strip()]
        # Under one control cell merged over several tests, a passed test's "No exceptions noted." is
        # not part of another test's exception.
        failed = [p for p in parts if not NO_EXCEPTION.match(p)]
        result = join(failed if failed else parts)
        if not result or NO_EXCEPTION.match(result):
            return None
        return Draft(
            layout=FindingLayout.CONTROL_MATRIX,
            start=self.start,
            page=self.result_page or self.page,
            control_ref=normalise_ref(self.ref) or self.ref,
            control_description=join(self.fields.get("description", [])),
            test_performed=join(self.fields.get("test", [])),
            text=result,
            management_response=join(self.fields.get("response", [])),
            section=self.section,
            keys=set(self.keys),
        )


def _label(text: str) -> tuple[str, str] | None:
    for name, pattern in FIELD_LABELS:
        match = pattern.match(text)
        if match:
            return name, text[match.end() :]
    return None


_REF_AT_START = re.compile(r"^\s*(?P<ref>" + CONTROL_REF_RE.pattern + r")[\s:.–—-]*")


def _ref_then_label(text: str) -> re.Match[str] | None:
    """A row opening with a bare reference ("CC6.2", "CC6.2 Control activity: ...") in labelled text."""
    match = _REF_AT_START.match(text)
    if match is None:
        return None
    rest = text[match.end() :]
    return match if not rest.strip() or _label(rest) else None


def _is_heading(block: Block) -> bool:
    return block.element.category == "Title" and len(block.text) <= 160


class _Scanner:
    def __init__(self) -> None:
        self.drafts: list[Draft] = []
        self.row: _Row | None = None
        self.last: _Row | None = None  # the row closed last: the control a further test without a ref is of
        self.last_adjacent = False  # nothing was skipped since `last` closed
        self.field: str | None = None
        self.section: str | None = None
        self.columns: MatrixColumns | None = None
        self.width = 0
        self.blocks: list[Block] = []
        self.header_cells: set[str] = set()  # column titles of a cell-sequence matrix, when in one
        self.headers: dict[int, int] = {}

    def close(self) -> None:
        if self.row is not None:
            draft = self.row.draft()
            if draft is not None:
                self.drafts.append(draft)
            self.last, self.last_adjacent = self.row, True
        self.row, self.field = None, None

    def _another_test(self, block: Block) -> None:
        """Open a row for a further test of the control just read (its cells name no control again)."""
        control = self.last
        assert control is not None
        description = list(control.fields.get("description", []))
        self.row = _Row(
            ref=control.ref, start=block.index, page=block.page, section=self.section, inherited=description
        )
        self.row.fields["description"] = list(description)

    def cell_block(self, block: Block) -> bool:
        """Handle a block of a matrix whose cells arrive one by one; False when the block is not one."""
        text = block.text
        if block.index in self.headers:
            return True  # handled as a whole run in text_block
        if text.lower() in self.header_cells:
            return True  # the header row repeated at the top of a new page
        ref = bare_ref(text)
        if ref is not None:
            self.close()
            self.row = _Row(ref=ref, start=block.index, page=block.page, section=self.section)
            self.row.keys.add(block.element.id)
            return True
        opens_test = bool(TEST_START.match(text)) and text[:1].isupper()
        if self.row is None:
            if opens_test and self.last is not None and self.last.cells and self.last_adjacent:
                # A control drawn with its cell merged over several tests: the next test has no reference.
                # Only right after the control's last cell: after anything else (a description whose
                # reference was lost), guessing the control would put the exception under the wrong one.
                self._another_test(block)
                assert self.row is not None
                self.row.cells.append((text, block.page))
                self.row.keys.add(block.element.id)
                return True
            self.last_adjacent = False
            if _is_heading(block):
                self.section = text
            return True
        parts = [t for t, _ in self.row.cells]
        with_description = self.row.inherited is None
        result = assign_cells(parts, with_description=with_description).get("result", []) if parts else []
        if result and opens_test and _SENTENCE_END.search(parts[-1]):
            # A complete exception result followed by a new test: the next test of the same control.
            self.close()
            self._another_test(block)
            assert self.row is not None
            self.row.cells.append((text, block.page))
            self.row.keys.add(block.element.id)
            return True
        if result and (
            result_complete(result)
            or (
                _is_heading(block)
                and _SENTENCE_END.search(parts[-1])
                and not text[:1].islower()
                and not _SENTENCE_END.search(text)
            )
        ):
            # The row is over: a passed result is complete, and a heading after a full sentence is a heading.
            self.close()
            self.last_adjacent = False  # this block is not part of the control, so no test follows it
            if _is_heading(block):
                self.section = text
            return True
        self.row.cells.append((text, block.page))
        self.row.keys.add(block.element.id)
        return True

    def text_block(self, block: Block) -> None:
        text = block.text
        width = self.headers.get(block.index)
        if width:
            self.close()
            self.header_cells = {b.text.lower() for b in self.blocks[block.index : block.index + width]}
            return
        if self.header_cells and not ROW_START.match(text) and self.cell_block(block):
            return
        start = ROW_START.match(text) or _ref_then_label(text)
        if start:
            self.close()
            self.columns, self.header_cells = None, set()
            self.row = _Row(ref=start.group("ref"), start=block.index, page=block.page, section=self.section)
            self.row.keys.add(block.element.id)
            rest = text[start.end() :]
            labelled = _label(rest)
            if labelled:
                self.field = labelled[0]
                self.row.add(labelled[0], labelled[1], block.page)
            return
        labelled = _label(text)
        if (
            labelled
            and labelled[0] == "test"
            and self.row is not None
            and self.field == "result"
            and _SENTENCE_END.search(self.row.fields.get("result", [""])[-1])
        ):
            # "Tests Performed:" right after a finished result: the next test of the same control.
            self.close()
            self._another_test(block)
            assert self.row is not None
            self.field = "test"
            self.row.add("test", labelled[1], block.page)
            self.row.keys.add(block.element.id)
            return
        if labelled and self.row is not None and labelled[0] in self.row.fields:
            # A second "Control Activity:" or "Results of Tests:" belongs to a row whose start was lost;
            # closing here keeps it out of this row, and reconciliation reports it as unaccounted for.
            self.close()
            return
        if labelled and self.row is not None:
            self.field = labelled[0]
            self.row.add(labelled[0], labelled[1], block.page)
            self.row.keys.add(block.element.id)
            return
        if (
            self.row is not None
            and self.field == "result"
            and NO_EXCEPTION.match(join(self.row.fields.get("result", [])) or "")
        ):
            self.close()  # a passed row is complete; what follows is not part of it
        if self.row is not None and self.field is not None:
            previous = self.row.fields.get(self.field, [""])[-1]
            continues = not _SENTENCE_END.search(previous) or text[:1].islower()
            if continues or not _is_heading(block):
                # A paragraph cut by a page break, or a further paragraph of the same field.
                self.row.add(self.field, text, block.page)
                self.row.keys.add(block.element.id)
                return
        if _is_heading(block) or SECTION_HEADING.match(text):
            self.close()
            self.section = text

    def table_block(self, block: Block) -> None:
        self.header_cells = set()
        rows = table_rows(block.element.table_html or "")
        if not rows:
            return
        columns, first = locate_header(rows)
        if columns is None:
            # A table continuing the previous matrix after a page break often repeats no header.
            if self.columns is None or len(rows[0]) != self.width:
                self.close()
                self.columns = None
                return
            columns, first = self.columns, 0
        self.columns, self.width = columns, len(rows[0])
        header_rows = rows[:first]
        for number, row in enumerate(rows[first:], start=first):
            if row in header_rows:
                continue  # header repeated inside the table
            ref = cell(row, columns.ref)
            if not ref.strip():
                if self.row is None:
                    continue
                if self._starts_another_test(row, columns):
                    # A control cell merged down over several tests: each test has its own result, and
                    # each failed one is its own exception (with its own test, not its neighbours').
                    self.close()
                    self._another_test(block)
            else:
                self.close()
                self.row = _Row(ref=ref.strip(), start=block.index, page=block.page, section=self.section)
            for name, index in (
                ("description", columns.description),
                ("test", columns.test),
                ("result", columns.result),
                ("response", columns.response),
            ):
                value = cell(row, index)
                if value:
                    self.row.add(name, value, block.page)
            self.row.keys.add(row_key(block.element.id, number))
        self.field = None

    def _starts_another_test(self, row: list[str], columns: MatrixColumns) -> bool:
        """True when a row under a merged control cell holds a new test and result, not cut-off text."""
        assert self.row is not None
        test, result = cell(row, columns.test), cell(row, columns.result)
        done_test = self.row.fields.get("test", [""])[-1]
        done_result = self.row.fields.get("result", [""])[-1]
        return bool(
            columns.test is not None
            and test[:1].isupper()
            and RESULT_START.match(result)
            and not cell(row, columns.description)
            and _SENTENCE_END.search(done_test)
            and _SENTENCE_END.search(done_result)
        )


def extract_matrix(blocks: list[Block]) -> list[Draft]:
    """Findings from control matrices written as tables or as labelled running text."""
    scanner = _Scanner()
    scanner.blocks = blocks
    scanner.headers = header_runs(blocks)
    in_responses = False
    for block in blocks:
        if block.is_table:
            if not in_responses:
                scanner.table_block(block)
            continue
        if RESPONSES_HEADING.match(block.text) and leading_ref(block.text) is None:
            scanner.close()
            scanner.header_cells = set()
            in_responses = True
            continue
        if SECTION_HEADING.match(block.text):
            scanner.close()
            scanner.header_cells = set()
            in_responses = False
            scanner.section = block.text
            continue
        if not in_responses:
            scanner.text_block(block)
    scanner.close()
    return scanner.drafts


@dataclass
class Response:
    """One entry of a "management's responses to exceptions" section."""

    ref: str
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The response text."""
        return join(self.parts) or ""


_LEADING_REF = re.compile(r"^\s*(?:control\s*(?:no\.?|number|#|ref(?:erence)?|id)\s*[:.]?\s*)?\S+", re.I)
_RESPONSE_LEAD = re.compile(
    r"^[\s:.–—-]*(?:management'?s?\s+response(?:\s+to\s+(?:the\s+)?(?:exceptions?|deviations?))?)?[\s:.–—-]*",
    re.IGNORECASE,
)


def collect_responses(blocks: list[Block]) -> list[Response]:
    """Entries of the separate management's-responses section, in order, keyed by control reference."""
    responses: list[Response] = []
    in_section = False
    current: Response | None = None
    for block in blocks:
        ref = leading_ref(block.text)
        if not in_section:
            in_section = bool(RESPONSES_HEADING.match(block.text)) and ref is None
            continue
        if SECTION_HEADING.match(block.text):
            in_section, current = False, None
            continue
        if block.is_table:
            rows = table_rows(block.element.table_html or "")
            top = next((i for i, row in enumerate(rows) if not title_row(row)), len(rows))
            header = [c.lower() for c in rows[top]] if top < len(rows) else []
            answer = next((i for i, c in enumerate(header) if "response" in c or "action" in c), None)
            if answer is None:
                continue
            ref_col = next((i for i, c in enumerate(header) if i != answer), 0)
            for row in rows[top + 1 :]:
                row_ref = normalise_ref(cell(row, ref_col))
                if row_ref:
                    current = Response(ref=row_ref)
                    responses.append(current)
                if current is not None and cell(row, answer):
                    current.parts.append(cell(row, answer))
            continue
        if ref is not None:
            current = Response(ref=ref)
            responses.append(current)
            rest = _LEADING_REF.sub("", block.text, count=1)
            rest = _RESPONSE_LEAD.sub("", rest, count=1)
            if rest:
                current.parts.append(rest)
        elif current is not None:
            current.parts.append(block.text)
    return responses


def attach_responses(drafts: list[Draft], responses: list[Response]) -> list[str]:
    """Give each matrix finding its management response by control reference; returns warnings."""
    warnings: list[str] = []
    by_ref: dict[str, list[Response]] = {}
    for response in responses:
        by_ref.setdefault(response.ref, []).append(response)
    matrix = [d for d in drafts if d.layout == FindingLayout.CONTROL_MATRIX]
    findings_by_ref: dict[str, list[Draft]] = {}
    for draft in matrix:
        findings_by_ref.setdefault(draft.control_ref or "", []).append(draft)
    for ref, entries in by_ref.items():
        targets = [d for d in findings_by_ref.get(ref, []) if d.management_response is None]
        if not targets:
            if not findings_by_ref.get(ref):
                warnings.append(f"management response for {ref} matches no extracted exception")
            continue
        if len(entries) == 1:
            for draft in targets:
                draft.management_response = entries[0].text
            continue
        for draft, entry in zip(targets, entries, strict=False):
            draft.management_response = entry.text
        if len(entries) != len(targets):
            warnings.append(f"{len(entries)} management responses for {ref} but {len(targets)} exceptions")
    return warnings
