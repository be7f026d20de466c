"""Draft a corrective action plan from the playbook and a finding's specifics (shared by both analyzers).

`draft_plan()` builds the whole plan; `assess_severity()`, `sample_facts_for()`, `control_owner_role()`
and `plan_problems()` are usable on their own (the LLM analyzer checks its model's plans with the last).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from analyzer.models import ActionPlan, Finding, PlanStep, SampleFacts
from analyzer.playbook import CONTROL_OWNER, Playbook, StepTemplate, load_playbook
from analyzer.taxonomy import VERIFICATION_CATEGORIES, ExceptionType, RootCause, Severity

_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50,
}  # fmt: skip
_NUMBER = r"(\d[\d,]*|" + "|".join(_WORDS) + r")"
_SAMPLE_RE = re.compile(
    rf"\b{_NUMBER}\s+(?:\([\d,]+\)\s+)?(?:of|out\s+of)\s+(?:the\s+|our\s+)?{_NUMBER}\b", re.IGNORECASE
)
_REPEAT_RE = re.compile(
    r"\b(?:repeat\s+finding|prior[- ]year\s+finding|previously\s+reported|was\s+reported\s+in\s+the\s+prior|"
    r"prior\s+audit\s+finding|recurring\s+finding)\b",
    re.IGNORECASE,
)
_MATERIAL_RE = re.compile(r"\bmaterial\s+weakness\b", re.IGNORECASE)
_SIGNIFICANT_RE = re.compile(r"\bsignificant\s+deficiency\b", re.IGNORECASE)
_SENSITIVE_RE = re.compile(
    r"\b(?:personal(?:ly)?\s+(?:identifiable\s+)?(?:data|information)|PII|PHI|health\s+information|"
    r"card(?:holder)?\s+data|social\s+security|customer\s+data|credentials?|passwords?)\b",
    re.IGNORECASE,
)

_ORDER = (Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL)
# First step due (days) by severity, spacing of later steps, and the operating window before the retest.
_FIRST_DUE = {Severity.CRITICAL: 14, Severity.HIGH: 30, Severity.MEDIUM: 45, Severity.LOW: 60}
_SPACING = {Severity.CRITICAL: 7, Severity.HIGH: 15, Severity.MEDIUM: 15, Severity.LOW: 30}
_RETEST_WINDOW = {Severity.CRITICAL: 30, Severity.HIGH: 60, Severity.MEDIUM: 90, Severity.LOW: 90}

_BASE_SEVERITY: dict[ExceptionType, Severity] = {
    ExceptionType.DATA_BREACH_INCIDENT: Severity.CRITICAL,
    ExceptionType.CONTROL_GAP: Severity.HIGH,
    ExceptionType.VENDOR_NONCOMPLIANCE: Severity.MEDIUM,
    ExceptionType.OPERATING_INEFFECTIVENESS: Severity.MEDIUM,
    ExceptionType.INSUFFICIENT_DOCUMENTATION: Severity.MEDIUM,
    ExceptionType.POLICY_NONCOMPLIANCE: Severity.MEDIUM,
    ExceptionType.EMPLOYEE_NEGLIGENCE: Severity.MEDIUM,
}
_TYPE_PHRASE: dict[ExceptionType, str] = {
    ExceptionType.DATA_BREACH_INCIDENT: "an actual incident affected data",
    ExceptionType.CONTROL_GAP: "the required control does not exist",
    ExceptionType.VENDOR_NONCOMPLIANCE: "assurance over a third party is missing or it fell short",
    ExceptionType.OPERATING_INEFFECTIVENESS: "an existing control did not operate consistently",
    ExceptionType.INSUFFICIENT_DOCUMENTATION: "the control's operation cannot be evidenced",
    ExceptionType.POLICY_NONCOMPLIANCE: "a binding policy or rule was not followed",
    ExceptionType.EMPLOYEE_NEGLIGENCE: "individual conduct broke the rules",
}
_TYPE_LABEL: dict[ExceptionType, str] = {
    ExceptionType.DATA_BREACH_INCIDENT: "Data breach / incident",
    ExceptionType.CONTROL_GAP: "Control gap",
    ExceptionType.VENDOR_NONCOMPLIANCE: "Vendor non-compliance",
    ExceptionType.OPERATING_INEFFECTIVENESS: "Operating ineffectiveness",
    ExceptionType.INSUFFICIENT_DOCUMENTATION: "Insufficient documentation",
    ExceptionType.POLICY_NONCOMPLIANCE: "Policy non-compliance",
    ExceptionType.EMPLOYEE_NEGLIGENCE: "Employee negligence",
}

# Control areas and the role that usually owns them: SOC 2 criteria prefixes first, then wording.
_REF_ROLES: tuple[tuple[str, str], ...] = (
    (r"CC6(?!\d)", "IT Security Manager"),
    (r"CC7(?!\d)", "Security Operations Lead"),
    (r"CC8(?!\d)", "Engineering Manager"),
    (r"CC9(?!\d)", "Vendor Management Lead"),
    (r"A1(?!\d)", "IT Operations Manager"),
    (r"PI1(?!\d)", "Operations Manager"),
    (r"C1(?!\d)", "Data Protection Officer"),
    (r"P\d", "Privacy Officer"),
    (r"CC\d", "Compliance Lead"),
)
_WORD_ROLES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p, re.IGNORECASE), role)
    for p, role in (
        (r"\bsub-?recipients?\b|\bsub-?awards?\b|\bgrant(?:s|ee)?\b", "Grants Manager"),
        (
            r"\bvendors?\b|\bservice\s+(?:organi[sz]ation|provider)s?\b|\bthird[- ]part",
            "Vendor Management Lead",
        ),
        (
            r"\baccess\b|\bpasswords?\b|\bauthenticat|\bMFA\b|\buser\s+accounts?\b|\bencrypt",
            "IT Security Manager",
        ),
        (r"\bchange\s+management\b|\bdeploy|\brelease\b|\bcode\s+changes?\b", "Engineering Manager"),
        (r"\bincident|\blogging\b|\bvulnerabilit|\bsecurity\s+monitoring\b", "Security Operations Lead"),
        (r"\bbackups?\b|\brecovery\b|\bavailability\b|\bcapacity\b", "IT Operations Manager"),
        (
            r"\bpayroll\b|\bpayments?\b|\binvoices?\b|\bexpenditures?\b|\bcosts?\b|\bcash\b|\bledger\b|"
            r"\breconcil|\bfinancial\s+report",
            "Controller",
        ),
        (
            r"\beligib|\bcase\s*(?:files?|workers?)\b|\bparticipants?\b|\bbeneficiar|\bclaims?\b",
            "Program Manager",
        ),
        (r"\bonboarding\b|\bbackground\s+checks?\b|\bnew\s+hires?\b|\bterminat|\bemployees?\b", "HR Manager"),
        (r"\breport(?:s|ing)\b", "Reporting Manager"),
    )
)


def _to_int(token: str) -> int | None:
    token = token.lower().replace(",", "")
    if token.isdigit():
        return int(token)
    return _WORDS.get(token)


def extract_sample_facts(text: str) -> SampleFacts | None:
    """Find a phrase like "2 of 25" (exceptions of sample) in text; None when there is none."""
    for match in _SAMPLE_RE.finditer(text or ""):
        exceptions, size = _to_int(match.group(1)), _to_int(match.group(2))
        if exceptions is None or size is None or size == 0 or exceptions > size:
            continue
        return SampleFacts(exceptions=exceptions, sample_size=size, text=match.group(0))
    return None


def sample_facts_for(finding: Finding) -> SampleFacts | None:
    """The finding's stated sample facts, or ones read from its text."""
    if finding.sample is not None:
        return finding.sample
    return extract_sample_facts(finding.text) or extract_sample_facts(finding.context or "")


