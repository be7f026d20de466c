"""Content of the fictional Acme Ledger SOC 2 Type II sample report (written for auditlens examples)."""

from __future__ import annotations

from dataclasses import dataclass

COMPANY = "Acme Ledger, Inc."
SYSTEM = "LedgerLine Payroll Platform"
AUDITOR = "Harbor & Quill LLP"
PERIOD = "October 1, 2024 to September 30, 2025"
RUNNING_HEADER = "Acme Ledger, Inc. | SOC 2 Type II Report | LedgerLine Payroll Platform"


@dataclass(frozen=True)
class Control:
    """One row of the section IV control matrix."""

    ref: str
    activity: str
    test: str
    result: str | None = None  # None means the auditor noted no exception
    response: str | None = None  # management's response, for rows with an exception
    sample: tuple[int, int, str] | None = None  # (exceptions, sample size, phrase) stated in the result


NO_EXCEPTIONS = "No exceptions noted."

GROUPS: list[tuple[str, str, list[Control]]] = [
    (
        "CC1",
        "Common Criteria 1: Control Environment",
        [
            Control(
                "CC1.1",
                "Employees acknowledge the code of business conduct when hired and again every year.",
                "Inspected signed acknowledgements for a sample of 25 current employees.",
            ),
            Control(
                "CC1.2",
                "The board's audit and risk committee meets each quarter and receives a security and "
                "compliance update from the Chief Information Security Officer.",
                "Inspected the agenda and minutes of the four committee meetings held during the period.",
            ),
            Control(
                "CC1.3",
                "An organisation chart showing reporting lines for security, engineering and operations "
                "is maintained by People Operations and reviewed once a year.",
                "Inspected the organisation chart and the evidence of its annual review.",
            ),
            Control(
                "CC1.4",
                "A criminal and employment background check is completed and cleared before a new "
                "employee's first working day.",
                "Inspected background check reports and start dates for a sample of 20 new hires.",
                "Exception noted. For 1 of 20 new hires sampled, the background check was cleared eleven "
                "calendar days after the employee's first working day. During that interval the employee "
                "held access to the customer support console.",
                "People Operations now blocks the creation of identity accounts until the screening "
                "vendor reports a cleared check. The change went live on August 4, 2025, and the HR "
                "systems lead reviews a weekly report of start dates against clearance dates.",
                (1, 20, "1 of 20"),
            ),
            Control(
                "CC1.5",
                "Annual performance reviews include an assessment of each employee's adherence to "
                "security responsibilities.",
                "Inspected completed performance reviews for a sample of 15 employees.",
            ),
        ],
    ),
    (
        "CC2",
        "Common Criteria 2: Communication and Information",
        [
            Control(
                "CC2.1",
                "Security metrics (open vulnerabilities, access review status, incidents) are reported "
                "to the executive team each month.",
                "Inspected the monthly security reports for a sample of 4 months.",
            ),
            Control(
                "CC2.2",
                "Employees complete security awareness training within 30 days of hire and every year "
                "thereafter.",
                "Inspected training completion records for a sample of 25 employees.",
            ),
            Control(
                "CC2.3",
                "Service commitments and the process for reporting security concerns are published to "
                "customers in the LedgerLine trust portal.",
                "Inspected the trust portal and the customer agreement template.",
            ),
        ],
    ),
    (
        "CC3",
        "Common Criteria 3: Risk Assessment",
        [
            Control(
                "CC3.1",
                "Security and privacy objectives are defined and approved by the CISO each year.",
                "Inspected the approved objectives document for the period.",
            ),
            Control(
                "CC3.2",
                "A formal risk assessment is performed annually and the risk register is updated with "
                "owners and treatment decisions.",
                "Inspected the risk assessment report and the risk register.",
            ),
            Control(
                "CC3.4",
                "Significant changes to the business or technology environment are assessed for risk "
                "before they are approved.",
                "Inspected the change risk assessments for the two significant changes in the period.",
            ),
        ],
    ),
    (
        "CC4",
        "Common Criteria 4: Monitoring Activities",
        [
            Control(
                "CC4.1",
                "The compliance team performs a self-assessment of key controls each quarter and "
                "reports the results to the CISO.",
                "Requested the quarterly self-assessment reports and evidence of their review.",
                "Exception noted. Management could not provide evidence that the self-assessment was "
                "performed for two of the four quarters in the period (quarters ended March 31, 2025 and "
                "June 30, 2025). No other record of monitoring activities for those quarters was available.",
                "The self-assessment has been moved into the governance tool, which assigns each "
                "quarterly assessment to a named owner and escalates overdue items to the CISO. The "
                "assessments for the missing quarters cannot be recreated; the Q4 assessment was "
                "completed on schedule.",
                (2, 4, "two of the four"),
            ),
            Control(
                "CC4.2",
                "Control deficiencies are logged in the issue tracker and followed until remediated.",
                "Inspected the deficiency log and traced a sample of 5 items to closure.",
            ),
        ],
    ),
    (
        "CC5",
        "Common Criteria 5: Control Activities",
        [
            Control(
                "CC5.2",
                "General IT control policies are approved by management annually.",
                "Inspected the policy approval records.",
            ),
            Control(
                "CC5.3",
                "Policies are published on the intranet and employees are notified of material changes.",
                "Inspected the intranet policy page and a sample change notification.",
            ),
        ],
    ),
    (
        "CC6",
        "Common Criteria 6: Logical and Physical Access Controls",
        [
            Control(
                "CC6.1",
                "Multi-factor authentication is enforced for all access to the production environment "
                "and the corporate identity provider.",
                "Inspected the identity provider policy configuration and observed a login attempt "
                "without a second factor being refused.",
            ),
            Control(
                "CC6.2",
                "Access for terminated personnel is revoked within one business day of the termination "
                "date recorded in the HR system.",
                "Compared the HR termination list with identity provider and VPN deprovisioning logs for "
                "a sample of 25 terminated employees.",
                "Exceptions noted. For 2 of 25 terminated employees sampled, access to the corporate "
                "identity provider and the production VPN remained active for six and nine business "
                "days, respectively, after the termination date. The service auditor inspected the "
                "authentication logs and found no sign-in to either account after the termination date.",
                "The manual offboarding ticket has been replaced by an automated workflow that disables "
                "identity provider and VPN accounts when HR records a termination. IT Operations also "
                "reconciles the HR termination list with active accounts every week; the first "
                "reconciliations found no further late revocations.",
                (2, 25, "2 of 25"),
            ),
            Control(
                "CC6.3",
                "Managers review user access to production systems every quarter and request removal "
                "of access that is no longer needed.",
                "Inspected the quarterly access reviews and traced requested removals to completion.",
            ),
            Control(
                "CC6.6",
                "Network security groups restrict inbound traffic to the production environment to "
                "approved ports and sources.",
                "Inspected the security group rules and the firewall change log.",
            ),
            Control(
                "CC6.7",
                "Customer data in transit is protected with TLS 1.2 or higher.",
                "Inspected the load balancer TLS policy and performed a protocol scan of public endpoints.",
            ),
            Control(
                "CC6.8",
                "Endpoint protection software is installed on all company laptops and reports to a "
                "central console.",
                "Compared the asset inventory with the endpoint console for a sample of 30 laptops.",
            ),
        ],
    ),
    (
        "CC7",
        "Common Criteria 7: System Operations",
        [
            Control(
                "CC7.1",
                "Infrastructure is scanned for vulnerabilities weekly; critical findings are remediated "
                "within 30 days.",
                "Inspected scan reports and remediation tickets for a sample of 10 critical findings.",
            ),
            Control(
                "CC7.2",
                "Security events from production systems are collected in a monitoring platform that "
                "alerts the on-call engineer.",
                "Inspected the alerting rules and a sample of 15 alerts with their triage records.",
            ),
            Control(
                "CC7.3",
                "Security events are triaged against documented criteria to decide whether they are "
                "incidents.",
                "Inspected the triage procedure and a sample of 10 triaged events.",
            ),
            Control(
                "CC7.4",
                "Security incidents are handled under the incident response plan, including "
                "containment, customer notification within 72 hours and a post-incident review.",
                "Inspected the incident register, the incident ticket and the related communications.",
                "Exception noted. One security incident occurred during the period. On May 14, 2025 an "
                "outside party used a support agent's password, exposed in an unrelated third-party "
                "breach, to sign in to the customer support console and viewed support tickets "
                "belonging to 37 customers. The session was ended and the account locked within four "
                "hours. However, the affected customers were notified 19 days after the incident "
                "rather than within 72 hours, and the post-incident review required by the plan was "
                "not performed.",
                "The support console now requires phishing-resistant multi-factor authentication for "
                "every agent. The incident response plan names the Head of Legal as the owner of "
                "customer notifications, and a post-incident review of the May incident was completed "
                "on October 10, 2025.",
                None,
            ),
            Control(
                "CC7.5",
                "Recovery activities after an incident are documented and approved by the CISO.",
                "Inspected the recovery records for incidents closed during the period.",
            ),
        ],
    ),
    (
        "CC8",
        "Common Criteria 8: Change Management",
        [
            Control(
                "CC8.1",
                "Changes to production code are reviewed and approved by a second engineer before "
                "deployment; branch protection prevents merging without approval.",
                "Inspected the repository branch protection settings and the approval history for a "
                "sample of 40 production changes.",
                "Exceptions noted. For 3 of 40 production changes sampled, no record of peer review or "
                "approval before deployment was retained. All three changes were deployed by the same "
                "engineer through the emergency deployment path, which does not enforce branch "
                "protection. Management stated that the changes were minor configuration updates, but "
                "no retrospective approval was documented.",
                "The emergency deployment path now requires approval from the on-call engineering "
                "manager in the deployment tool, and every emergency change is reviewed at the next "
                "weekly change advisory meeting. Engineering reviewed all emergency deployments made "
                "during the period and found no unauthorised changes.",
                (3, 40, "3 of 40"),
            ),
            Control(
                "CC8.1",
                "Changes are tested in a staging environment that mirrors production before release.",
                "Inspected test evidence in the change tickets for a sample of 40 production changes.",
            ),
        ],
    ),
    (
        "CC9",
        "Common Criteria 9: Risk Mitigation",
        [
            Control(
                "CC9.1",
                "Business continuity risks are assessed each year and insurance coverage is reviewed.",
                "Inspected the business continuity risk assessment and the insurance certificate.",
            ),
            Control(
                "CC9.2",
                "Vendor management obtains and reviews the SOC reports of critical vendors every year, "
                "including the complementary user entity controls they list.",
                "Inspected the vendor inventory and the review records for a sample of 4 critical vendors.",
                "Exception noted. The annual review was not performed for 1 of 4 critical vendors "
                "sampled. For the payroll tax filing vendor, the most recent SOC 1 report on file "
                "covered a period that ended 20 months before the review date, and the complementary "
                "user entity controls in that report had not been mapped to Acme Ledger controls.",
                "Vendor management obtained the vendor's current SOC 1 Type II report, reviewed it and "
                "mapped its complementary user entity controls on September 22, 2025. Vendor review due "
                "dates are now tracked in the procurement system with reminders 60 days in advance.",
                (1, 4, "1 of 4"),
            ),
        ],
    ),
    (
        "A1",
        "Additional Criteria for Availability",
        [
            Control(
                "A1.1",
                "Capacity of production databases and compute clusters is monitored and alerts are "
                "raised at 80 percent utilisation.",
                "Inspected the capacity dashboards and alert thresholds.",
            ),
            Control(
                "A1.2",
                "Production databases are backed up daily, and a restoration from backup is tested "
                "each quarter.",
                "Inspected backup job configuration and requested quarterly restoration test records.",
                "Deviation noted. Daily backups were configured and ran as designed; however, the "
                "quarterly restoration test was not implemented during the period. No restoration tests "
                "were performed, so the service auditor could not test the operating effectiveness of "
                "this part of the control.",
                "A restoration test procedure has been written and the first test, restoring the "
                "payroll database into an isolated account, was completed on October 20, 2025. Tests are "
                "scheduled quarterly in the operations calendar with the SRE lead as owner.",
                None,
            ),
            Control(
                "A1.3",
                "The disaster recovery plan is tested once a year and lessons learned are recorded.",
                "Inspected the disaster recovery test report and the follow-up actions.",
            ),
        ],
    ),
    (
        "C1",
        "Additional Criteria for Confidentiality",
        [
            Control(
                "C1.1",
                "Data loss prevention rules detect customer confidential data leaving the company by "
                "e-mail; alerts are escalated to the security team within one business day.",
                "Inspected the data loss prevention policy and a sample of 30 alerts with their "
                "escalation records.",
                "Exception noted. For 1 of 30 alerts sampled, an employee in the finance team had "
                "exported a report containing customer bank account details and e-mailed it, "
                "unencrypted, to a personal e-mail address. The alert was escalated to the security "
                "team 16 days after it was raised.",
                "The employee's manager and the security team addressed the event with the employee, "
                "who confirmed deletion of the file. Data loss prevention now blocks outbound e-mail "
                "containing bank account details, and alert escalation is monitored daily by the "
                "security operations lead.",
                (1, 30, "1 of 30"),
            ),
            Control(
                "C1.2",
                "Customer data is deleted within 90 days after a contract ends, and deletion is "
                "confirmed to the customer.",
                "Inspected deletion records for a sample of 5 terminated customer contracts.",
            ),
        ],
    ),
]

