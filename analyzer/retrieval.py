"""Retrieval for one finding, scoped to its organization: evidence, approved examples, playbook hints."""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import BaseModel, Field

from analyzer.models import DocumentKind, Finding, RetrievedChunk
from analyzer.playbook import Playbook, load_playbook
from analyzer.ports import ApprovedExample, ApprovedExamples, VectorIndex
from analyzer.taxonomy import ROOT_CAUSE_DEFINITIONS, ExceptionType, RootCause

# Words that point at a type or a cause; only used to pick which playbook entries to show as hints,
# never to decide the answer (the model decides, and the full taxonomy is in the prompt anyway).
_TYPE_CUES: dict[ExceptionType, tuple[str, ...]] = {
    ExceptionType.CONTROL_GAP: (
        "no process",
        "not implemented",
        "did not have",
        "no control",
        "not designed",
    ),
    ExceptionType.OPERATING_INEFFECTIVENESS: (" of ", "sample", "not performed", "late", "not timely"),
    ExceptionType.POLICY_NONCOMPLIANCE: ("policy", "procedure requires", "in violation", "regulation"),
    ExceptionType.DATA_BREACH_INCIDENT: ("breach", "incident", "unauthorized access", "exfiltrat", "leak"),
    ExceptionType.INSUFFICIENT_DOCUMENTATION: (
        "documentation",
        "evidence",
        "not retained",
        "unsigned",
        "record",
    ),
    ExceptionType.VENDOR_NONCOMPLIANCE: ("vendor", "third party", "soc 1", "soc 2 report", "subrecipient"),
    ExceptionType.EMPLOYEE_NEGLIGENCE: ("employee", "staff member", "mistake", "keyed", "careless"),
}
_CAUSE_CUES: dict[RootCause, tuple[str, ...]] = {
    RootCause.INADEQUATE_PLANNING: ("planning", "not planned", "timeline", "scope"),
    RootCause.LACK_OF_CONTROL_DOCUMENTATION: (
        "procedure was not documented",
        "no written",
        "outdated procedure",
    ),
    RootCause.MISALIGNMENT_WITH_CRITERIA: ("misunderstood", "not aligned", "interpret"),
    RootCause.HUMAN_ERROR: ("oversight", "error", "mistake", "inadvertent"),
    RootCause.INSUFFICIENT_TRAINING: ("training", "unaware", "not aware", "trained"),
    RootCause.INADEQUATE_MONITORING: ("monitor", "review", "supervis", "reconcil"),
    RootCause.VENDOR_NONCOMPLIANCE: ("vendor", "third party", "provider", "subrecipient"),
    RootCause.RESOURCE_CONSTRAINTS: ("staffing", "turnover", "vacan", "budget", "workload"),
    RootCause.INADEQUATE_INCIDENT_RESPONSE: ("incident response", "not escalated", "respond"),
    RootCause.ORGANIZATIONAL_CHANGE: ("migration", "new system", "reorganiz", "merger", "transition"),
}


class RetrievalContext(BaseModel):
    """Everything retrieved for one finding; only `chunks` may be cited by the analysis."""

    finding: Finding = Field(description="The finding being analysed.")
    chunks: list[RetrievedChunk] = Field(default_factory=list, description="Evidence/policy/report chunks.")
    approved_examples: list[ApprovedExample] = Field(
        default_factory=list, description="Similar findings of earlier audits with approved plans."
    )
    playbook_hints: list[str] = Field(default_factory=list, description="Playbook entries likely to apply.")

    @property
    def chunk_ids(self) -> list[str]:
        """Ids of every retrieved chunk, in retrieval order."""
        return [rc.chunk.id for rc in self.chunks]


class RetrievalSettings(BaseModel):
    """How much to retrieve per finding."""

    evidence_k: int = Field(default=6, ge=0, description="Evidence and policy chunks of the same audit.")
    report_k: int = Field(default=2, ge=0, description="Report chunks of the same audit around the finding.")
    examples_k: int = Field(default=3, ge=0, description="Approved examples from earlier audits.")
    hints: int = Field(default=4, ge=0, description="Playbook hints to show.")