def _bump(severity: Severity, levels: int = 1, *, cap: Severity = Severity.CRITICAL) -> Severity:
    index = min(_ORDER.index(severity) + levels, _ORDER.index(cap))
    return _ORDER[max(index, _ORDER.index(severity))]


def _at_least(severity: Severity, floor: Severity) -> Severity:
    return severity if _ORDER.index(severity) >= _ORDER.index(floor) else floor


def _sample_phrase(facts: SampleFacts) -> str:
    if facts.exceptions is not None and facts.sample_size:
        pct = round(100 * facts.exceptions / facts.sample_size)
        return f"{facts.exceptions} of {facts.sample_size} items tested ({pct}%) had exceptions"
    return f"exceptions in the sample ({facts.text})"


def assess_severity(
    finding: Finding, exception_type: ExceptionType, root_causes: Sequence[RootCause] = ()
) -> tuple[Severity, str]:
    """Severity of the remediation and a one-line reason that quotes sample facts when stated."""
    text = " ".join(p for p in (finding.title, finding.text, finding.context, finding.effect) if p)
    severity = _BASE_SEVERITY[exception_type]
    reasons: list[str] = []
    facts = sample_facts_for(finding)
    if facts is not None and facts.exceptions is not None and facts.sample_size:
        rate = facts.exceptions / facts.sample_size
        reasons.append(_sample_phrase(facts))
        if exception_type is not ExceptionType.DATA_BREACH_INCIDENT:
            if rate >= 0.25:
                severity = _at_least(severity, Severity.HIGH)
            elif rate < 0.10 and facts.exceptions <= 2 and severity is Severity.MEDIUM:
                severity = Severity.LOW
    reasons.append(_TYPE_PHRASE[exception_type])
    if _MATERIAL_RE.search(text):
        severity = _at_least(severity, Severity.HIGH)
        reasons.append("reported as a material weakness")
    elif _SIGNIFICANT_RE.search(text):
        severity = _at_least(severity, Severity.MEDIUM)
        reasons.append("reported as a significant deficiency")
    if _REPEAT_RE.search(text):
        severity = _bump(severity, cap=Severity.HIGH) if severity is not Severity.CRITICAL else severity
        reasons.append("repeat of an earlier finding")
    if exception_type is ExceptionType.EMPLOYEE_NEGLIGENCE and _SENSITIVE_RE.search(text):
        severity = _at_least(severity, Severity.HIGH)
        reasons.append("sensitive data involved")
    if RootCause.INADEQUATE_INCIDENT_RESPONSE in root_causes and severity is not Severity.CRITICAL:
        severity = _at_least(severity, Severity.HIGH)
        reasons.append("incident handling fell short")
    return severity, f"{severity.value.capitalize()}: " + "; ".join(reasons) + "."