# Front matter of sections I to III: (heading, paragraphs).
FRONT_SECTIONS: list[tuple[str, list[str]]] = [
    (
        "Section I: Independent Service Auditor's Report",
        [
            f"To the management of {COMPANY}:",
            f"We have examined the accompanying description of the {SYSTEM} of {COMPANY} for the period "
            f"{PERIOD}, and the suitability of the design and operating effectiveness of controls stated "
            "in the description to provide reasonable assurance that the service commitments and system "
            "requirements were achieved based on the trust services criteria relevant to security, "
            "availability and confidentiality.",
            "Our examination was conducted in accordance with attestation standards established by the "
            "American Institute of Certified Public Accountants. Those standards require that we plan "
            "and perform the examination to obtain reasonable assurance about whether the description "
            "is presented in accordance with the description criteria and the controls were suitably "
            "designed and operating effectively.",
            "Section IV of this report lists the controls we tested and the results of our tests. "
            "Several of those results describe deviations from the controls as designed. In our opinion, "
            "except for the matters described in section IV, the controls stated in the description "
            "operated effectively throughout the period.",
            f"{AUDITOR}, Portland, Oregon, November 14, 2025",
        ],
    ),
    (
        f"Section II: Management's Assertion of {COMPANY}",
        [
            f"We have prepared the accompanying description of the {SYSTEM} for the period {PERIOD}. "
            "We confirm, to the best of our knowledge and belief, that the description presents the "
            "system that was designed and implemented throughout the period, and that the controls "
            "stated in the description were suitably designed to meet the applicable criteria.",
            "Management's responses to the matters reported by the service auditor are included in "
            "section V and have not been subjected to the procedures applied in the examination.",
        ],
    ),
    (
        f"Section III: Description of the {SYSTEM}",
        [
            f"{COMPANY} provides payroll calculation, payment and tax filing services to mid-sized "
            "employers in the United States through the LedgerLine web application and API.",
            "The platform runs in two regions of a public cloud provider. Customer data is stored in "
            "managed relational databases with encryption at rest, and application services run in "
            "containers orchestrated by a managed Kubernetes service.",
            "The company employs approximately 240 people. Security is led by the Chief Information "
            "Security Officer, who reports to the Chief Executive Officer and to the audit and risk "
            "committee of the board.",
            "Subservice organisations: the cloud hosting provider and the payroll tax filing vendor. "
            "Controls at those organisations are excluded from the scope of this report (carve-out "
            "method); the complementary subservice organisation controls are listed in this section.",
            "Complementary user entity controls: customers are responsible for approving payroll runs, "
            "managing their own users in the LedgerLine application, and reporting suspected security "
            "incidents to Acme Ledger promptly.",
        ],
    ),
]

SECTION_IV = "Section IV: Trust Services Criteria, Related Controls and Tests of Controls"
SECTION_IV_INTRO = [
    "This section lists, for each applicable trust services criterion, the controls specified by "
    f"{COMPANY}, the tests the service auditor performed and the results of those tests. Tests combined "
    "inquiry of personnel with inspection of documents and system configuration, observation, and "
    "re-performance. Where a test identified a deviation from the control, the result column describes "
    "what was found.",
]
SECTION_V = f"Section V: Other Information Provided by {COMPANY}"
RESPONSES_HEADING = "Management's Responses to Exceptions"
RESPONSES_INTRO = (
    "The information below is presented by management to give additional context. It has not been "
    "subjected to the procedures applied in the examination, and accordingly the service auditor "
    "expresses no opinion on it."
)


def all_controls() -> list[Control]:
    """Every control row in report order."""
    return [control for _, _, controls in GROUPS for control in controls]


def exceptions() -> list[Control]:
    """The control rows with an exception, in report order."""
    return [control for control in all_controls() if control.result]
