"""Element-aware chunking: a new chunk at each heading, tables kept whole when they fit, a size cap.

A table too long for one chunk is split between rows, each piece repeating the header row, because the
embedding model reads only the first 256 tokens of a chunk: a whole control matrix in one chunk would leave
every row after the first few invisible to search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from analyzer.models import Chunk
from ingestion.controlrefs import find_control_refs
from ingestion.elements import Element, ParsedDocument
from ingestion.extract.cell_matrix import bare_ref
from ingestion.extract.document import locate_header, table_rows
from ingestion.extract.soc2_matrix import ROW_START

MAX_CHARS = 1200
OVERLAP_CHARS = 150
# Running headers, footers and page numbers repeat on every page; they would only add noise to chunks.
_SKIPPED = {"Header", "Footer", "PageNumber", "PageBreak"}
_HEADINGS = {"Title"}
_SECTION_MAX = 200
_SPLIT_AT = (re.compile(r"\n"), re.compile(r"(?<=[.;:!?])\s"), re.compile(r"\s"))


def _joined_size(parts: list[str]) -> int:
    """Length of the parts joined by newlines."""
    return sum(len(p) for p in parts) + max(len(parts) - 1, 0)


@dataclass
class _Draft:
    parts: list[str] = field(default_factory=list)
    sources: list[Element] = field(default_factory=list)  # the element of each part
    row_starts: list[int] = field(default_factory=list)  # indices of parts that open a matrix row
    section: str | None = None
    has_body: bool = False
    carried: bool = False  # holds only the overlap carried over from the previous chunk

    @property
    def element_ids(self) -> list[str]:
        return list(dict.fromkeys(e.id for e in self.sources))

    @property
    def pages(self) -> list[int]:
        return [e.page for e in self.sources if e.page is not None]

    @property
    def size(self) -> int:
        return _joined_size(self.parts)

    @property
    def text(self) -> str:
        return "\n".join(self.parts)

    def add(self, text: str, element: Element, *, row_start: bool = False) -> None:
        if row_start:
            self.row_starts.append(len(self.parts))
        self.parts.append(text)
        self.sources.append(element)

    def split_at_last_row(self, min_size: int) -> _Draft | None:
        """Move the last matrix row begun here into a new draft, if at least min_size chars stay behind."""
        if not self.row_starts:
            return None
        start = self.row_starts[-1]
        if start == 0 or _joined_size(self.parts[:start]) < min_size:
            return None
        tail = _Draft(section=self.section, has_body=True)
        tail.add(self.parts[start], self.sources[start], row_start=True)
        for text, source in zip(self.parts[start + 1 :], self.sources[start + 1 :], strict=True):
            tail.add(text, source)
        del self.parts[start:], self.sources[start:]
        self.row_starts.pop()
        return tail


def _opens_row(text: str) -> bool:
    """A control-matrix row begins here: a bare control reference cell or a "Control No.: CC6.1" label."""
    return bare_ref(text) is not None or ROW_START.match(text) is not None


def _cut(text: str, limit: int) -> int:
    """Where to cut `text` to keep at most `limit` chars: the last line, sentence or word boundary."""
    if len(text) <= limit:
        return len(text)
    window = text[:limit]
    for pattern in _SPLIT_AT:
        positions = [m.end() for m in pattern.finditer(window)]
        good = [p for p in positions if p >= limit // 2]
        if good:
            return good[-1]
    return limit


def split_text(text: str, *, max_chars: int = MAX_CHARS, overlap: int = OVERLAP_CHARS) -> list[str]:
    """Split a long text into pieces of at most max_chars, at line/sentence/word boundaries, overlapping."""
    text = text.strip()
    pieces: list[str] = []
    while len(text) > max_chars:
        end = _cut(text, max_chars)
        pieces.append(text[:end].strip())
        restart = max(end - overlap, 1)
        # Start the overlap at a word boundary so no piece begins mid-word.
        space = text.find(" ", restart, end)
        restart = space + 1 if space != -1 else end
        text = text[restart:].strip()
    if text:
        pieces.append(text)
    return pieces


def table_pieces(element: Element, *, max_chars: int = MAX_CHARS) -> list[str]:
    """A long table's text in pieces of whole rows (one row per line), each led by the header row."""
    cells = table_rows(element.table_html or "")
    if len(cells) < 2:
        return split_text(element.text, max_chars=max_chars, overlap=0)
    # A control matrix's header may sit under a title row and span two rows: repeat all of it.
    columns, first = locate_header(cells)
    heading_rows = first if columns is not None and first < len(cells) else 1
    rows = [" ".join(c for c in row if c) for row in cells]
    header, body = "\n".join(rows[:heading_rows]), rows[heading_rows:]
    # Repeat the header only while it leaves room for rows; a huge header is not worth repeating.
    lead = [header] if len(header) <= max_chars // 3 else []
    pieces: list[str] = []
    current, has_rows = [header], False
    for row in body:
        # A single row longer than a chunk is split at sentence/word boundaries like running text.
        for part in split_text(row, max_chars=max_chars - len(header) - 1 if lead else max_chars, overlap=0):
            if has_rows and _joined_size([*current, part]) > max_chars:
                pieces.append("\n".join(current))
                current, has_rows = list(lead), False
            current.append(part)
            has_rows = True
    pieces.append("\n".join(current))
    return pieces


