"""Domain models shared by every layer: findings, chunks and the analysis of a finding."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from analyzer.taxonomy import ExceptionType, RootCause, Severity, StepCategory


def utcnow() -> datetime:
    """Timezone-aware current time in UTC."""
    return datetime.now(UTC)


class DocumentKind(StrEnum):
    """What a document is to the audit."""

    REPORT = "report"
    EVIDENCE = "evidence"
    POLICY = "policy"


class FindingLayout(StrEnum):
    """Where in a document (or import) a finding came from."""

    CONTROL_MATRIX = "control_matrix"  # SOC 2 section IV: control / test / result
    CLASSIC = "classic"  # condition / criteria / cause / effect / recommendation
    IMPORT = "import"  # structured CSV/XLSX/JSON list


class SampleFacts(BaseModel):
    """Sample counts the auditor stated, e.g. "2 of 25 samples"."""

    model_config = ConfigDict(frozen=True)

    exceptions: int | None = Field(default=None, ge=0, description="Number of items with an exception.")
    sample_size: int | None = Field(default=None, ge=0, description="Number of items tested.")
    text: str = Field(description="The sample phrase as written in the report.")


class Finding(BaseModel):
    """One exception the auditor noted, with the report text around it."""

    id: str = Field(description="Stable id: same document content and position give the same id.")
    org_id: str = Field(description="Organization that owns the finding.")
    audit_id: str = Field(description="Audit (engagement / report period) the finding belongs to.")
    document_id: str | None = Field(default=None, description="Source document id (content hash based).")
    document: str | None = Field(default=None, description="Source document file name, for people.")
    page: int | None = Field(default=None, ge=1, description="1-based page where the exception is stated.")
    layout: FindingLayout = Field(description="Layout the finding was extracted from.")
    ordinal: int = Field(default=0, ge=0, description="Position of the finding within its document.")
    control_ref: str | None = Field(default=None, description="Control / criterion reference, e.g. CC6.1.")
    control_description: str | None = Field(default=None, description="The control as described.")
    test_performed: str | None = Field(default=None, description="The auditor's test of the control.")
    title: str | None = Field(default=None, description="Short title or heading of the finding.")
    text: str = Field(description="The exception (condition) text, verbatim from the source.")
    sample: SampleFacts | None = Field(default=None, description="Sample facts when stated.")
    context: str | None = Field(default=None, description="Background / context text when stated.")
    criteria: str | None = Field(default=None, description="Criteria / requirement text when stated.")
    cause: str | None = Field(default=None, description="Cause as stated by the auditor, when stated.")
    effect: str | None = Field(default=None, description="Effect / risk text when stated.")
    recommendation: str | None = Field(default=None, description="Auditor's recommendation when stated.")
    management_response: str | None = Field(
        default=None, description="Management's response or corrective action plan, when stated."
    )
    section: str | None = Field(default=None, description="Heading of the section holding the finding.")


class Chunk(BaseModel):
    """A retrievable piece of a document, built from its parsed elements."""

    id: str = Field(description="Stable chunk id (document id + position).")
    org_id: str = Field(description="Organization that owns the chunk.")
    audit_id: str = Field(description="Audit the chunk's document belongs to.")
    document_id: str = Field(description="Document the chunk comes from.")
    document: str = Field(description="Source file name, for citations.")
    kind: DocumentKind = Field(description="report / evidence / policy.")
    text: str = Field(description="Chunk text.")
    page: int | None = Field(default=None, ge=1, description="First page the chunk covers.")
    section: str | None = Field(default=None, description="Section heading the chunk sits under.")
    element_ids: list[str] = Field(default_factory=list, description="Parser element ids it was built from.")
    control_refs: list[str] = Field(default_factory=list, description="Control references mentioned.")


class RetrievedChunk(BaseModel):
    """A chunk returned by a retrieval, with its distance to the query."""

    chunk: Chunk = Field(description="The chunk.")
    score: float = Field(description="Similarity in [0, 1]; higher is closer.")


class RootCauseItem(BaseModel):
    """One proposed root cause with the evidence behind it."""

    category: RootCause = Field(description="Root-cause category id.")
    explanation: str = Field(description="Why this cause applies, in one or two sentences.")
    evidence: list[str] = Field(default_factory=list, description="Ids of retrieved chunks supporting it.")


class PlanStep(BaseModel):
    """One step of a corrective action plan."""

    title: str = Field(description="Short imperative title of the step.")
    description: str = Field(description="What to do, specific to this finding.")
    category: StepCategory = Field(description="Remediation playbook category of the step.")
    owner_role: str = Field(description="Role accountable for the step (e.g. IT Security Manager).")
    due_in_days: int = Field(ge=0, le=730, description="Days from plan approval until the step is due.")
    evidence_of_completion: str = Field(description="What evidence will show the step was done.")


class ActionPlan(BaseModel):
    """A corrective action plan for one finding."""

    summary: str = Field(description="One-paragraph summary of the remediation.")
    severity: Severity = Field(description="How urgent the remediation is.")
    severity_reason: str = Field(description="One line saying why this severity (sample facts if any).")
    steps: list[PlanStep] = Field(
        min_length=1, description="Ordered steps; the last one verifies the fix (retest)."
    )


class Citation(BaseModel):
    """A chunk the analysis relied on, with where it comes from."""

    chunk_id: str = Field(description="Id of a chunk that was retrieved for this finding.")
    document: str | None = Field(default=None, description="Source document name.")
    page: int | None = Field(default=None, description="Page in that document.")


class TokenUsage(BaseModel):
    """Token counts of the LLM calls behind one analysis."""

    input: int = Field(default=0, ge=0, description="Prompt tokens.")
    output: int = Field(default=0, ge=0, description="Completion tokens.")
    cached: int = Field(default=0, ge=0, description="Prompt tokens served from the provider's cache.")


class Provenance(BaseModel):
    """Where an analysis came from, so it can be reproduced and audited."""

    analyzer: Literal["llm", "offline"] = Field(description="Which analyzer produced the result.")
    analyzer_version: str = Field(description="Version of the analyzer code.")
    model: str | None = Field(default=None, description="Model name (LLM) or embedding model (offline).")
    prompt_id: str | None = Field(default=None, description="Prompt id used.")
    prompt_version: int | None = Field(default=None, description="Prompt version used.")
    prompt_hash: str | None = Field(default=None, description="SHA-256 of the prompt file content.")
    prefix_hash: str | None = Field(
        default=None,
        description=(
            "SHA-256 of the stable request prefix as sent (rendered system message and JSON schema); it "
            "changes when the playbook or taxonomy text does, even though the prompt file is unchanged."
        ),
    )
    retrieved_chunk_ids: list[str] = Field(default_factory=list, description="Every chunk retrieved.")
    tokens: TokenUsage = Field(default_factory=TokenUsage, description="Token usage of the LLM calls.")
    llm_calls: int = Field(default=0, ge=0, description="Number of LLM requests made (incl. repairs).")
    latency_ms: float = Field(default=0.0, ge=0, description="Wall time of the analysis in milliseconds.")
    created_at: datetime = Field(default_factory=utcnow, description="When the analysis was made.")


class FindingAnalysis(BaseModel):
    """The analysis of one finding: type, root causes, plan, citations and provenance."""

    finding_id: str = Field(description="Id of the analysed finding.")
    status: Literal["ok", "failed"] = Field(default="ok", description="`failed` when no valid output.")
    error: str | None = Field(default=None, description="Why the analysis failed, when it did.")
    exception_type: ExceptionType | None = Field(default=None, description="Primary exception type.")
    other_types: list[ExceptionType] = Field(default_factory=list, description="Other defensible types.")
    confidence: float = Field(default=0.0, ge=0, le=1, description="Confidence in the primary type.")
    rationale: str = Field(default="", description="Short reason for the type, citing the evidence.")
    root_causes: list[RootCauseItem] = Field(default_factory=list, max_length=3, description="0-3 causes.")
    action_plan: ActionPlan | None = Field(default=None, description="Drafted corrective action plan.")
    citations: list[Citation] = Field(default_factory=list, description="Chunks actually used.")
    provenance: Provenance = Field(description="How the analysis was produced.")