def finding_query(finding: Finding) -> str:
    """The text used to search for a finding's evidence: control, title, exception and response."""
    parts = [finding.control_ref, finding.title, finding.text, finding.management_response]
    return "\n".join(p for p in parts if p)


def _cue_scores(text: str, cues: dict[object, tuple[str, ...]]) -> list[object]:
    lowered = text.lower()
    scored = [(sum(lowered.count(c) for c in words), key) for key, words in cues.items()]
    return [key for score, key in sorted(scored, key=lambda s: -s[0]) if score > 0]


def likely_types_and_causes(finding: Finding) -> tuple[list[ExceptionType], list[RootCause]]:
    """Types and causes whose cue words appear in the finding, most cues first (hints only)."""
    text = " ".join(p for p in (finding.text, finding.context, finding.management_response) if p)
    types = [ExceptionType(t) for t in _cue_scores(text, dict(_TYPE_CUES.items()))]  # type: ignore[arg-type]
    causes = [RootCause(c) for c in _cue_scores(text, dict(_CAUSE_CUES.items()))]  # type: ignore[arg-type]
    return types, causes


def playbook_hints(finding: Finding, limit: int, playbook: Playbook | None = None) -> list[str]:
    """Playbook entries for the finding's likely types and causes, as short lines."""
    book = playbook or load_playbook()
    types, causes = likely_types_and_causes(finding)
    hints: list[str] = []
    for t in types[:2]:
        entry = book.types[t]
        steps = "; ".join(f"[{s.category.value}] {s.title}" for s in entry.steps)
        hints.append(f"type {t.value} (aim: {entry.focus}): {steps}")
    for c in causes[:3]:
        steps = "; ".join(f"[{s.category.value}] {s.title}" for s in book.causes[c].steps)
        hints.append(f"cause {c.value} ({ROOT_CAUSE_DEFINITIONS[c]}): {steps}")
    return hints[:limit]


_WS = re.compile(r"\s+")


class Retriever:
    """Runs the three retrievals for a finding through the ports; every call carries the finding's org."""

    def __init__(
        self,
        *,
        index: VectorIndex | None,
        approved: ApprovedExamples | None,
        settings: RetrievalSettings | None = None,
    ) -> None:
        self._index = index
        self._approved = approved
        self._settings = settings or RetrievalSettings()

    def retrieve(self, finding: Finding) -> RetrievalContext:
        """Retrieve evidence, approved examples and playbook hints for one finding."""
        s = self._settings
        query = _WS.sub(" ", finding_query(finding)).strip()
        chunks: list[RetrievedChunk] = []
        if self._index is not None:
            chunks += self._search(finding, query, s.evidence_k, [DocumentKind.EVIDENCE, DocumentKind.POLICY])
            chunks += self._search(finding, query, s.report_k, [DocumentKind.REPORT])
        examples: list[ApprovedExample] = []
        if self._approved is not None and s.examples_k:
            found = self._approved.similar(
                org_id=finding.org_id, text=query, k=s.examples_k, exclude_audit_id=finding.audit_id
            )
            # Defence in depth: a store bug must never leak another organization's plans into a prompt.
            examples = [
                e
                for e in found
                if e.finding.org_id == finding.org_id and e.finding.audit_id != finding.audit_id
            ]
        return RetrievalContext(
            finding=finding,
            chunks=_dedupe(chunks),
            approved_examples=examples,
            playbook_hints=playbook_hints(finding, s.hints),
        )

    def _search(
        self, finding: Finding, query: str, k: int, kinds: Sequence[DocumentKind]
    ) -> list[RetrievedChunk]:
        if k <= 0 or self._index is None:
            return []
        found = self._index.search(
            org_id=finding.org_id, query=query, k=k, audit_id=finding.audit_id, kinds=list(kinds)
        )
        return [
            rc for rc in found if rc.chunk.org_id == finding.org_id and rc.chunk.audit_id == finding.audit_id
        ]


def _dedupe(chunks: list[RetrievedChunk]) -> list[RetrievedChunk]:
    seen: set[str] = set()
    out: list[RetrievedChunk] = []
    for rc in chunks:
        if rc.chunk.id not in seen:
            seen.add(rc.chunk.id)
            out.append(rc)
    return out
