"""Content of the fictional Acme Ledger internal-audit sample report (classic finding layout)."""

from __future__ import annotations

from dataclasses import dataclass, field

TITLE = "Internal Audit Report IA-2025-07: Identity, Change and Vendor Management"
INTRO = [
    "Internal Audit performed this review between June 2 and July 18, 2025 as part of the approved "
    "annual audit plan. The objective was to assess whether access, change and vendor management "
    "controls over the LedgerLine Payroll Platform are designed and operating as intended.",
    "Overall rating: Needs improvement. Four findings were raised; management has agreed an action "
    "plan for each of them.",
]
FINDINGS_HEADING = "Detailed Findings"


@dataclass(frozen=True)
class ClassicFinding:
    """One finding in condition / criteria / cause / effect / recommendation form."""

    number: str
    title: str
    control_ref: str | None
    condition: str
    criteria: str
    cause: str
    effect: str
    recommendation: str
    response_label: str
    response: str
    context: str | None = None
    sample: tuple[int, int, str] | None = None
    labels_on_own_line: bool = False  # layout variant: "Condition" as a heading, text below it
    extra: list[tuple[str, str]] = field(default_factory=list)


FINDINGS: list[ClassicFinding] = [
    ClassicFinding(
        number="2025-001",
        title="Privileged access reviews were not evidenced",
        control_ref="CC6.3",
        context="Forty-two engineers hold administrative rights to production databases through the "
        "privileged access management tool.",
        condition="Quarterly reviews of privileged database access were not evidenced for 3 of 4 "
        "quarters tested. The review for the first quarter was completed, but no sign-off was retained "
        "for the other three.",
        criteria="The Access Control Standard (section 4.2) requires the data platform manager to review "
        "and sign off privileged access every quarter.",
        cause="The reviewer role was not reassigned when the previous data platform manager left in "
        "October 2024.",
        effect="Excessive or inappropriate privileged access could remain in place without detection, "
        "increasing the risk of unauthorised changes to payroll data.",
        recommendation="Assign a named reviewer and a deputy, and track each quarterly review as a "
        "ticket with a due date.",
        response_label="Management Response",
        response="Agreed. The Director of Data Engineering is now the reviewer, with the SRE lead as "
        "deputy. A review covering all current privileged accounts will be completed by August 31, 2025.",
        sample=(3, 4, "3 of 4"),
    ),
    ClassicFinding(
        number="2025-002",
        title="Emergency changes bypass approval",
        control_ref="CC8.1",
        condition="Five of 31 emergency changes made between January and May 2025 had no approval "
        "recorded in the deployment tool, and none of the five was reviewed after deployment.",
        criteria="The Change Management Procedure requires emergency changes to be approved by the "
        "on-call engineering manager and reviewed at the next change advisory meeting.",
        cause="The emergency deployment pipeline does not enforce an approval step, and the change "
        "advisory meeting agenda does not list emergency changes automatically.",
        effect="Unauthorised or erroneous code could reach production without detection.",
        recommendation="Add a mandatory approval gate to the emergency pipeline and generate the list "
        "of emergency changes for each change advisory meeting from the deployment tool.",
        response_label="Corrective Action Plan",
        response="The approval gate will be added to the emergency pipeline by September 15, 2025 "
        "(owner: VP Engineering). The change advisory meeting will review an automated list of "
        "emergency deployments starting in September.",
        sample=(5, 31, "Five of 31"),
        labels_on_own_line=True,
    ),
    ClassicFinding(
        number="2025-003",
        title="Vendor risk assessments are out of date",
        control_ref=None,
        condition="Risk assessments for 4 of 12 high-risk vendors were more than two years old, and one "
        "vendor that processes employee bank details had never been assessed.",
        criteria="The Third-Party Risk Policy requires high-risk vendors to be reassessed every year.",
        cause="The vendor inventory has no field for the next assessment date, so overdue assessments "
        "are not visible to the procurement team.",
        effect="Security weaknesses at vendors that handle sensitive data may go unnoticed.",
        recommendation="Record the next assessment date for every vendor and report overdue "
        "assessments to the risk committee each month.",
        response_label="Management's Response",
        response="Procurement will add assessment due dates to the vendor inventory by August 15, 2025 "
        "and complete the overdue assessments by October 31, 2025.",
        sample=(4, 12, "4 of 12"),
    ),
    ClassicFinding(
        number="2025-004",
        title="Security awareness training not completed by contractors",
        control_ref="CC2.2",
        condition="Contractors with access to the customer support console are not enrolled in the "
        "security awareness training programme. None of the 14 active support contractors had "
        "completed the training.",
        criteria="The Information Security Policy applies the training requirement to every person "
        "with access to company systems, including contractors.",
        cause="Contractor accounts are created by the staffing agency liaison outside the HR system, "
        "which is the only source the training platform enrols users from.",
        effect="Contractors may not recognise phishing or handle customer data correctly, which "
        "increases the likelihood of a security incident.",
        recommendation="Enrol contractors in the training platform from the identity provider rather "
        "than the HR system, and block console access until training is completed.",
        response_label="Corrective Action Plan",
        response="The training platform will be connected to the identity provider by September 30, "
        "2025 (owner: Security Awareness Lead). Console access for contractors will depend on "
        "completed training from October 2025.",
        labels_on_own_line=True,
    ),
]
