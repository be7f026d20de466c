"""Classic finding layouts: numbered findings with condition / criteria / cause / effect / recommendation."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from analyzer.models import FindingLayout
from ingestion.extract._refs import normalise_ref
from ingestion.extract.document import SECTION_HEADING, Block
from ingestion.extract.draft import Draft, join

# "Finding 2024-001: Title", "Finding No. 3 - Title", "2023-004 Title" (single-audit reference numbers).
FINDING_HEADING = re.compile(
    r"^\s*(?:(?:finding|observation|issue)\s*(?:no\.?|number|#)?\s*(?P<num>\d{4}-\d{2,4}|\d{1,3})\b"
    r"|(?P<ref>\d{4}-\d{3})\b)\s*[:.–—-]?\s*(?P<title>.{0,200})$",
    re.IGNORECASE,
)
# Field labels, each given alone on a line ("Condition") or leading a paragraph ("Condition: ...").
LABELS: list[tuple[str, str]] = [
    ("text", r"condition(?:\s+found)?|finding\s+description|description\s+of\s+(?:the\s+)?finding"),
    ("criteria", r"criteria|criterion|requirement"),
    ("cause", r"cause|root\s+cause"),
    ("effect", r"effect(?:\s+or\s+potential\s+effect)?|potential\s+effect|risk|impact"),
    ("recommendation", r"recommendations?"),
    ("context", r"context|background"),
    (
        "management_response",
        r"management'?s?\s+(?:response|action\s+plan)(?:\s+and\s+corrective\s+action\s+plan)?"
        r"|corrective\s+action\s+plan|views\s+of\s+responsible\s+officials?(?:\s+and\s+planned\s+corrective\s+action)?"
        r"|auditee'?s?\s+response|planned\s+corrective\s+action",
    ),
    (
        "control_ref",
        r"related\s+controls?|control\s+ref(?:erence)?|criteria\s+ref(?:erence)?|tsc\s+ref(?:erence)?",
    ),
    ("other", r"questioned\s+costs?|repeat\s+finding|rating|risk\s+rating|priority|federal\s+program"),
]
# One pattern for all labels (one regex pass per block); a label either ends the text or is followed by ":".
_LABEL = re.compile(
    r"^\s*(?:"
    + "|".join(f"(?P<{name}>{words})" for name, words in LABELS)
    + r")(?:\s*:\s*(?P<rest>.*)|\s*$)",
    re.IGNORECASE | re.DOTALL,
)


def label_of(text: str) -> tuple[str, str] | None:
    """(field, rest of text) when `text` is or starts with a classic field label."""
    match = _LABEL.match(text)
    if match is None:
        return None
    name = next(name for name, _ in LABELS if match.group(name) is not None)
    return name, match.group("rest") or ""


_CONTINUED = re.compile(
    r"^\W*(?:cont(?:inued|'d|\.)|continuation)\b|\bcont(?:inued|'d|\.)\W*$", re.IGNORECASE
)


def is_continuation(heading: re.Match[str]) -> bool:
    """True for a repeated heading such as "Finding 2025-001 (continued)" at the top of a page."""
    return bool(_CONTINUED.search(heading.group("title") or ""))


def is_finding_heading(block: Block) -> re.Match[str] | None:
    """The heading match when a block opens a numbered finding (short, not a sentence in a paragraph)."""
    if block.is_table or len(block.text) > 220:
        return None
    match = FINDING_HEADING.match(block.text)
    if match is None:
        return None
    # "Finding 3 of the prior year was resolved." is a sentence, not a heading: a heading is styled as
    # one, puts a separator after its number, or is a short line that does not end like a sentence.
    after_number = block.text[match.end("num") if match.group("num") else match.end("ref") :]
    if (
        block.element.category == "Title"
        or re.match(r"\s*[:.–—-]", after_number)
        or (len(block.text) <= 100 and not block.text.rstrip().endswith("."))
    ):
        return match
    return None


@dataclass
class _Open:
    start: int
    page: int | None
    section: str | None
    number: str | None = None
    title: str | None = None
    fields: dict[str, list[str]] = field(default_factory=dict)
    keys: set[str] = field(default_factory=set)
    lead: list[str] = field(default_factory=list)
    text_page: int | None = None

    def draft(self) -> Draft | None:
        text = join(self.fields.get("text", [])) or join(self.lead)
        if not text:
            return None
        ref_source = join(self.fields.get("control_ref", [])) or self.title or ""
        ref = normalise_ref(ref_source) or normalise_ref(join(self.fields.get("criteria", [])) or "")
        return Draft(
            layout=FindingLayout.CLASSIC,
            start=self.start,
            page=self.text_page or self.page,
            control_ref=ref,
            number=self.number,
            title=self.title,
            text=text,
            context=join(self.fields.get("context", [])),
            criteria=join(self.fields.get("criteria", [])),
            cause=join(self.fields.get("cause", [])),
            effect=join(self.fields.get("effect", [])),
            recommendation=join(self.fields.get("recommendation", [])),
            management_response=join(self.fields.get("management_response", [])),
            section=self.section,
            keys=set(self.keys),
        )


def _continues(current: _Open | None, field_name: str | None, block: Block) -> bool:
    """True when a title-like block is really the rest of a paragraph cut by a page break."""
    if current is None:
        return False
    parts = current.fields.get(field_name, []) if field_name else current.lead
    last = parts[-1] if parts else ""
    return block.text[:1].islower() or bool(last and not re.search(r"[.!?:;)\"'”]\s*$", last))


def extract_classic(blocks: list[Block]) -> list[Draft]:
    """Findings from numbered condition / criteria / cause / effect / recommendation write-ups."""
    drafts: list[Draft] = []
    current: _Open | None = None
    field_name: str | None = None
    section: str | None = None

    def close() -> None:
        nonlocal current, field_name
        if current is not None:
            draft = current.draft()
            if draft is not None:
                drafts.append(draft)
        current, field_name = None, None

    for block in blocks:
        if block.is_table:
            continue
        heading = is_finding_heading(block)
        if heading and is_continuation(heading):
            if current is not None:
                current.keys.add(block.element.id)  # "Finding 2025-001 (continued)" on the next page
            continue
        if heading:
            close()
            current = _Open(start=block.index, page=block.page, section=section)
            current.number = heading.group("num") or heading.group("ref")
            current.title = heading.group("title").strip() or None
            current.keys.add(block.element.id)
            continue
        labelled = label_of(block.text)
        if labelled is not None:
            name, rest = labelled
            if name == "text" and (current is None or current.fields.get("text")):
                close()  # a condition without a numbered heading starts a finding of its own
                current = _Open(start=block.index, page=block.page, section=section)
            if current is None:
                continue
            field_name = name
            current.keys.add(block.element.id)
            current.fields.setdefault(name, [])
            if rest:
                current.fields[name].append(rest)
            if name == "text" and current.text_page is None:
                current.text_page = block.page
            continue
        if SECTION_HEADING.match(block.text) or (
            block.element.category == "Title" and not _continues(current, field_name, block)
        ):
            # A heading that is no field label ends the finding being read.
            close()
            section = block.text
            continue
        if current is None:
            continue
        current.keys.add(block.element.id)
        if field_name is None:
            current.lead.append(block.text)
        else:
            current.fields[field_name].append(block.text)
            if field_name == "text" and current.text_page is None:
                current.text_page = block.page
    close()
    return drafts