def _tail(text: str, overlap: int) -> str:
    if overlap <= 0 or len(text) <= overlap:
        return "" if overlap <= 0 else text
    tail = text[-overlap:]
    space = tail.find(" ")
    return tail[space + 1 :] if space != -1 else tail


def chunk_document(
    parsed: ParsedDocument,
    *,
    org_id: str,
    audit_id: str,
    document_id: str,
    max_chars: int = MAX_CHARS,
    overlap: int = OVERLAP_CHARS,
) -> list[Chunk]:
    """Chunks of a parsed document, in reading order, with stable ids `<document_id>:<nnnn>`."""
    drafts: list[_Draft] = []
    section: str | None = None
    current = _Draft()

    def flush(*, carry_from: Element | None = None) -> None:
        """Close the current draft; with `carry_from`, the next one starts with the tail as overlap."""
        nonlocal current
        if current.has_body:
            drafts.append(current)
        carry = _tail(current.text, overlap) if carry_from is not None and current.has_body else ""
        current = _Draft(section=section)
        if carry and carry_from is not None:
            current.add(carry, carry_from)
            current.carried = True

    def add_pieces(pieces: list[str], element: Element) -> None:
        """Each piece of one long element in its own chunk (the first joins the current draft)."""
        for i, piece in enumerate(pieces):
            if i > 0:
                flush()
            current.add(piece, element)
            current.has_body = True
            current.carried = False

    last: Element | None = None
    for element in parsed.elements:
        text = element.text.strip()
        if not text or element.category in _SKIPPED:
            continue
        if element.category in _HEADINGS:
            if current.has_body:
                flush()
            elif current.carried:
                # Only overlap text so far: a new section does not start with the previous one's tail.
                current = _Draft()
            # Consecutive headings (a title and its subtitle) open one chunk together.
            section = text[:_SECTION_MAX]
            current.section = section
            current.add(text, element)
            current.has_body = current.has_body or len(current.text) > max_chars // 2
            last = element
            continue
        joined = current.size + (1 if current.parts else 0) + len(text)
        if element.category == "Table" and len(text) > max_chars:
            # Too long to embed whole: pieces of whole rows, the first one under a pending heading.
            if current.has_body:
                flush()
            elif current.carried:
                current = _Draft(section=section)
            add_pieces(table_pieces(element, max_chars=max_chars), element)
            last = element
            continue
        if joined > max_chars:
            if element.category == "Table" or len(text) <= max_chars:
                # Start a fresh chunk; a table gets no overlap in front so it stays whole. Inside a
                # control matrix the cut goes before the row being read, so each row stays whole in
                # one chunk and needs no overlap.
                row = current.split_at_last_row(max_chars // 3) if element.category != "Table" else None
                if row is not None:
                    flush()
                    current = row
                    current.section = section
                    if current.size + 1 + len(text) > max_chars:  # a row longer than a chunk
                        flush(carry_from=last)
                elif current.has_body:
                    flush(carry_from=None if element.category == "Table" else last)
                if current.carried and current.size + 1 + len(text) > max_chars:
                    current = _Draft(section=section)
                # A heading-only draft keeps its heading even if that pushes the chunk a little over.
            else:
                # Longer than a chunk on its own: split at line/sentence/word boundaries, overlapping.
                if current.has_body:
                    flush()
                room = max_chars - (current.size + 1 if current.parts else 0)
                add_pieces(split_text(text, max_chars=max(room, max_chars // 2), overlap=overlap), element)
                last = element
                continue
        current.add(text, element, row_start=_opens_row(text))
        current.has_body = True
        current.carried = False
        last = element
    if current.has_body or (current.parts and not drafts):
        drafts.append(current)

    chunks: list[Chunk] = []
    for draft in drafts:
        text = draft.text
        chunks.append(
            Chunk(
                id=f"{document_id}:{len(chunks):04d}",
                org_id=org_id,
                audit_id=audit_id,
                document_id=document_id,
                document=parsed.filename,
                kind=parsed.kind,
                text=text,
                page=min(draft.pages) if draft.pages else None,
                section=draft.section,
                element_ids=draft.element_ids,
                control_refs=find_control_refs(text),
            )
        )
    return chunks
