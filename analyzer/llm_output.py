"""The answer the LLM fills for one finding, and its JSON schema in the form OpenAI strict mode accepts."""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from analyzer.taxonomy import ExceptionType, RootCause, Severity, StepCategory

SCHEMA_NAME = "finding_analysis"


class _Strict(BaseModel):
    # extra="forbid" makes pydantic emit additionalProperties: false, which strict mode requires.
    model_config = ConfigDict(extra="forbid")


class LLMRootCause(_Strict):
    """One root cause the auditor or management states, with the chunks that support it."""

    category: RootCause = Field(description="Root-cause category id from the taxonomy.")
    explanation: str = Field(description="One or two sentences tying this cause to the finding's text.")
    evidence: list[str] = Field(
        description="Ids of provided chunks that support this cause; only ids shown in the prompt."
    )


class LLMPlanStep(_Strict):
    """One step of the corrective action plan."""

    title: str = Field(description="Short imperative title, e.g. 'Re-test user access reviews'.")
    description: str = Field(description="What to do, specific to this finding (systems, samples, controls).")
    category: StepCategory = Field(description="Remediation playbook category of the step.")
    owner_role: str = Field(description="Role accountable for the step, e.g. 'IT Security Manager'.")
    due_in_days: int = Field(ge=0, le=730, description="Days from plan approval until the step is due.")
    evidence_of_completion: str = Field(description="Artifact that will show the step was done.")
    addresses: list[RootCause] = Field(
        description="Root-cause categories (from root_causes) this step remedies; empty for general steps."
    )


class LLMActionPlan(_Strict):
    """The corrective action plan for the finding."""

    summary: str = Field(description="One short paragraph summarising the remediation.")
    severity: Severity = Field(description="Urgency of the remediation: low, medium, high or critical.")
    severity_reason: str = Field(description="One line on why this severity; use sample facts when given.")
    steps: list[LLMPlanStep] = Field(
        min_length=1,
        description="Ordered steps; at least one per root cause; the last step is a reassessment_retest.",
    )


class LLMFindingAnswer(_Strict):
    """Classification, root causes and corrective action plan of one audit finding, in one answer."""

    exception_type: ExceptionType = Field(description="The one primary exception type id.")
    other_types: list[ExceptionType] = Field(
        description="Other exception types that are also defensible; never repeats the primary type."
    )
    confidence: float = Field(ge=0, le=1, description="Confidence in the primary type, from 0 to 1.")
    rationale: str = Field(description="Two or three sentences on why this type, quoting the finding.")
    root_causes: list[LLMRootCause] = Field(
        max_length=3, description="Zero to three causes that the report states; empty when none is stated."
    )
    action_plan: LLMActionPlan = Field(description="Corrective action plan drafted for this finding.")
    cited_chunk_ids: list[str] = Field(
        description="Ids of every provided chunk the answer relies on; only ids shown in the prompt."
    )


def _inline_refs(node: Any, defs: dict[str, Any]) -> Any:
    """Replace every $ref by a copy of its definition (strict mode forbids $ref beside other keys)."""
    if isinstance(node, dict):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            merged = {
                **_inline_refs(copy.deepcopy(defs[name]), defs),
                **{k: v for k, v in node.items() if k != "$ref"},
            }
            return merged
        return {k: _inline_refs(v, defs) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline_refs(v, defs) for v in node]
    return node


def _make_strict(node: Any) -> Any:
    """Every object closed and every property required; no null defaults."""
    if isinstance(node, dict):
        out = {k: _make_strict(v) for k, v in node.items()}
        if out.get("type") == "object" and "properties" in out:
            out["additionalProperties"] = False
            out["required"] = list(out["properties"].keys())
        if "default" in out and out["default"] is None:
            out.pop("default")
        return out
    if isinstance(node, list):
        return [_make_strict(v) for v in node]
    return node


def answer_json_schema() -> dict[str, Any]:
    """JSON schema of LLMFindingAnswer: self-contained (no $ref) and valid for OpenAI strict mode."""
    raw = LLMFindingAnswer.model_json_schema()
    defs = raw.get("$defs", {})
    return _make_strict(_inline_refs(raw, defs))
