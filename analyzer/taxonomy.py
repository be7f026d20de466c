"""The product's vocabulary: exception types, root-cause categories and remediation step kinds, as data."""

from __future__ import annotations

from enum import StrEnum


class ExceptionType(StrEnum):
    """What the auditor found, in one of seven kinds."""

    CONTROL_GAP = "control_gap"
    OPERATING_INEFFECTIVENESS = "operating_ineffectiveness"
    POLICY_NONCOMPLIANCE = "policy_noncompliance"
    DATA_BREACH_INCIDENT = "data_breach_incident"
    INSUFFICIENT_DOCUMENTATION = "insufficient_documentation"
    VENDOR_NONCOMPLIANCE = "vendor_noncompliance"
    EMPLOYEE_NEGLIGENCE = "employee_negligence"


class RootCause(StrEnum):
    """Why it happened, as stated by the auditor or management."""

    INADEQUATE_PLANNING = "inadequate_planning"
    LACK_OF_CONTROL_DOCUMENTATION = "lack_of_control_documentation"
    MISALIGNMENT_WITH_CRITERIA = "misalignment_with_criteria"
    HUMAN_ERROR = "human_error"
    INSUFFICIENT_TRAINING = "insufficient_training"
    INADEQUATE_MONITORING = "inadequate_monitoring"
    VENDOR_NONCOMPLIANCE = "vendor_noncompliance"
    RESOURCE_CONSTRAINTS = "resource_constraints"
    INADEQUATE_INCIDENT_RESPONSE = "inadequate_incident_response"
    ORGANIZATIONAL_CHANGE = "organizational_change"


class StepCategory(StrEnum):
    """Kinds of remediation step a corrective action plan is made of."""

    ROOT_CAUSE_ANALYSIS = "root_cause_analysis"
    CORRECTIVE_ACTION = "corrective_action"
    DOCUMENTATION_UPDATE = "documentation_update"
    REASSESSMENT_RETEST = "reassessment_retest"
    TRAINING = "training"
    VENDOR_EVALUATION = "vendor_evaluation"
    MONITORING = "monitoring"
    INCIDENT_RESPONSE_IMPROVEMENT = "incident_response_improvement"
    RESOURCE_ALLOCATION = "resource_allocation"
    POST_CHANGE_REVIEW = "post_change_review"
    AUDITOR_CONSULTATION = "auditor_consultation"
    COMMUNICATION = "communication"