def control_owner_role(finding: Finding) -> str:
    """The role that most plausibly owns the finding's control (SOC 2 criterion first, then wording)."""
    ref = (finding.control_ref or "").strip().upper()
    for ref_pattern, role in _REF_ROLES:
        if re.match(ref_pattern, ref):
            return role
    text = " ".join(p for p in (finding.title, finding.control_description, finding.text) if p)
    for pattern, role in _WORD_ROLES:
        if pattern.search(text):
            return role
    return "Control Owner"


def _control_phrase(finding: Finding) -> str:
    return f"control {finding.control_ref.strip()}" if finding.control_ref else "the affected control"


def default_subject(finding: Finding) -> str:
    """A short topic for the finding: its title, else the start of its text (cut at a word)."""
    source = (finding.title or finding.text or "the finding").strip()
    source = re.sub(r"\s+", " ", source)
    if len(source) <= 90:
        return source.rstrip(".")
    cut = source[:90].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.") + "…"


def _fill(template: StepTemplate, *, values: dict[str, str], owner: str, due: int) -> PlanStep:
    return PlanStep(
        title=template.title,
        description=template.description.format(**values),
        category=template.category,
        owner_role=owner if template.owner_role == CONTROL_OWNER else template.owner_role,
        due_in_days=min(due, 730),
        evidence_of_completion=template.evidence,
    )


def draft_plan(
    finding: Finding,
    exception_type: ExceptionType,
    root_causes: Sequence[RootCause] = (),
    *,
    playbook: Playbook | None = None,
    subject: str | None = None,
) -> ActionPlan:
    """Fill the playbook for this finding: type steps, one step per cause (or a root-cause analysis
    step when none is stated), due dates by severity, and a closing retest."""
    book = playbook or load_playbook()
    severity, reason = assess_severity(finding, exception_type, root_causes)
    facts = sample_facts_for(finding)
    control = _control_phrase(finding)
    values = {
        "control": control,
        "sample": f"the {facts.text} items with exceptions" if facts else "the exceptions noted",
        "subject": subject or default_subject(finding),
    }
    owner = control_owner_role(finding)
    templates: list[StepTemplate] = []
    if not root_causes:
        templates.append(book.no_cause)
    templates.extend(book.types[exception_type].steps)
    seen_titles = {t.title for t in templates}
    for cause in dict.fromkeys(root_causes):  # keeps order, drops repeats
        for template in book.causes[cause].steps:
            # Every cause keeps its own step, even when a type step has the same category.
            if template.title in seen_titles:
                continue
            templates.append(template)
            seen_titles.add(template.title)
    steps: list[PlanStep] = []
    due = _FIRST_DUE[severity]
    for template in templates:
        steps.append(_fill(template, values=values, owner=owner, due=due))
        due += _SPACING[severity]
    last_due = steps[-1].due_in_days
    steps.append(_fill(book.closing, values=values, owner=owner, due=last_due + _RETEST_WINDOW[severity]))
    causes_text = ", ".join(c.value.replace("_", " ") for c in dict.fromkeys(root_causes))
    summary = (
        f"{_TYPE_LABEL[exception_type]} at {control}: {book.types[exception_type].focus}"
        + (f"; address the stated causes ({causes_text})" if causes_text else "; first confirm the cause")
        + f"; then retest {control} to show the fix holds."
    )
    return ActionPlan(summary=summary, severity=severity, severity_reason=reason, steps=steps)


def plan_problems(
    plan: ActionPlan, root_causes: Sequence[RootCause], playbook: Playbook | None = None
) -> list[str]:
    """What a plan lacks against the house rules (last step verifies; a step per cause); [] when fine."""
    book = playbook or load_playbook()
    problems: list[str] = []
    if not plan.steps or plan.steps[-1].category not in VERIFICATION_CATEGORIES:
        problems.append("the last step must be a reassessment/retest step")
    categories = {s.category for s in plan.steps[:-1]}
    for cause in root_causes:
        wanted = {t.category for t in book.causes[cause].steps}
        if not wanted & categories:
            problems.append(f"no step addresses root cause {cause.value}")
    return problems
