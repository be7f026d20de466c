"""A small, real Analyzer for eval tests: keyword rules in, a full FindingAnalysis out (no model)."""

from __future__ import annotations

from analyzer.models import ActionPlan, Finding, FindingAnalysis, PlanStep, Provenance, RootCauseItem
from analyzer.taxonomy import ExceptionType, RootCause, Severity, StepCategory

_TYPE_RULES: tuple[tuple[str, ExceptionType], ...] = (
    ("breach", ExceptionType.DATA_BREACH_INCIDENT),
    ("vendor", ExceptionType.VENDOR_NONCOMPLIANCE),
    ("no process", ExceptionType.CONTROL_GAP),
    ("evidence", ExceptionType.INSUFFICIENT_DOCUMENTATION),
    ("policy", ExceptionType.POLICY_NONCOMPLIANCE),
    ("employee", ExceptionType.EMPLOYEE_NEGLIGENCE),
)
_CAUSE_RULES: tuple[tuple[str, RootCause, StepCategory], ...] = (
    ("training", RootCause.INSUFFICIENT_TRAINING, StepCategory.TRAINING),
    ("review", RootCause.INADEQUATE_MONITORING, StepCategory.MONITORING),
    ("staff", RootCause.RESOURCE_CONSTRAINTS, StepCategory.RESOURCE_ALLOCATION),
)


class KeywordAnalyzer:
    """Implements the Analyzer port with substring rules; raises on `fail_marker` to test failures."""

    def __init__(self, *, fail_marker: str = "RAISE-IN-ANALYZER", retrieved: tuple[str, ...] = ()) -> None:
        self.fail_marker = fail_marker
        self.retrieved = retrieved

    @property
    def kind(self) -> str:
        """Reported like the offline analyzer: no LLM behind it."""
        return "offline"

    def analyze(self, finding: Finding) -> FindingAnalysis:
        """Classify by the first matching keyword; operating_ineffectiveness otherwise."""
        text = f"{finding.title or ''} {finding.text} {finding.management_response or ''}".lower()
        if self.fail_marker.lower() in text:
            raise RuntimeError("keyword analyzer was told to fail")
        provenance = Provenance(
            analyzer="offline", analyzer_version="test-keyword-1", retrieved_chunk_ids=list(self.retrieved)
        )
        if "return-failed-status" in text:
            return FindingAnalysis(
                finding_id=finding.id, status="failed", error="no valid output", provenance=provenance
            )
        etype = next((t for word, t in _TYPE_RULES if word in text), ExceptionType.OPERATING_INEFFECTIVENESS)
        causes = [(c, cat) for word, c, cat in _CAUSE_RULES if word in text][:3]
        steps = [
            PlanStep(
                title=f"Address {cause.value.replace('_', ' ')}",
                description=f"Fix what caused the exception: {cause.value.replace('_', ' ')}.",
                category=category,
                owner_role="Control Owner",
                due_in_days=30,
                evidence_of_completion="Signed record of the change.",
            )
            for cause, category in causes
        ]
        steps.append(
            PlanStep(
                title="Retest the control",
                description="Re-test the control over a new sample after remediation.",
                category=StepCategory.REASSESSMENT_RETEST,
                owner_role="Internal Audit",
                due_in_days=90,
                evidence_of_completion="Retest workpaper with no exceptions.",
            )
        )
        return FindingAnalysis(
            finding_id=finding.id,
            exception_type=etype,
            confidence=0.5,
            rationale="keyword rule",
            root_causes=[
                RootCauseItem(category=c, explanation="keyword", evidence=list(self.retrieved[:1]))
                for c, _ in causes
            ],
            action_plan=ActionPlan(
                summary="Remediate and retest.", severity=Severity.MEDIUM, severity_reason="test", steps=steps
            ),
            provenance=provenance,
        )