class Severity(StrEnum):
    """How urgent the remediation is."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


# Definitions in our own words; they go into prompts and docs verbatim from here.
EXCEPTION_TYPE_DEFINITIONS: dict[ExceptionType, str] = {
    ExceptionType.CONTROL_GAP: (
        "A control the criteria call for was never designed or never put in place: there is no process, "
        "policy or mechanism at all for the requirement."
    ),
    ExceptionType.OPERATING_INEFFECTIVENESS: (
        "The control exists and is designed, but during the period it did not run as intended: samples "
        "failed, reviews were late or skipped, steps were missed on some occasions."
    ),
    ExceptionType.POLICY_NONCOMPLIANCE: (
        "The organization did not follow its own written policy, procedure or standard, or an external "
        "rule it must obey, and the auditor frames the problem as that breach rather than a failed control."
    ),
    ExceptionType.DATA_BREACH_INCIDENT: (
        "A security incident or breach actually happened and affected the confidentiality, integrity or "
        "availability of sensitive data; a mere risk of one does not count."
    ),
    ExceptionType.INSUFFICIENT_DOCUMENTATION: (
        "Records or evidence are missing, incomplete, unsigned, outdated or wrong, so nobody can show that "
        "the control was implemented or operated."
    ),
    ExceptionType.VENDOR_NONCOMPLIANCE: (
        "A third party that performs part of the control (vendor, service organization, subrecipient, "
        "contractor) fell short, or the organization did not obtain or review assurance over it."
    ),
    ExceptionType.EMPLOYEE_NEGLIGENCE: (
        "The heart of the exception is what particular people did or failed to do: mishandled data, broke "
        "policy, neglected duties, keyed data wrongly."
    ),
}

# When several types fit, the earlier one wins, provided the text really supports it.
TYPE_PRECEDENCE: tuple[ExceptionType, ...] = (
    ExceptionType.DATA_BREACH_INCIDENT,
    ExceptionType.VENDOR_NONCOMPLIANCE,
    ExceptionType.CONTROL_GAP,
    ExceptionType.INSUFFICIENT_DOCUMENTATION,
    ExceptionType.OPERATING_INEFFECTIVENESS,
    ExceptionType.POLICY_NONCOMPLIANCE,
    ExceptionType.EMPLOYEE_NEGLIGENCE,
)

ROOT_CAUSE_DEFINITIONS: dict[RootCause, str] = {
    RootCause.INADEQUATE_PLANNING: (
        "Work was not prepared ahead: wrong scope, no timeline, a process that was never set up in advance."
    ),
    RootCause.LACK_OF_CONTROL_DOCUMENTATION: (
        "Written procedures or control descriptions are missing, stale or inaccurate."
    ),
    RootCause.MISALIGNMENT_WITH_CRITERIA: (
        "Controls were not fitted to the applicable criteria or requirement, or the requirement was "
        "misunderstood."
    ),
    RootCause.HUMAN_ERROR: "Someone made a mistake or oversight, such as a keying error or a missed step.",
    RootCause.INSUFFICIENT_TRAINING: (
        "Staff were not trained or did not know the requirement or their part in it."
    ),
    RootCause.INADEQUATE_MONITORING: (
        "Nobody reviewed, supervised, reconciled or tested the control often enough to catch the failure."
    ),
    RootCause.VENDOR_NONCOMPLIANCE: (
        "A third party, subrecipient or service provider failed, or was not monitored."
    ),
    RootCause.RESOURCE_CONSTRAINTS: (
        "Too few people, money or time; turnover, competing priorities or system limits kept for cost."
    ),
    RootCause.INADEQUATE_INCIDENT_RESPONSE: ("An incident was not handled quickly or effectively enough."),
    RootCause.ORGANIZATIONAL_CHANGE: (
        "A merger, reorganization, new system or program, or staff transition disrupted the control."
    ),
}

STEP_CATEGORY_DEFINITIONS: dict[StepCategory, str] = {
    StepCategory.ROOT_CAUSE_ANALYSIS: "Confirm why the exception happened before fixing it.",
    StepCategory.CORRECTIVE_ACTION: "Change the control, process or system so the exception cannot recur.",
    StepCategory.DOCUMENTATION_UPDATE: "Write or correct the policy, procedure or control description.",
    StepCategory.REASSESSMENT_RETEST: "Re-test the control over a new sample to show it now operates.",
    StepCategory.TRAINING: "Train the people who run the control and record who attended.",
    StepCategory.VENDOR_EVALUATION: "Obtain and review the third party's assurance and act on its gaps.",
    StepCategory.MONITORING: "Add a recurring review, reconciliation or alert that would catch a repeat.",
    StepCategory.INCIDENT_RESPONSE_IMPROVEMENT: "Improve detection, escalation and handling of incidents.",
    StepCategory.RESOURCE_ALLOCATION: "Assign people, budget or tooling the control needs.",
    StepCategory.POST_CHANGE_REVIEW: "Review controls affected by a reorganization or system change.",
    StepCategory.AUDITOR_CONSULTATION: "Agree the remediation and evidence with the auditor.",
    StepCategory.COMMUNICATION: "Tell the owners and affected parties what changes and when.",
}

# Steps that count as the closing verification of a plan.
VERIFICATION_CATEGORIES: frozenset[StepCategory] = frozenset({StepCategory.REASSESSMENT_RETEST})


def exception_type_ids() -> list[str]:
    """The seven exception type ids, in precedence order."""
    return [t.value for t in TYPE_PRECEDENCE]


def root_cause_ids() -> list[str]:
    """The ten root-cause ids."""
    return [c.value for c in RootCause]
