"""Cue rules: general audit phrasing that signals an exception type or a stated root cause.

Cues read the finding text, its context and the management response (never the auditor's cause
section, which is what the root causes are scored against). Every rule is general audit language; none
is tied to a particular report. Sentences that address the analyzer ("ignore previous instructions",
"classify as ...") are dropped before matching, so report text can never steer the result.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from analyzer.taxonomy import ExceptionType, RootCause

# Which part of a finding a piece of text came from, and how much a cue found there counts.
FIELD_TITLE = "title"
FIELD_TEXT = "finding"
FIELD_CONTEXT = "context"
FIELD_RESPONSE = "management response"

TYPE_FIELD_WEIGHTS: dict[str, float] = {
    FIELD_TITLE: 0.8,
    FIELD_TEXT: 1.0,
    FIELD_CONTEXT: 0.5,
    FIELD_RESPONSE: 0.35,
}
# Causes are usually stated by management, so the response counts most.
CAUSE_FIELD_WEIGHTS: dict[str, float] = {
    FIELD_TITLE: 0.5,
    FIELD_TEXT: 0.7,
    FIELD_CONTEXT: 0.6,
    FIELD_RESPONSE: 1.0,
}

_FLAGS = re.IGNORECASE


@dataclass(frozen=True)
class Cue:
    """One rule: a pattern, the label it votes for, how strongly, and a name quoted in rationales."""

    label: str
    name: str
    pattern: re.Pattern[str]
    weight: float
    # Ignore the match when the sentence only speaks of a risk or a possibility of it.
    factual_only: bool = False
    # Ignore the match when the sentence also matches this (wording that turns the cue into something else).
    unless: re.Pattern[str] | None = None


@dataclass(frozen=True)
class CueHit:
    """A cue that matched, where, and the matched words."""

    cue: Cue
    field: str
    snippet: str
    score: float


@dataclass
class CueVotes:
    """Per-label weighted scores and the hits behind them."""

    scores: dict[str, float] = field(default_factory=dict)
    hits: dict[str, list[CueHit]] = field(default_factory=dict)

    def add(self, hit: CueHit) -> None:
        """Count one hit."""
        self.scores[hit.cue.label] = self.scores.get(hit.cue.label, 0.0) + hit.score
        self.hits.setdefault(hit.cue.label, []).append(hit)

    def strongest_hit(self, label: str) -> CueHit | None:
        """The hit that contributed most to a label, or None."""
        hits = self.hits.get(label)
        return max(hits, key=lambda h: (h.score, -len(h.snippet))) if hits else None


def _c(
    label: str, name: str, regex: str, weight: float, *, factual_only: bool = False, unless: str | None = None
) -> Cue:
    return Cue(
        label,
        name,
        re.compile(regex, _FLAGS),
        weight,
        factual_only,
        re.compile(unless, _FLAGS) if unless else None,
    )


_T = ExceptionType
_NUM = r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|some|many)"
_CTRL_NOUN = (
    r"(?:internal\s+)?(?:controls?|process(?:es)?|procedures?|polic(?:y|ies)|mechanisms?|systems?"
    r"|reviews?|methodolog(?:y|ies)|program)"
)
_QUAL = (
    r"(?:(?:a|an|any|formal|formalized|documented|written|adequate|effective|established|sufficient|proper|"
)
_QUAL += r"specific|appropriate|designed)\s+){0,3}"
# "Provider"/"processor" preceded by a technology word names a system or platform the organization runs
# (its identity provider, a cloud provider's console, a payment processor integration), not a party whose
# own failure is the finding.
_SYSTEM_WORD = (
    r"(?<!identity\s)(?<!cloud\s)(?<!e-mail\s)(?<!email\s)(?<!hosting\s)(?<!internet\s)(?<!dns\s)"
    r"(?<!sso\s)(?<!single\ssign-on\s)(?<!authentication\s)(?<!storage\s)(?<!word\s)(?<!data\s)"
)
_PARTY = (
    r"(?:sub-?recipients?|vendors?|contractors?|service\s+providers?|service\s+organi[sz]ations?(?!'s\s+auditor)|"
    rf"third[- ]part(?:y|ies)|suppliers?|{_SYSTEM_WORD}providers?|{_SYSTEM_WORD}processors?|"
    r"sub-?service\s+organi[sz]ations?)"
)

TYPE_CUES: tuple[Cue, ...] = (
    # --- an incident actually happened
    _c(
        _T.DATA_BREACH_INCIDENT,
        "a breach occurred",
        r"\b(?:data|security|privacy)\s+breach(?:es)?\b",
        3.0,
        factual_only=True,
    ),
    _c(
        _T.DATA_BREACH_INCIDENT,
        "records taken or sent out",
        r"\b(?:account|user|requester|attacker|intruder|outsider|hacker|recipient)s?\s+(?:\S+\s+){0,2}(?:retrieved|"
        r"downloaded|pulled|exfiltrated|copied|harvested)\s+[\d,]+\s+(?:\w+\s+){0,2}(?:records|files|accounts)\b|"
        r"\bto\s+an?\s+(?:outside|external|unauthori[sz]ed|unknown)\s+(?:firm|party|address|recipient|company|person)\b|"
        r"\b(?:learned|told|informed|notified)\s+(?:\w+\s+){0,2}of\s+the\s+(?:disclosure|breach|exposure|leak)\b",
        2.5,
        factual_only=True,
    ),
    _c(
        _T.DATA_BREACH_INCIDENT,
        "someone else's data was served",
        r"\b(?:received|saw|viewed|was\s+shown|were\s+shown|got)\s+(?:\w+\s+){0,2}(?:another|other)\s+(?:[\w-]+\s+)?"
        r"(?:claimant|customer|patient|person|client|individual|taxpayer|member|user|student|employee|applicant)s?(?:'s|’s|')"
        r"|\b(?:served|sent|mailed|delivered|e-?mailed|disclosed|released)\s+to\s+the\s+wrong\s+(?:person|people|"
        r"recipients?|address(?:es)?|individuals?|parties|party|customers?|claimants?)\b",
        2.5,
        factual_only=True,
    ),
    _c(
        _T.DATA_BREACH_INCIDENT,
        "unauthorized access was obtained",
        r"\b(?:gained|obtained|had)\s+unauthori[sz]ed\s+access\b|\bunauthori[sz]ed\s+(?:individuals?|parties|"
        r"persons?|users?)\s+(?:gained|obtained|accessed)\b",
        3.0,
        factual_only=True,
    ),
    _c(
        _T.DATA_BREACH_INCIDENT,
        "malicious attack",
        r"\b(?:ransomware|(?<!anti-)(?<!anti)malware(?!\s+(?:definitions?|protection|signatures?|scan\w*|"
        r"software|agents?|tools?|updates?))|cyber-?\s?attack|denial[- ]of[- ]service|exfiltrat\w*|"
        r"hack(?:ed|ers?))\b",
        2.5,
        factual_only=True,
    ),
    _c(
        _T.DATA_BREACH_INCIDENT,
        "compromised credentials or systems",
        r"\b(?:stolen|compromised)\s+(?:credentials|accounts?|passwords?|mailbox(?:es)?|systems?)\b|"
        r"\bwas\s+compromised\b",
        2.5,
        factual_only=True,
    ),
    _c(
        _T.DATA_BREACH_INCIDENT,
        "data exposed or disclosed",
        r"\b(?:information|data|records|files)\b[^.;]{0,60}?\b(?:was|were)\s+(?:exposed|disclosed|leaked|stolen|"
        r"exfiltrated)\b|\bdisclosed\s+to\s+unauthori[sz]ed\b|\bpublicly\s+(?:readable|accessible|exposed|"
        r"available)\b|\b(?:opened|accessed|viewed|downloaded)\s+(?:\w+\s+){0,3}(?:from|by)\s+(?:\w+\s+){0,2}(?:external|"
        r"outside|unknown|unauthori[sz]ed)\s+(?:IP|parties|users|addresses|individuals|persons|accounts)\b|"
        r"\bexposed\s+(?:an?\s+|the\s+)?(?:[\w-]+\s+){0,4}(?:of|containing|for)\s+(?:[\d,]+|all|every)\s+(?:\w+\s+){0,2}"
        r"(?:members|customers|patients|records|individuals|clients|users|employees|applicants)\b",
        2.5,
        factual_only=True,
    ),
    _c(
        _T.DATA_BREACH_INCIDENT,
        "security incident occurred",
        r"\b(?:security|privacy|cyber)\s+incidents?\s+(?:occurred|in\s+which|that\s+(?:affected|exposed))\b",
        2.5,
        factual_only=True,
    ),
    _c(
        _T.DATA_BREACH_INCIDENT,
        "an incident was suffered",
        r"\b(?:suffered|experienced|sustained|confirmed|detected)\s+(?:a|an)\s+(?:\w+\s+)?(?:breach|intrusion|"
        r"compromise|security\s+incident)\b",
        3.0,
        factual_only=True,
    ),
    _c(
        _T.DATA_BREACH_INCIDENT,
        "data taken or altered without authority",
        r"\ballowed\s+(?:an?\s+)?(?:unauthenticated|unauthori[sz]ed|anonymous|external)\s+(?:\w+\s+)?(?:to\s+)?"
        r"(?:access|change|view|modify|download|read)\w*\b|\bformer\s+(?:employee|contractor|user)\b[^.;]{0,80}?"
        r"\b(?:signed|logged)\s+in\b|\b(?:downloaded|copied|transferred|forwarded)\b[^.;]{0,80}?\bto\s+(?:a|an|his|"
        r"her|their)\s+personal\b|\b(?:sent|emailed|disclosed|mailed)\b[^.;]{0,100}?\bto\s+(?:an?\s+)?(?:external|"
        r"outside|wrong|unintended|unauthori[sz]ed)\b",
        2.6,
        factual_only=True,
    ),
    # --- a third party is at the heart of it
    _c(_T.VENDOR_NONCOMPLIANCE, "third party named", rf"\b{_PARTY}\b", 0.7),
    _c(
        _T.VENDOR_NONCOMPLIANCE,
        "third party's controls not ensured",
        rf"\b(?:did\s+not|failed\s+to|does\s+not)\s+(?:ensure|verify|confirm)\s+(?:that\s+)?(?:the\s+|its\s+|their\s+)?"
        rf"(?:\w+\s+){{0,4}}{_PARTY}|\bcontract(?:ed|s)\s+with\b",
        1.5,
    ),
    _c(
        _T.VENDOR_NONCOMPLIANCE,
        "third party fell short",
        rf"\b{_PARTY}\b[^.;]{{0,80}}?\b(?:did\s+not|failed\s+to|was\s+not|were\s+not|had\s+not|has\s+not|is\s+not|"
        r"(?:had|has|was|were)\s+never)\b",
        2.0,
    ),
    _c(
        _T.VENDOR_NONCOMPLIANCE,
        "monitoring of third parties",
        rf"\b(?:monitor(?:ing)?|oversight|risk\s+assessments?|evaluat(?:e|ion|ing)|assessments?|due\s+diligence)\s+"
        rf"(?:(?:of|for|over)\s+)?(?:its\s+|their\s+|the\s+)?(?:[\w-]+\s+){{0,4}}{_PARTY}",
        2.0,
    ),
    _c(
        _T.VENDOR_NONCOMPLIANCE,
        "third-party assurance report",
        # The service auditor is the one writing the report, not a third party: only the third party's own
        # assurance report (SOC 1/2, single audit) or its complementary controls count.
        r"\bSOC\s*(?:1|2|one|two)\b(?!\s+(?:type\s+(?:1|2|I|II)\s+)?(?:examination|engagement|audit\s+period))|"
        r"\bsingle\s+audit\s+reports?\b|"
        r"\bcomplementary\s+(?:user\s+entity\s+)?controls\b",
        2.0,
    ),
    _c(
        _T.VENDOR_NONCOMPLIANCE,
        "third party got it wrong",
        # The third party is the one acting: it billed, paid or reported wrongly, or missed its own terms.
        rf"\b{_PARTY}(?:\s+[\w-]+){{0,2}}\s+(?:\w+\s+){{0,1}}(?:charged|billed|overbilled|overcharged|paid|claimed|"
        r"invoiced|miscalculated|misreported)\s+(?:\$?[\d,.]+\s+(?:in\s+)?|\w+\s+){0,3}(?:unallowable|ineligible|"
        r"unsupported|duplicate|incorrect|improper|claims|costs|for\s+services)\b|"
        rf"\b{_PARTY}(?:\s+[\w-]+){{0,2}}\s+(?:did\s+not|failed\s+to)\s+(?:meet|satisfy|achieve)\s+(?:the\s+)?"
        r"(?:\w+\s+){0,2}(?:service\s+levels?|terms|requirements?|standards?|deadlines?|obligations?)\b",
        2.0,
    ),
    _c(
        _T.VENDOR_NONCOMPLIANCE,
        "billed above the contract",
        r"\b(?:billed|charged|invoiced)\s+(?:\S+\s+){0,6}(?:rather\s+than|instead\s+of|above|over|more\s+than)\s+"
        r"the\s+contract(?:ed|ual)?\s+(?:rates?|prices?|amounts?|terms)\b|\boverbill\w+",
        2.0,
    ),
    _c(_T.VENDOR_NONCOMPLIANCE, "subaward terms", r"\bsub-?awards?\b|\bpass[- ]through\s+entit", 0.8),
    # --- nothing was designed or put in place
    _c(_T.CONTROL_GAP, "no control existed", rf"\b(?:did|does|do)\s+not\s+have\s+{_QUAL}{_CTRL_NOUN}", 2.2),
    _c(
        _T.CONTROL_GAP,
        "no process in place",
        rf"\bno\s+{_QUAL}{_CTRL_NOUN}\s+(?:(?:was|were|is|are|has\s+been|had\s+been)\s+)?(?:in\s+place|existed|"
        rf"exists|established|designed|implemented|developed)",
        2.2,
    ),
    _c(
        _T.CONTROL_GAP,
        "had nothing for it",
        r"\b(?:had|has|have|there\s+(?:was|were|is|are))\s+no\s+(?:[\w-]+,?\s+(?:or\s+|and\s+)?){0,4}(?:process(?:es)?|"
        r"procedures?|polic(?:y|ies)|mechanisms?|controls?|plans?|copy|copies|method|means)\s+(?:for|to|of|over|that)\b",
        2.0,
    ),
    _c(
        _T.CONTROL_GAP,
        "never implemented",
        r"\b(?:had|has|have)\s+not\s+(?:yet\s+)?(?:implemented|established|designed|developed|put\s+in\s+place|"
        r"adopted|created)\b",
        2.0,
    ),
    _c(
        _T.CONTROL_GAP,
        "absence of a control",
        rf"\b(?:lack(?:s|ed)?|absence)\s+(?:of\s+)?{_QUAL}{_CTRL_NOUN}\b",
        1.6,
    ),
    _c(
        _T.CONTROL_GAP,
        "control not designed",
        rf"\b{_CTRL_NOUN}\s+(?:was|were|is|are|had\s+not\s+been|has\s+not\s+been)\s+not\s+(?:designed|implemented|"
        rf"established|in\s+place)\b|\bnot\s+(?:designed|implemented)\s+(?:a|an|any)\b",
        2.0,
    ),
    _c(
        _T.CONTROL_GAP,
        "no procedures to ensure",
        rf"\bno\s+{_QUAL}{_CTRL_NOUN}\s+(?:to|for)\s+(?:ensure|verify|track|monitor|identify|review)",
        1.8,
    ),
    _c(
        _T.CONTROL_GAP,
        "control not effective in design",
        r"\bdid\s+not\s+have\s+(?:effective|adequate|sufficient)\s+(?:internal\s+)?controls?\b|"
        r"\bcontrols?\s+(?:were|was)\s+not\s+(?:adequately\s+)?designed\b",
        1.0,
    ),
    _c(
        _T.CONTROL_GAP,
        "controls not (fully) implemented",
        r"\b(?:did\s+not|had\s+not|has\s+not|have\s+not)\s+(?:fully\s+|sufficiently\s+|adequately\s+|yet\s+)?"
        r"(?:implement(?:ed)?|establish(?:ed)?|design(?:ed)?|develop(?:ed)?)\s+(?:\w+\s+){0,6}(?:controls?|"
        r"process(?:es)?|procedures?|polic(?:y|ies)|safeguards?|mechanisms?)\b",
        1.8,
    ),
    _c(
        _T.CONTROL_GAP,
        "inadequate or weak controls",
        r"\b(?:inadequate|insufficient|weak|deficient|ineffective)\s+(?:\w+\s+){0,3}(?:controls?|safeguards?|"
        r"protections?)\b|\b(?:security|control)\s+(?:weaknesses|vulnerabilities|deficiencies)\b|"
        r"\bvulnerabilities\s+(?:that\s+)?(?:we\s+)?identified\b",
        1.6,
    ),
    _c(
        _T.CONTROL_GAP,
        "never put into operation",
        r"\b(?:was|were|is|are)\s+not\s+(?:yet\s+)?implemented\b|\b(?:had|has|have)\s+not\s+(?:yet\s+)?been\s+"
        r"implemented\b|\bno\s+(?:\w+\s+){0,3}(?:tests?|reviews?|assessments?|scans?|reconciliations?|exercises?|"
        r"drills?)\s+(?:was|were|had\s+been|have\s+been)\s+(?:performed|conducted|completed|carried\s+out)\b",
        1.8,
    ),
    _c(
        _T.CONTROL_GAP,
        "control not in place",
        r"\b(?:was|were|is|are)\s+not\s+(?:yet\s+)?in\s+place\b|\bnot\s+in\s+place\s+(?:when|during|until|before)\b",
        1.8,
    ),
    # --- records or evidence are missing
    _c(
        _T.INSUFFICIENT_DOCUMENTATION,
        "evidence could not be provided",
        r"\b(?:could\s+not|unable\s+to|did\s+not|was\s+not\s+able\s+to|were\s+not\s+able\s+to)\s+(?:provide|produce|"
        r"locate|furnish|find|retain|maintain)\s+(?:\w+\s+){0,3}(?:documentation|evidence|support|records|"
        r"files?|documents?|logs?|results|reports?|tickets?)\b",
        2.2,
    ),
    _c(
        _T.INSUFFICIENT_DOCUMENTATION,
        "nothing to show it was done",
        r"\bcould\s+not\s+(?:show|demonstrate|evidence)\s+that\b|\bno\s+(?:copy|copies|records?|worksheets?|sheets?|logs?|"
        r"forms?|documents?|notes?)\s+(?:of\s+\S+\s+)?(?:existed|were\s+kept|was\s+kept|were\s+retained|was\s+retained)\b|"
        r"\bbut\s+no\s+(?:\w+\s+){0,2}(?:worksheet|calculation|support|documentation|evidence|record|signature)s?\b",
        2.0,
    ),
    _c(
        _T.INSUFFICIENT_DOCUMENTATION,
        "only a token of evidence",
        r"\bthe\s+only\s+(?:evidence|record|support|documentation)\s+(?:was|were|consisted\s+of)\b|\bno\s+(?:record|evidence|"
        r"documentation|log)\s+of\s+(?:\S+\s+){0,8}could\s+be\s+(?:provided|produced|located|found)\b",
        2.2,
    ),
    _c(
        _T.INSUFFICIENT_DOCUMENTATION,
        "could not be evidenced",
        r"\bcould\s+not\s+be\s+(?:produced|provided|located|found|shown|demonstrated|evidenced|retrieved)\b|"
        r"\b(?:had|contained|with|held)\s+no\s+(?:\w+\s+){0,4}(?:notes|records?|evidence|documentation|sign-?offs?|"
        r"signatures?|results|approvals?|certifications?|justifications?|receipts|invoices)\b|\bdid\s+not\s+record\b|"
        r"\bno\s+(?:\w+\s+){0,3}(?:was|were)\s+on\s+file\b",
        1.8,
    ),
    _c(
        _T.INSUFFICIENT_DOCUMENTATION,
        "documentation missing or incomplete",
        r"\bno\s+(?:\w+\s+){0,2}(?:record|evidence|documentation)\s+of\b[^.;]{0,80}?\b(?:was|were)\s+(?:retained|"
        r"kept|maintained|available|documented)\b|"
        r"\b(?:documentation|evidence|records?|support(?:ing)?\s+documents?|files?)\s+(?:\w+\s+){0,3}(?:was|were|"
        r"is|are)\s+(?:not\s+(?:available|retained|maintained|kept|on\s+file|provided|documented)|missing|"
        r"incomplete|unavailable|inaccurate)",
        2.2,
    ),
    _c(
        _T.INSUFFICIENT_DOCUMENTATION,
        "insufficient documentation",
        r"\b(?:files?|folders?|packets?|records?)\s+(?:\S+\s+){0,5}(?:did\s+not|does\s+not)\s+(?:contain|include)\b|"
        r"\b(?:missing|incomplete|inadequate|insufficient|no|lack(?:ed)?\s+(?:of\s+)?|without)\s+(?:supporting\s+|"
        r"written\s+|sufficient\s+|adequate\s+)?(?:documentation|evidence|records|support)\b",
        1.8,
    ),
    _c(
        _T.INSUFFICIENT_DOCUMENTATION,
        "not documented or retained",
        r"\bnot\s+(?:adequately\s+|properly\s+|sufficiently\s+)?(?:documented|retained|maintained|on\s+file)\b",
        1.4,
    ),
    _c(
        _T.INSUFFICIENT_DOCUMENTATION,
        "unsigned or outdated records",
        r"\b(?:unsigned|not\s+signed|without\s+(?:a\s+)?signatures?|outdated|out\s+of\s+date)\b",
        1.0,
    ),
    _c(
        _T.INSUFFICIENT_DOCUMENTATION,
        "auditor could not verify",
        r"\b(?:unable|not\s+able)\s+to\s+(?:determine|verify|test|confirm|validate|substantiate)\b"
        r"(?!\s+(?:the\s+)?operating\s+effectiveness)|"
        r"\bcould\s+not\s+(?:determine|verify|test|confirm|validate|substantiate)\b"
        r"(?!\s+(?:the\s+)?operating\s+effectiveness)",
        1.8,
    ),
    _c(_T.INSUFFICIENT_DOCUMENTATION, "documentation named", r"\bdocument(?:ation|ed)\b", 0.3),
    # --- the control exists but failed in samples or over time
    _c(
        _T.OPERATING_INEFFECTIVENESS,
        "sample exceptions",
        rf"\b{_NUM}\s+(?:of|out\s+of)\s+(?:the\s+)?(?:\d+|{_NUM})\b",
        1.0,
    ),
    _c(
        _T.OPERATING_INEFFECTIVENESS,
        "not performed timely",
        r"\b(?:not|were\s+not|was\s+not)\s+(?:\w+\s+){0,3}(?:timely|on\s+time|within\s+(?:the\s+)?(?:required|"
        r"\d+|established))\b|\b(?:untimely|late|delinquent|past\s+due|overdue)\b|\bafter\s+the\s+(?:due\s+)?"
        r"(?:date|deadline)\b",
        1.4,
    ),
    _c(
        _T.OPERATING_INEFFECTIVENESS,
        "some instances",
        rf"\b(?:in|for)\s+{_NUM}\s+(?:\w+\s+)?(?:instances|cases|occasions|items|transactions|claims|"
        r"files|participants|employees|samples?)\b",
        1.2,
    ),
    _c(
        _T.OPERATING_INEFFECTIVENESS,
        "not operating consistently",
        r"\bnot\s+(?:consistently|always|properly|effectively|correctly|accurately)\s+(?:\w+\s+)?(?:performed|"
        r"applied|followed|operat\w*|completed|reviewed|calculated|entered|reported|recorded)\b|"
        r"\bdid\s+not\s+operate\b",
        1.6,
    ),
    _c(
        _T.OPERATING_INEFFECTIVENESS,
        "errors found",
        r"\b(?:exceptions?(?!\s+(?:was\s+|were\s+)?noted)|errors?|discrepanc(?:y|ies)|misstatements?|"
        r"overpayments?|underpayments?)\b",
        0.7,
    ),
    _c(
        _T.OPERATING_INEFFECTIVENESS,
        "inaccurate amounts",
        r"\b(?:inaccura\w+|incorrect(?:ly)?|errone\w+|did\s+not\s+agree|not\s+accurate)\b",
        0.9,
    ),
    _c(
        _T.OPERATING_INEFFECTIVENESS,
        "review not performed",
        r"\b(?:was|were)\s+not\s+(?:performed|reviewed|reconciled|completed|approved|submitted|updated|"
        r"verified|followed)\b",
        0.8,
    ),
    _c(
        _T.OPERATING_INEFFECTIVENESS,
        "control tested",
        r"\b(?:sampled|tested|sample\s+of|our\s+test(?:ing|s)?)\b",
        0.5,
    ),
    # --- a rule or the organization's own policy was breached
    _c(
        _T.POLICY_NONCOMPLIANCE,
        "did not comply",
        r"\b(?:did\s+not|does\s+not|failed\s+to|not)\s+(?:comply|adhere|conform|follow|abide)\w*\s+(?:with\s+|to\s+|"
        r"by\s+)?",
        1.6,
    ),
    _c(
        _T.POLICY_NONCOMPLIANCE,
        "a written rule requires it",
        r"\b(?:polic(?:y|ies)|standard|code\s+of\s+conduct|procedure)\s+(?:requires|required|states|mandates|"
        r"prescribes|prohibits|forbids)\b|\b(?:is|are|was|were)\s+required\s+by\s+(?:the\s+)?(?:\w+\s+){0,2}"
        r"(?:law|regulation|rule|act|article|statute|HIPAA|PCI|GDPR|contract)\b|\bpolicy\s+was\s+not\s+followed\b|"
        r"\b(?:HIPAA|PCI\s+DSS|GDPR|SOX)\s+requires\b",
        1.8,
    ),
    _c(
        _T.POLICY_NONCOMPLIANCE,
        "in noncompliance with",
        r"\b(?:not\s+in\s+compliance|non-?compliance|noncompliant|non-?compliant)\b",
        1.4,
    ),
    _c(
        _T.POLICY_NONCOMPLIANCE,
        "violation",
        r"\b(?:contrary\s+to|in\s+violation\s+of|violat(?:ed|es|ing|ion)|in\s+breach\s+of)\b",
        1.6,
    ),
    _c(
        _T.POLICY_NONCOMPLIANCE,
        "not in accordance with",
        r"\bnot\s+in\s+accordance\s+with\b|\bnot\s+(?:as\s+)?required\s+by\b",
        1.2,
    ),
    _c(
        _T.POLICY_NONCOMPLIANCE,
        "named policy sets the rule",
        # A finding that opens with the organization's own named policy and what it requires is framed as a
        # breach of that policy, not as a control that failed.
        r"(?-i:\b[A-Z][\w&-]*(?:\s+[A-Z][\w&-]*){0,4}\s+(?:Policy|Handbook|Standard|Code\s+of\s+Conduct))(?:\s+\([^)]*\))?"
        r"\s+(?:requires|prohibits|mandates|states\s+that|calls\s+for)\b",
        1.6,
    ),
    _c(
        _T.POLICY_NONCOMPLIANCE,
        "own policy named",
        r"\b(?:its|their|the\s+(?:entity|organization|company|department|agency)'?s?)\s+(?:own\s+)?(?:written\s+)?"
        r"(?:polic(?:y|ies)|procedures|standards?|rules)\b",
        0.8,
    ),
    _c(
        _T.POLICY_NONCOMPLIANCE,
        "regulation named",
        r"\b(?:federal|state)\s+(?:regulations?|laws?|statutes?|rules?|requirements?)\b|\bCFR\b|\bstatute\b",
        0.6,
    ),
    _c(
        _T.POLICY_NONCOMPLIANCE,
        "limit or threshold exceeded",
        r"\b(?:exceed(?:ed|s)?|above)\s+(?:the\s+)?(?:allowable|maximum|permitted|limit|threshold|cap)\b|"
        r"\bunallowable\b|\bwithout\s+(?:the\s+)?(?:required\s+)?(?:prior\s+)?approval\b",
        1.0,
    ),
    _c(
        _T.POLICY_NONCOMPLIANCE,
        "unallowed costs or period",
        r"\bnot\s+(?:allowed|allowable|permitted|eligible)\b|\bun(?:allowed|allowable)\b|\boutside\s+(?:of\s+)?"
        r"the\s+period\s+of\s+performance\b",
        1.6,
    ),
    _c(
        _T.POLICY_NONCOMPLIANCE,
        "required filing not made",
        r"\breports?\s+(?:\w+\s+){0,3}(?:was|were)\s+not\s+(?:filed|submitted)\b|\b(?:did\s+not|failed\s+to)\s+"
        r"(?:submit|file|publish|report)\s+(?:the\s+|any\s+|its\s+)?(?:\w+\s+){0,1}(?:required|mandatory|mandated)\b|"
        r"\b(?:did\s+not|failed\s+to)\s+(?:meet|satisfy)\s+(?:the\s+)?(?:\w+\s+){0,4}requirements?\b",
        1.6,
    ),
    _c(
        _T.POLICY_NONCOMPLIANCE,
        "rule should have been applied",
        r"\bshould\s+have\s+been\s+(?:used|followed|applied|obtained)\b|\bto\s+comply\s+with\b|"
        r"\bsole[- ]source\b",
        1.2,
    ),
    # --- particular people acted wrongly
    _c(
        _T.EMPLOYEE_NEGLIGENCE,
        "named person acted",
        r"\b(?:an?|one|the)\s+(?:[\w-]+\s+){0,3}(?:employee|staff\s+member|individual|clerk|worker|technician|"
        r"administrator|officer|manager|engineer|developer|analyst|operator|coordinator|representative|user|"
        r"accountant|agent|supervisor|cashier|caseworker|case\s+worker|bookkeeper|teller|clerk|inspector|"
        r"custodian)\s+(?:\w+\s+){0,7}(?:shared|disclosed|sent|e-?mailed|exported|forwarded|recorded|fabricated|"
        r"failed\s+to\s+(?:perform|complete|conduct|carry\s+out)|"
        r"left|uploaded|disabled|"
        r"ignored|mishandled|bypassed|falsified|granted|neglected|approved|signed|committed|reset|ran|closed|"
        r"deleted|changed|keyed|entered|propped|overrode|turned\s+off|acknowledged|posted|printed|lost|"
        r"downloaded|copied)\b",
        2.2,
    ),
    _c(
        _T.EMPLOYEE_NEGLIGENCE,
        "person skipped a required step",
        r"\b(?:by\s+mistake|in\s+error|without\s+(?:performing|following|completing|doing|investigating|acting)\b)",
        1.2,
    ),
    _c(
        _T.EMPLOYEE_NEGLIGENCE,
        "own people favoured or a step skipped on purpose",
        r"\b(?:his|her|their)\s+(?:own\s+)?(?:relatives|family\s+members|friends|own\s+accounts?)\b|\backnowledged\s+"
        r"(?:\w+\s+){0,2}(?:skipping|bypassing|ignoring|not\s+(?:performing|following|doing))\b",
        2.0,
    ),
    _c(
        _T.EMPLOYEE_NEGLIGENCE,
        "warnings ignored",
        r"\bdespite\s+(?:\w+\s+){0,2}(?:warnings?|instructions?|reminders?|reprimands?|directives?|training)\b|"
        r"\bignored\s+(?:\w+\s+){0,2}(?:warnings?|instructions?|reminders?|directives?|requests?)\b",
        1.8,
    ),
    _c(
        _T.EMPLOYEE_NEGLIGENCE,
        "negligence or misconduct",
        r"\b(?:negligen\w+|misconduct|careless\w*|disciplinary|intentional(?:ly)?)\b",
        2.0,
    ),
    _c(
        _T.EMPLOYEE_NEGLIGENCE,
        "keying mistakes by staff",
        r"\b(?:data[- ]entry|keying|clerical|typographical)\s+(?:errors?|mistakes?)\b|"
        r"\b(?:transposed|mistyped|miskeyed)\b",
        1.4,
    ),
    _c(
        _T.EMPLOYEE_NEGLIGENCE,
        "duties neglected",
        r"\b(?:neglected|failed\s+to\s+perform|did\s+not\s+perform)\s+(?:his|her|their)\s+(?:assigned\s+)?"
        r"(?:duties|responsibilities)\b",
        2.0,
    ),
)

_R = RootCause
_WILL = r"(?:will|shall|plans?\s+to|intends?\s+to|is\s+(?:in\s+the\s+process\s+of|working\s+to)|has|have|had)"

CAUSE_CUES: tuple[Cue, ...] = (
    # --- review, supervision, reconciliation
    _c(
        _R.INADEQUATE_MONITORING,
        "lack of review or oversight",
        r"\b(?:lack|absence)\s+of\s+(?:\w+\s+){0,2}(?:review|oversight|supervision|monitoring|reconciliation|"
        r"follow-?up)\b|\b(?:inadequate|insufficient|ineffective|no)\s+(?:\w+\s+){0,1}(?:review|oversight|"
        r"supervision|monitoring|reconciliation|checks?|verification|validation|follow-?up)\b",
        2.0,
    ),
    _c(
        _R.INADEQUATE_MONITORING,
        "not reviewed or monitored",
        r"\b(?:not|never)\s+(?:\w+\s+){0,4}(?:reviewed|monitored|reconciled|supervised|verified|tracked)\b",
        1.2,
    ),
    _c(
        _R.INADEQUATE_MONITORING,
        "second-level review added",
        r"\b(?:secondary|second|supervisory|independent|management|additional|periodic|monthly|quarterly)\s+"
        r"(?:level\s+of\s+|layer\s+of\s+)?(?:review|reviews|oversight|monitoring|reconciliations?|verification)\b|"
        r"\b(?:layer|level)\s+of\s+(?:review|oversight|approval)\b",
        1.6,
    ),
    _c(
        _R.INADEQUATE_MONITORING,
        "review not evidenced",
        r"\b(?:could\s+not|unable\s+to|did\s+not|was\s+not\s+able\s+to)\s+(?:provide|produce|locate)\s+(?:\w+\s+){0,3}"
        r"(?:evidence|documentation|support)\s+(?:that|of)\s+(?:\w+\s+){0,8}(?:review\w*|approv\w+|monitor\w*|"
        r"reconcil\w+|verif\w+|supervis\w+)\b|\b(?:did\s+not|failed\s+to)\s+(?:review|approve|certify|reconcile|"
        r"verify|monitor)\b[^.;]{0,60}?\bprior\s+to\b",
        1.8,
    ),
    _c(
        _R.INADEQUATE_MONITORING,
        "third party's assurance not obtained",
        # Obtaining and reading a third party's audit or assurance report is how it is monitored.
        r"\b(?:did\s+not|failed\s+to|could\s+not|was\s+unable\s+to)\s+(?:obtain|receive|collect|review|request)\s+"
        r"(?:the\s+|a\s+|an\s+|its\s+|their\s+)?(?:\w+\s+){0,3}(?:single\s+audits?|SOC\s*(?:1|2)|audit\s+reports?|"
        r"assurance\s+reports?|certifications?)\b",
        1.8,
    ),
    _c(
        _R.INADEQUATE_MONITORING,
        "errors found by the audit, not the entity",
        r"\baudit\s+adjustments?\b|\b(?:revised|corrected|identified|detected|found)\s+(?:during|as\s+a\s+result\s+of|"
        r"through)\s+(?:the|our)\s+(?:\w+\s+)?audit\b|\bnot\s+(?:identified|detected|caught)\s+by\s+(?:the\s+)?"
        r"(?:\w+\s+)?(?:procedures|review|department|management|entity|organization|company|agency)\b",
        1.8,
    ),
    _c(
        _R.INADEQUATE_MONITORING,
        "review to be performed",
        rf"\b{_WILL}\s+[^.;]{{0,80}}?\b(?:review|monitor|track|reconcil|verif|oversee|oversight)\w*\b",
        1.0,
    ),
    _c(
        _R.INADEQUATE_MONITORING,
        "done without review",
        r"\bwithout\s+(?:\w+\s+){0,3}(?:review\w*|approv\w+|verif\w+|oversight|sign-?off|check(?:s|ing)?|"
        r"validat\w+|reconcil\w+|compar\w+|match\w+|opening|reading|looking\s+at|examining|inspecting|asking\s+for|"
        r"holding\s+(?:\w+\s+)?up\s+against)\b",
        1.6,
        # Sending or keying something without looking is a person's slip, not missing oversight.
        unless=r"\b(?:sent|e-?mailed|mailed|forwarded|typed|keyed|entered|posted)\s+(?:\S+\s+){0,4}without\b",
    ),
    _c(
        _R.INADEQUATE_MONITORING,
        "errors went undetected",
        r"\b(?:not|never)\s+(?:been\s+)?(?:detected|identified|caught|noticed|corrected)\b|\bundetected\b|"
        r"\bunnoticed\b|\bno\s+(?:easy\s+|simple\s+|practical\s+)?way\s+to\s+(?:spot|see|track|monitor|know|tell|detect)\b",
        1.2,
    ),
    _c(
        _R.INADEQUATE_MONITORING,
        "did not ensure",
        r"\b(?:did|does|do)\s+not\s+(?:ensure|review|monitor|verify|reconcile|track|follow\s+up|oversee)\b|"
        r"\bquality\s+(?:control|assurance)\b",
        1.2,
    ),
    _c(
        _R.INADEQUATE_MONITORING,
        "monitoring procedures not followed",
        r"\bnot\s+(?:consistently\s+|always\s+|fully\s+)?(?:adher\w+|follow\w*)\s+(?:to\s+|with\s+)?(?:the\s+|its\s+)?"
        r"(?:\w+\s+){0,3}(?:monitoring|review|oversight)\b",
        1.8,
    ),
    _c(
        _R.INADEQUATE_MONITORING, "monitoring named", r"\b(?:monitoring|oversight\s+of|reconciliation)\b", 0.6
    ),
    _c(
        _R.INADEQUATE_MONITORING,
        "nobody checked",
        r"\b(?:no\s+one|nobody|no-one)\s+(?:\w+\s+){0,5}(?:review(?:ed|ing)|check(?:ed|ing)|monitor(?:ed|ing)|"
        r"look(?:ed|ing|s)|follow(?:ed|ing)\s+up|verif(?:ied|ying)|notic(?:ed|ing)|track(?:ed|ing)|compar(?:ed|ing)|"
        r"read|checks|reviews|open(?:ed|ing)|made\s+sure|ensured|"
        r"match(?:ed|ing)|lin(?:ed|ing)\s+up|reconcil(?:ed|ing)|watch(?:ed|ing))\b|\b(?:no\s+longer|never|not)\s+"
        r"(?:\w+\s+){0,1}(?:read|watched|monitored|checked|looked\s+at|opened)\s+by\s+anyone\b|\bhad\s+no\s+owner\b|"
        r"\bno\s+(?:named\s+)?owner\s+for\b|\b(?:at\s+no\s+point|never)\s+did\s+(?:anyone|anybody)\s+(?:check|review|"
        r"verify|confirm|look|ask)\b|\brubber-?stamp\w*|\ba\s+signature,?\s+not\s+a\s+review\b|\bnothing\s+in\s+the\s+"
        r"(?:\w+\s+){0,3}(?:workflow|process|system|procedure|tool)\s+(?:makes|requires|forces|prompts|asks)\s+"
        r"(?:anyone|someone|staff|people|the\s+\w+)\s+(?:to\s+)?(?:confirm|check|verify|review|approve)\b",
        2.0,
    ),
    _c(
        _R.INADEQUATE_MONITORING,
        "review step skipped",
        # Only a second person's step: a skipped review that is the control tested restates the finding.
        r"\b(?:sign-?off|approval|(?:supervisory|secondary|second|second-person|second\s+person|independent)\s+"
        r"(?:review|check|look)|verification)\s+(?:\w+\s+){0,6}(?:was|were|had\s+been|got)\s+(?:skipped|bypassed|"
        r"omitted|overlooked|waived|not\s+(?:being\s+)?(?:done|performed|carried\s+out))\b|\b(?:second-person|second\s+"
        r"person|secondary|independent|supervisory)\s+(?:look|check|review)\s+(?:\w+\s+){0,6}(?:never|did\s+not)\s+"
        r"happen(?:ed)?\b|\b(?:skipped|"
        r"bypassed)\s+(?:the\s+)?(?:\w+\s+){0,1}(?:approval|sign-?off|verification|(?:supervisory|secondary|second|"
        r"independent)\s+(?:review|check))\b|\brel(?:y|ies|ied)\s+(?:\w+\s+){0,2}on\s+(?:the\s+)?"
        r"(?:\w+\s+){0,3}(?:reports?|data|certifications?|information|assurances?|word)\s+without\b",
        2.0,
    ),
    # --- written procedures
    _c(
        _R.LACK_OF_CONTROL_DOCUMENTATION,
        "procedures not written",
        r"\b(?:polic(?:y|ies)|procedures?|process(?:es)?|steps|guidance|instructions)\s+(?:\w+\s+){0,5}(?:were|was|"
        r"are|is|had|has|have)\s+not\s+(?:been\s+)?(?:formally\s+|properly\s+|adequately\s+|clearly\s+)?"
        r"(?:documented|written|formali[sz]ed|in\s+writing|updated|established)\b|\b(?:no|lack\s+of|absence\s+of|without|missing)\s+(?:formal\s+|written\s+|documented\s+)"
        r"?(?:polic(?:y|ies)|procedures?|desk\s+(?:manuals?|procedures))\b",
        2.0,
    ),
    _c(
        _R.LACK_OF_CONTROL_DOCUMENTATION,
        "procedures to be written or updated",
        rf"\b{_WILL}\s+(?:\w+\s+){{0,3}}(?:develop|create|write|document|update|revise|formali[sz]e|establish|"
        r"implement|draft|enhance|improve|adopt)\w*\s+(?:\w+\s+){0,4}(?:polic(?:y|ies)|procedures?|desk\s+"
        r"manuals?|guidance|SOPs?|checklists?|protocols?)\b|\b(?:polic(?:y|ies)|procedures?|SOPs?)\s+revisions?\b",
        1.8,
    ),
    _c(
        _R.LACK_OF_CONTROL_DOCUMENTATION,
        "no process defined",
        r"\b(?:did|does|do)\s+not\s+have\s+(?:a|an|any)?\s*(?:\w+\s+){0,2}(?:process|procedures?|polic(?:y|ies))\b|"
        r"\bno\s+(?:\w+\s+){0,2}(?:process|procedures?)\s+(?:in\s+place|to|for|existed)\b|"
        r"\bprocedures\s+(?:\w+\s+){0,3}(?:were|was)\s+not\s+(?:designed|established|developed)\b",
        1.6,
    ),
    _c(
        _R.LACK_OF_CONTROL_DOCUMENTATION,
        "no written process",
        r"\b(?:did|does|do)\s+not\s+have\s+(?:a|an|any)?\s*(?:documented|written|formal(?:i[sz]ed)?)\s+(?:\w+\s+){0,2}"
        r"(?:process(?:es)?|procedures?|polic(?:y|ies)|guidance)\b",
        2.0,
    ),
    _c(
        _R.LACK_OF_CONTROL_DOCUMENTATION,
        "procedures written since",
        # A response that reports procedures newly written or revised says they were missing or out of date.
        r"\b(?:implemented|developed|created|wrote|(?:has|have|had|been)\s+written|updated|revised|formali[sz]ed|"
        r"adopted|drafted)\s+"
        r"(?:a\s+|an\s+|the\s+|its\s+|our\s+)?(?:new\s+|written\s+|formal\s+|documented\s+)?(?:\w+\s+){0,2}"
        r"(?:polic(?:y|ies)|procedures?|SOPs?|checklists?|desk\s+manuals?|user\s+guides?)\b",
        1.6,
    ),
    _c(
        _R.LACK_OF_CONTROL_DOCUMENTATION,
        "written steps incomplete or stale",
        r"\b(?:runbooks?|checklists?|playbooks?|procedures?|templates?|SOPs?|manuals?|guides?|instructions)\s+"
        r"(?:\w+\s+){0,2}(?:(?:did|does|do)\s+not\s+(?:include|contain|list|cover|address|mention|require)|(?:was|were|is|"
        r"are)\s+missing)\b|\b(?:procedures?|polic(?:y|ies)|runbooks?|checklists?|documents?|documentation|"
        r"manuals?|guides?|SOPs?)\s+(?:\w+\s+){0,2}(?:was|were|is|are|had\s+been|has\s+been)\s+(?:outdated|"
        r"out\s+of\s+date|obsolete|not\s+(?:been\s+)?updated|not\s+current)\b",
        1.8,
    ),
    _c(
        _R.LACK_OF_CONTROL_DOCUMENTATION,
        "knowledge held by one person",
        # A process that lives in someone's head is, by definition, not written down.
        r"\brel(?:y|ies|ied)\s+(?:\w+\s+){0,2}on\s+(?:the\s+)?(?:(?:one|a\s+single)\s+(?:\w+\s+){0,2}"
        r"(?:employee|person|individual|staff\s+member)|(?:institutional|tribal)\s+knowledge|[\w']+\s+memory)\b|"
        r"\bundocumented\s+(?:process|procedure|practice|workaround)s?\b|\bonly\s+in\s+(?:the\s+)?(?:\w+\s+)?[\w']+(?:'s|’s)?\s+"
        r"(?:head|memory)\b|\b(?:lacks?|lacked|no|without|absence\s+of)\s+(?:formal|written|documented|clear|specific)\s+"
        r"(?:guidance|guidelines|instructions)\b",
        1.8,
    ),
    _c(
        _R.LACK_OF_CONTROL_DOCUMENTATION,
        "policies and procedures named",
        r"\bpolicies\s+and\s+procedures\b|\bprocedures?\s+manual\b|\bdesk\s+(?:guide|manual|procedures)\b",
        1.0,
    ),
    _c(
        _R.LACK_OF_CONTROL_DOCUMENTATION,
        "written procedures named",
        r"\b(?:written|documented|formal|standard\s+operating)\s+(?:polic(?:y|ies)|procedures?|processes)\b|"
        r"\bSOPs?\b",
        0.9,
    ),
    _c(
        _R.LACK_OF_CONTROL_DOCUMENTATION,
        "procedures out of date",
        r"\b(?:outdated|out\s+of\s+date|not\s+(?:been\s+)?updated|obsolete)\b",
        0.9,
    ),
    _c(
        _R.LACK_OF_CONTROL_DOCUMENTATION,
        "never written down or unclear",
        r"\b(?:never|not)\s+(?:been\s+)?written(?:\s+down)?\b|\b(?:policy|procedure|standard|template|manual)\s+"
        r"(?:\w+\s+){0,3}(?:does|did)\s+not\s+(?:say|state|specify|define|contain|describe|cover)\b|"
        r"\b(?:guide|chapter|section|instructions)\s+(?:\w+\s+){0,3}(?:does|did)\s+not\s+(?:specifically\s+)?"
        r"(?:reference|address|say|specify|define|cover|describe)\b|"
        r"\b(?:policy|procedures?|standard|manual|guide|handbook|guidelines)\s+(?:is|are|was|were)\s+(?:unclear|silent|"
        r"vague)\b|\b(?:polic(?:y|ies)|procedures?|manual|guide|handbook|guidelines|instructions|plan|runbook|worksheet)\s+"
        r"(?:\w+\s+){0,2}(?:never|did\s+not|does\s+not)\s+(?:spell(?:ed)?\s+out|spell|lay\s+out|laid\s+out)\b|"
        r"\b(?:not|never)\s+(?:been\s+)?(?:touched|revisited|refreshed|revised|updated|rewritten)\s+since\b|\bstill\s+(?:carried|reflected|"
        r"showed|listed|contained|referred\s+to)\s+(?:the\s+)?(?:\w+\s+){0,3}(?:from\s+the\s+)?(?:old|previous|prior|"
        r"former|superseded|outdated|retired|legacy|decommissioned)\b|\bstill\s+(?:describes?|references?|refers\s+to|"
        r"mentions?|lists?|shows?)\s+(?:the\s+)?(?:\S+\s+){0,3}(?:old|previous|prior|former|retired|legacy|decommissioned|"
        r"superseded|on-premises)\b|\bstill\s+(?:describes?|references?|mentions?|lists?|shows?)\s+(?:\S+\s+){0,5}from\s+"
        r"before\b|\bbuilt\s+(?:its|their)\s+own\s+(?:habits|practices|procedures|approach)\b|"
        r"\bnever\s+(?:says|said|states|stated|mentions|mentioned|specifies|specified)\s+(?:what|how|who|when|where|"
        r"which|that|it)\b|\b(?:checklists?|procedures?|runbooks?|forms?|templates?|manuals?|guides?|playbooks?)\s+"
        r"(?:\w+\s+){0,6}(?:has|had|contains|contained)\s+no\s+(?:line|step|item|section|entry|mention|field)\b|\bdocumentation\s+(?:\w+\s+){0,4}"
        r"(?:has\s+not\s+been|was\s+not|is\s+not)\s+(?:maintained|kept\s+current|updated)\b",
        2.0,
    ),
    # --- the requirement was misunderstood
    _c(
        _R.MISALIGNMENT_WITH_CRITERIA,
        "requirement misunderstood",
        r"\b(?:misinterpret\w*|misunderst\w*|misread\w*|misappl\w*|misconception)\b|\binterpretation\s+of\b",
        2.2,
    ),
    _c(
        _R.MISALIGNMENT_WITH_CRITERIA,
        "management believed otherwise",
        # "is considered a common method" states an opinion on a method, not a reading of the requirement.
        r"\b(?:believed|thought|assumed|understood|was\s+under\s+the\s+impression|interpreted)\s+(?:that\s+)?|"
        r"(?<!is\s)(?<!are\s)(?<!be\s)(?<!been\s)\bconsidered\s+(?:that\s+|it\s+|them\s+|the\s+)",
        1.3,
        # Believing a colleague or a system had already done the work is a slip in checking, not a reading
        # of the requirement.
        unless=r"\balready\s+(?:been\s+)?(?:checked|reviewed|saved|done|attached|approved|handled|sent|completed|"
        r"filed)\b|\b(?:was|were)\s+(?:doing|handling|covering)\s+(?:it|that|this)\b",
    ),
    _c(
        _R.MISALIGNMENT_WITH_CRITERIA,
        "our reading of the commitment",
        r"\b(?:our|their|management's|the\s+team's)\s+(?:reading|understanding|interpretation)\s+(?:was|of)\b|"
        r"\b(?:took|taken)\s+(?:it\s+)?for\s+granted\s+that\b|\bwe\s+read\s+(?:it|the\s+\w+|this)\s+as\b",
        2.0,
    ),
    _c(
        _R.MISALIGNMENT_WITH_CRITERIA,
        "requirement thought not to apply",
        r"\b(?:did|does|do)\s+not\s+(?:believe|consider|think)\b|\bnot\s+(?:applicable|required)\b",
        1.0,
    ),
    _c(
        _R.MISALIGNMENT_WITH_CRITERIA,
        "treated differently than the criteria require",
        r"\bshould\s+have\s+been\s+(?:reported|classified|charged|recorded|treated|allocated)\b|\bmisclassif\w+",
        1.2,
    ),
    _c(_R.MISALIGNMENT_WITH_CRITERIA, "management disagrees", r"\bdisagrees?\b", 0.5),
    _c(
        _R.MISALIGNMENT_WITH_CRITERIA,
        "procedures to be brought in line with the requirement",
        # Rewriting a policy so that it takes in an external rule says the policy had been built without it.
        rf"\b{_WILL}\s+(?:\w+\s+){{0,2}}(?:revise|update|amend|modify|align)\w*\s+(?:\w+\s+){{0,4}}"
        r"(?:polic(?:y|ies)|procedures?|processes)\s+(?:\w+\s+){0,2}to\s+(?:incorporate|reflect|align\s+with|"
        r"conform\s+to|comply\s+with|include)\s+(?:\w+\s+){0,2}(?:requirements?|regulations?|guidance|rules?)\b|"
        r"\bprocedures?\s+(?:\w+\s+){0,2}(?:do|does|did)\s+not\s+take\s+into\s+(?:consideration|account)\b|"
        r"\bshould\s+have\s+been\s+(?:used|followed|applied|performed)\s+to\s+comply\s+with\b",
        2.0,
    ),
    _c(
        _R.MISALIGNMENT_WITH_CRITERIA,
        "not aligned with criteria",
        r"\bnot\s+(?:aligned|tailored|consistent)\s+(?:with|to)\b|\bunclear\s+(?:guidance|requirements?)\b",
        1.6,
    ),
    _c(
        _R.MISALIGNMENT_WITH_CRITERIA,
        "never matched to the criteria",
        r"\bnever\s+(?:compared|aligned|mapped)\s+(?:with|to|against)\s+(?:the\s+)?(?:\w+\s+){0,2}(?:criteria|"
        r"criterion|requirements?|rules?|standards?|regulations?|framework|polic(?:y|ies))\b|\bread\s+(?:the\s+)?"
        r"(?:criterion|criteria|requirement|rule|standard)\b|\bnot\s+designed\s+around\b|\bas\s+applying\s+only\b|"
        r"\bbuilt\s+to\s+an?\s+(?:older|different|earlier)\b|\b(?:designed|built|based)\s+(?:around|on)\s+"
        r"(?:an?\s+|the\s+)?(?:outdated|superseded|older|earlier|previous|prior)\s+(?:version|edition|release)\b|"
        r"\b(?:designed|built|set\s+up|configured)\s+to\s+(?:meet|follow|satisfy)\s+the\s+(?:prior|previous|old|"
        r"former|earlier|superseded)\b|\bapplied\s+the\s+wrong\s+(?:\w+\s+)?(?:period|threshold|criteria|"
        r"criterion|standard|rule|requirement|version|framework|limit)\b",
        2.0,
    ),
    _c(
        _R.MISALIGNMENT_WITH_CRITERIA,
        "own rule used instead of the requirement",
        r"\b(?:applied|used|followed)\s+(?:the\s+|its\s+|their\s+|our\s+)?(?:\w+\s+){0,2}(?:threshold|rate|rule|standard|"
        r"requirement|limit|criteria|criterion|definition|methodology|policy|timeline|deadline)s?\s+(?:instead\s+of|"
        r"rather\s+than)\b|\bcontinued\s+to\s+(?:follow|apply|use)\s+the\s+(?:old|prior|previous|former|superseded|"
        r"outdated)\b|\b(?:polic(?:y|ies)|procedures?|practice|process)\s+(?:\w+\s+){0,3}(?:allows?|permits?|requires?|"
        r"sets?)\b[^.;]{0,80}\b(?:while|whereas|but)\s+(?:the\s+)?(?:\w+\s+){0,2}(?:regulations?|rules?|laws?|"
        r"requirements?|guidance|statutes?|standards?|contracts?|grant\s+terms)\s+(?:requires?|allows?|permits?|sets?|"
        r"limits?)\b|\b(?:polic(?:y|ies)|procedures?|process(?:es)?|forms?|templates?|systems?)\s+(?:\w+\s+){0,3}"
        r"(?:did|does|do)\s+not\s+(?:reflect|incorporate|align\s+with|account\s+for|take\s+account\s+of)\s+"
        r"(?:\w+\s+){0,4}(?:requirements?|regulations?|rules?|guidance|standards?|criteria)\b",
        2.0,
    ),
    _c(
        _R.MISALIGNMENT_WITH_CRITERIA,
        "two rules confused",
        r"\bmix(?:ed|ing)?\s+up\b|\bconfus(?:ed|ing)\s+(?:the\s+)?(?:\w+\s+){0,4}(?:with|and)\b|\btreated\s+"
        r"(?:\w+\s+){0,6}as\s+(?:exempt|allowable|not\s+(?:required|covered|subject)|outside)\b|\b(?:did\s+not|didn't|"
        r"failed\s+to)\s+(?:appreciate|realize|realise|recognize|recognise|grasp)\s+that\b|\bfollowed\s+the\s+"
        r"(?:state|state's|local|county|city|agency's|department's|old|prior|previous)\s+(?:\w+\s+){0,3}(?:statute|"
        r"rule|law|policy|standard|threshold|requirement)s?\b",
        2.0,
    ),
    _c(
        _R.MISALIGNMENT_WITH_CRITERIA,
        "the rule moved on",
        r"\b(?:before|after)\s+the\s+(?:\w+\s+){0,2}(?:amendment|rule\s+change)\b|\bafter\s+the\s+(?:\w+\s+){0,2}"
        r"(?:changed|amended|revised|updated)\s+the\s+(?:rule|regulation|law|standard|requirement|statute)\b|"
        r"\bunaware\s+that\s+the\s+(?:\w+\s+){0,3}(?:rule|regulation|standard|requirement|law|statute)s?\s+"
        r"(?:asks?|requires?|calls?|demands?|applies|applied)\b",
        1.8,
    ),
    # --- mistakes
    _c(
        _R.HUMAN_ERROR,
        "an oversight",
        r"\b(?:an|was\s+an|due\s+to\s+an?|result\s+of\s+an?|simple|administrative)\s+oversights?\b|"
        # "an oversight by the clerk" is a slip; "no oversight by the department" is missing supervision.
        r"(?<!no\s)(?<!without\s)(?<!of\s)(?<!little\s)\boversight\s+(?:by|on\s+the\s+part\s+of)\b",
        2.2,
    ),
    _c(
        _R.HUMAN_ERROR,
        "error or slip",
        r"\b(?:human|clerical|administrative|data[- ]entry|keying|typographical|manual|input|coding|"
        r"calculation|mathematical)\s+errors?\b|\binadvertent\w*|\bunintentional\w*|\bmistake\w*|\boverlooked\b|"
        r"\baccidental(?:ly)?\b|\b(?:approved|granted|deleted|changed|sent|closed|released)\s+(?:\w+\s+){0,3}in\s+error\b",
        2.0,
    ),
    _c(
        _R.HUMAN_ERROR,
        "errors made",
        r"\berrors?\s+(?:was|were)\s+made\b|\bmade\s+(?:an?\s+)?errors?\b|\bmiscalculat\w+|\bmiskey\w*|\btranspos\w+|"
        r"\btypos?\b|\bformula\s+errors?\b|\b(?:formula|spreadsheet|cell|link)s?\s+(?:\w+\s+){0,2}(?:referenced|pointed\s+to|"
        r"linked\s+to|pulled\s+from)\s+the\s+wrong\b|\bentered\s+(?:the\s+|a\s+)?wrong\b|\bby\s+mistake\b|"
        r"\bwrong\s+(?:\w+\s+){0,2}(?:was|were)\s+(?:entered|keyed|selected|typed|applied)\b",
        1.6,
    ),
    _c(
        _R.HUMAN_ERROR,
        "amounts misreported",
        r"\b(?:overstated|understated|(?:incorrectly|erroneously|inaccurately|mistakenly)\s+(?:reported|calculated|"
        r"entered|recorded|coded|charged|classified|applied|paid|posted|keyed)|(?:processed|keyed|posted|coded)\s+"
        r"(?:incorrectly|erroneously|in\s+error))\b",
        1.5,
    ),
    _c(_R.HUMAN_ERROR, "errors named", r"\berrors?\b|\berrone\w+", 0.7),
    _c(
        _R.HUMAN_ERROR,
        "forgot or missed",
        r"\bforg(?:ot|otten)\b|\b(?:overlooked|missed)\s+(?:the|a|an)\s+(?:\w+\s+)?(?:notice|email|ticket|request|"
        r"step|alert|notification|message|form)\b|\b(?:notices?|e-?mails?|tickets?|requests?|alerts?|messages?|"
        r"notifications?|forms?)\s+(?:\w+\s+){0,5}(?:was|were)\s+(?:missed|overlooked)\b|\b(?:did\s+not|didn't|"
        r"failed\s+to)\s+notice\b|\bmistyp\w+|\b(?:a|keying|clerical|simple|human|data-entry|plain|honest|careless)\s+"
        r"slips?\b|\b(?:picked|selected|chose|clicked)\s+(?:\S+\s+){0,8}(?:rather\s+than|instead\s+of)\b|"
        r"\bgot\s+(?:it\s+|that\s+|this\s+|the\s+\w+\s+)?wrong\b|\b(?:sent|e-?mailed|mailed|forwarded|typed|keyed|"
        r"entered|posted)\s+(?:\S+\s+){0,4}without\s+(?:looking\s+at|checking|reading|confirming)\b|\bauto-?(?:complete|"
        r"filled|fill)\w*\b|\bfilled\s+in\s+the\s+(?:\w+\s+)?(?:address|name|field)\s+on\s+its\s+own\b|\b(?:keyed|typed|entered)\s+(?:\S+\s+){1,4}(?:when|where|"
        r"although|though)\s+(?:the\s+)?(?:\S+\s+){0,3}(?:said|showed|read|stated)\b|\b(?:believing|assuming|thinking)\s+"
        r"(?:that\s+)?(?:\S+\s+){0,6}(?:had|was|were)\s+already\b|\bfrom\s+the\s+"
        r"drop-?down\b",
        2.0,
    ),
    # --- training and awareness
    _c(
        _R.INSUFFICIENT_TRAINING,
        "staff unaware",
        r"\b(?:not\s+|un)aware\b|\bnot\s+(?:trained|familiar|knowledgeable)\b|\bunfamiliar\b",
        2.0,
    ),
    _c(
        _R.INSUFFICIENT_TRAINING,
        "lack of training",
        r"\b(?:lack\s+of|insufficient|inadequate|limited|no)\s+(?:\w+\s+)?(?:training|knowledge|understanding|"
        r"familiarity|awareness|education)\b",
        2.0,
    ),
    _c(
        _R.INSUFFICIENT_TRAINING,
        "training to be given",
        # "Department of Education", "special education" and "education grants" name agencies and
        # programmes: only educating people counts.
        r"\b(?:train(?:ing|ed)?|re-?train\w*)\b|\b(?-i:educat(?:e|ed|es|ing))\b|\b(?:staff|employee|additional|"
        r"further|continuing|ongoing)\s+education\b|\beducation\s+(?:on|about|regarding|sessions?)\b",
        # A bare mention (usually a promised course) needs a second cue: remediation often lists training
        # whatever the cause was.
        0.9,
        # Training that will "continue" already existed, and a menu of tools that "may be useful" states no
        # fact about this finding: neither says staff lacked training.
        unless=r"\bcontinu\w*\s+to\s+(?:\w+\s+){0,2}(?:provide|offer|conduct|hold|deliver|give|require)\b|"
        r"\b(?:may|might|could)\s+(?:also\s+)?be\s+(?:useful|helpful|appropriate|used|considered)\b",
    ),
    _c(
        _R.INSUFFICIENT_TRAINING,
        "training not received",
        r"\b(?:not|never)\s+(?:\w+\s+)?(?:received|attended|completed|taken|been\s+given|been\s+provided(?:\s+with)?)"
        r"\s+(?:any\s+|the\s+)?(?:\w+\s+){0,2}training\b|\btraining\s+(?:\w+\s+){0,5}(?:was|were|had|has)\s+(?:never|not)\s+"
        r"(?:been\s+)?(?:provided|given|offered|delivered|conducted|held|scheduled)\b|"
        r"\b(?:did\s+not|do\s+not|does\s+not|failed\s+to)\s+"
        r"(?:fully\s+)?understand\s+(?:\w+\s+){0,2}(?:responsibilit\w+|requirements?|roles?|duties|obligations)\b",
        2.0,
    ),
    _c(
        _R.INSUFFICIENT_TRAINING,
        "did not know how",
        r"\b(?:did\s+not|didn't|do\s+not)\s+know\b|\b(?:had|have|has|were|was)\s+(?:not|never)\s+(?:been\s+)?"
        r"(?:trained|taught|instructed|shown|walked\s+through|briefed|coached|told\s+how)\b|\bnever\s+(?:been\s+)?"
        r"(?:trained|taught|shown|instructed)\b|\b(?:induction|onboarding|orientation)\s+(?:\w+\s+){0,4}(?:left\s+out|"
        r"skipped|omitted|did\s+not\s+cover|never\s+covered)\b|\b(?:no\s+one|nobody)\s+(?:had\s+)?(?:ever\s+)?(?:showed|"
        r"shown|told|taught|"
        r"explained|walked|gone\s+over|went\s+over|trained|instructed|sat\s+down\s+with)\b",
        2.0,
    ),
    # --- people, budget, time
    _c(
        _R.RESOURCE_CONSTRAINTS,
        "staffing shortage",
        r"\b(?:staff(?:ing)?|personnel|resource|employee|workforce)\s+(?:shortages?|limitations?|constraints?|"
        r"reductions?)\b|\bshort-?staffed\b|\bunderstaff\w*",
        2.2,
    ),
    _c(
        _R.RESOURCE_CONSTRAINTS,
        "limited resources",
        r"\b(?:limited|insufficient|lack\s+of|inadequate|reduced|competing)\s+(?:staff(?:ing)?|personnel|resources|"
        r"budget|funding|time|priorities|capacity|headcount|manpower|bandwidth)\b|\bworkloads?\b|\b(?:did\s+not|does\s+not|"
        r"do\s+not)\s+have\s+(?:the\s+)?(?:sufficient|enough|adequate)?\s*(?:time|staff(?:ing)?|personnel|resources|headcount|"
        r"manpower|bandwidth)\b|\bhiring\s+freeze\b|\b(?:positions?|posts?|vacanc(?:y|ies))\s+(?:\w+\s+){0,2}(?:were|was|"
        r"remained|had\s+been)\s+frozen\b|\bonly\s+(?:one|a\s+single)\s+(?:\w+\s+){0,2}(?:employee|person|staff\s+member|"
        r"individual|accountant|clerk|administrator)\b|\b(?:caseloads?|backlogs?)\b|\bmore\s+work\s+than\b|"
        r"\b(?:half|a\s+third|a\s+fraction)\s+(?:of\s+)?(?:its|their|our|the)\s+(?:usual|normal|full)\b|\btrying\s+to\s+"
        r"cover\b|\b(?:only\s+)?(?:one|two|three|four|five|a\s+single)\s+(?:\w+\s+)?(?:investigators|analysts|monitors|"
        r"accountants|auditors|staff|employees|people|specialists|technicians|inspectors)\s+(?:for|to\s+cover|covering)\s+"
        r"(?:the\s+whole|all|every|the\s+entire|\d[\d,]*)\b|\b(?:positions?|posts?|vacancies)\s+(?:\w+\s+){0,2}(?:have|has)\s+"
        r"been\s+(?:posted|advertised|approved|created|funded)\b|\bcovering\s+(?:\w+\s+){0,2}(?:classrooms?|shifts?|"
        r"caseloads?|desks?|for\s+(?:vacant|empty|open))\b|\bbudget\b[^.;]{0,60}\b(?:cut|denied|rejected|unfunded|not\s+funded|"
        r"not\s+approved)\b|\b(?:cut|denied|rejected|unfunded)\b[^.;]{0,40}\bbudget\b|\bcame\s+under\s+"
        r"(?:\w+\s+)?pressure\b|\b(?:position|post|role|vacancy)\s+(?:\w+\s+){0,2}(?:was|were)\s+(?:not\s+"
        r"(?:filled|backfilled|replaced)|eliminated|cut|frozen)\b",
        2.0,
    ),
    _c(
        _R.RESOURCE_CONSTRAINTS,
        "turnover and vacancies",
        r"\b(?:turnover|vacanc(?:y|ies)|vacant\s+positions?|unfilled\s+positions?)\b|\b(?:position|role|post|job)s?"
        r"\s+(?:\w+\s+){0,5}(?:was|were|remained|had\s+been|has\s+been|sat)\s+(?:vacant|unfilled|open)\b",
        1.8,
    ),
    _c(
        _R.RESOURCE_CONSTRAINTS,
        "small staff",
        r"\b(?:limited|small)\s+(?:size|number)\s+of\b|\bsize\s+(?:and\s+\w+\s+)?of\s+(?:its|the|their)\s+(?:\w+\s+){0,2}"
        r"staff\b",
        1.8,
    ),
    _c(
        _R.RESOURCE_CONSTRAINTS,
        "staff added",
        r"\b(?:hired|hire|hiring|recruit\w*|filled|add(?:ed|ing)?)\s+(?:a|an|additional|new|more)?\s*(?:\w+\s+){0,2}"
        r"(?:staff|personnel|positions?|employees?|FTEs?|analysts?|coordinators?|accountants?|managers?|specialists?|"
        r"officers?|directors?|auditors?)\b",
        1.6,
    ),
    _c(
        _R.RESOURCE_CONSTRAINTS,
        "too little time",
        # The taxonomy counts time among the limited resources: a squeezed deadline is not a planning flaw.
        r"\b(?:short|tight|compressed)\s+(?:timelines?|timeframes?|deadlines?)\b",
        2.0,
    ),
    _c(
        _R.RESOURCE_CONSTRAINTS,
        "pandemic disruption",
        r"\b(?:COVID|pandemic|public\s+health\s+emergency)\b",
        0.9,
    ),
    _c(
        _R.RESOURCE_CONSTRAINTS,
        "system limitation",
        r"\bsystem\s+limitations?\b|\b(?:system|software)\s+(?:does|did)\s+not\s+(?:allow|have\s+the\s+capability)\b"
        r"|\blimitations?\s+of\s+the\s+(?:system|software)\b",
        1.4,
    ),
    _c(
        _R.RESOURCE_CONSTRAINTS,
        "budget or capacity short",
        r"\b(?:budget|funding)\s+(?:constraints?|limitations?|cuts?|shortfalls?|reductions?)\b|\b(?:not\s+(?:included|"
        r"funded)|did\s+not\s+fit)\s+(?:in\s+)?(?:[\w'’]+\s+){0,3}budget\b|\b(?:licen[cs]e|resource)\s+shortfall\b|\bpositions?\s+short\b|"
        r"\bon\s+(?:\w+\s+){0,2}leave\b|\bthe\s+only\s+(?:person|one|employee|individual|administrator|engineer|"
        r"analyst)\s+(?:who|that|with|able)\b|\bno\s+one\s+else\s+(?:had|was|could|knew)\b|\bshort(?:-handed|\s+(?:of\s+)?(?:\w+\s+)?(?:staff|engineers?|analysts?|people|"
        r"employees?|headcount|hands|teachers|nurses|workers|drivers|officers|caseworkers|examiners|auditors|"
        r"technicians))\b|\bno\s+backup\s+(?:\w+\s+){0,2}assigned\b|\bstretched\b|\b(?:did\s+not\s+have|lacked|"
        r"without)\s+(?:the\s+)?(?:capacity|budget|funding|funds)\b|\bstaffed\s+by\s+(?:one|a\s+single|two)\b|\bconsists?\s+of\s+"
        r"(?:one|two|three)\s+(?:people|persons|employees)\b|\bfully\s+occupied\b|\b(?:inundated|overwhelmed)\b|"
        r"\b(?:staff|resources|personnel|employees|investigators|analysts)\s+(?:were|was|had\s+been)\s+"
        r"(?:re)?(?:deployed|diverted|reassigned|pulled)\s+(?:to|away)\b",
        2.0,
    ),
    # --- change
    _c(
        _R.ORGANIZATIONAL_CHANGE,
        "restructuring",
        r"\b(?:reorgani[sz]\w+|restructur\w+|mergers?|acquisitions?|consolidation|consolidated\s+into|absorbed\s+into|"
        r"folded\s+into|merged\s+into|broken\s+up|split\s+up|dissolved)\b",
        2.0,
    ),
    _c(
        _R.ORGANIZATIONAL_CHANGE,
        "new system or program",
        r"\b(?:implementation\s+of|conversion\s+to|migration\s+to|transition(?:ed|ing)?\s+to|move\s+to|launch\s+of)"
        r"\s+(?:\w+\s+){0,3}(?:new\s+)?(?:system|software|platform|program|application|process)\b|\bnewly\s+"
        r"(?:implemented|established|created)\b|\bnew\s+(?:\w+\s+){0,2}(?:system|software|platform|program)s?\b|\bnew\s+(?:\w+\s+){0,2}applications?\s+"
        r"(?:was|were|went)\s+(?:deployed|implemented|launched|introduced|rolled\s+out|live)\b|"
        r"\bshift(?:ed|ing)?\s+(?:\w+\s+){0,5}(?:from|to)\b|\bfirst\s+(?:year|time|cycle)\b",
        1.5,
    ),
    _c(
        _R.ORGANIZATIONAL_CHANGE,
        "staff transition",
        r"\b(?:transition|change|changes|turnover)\s+(?:in|of)\s+(?:key\s+)?(?:staff|personnel|management|"
        r"leadership|positions?)\b|\b(?:(?-i:retired|retirement)|(?<!\w\s)(?<!['’]\s)(?-i:Retired|Retirement)|departed|departure|resigned|resignation|left\s+the\s+"
        r"(?:organization|department|agency|company|county|city|office))\b|\b(?:leadership|management|staff(?:ing)?|"
        r"personnel)\s+(?:changes|transitions|turnover)\b",
        1.5,
    ),
    _c(
        _R.ORGANIZATIONAL_CHANGE,
        "migration or replacement",
        r"\b(?:migrat\w+|moved|move|moving|transferred)\s+(?:\w+\s+){0,6}to\s+(?:a|the|its|their|our)\s+"
        r"(?:new(?:ly\s+created)?|replacement)\b|\breplaced\s+(?:\w+\s+){0,6}with\s+a\s+new\b|\bafter\s+the\s+"
        r"(?:cutover|conversion|go-?live|migration|transition)\b|\b(?:in|with|as\s+part\s+of)\s+the\s+(?:migration|"
        r"conversion|cutover)\b|\b(?:came|arrived)\s+(?:in\s+)?with\s+the\s+new\b|\bmoved\s+(?:\S+\s+){0,6}(?:off|from)\s+"
        r"(?:\S+\s+){0,6}(?:onto|to)\s+an?\b|\breplacement\s+(?:\w+\s+){0,2}(?:system|platform|"
        r"software|application)\b|\b(?:system|billing|software|platform|ERP|payroll)\s+(?:conversion|upgrade)\b|"
        r"\b(?:the\s+)?\d{4}\s+upgrade\b|\bupgrade\s+of\s+the\s+(?:\w+\s+){0,3}system\b|\b(?:since|when|after)\s+"
        r"(?:\w+\s+){0,3}(?:moved|transferred|shifted|passed)\s+to\s+(?:the\s+)?(?:\S+\s+){0,3}(?:central|shared|new|"
        r"county's|state's|regional)\b|\b(?:when|after)\s+(?:she|he|they)\s+left\b|\bduring\s+the\s+(?:\w+\s+){0,2}"
        r"(?:migration|transition|move|conversion|reorgani[sz]ation|merger)\b|\bwas\s+(?:replaced|migrated)\b",
        1.8,
    ),
    # --- planning
    _c(
        _R.INADEQUATE_PLANNING,
        "lack of planning",
        r"\b(?:lack\s+of|inadequate|insufficient|poor|no)\s+(?:advance\s+)?(?:planning|preparation)\b|"
        r"\b(?:did\s+not|failed\s+to)\s+(?:plan|anticipate|prepare)\b|\brushed\b|\bno\s+(?:\w+\s+)?"
        r"(?:cutover|implementation|project|transition|migration|rollout|roll-out|contingency|work)\s+plan\b|"
        r"\b(?:was|were)\s+not\s+(?:adequately\s+|properly\s+)?planned\b|\bwent\s+live\s+before\s+(?:\w+\s+){0,4}"
        r"(?:was|were)\s+(?:ready|complete|in\s+place|tested|approved|finished)\b|\bwithout\s+(?:allowing\s+)?"
        r"(?:any\s+|enough\s+|sufficient\s+)?time\s+for\s+(?:testing|review|training|preparation)\b",
        2.2,
    ),
    _c(
        _R.INADEQUATE_PLANNING,
        "not set up in advance",
        r"\bnot\s+(?:set\s+up|established|planned|anticipated|prepared|considered)\s+(?:in\s+advance|prior|before|"
        r"timely|at\s+the\s+(?:start|outset))\b",
        2.0,
    ),
    _c(
        _R.INADEQUATE_PLANNING,
        "no schedule set",
        r"\b(?:did\s+not|failed\s+to)\s+(?:establish|set|develop)\s+(?:a\s+)?(?:timeline|schedule|plan|calendar)\b|"
        r"\b(?:tracking|reporting)\s+(?:calendar|schedule)\b|\bahead\s+of\s+time\b",
        1.4,
    ),
    _c(
        _R.INADEQUATE_PLANNING,
        "controls never put in place",
        # No control existed at all (not a written one missing, not one that failed): the process was never
        # set up before the work it should govern began.
        r"\b(?:did|does|do)\s+not\s+have\s+(?:adequate|effective|sufficient|appropriate|any)\s+(?:internal\s+)?"
        r"controls?\s+(?:in\s+place|over|to)\b|\bno\s+(?:internal\s+)?controls?\s+(?:were|was)\s+(?:in\s+place|"
        r"established|designed)\b|"
        rf"\b{_WILL}\s+(?:\w+\s+){{0,2}}(?:adopt|establish|implement|put\s+in\s+place)\s+"
        r"(?:an?\s+)?(?:internal\s+)?control\s+(?:process|procedure|mechanism)\b|"
        # A promise to put controls in place (not to improve existing ones) admits there were none.
        r"\b(?:will|shall|plans?\s+to|intends?\s+to)\s+(?:\w+\s+){0,2}(?:adopt|establish|implement|design|"
        r"put\s+in(?:to)?\s+place)\s+(?:new\s+|additional\s+|internal\s+|adequate\s+|appropriate\s+|formal\s+)*"
        r"controls\b|\bput\s+in(?:to)?\s+place\s+an?\s+(?:\w+\s+){0,2}(?:process|procedure)\s+to\s+ensure\b",
        1.6,
    ),
    _c(
        _R.INADEQUATE_PLANNING,
        "done only after the period closed",
        # Work that belonged in the year and was finished only after it closed had no timeline to meet.
        r"\b(?:completed|performed|finali[sz]ed|prepared|made|done)\s+(?:\w+\s+){0,3}(?:subsequent\s+to|after)\s+"
        r"(?:the\s+)?(?:fiscal\s+|calendar\s+)?(?:year[- ]?end|end\s+of\s+the\s+(?:fiscal\s+)?year|"
        r"close\s+of\s+the\s+(?:fiscal\s+)?year)\b|\bnot\s+(?:\w+\s+){0,2}(?:completed|finali[sz]ed|performed|done)\s+until\s+"
        r"(?:\w+\s+){0,3}after\b|\bbased\s+(?:solely\s+|only\s+|entirely\s+)?on\s+timing\b",
        1.6,
    ),
    _c(
        _R.INADEQUATE_PLANNING,
        "not foreseen or scoped",
        r"\b(?:did\s+not|failed\s+to)\s+(?:anticipate|foresee|forecast)\b|\b(?:unanticipated|unforeseen|not\s+foreseen)\b|"
        r"\b(?:launched|started|began|rolled\s+out|opened|went\s+live)\b[^.;]{0,60}\bbefore\s+(?:\w+\s+){0,4}(?:had\s+been|"
        r"was|were)\s+(?:designed|defined|established|developed|set\s+up|put\s+in\s+place|ready)\b|\bscope\s+"
        r"(?:\w+\s+){0,4}(?:did|does)\s+not\s+(?:include|cover|consider|address)\b|\b(?:no|without\s+a|lack\s+of\s+a)\s+"
        r"(?:timeline|schedule|calendar|deadline|plan)\s+(?:for|to)\b|\b(?:had\s+not|did\s+not|never)\s+"
        r"(?:identified|assigned|designated|decided|determined)\s+who\s+(?:would|should|was\s+to)\b",
        2.0,
    ),
    _c(_R.INADEQUATE_PLANNING, "timeline named", r"\b(?:timelines?|schedul\w+|in\s+advance)\b", 0.5),
    _c(
        _R.INADEQUATE_PLANNING,
        "never planned or scheduled",
        r"\b(?:not|never)\s+(?:been\s+)?(?:planned|scheduled)\b|\bnobody\s+planned\b|\bno\s+(?:project\s+|work\s+|formal\s+)?plan(?:\s*[.;,]|\s+(?:for|to|existed|was|had\s+been|in\s+place)\b)|"
        r"\bnot\s+set\s+(?:far\s+enough\s+)?in\s+advance\b|\b(?:never|not)\s+(?:been\s+)?(?:put|placed)\s+on\s+"
        r"(?:\w+\s+){0,3}(?:calendar|schedule)\b|\b(?:never|not)\s+(?:been\s+)?given\s+an?\s+(?:date|deadline|timeline|"
        r"due\s+date)\b|\bbefore\s+anyone\s+had\s+(?:looked|considered|checked|asked|thought)\b|\b(?:nothing\s+in|"
        r"none\s+of)\s+(?:our|the|its)\s+(?:\w+\s+)?(?:preparations?|plans?|planning)\s+(?:had\s+)?(?:contemplated|"
        r"anticipated|considered|foreseen|covered)\b|\bno\s+(?:\w+\s+){0,2}(?:approach|plan|process|procedure|playbook)"
        r"\s+ready\b|\b(?:nobody|no\s+one)\s+(?:had\s+)?(?:ever\s+)?(?:worked\s+out|thought\s+through|figured\s+out|set\s+out|"
        r"decided|planned|settled|agreed)\b|\b(?:was|were)\s+never\s+(?:handed|assigned|given|passed)\s+(?:over\s+)?to\s+"
        r"(?:anyone|anybody|someone)\b|\bnever\s+sat\s+down\s+to\b|\bwithout\s+an?\s+(?:rotation|schedule|plan|calendar|"
        r"timeline)\b|\b(?:testing|tests|reviews?|steps?|checks?)\s+(?:\w+\s+){0,2}(?:was|were)\s+(?:left\s+out|skipped|"
        r"dropped|cut)\s+to\s+(?:hit|meet|make)\b|\bno\s+(?:budget\s+or\s+)?start\s+date\b|\bthrown\s+together\b|\btemporary\s+(?:measure|fix|workaround|"
        r"arrangement)\b|\bnever\s+made\s+it\s+(?:onto|into|on)\s+(?:\w+\s+){0,2}(?:roadmap|plan|schedule|calendar|"
        r"backlog)\b|\b(?:parked|pushed|deferred|postponed)\s+(?:\w+\s+){0,4}(?:for|into|to|until)\s+(?:a\s+|the\s+)?(?:\S+\s+){0,2}"
        r"(?:later|second|future|next)\b|\b(?:had\s+)?never\s+"
        r"prepared\s+(?:an?\s+)?(?:\w+\s+){0,2}(?:template|plan|playbook|procedure|runbook)\b",
        2.0,
    ),
    # --- the third party itself
    _c(
        _R.VENDOR_NONCOMPLIANCE,
        "third party failed",
        rf"\b{_PARTY}\s+(?:did\s+not|failed\s+to|had\s+not|has\s+not|was\s+unable\s+to)\s+(?:\w+\s+){{0,2}}"
        r"(?:meet|comply|provide|submit|complete|perform|apply|notify|follow|deliver)\b",
        1.8,
    ),
    _c(
        _R.VENDOR_NONCOMPLIANCE,
        "third party got it wrong",
        rf"\b{_PARTY}(?:\s+\w+)?\s+(?:\w+\s+){{0,2}}(?:miscalculated|overbilled|overcharged|double-?billed|"
        r"(?:paid|charged|billed|claimed|invoiced)\s+(?:\w+\s+){0,2}(?:ineligible|unallowable|unsupported|duplicate|"
        r"incorrect)|(?:submitted|reported|delivered)\s+(?:\w+\s+){0,1}(?:inaccurate|incorrect|late|incomplete|"
        r"erroneous)|violated|breached)\b",
        2.0,
    ),
    _c(
        _R.VENDOR_NONCOMPLIANCE,
        "third party broke its contract",
        r"\beven\s+though\s+(?:our|the|its|their)\s+(?:contract|agreement|SLA|terms)\s+(?:requires?|required|calls?\s+for)\b|"
        r"\b(?:in\s+breach\s+of|contrary\s+to)\s+(?:its|their|the)\s+(?:contract|agreement|SLA)\b",
        1.8,
    ),
    # --- incidents
    _c(
        _R.INADEQUATE_INCIDENT_RESPONSE,
        "incident handled slowly",
        r"\b(?:incidents?|breach(?:es)?|alerts?|attacks?|intrusions?)\b\W+(?:\w+\W+){0,6}(?:not\s+(?:\w+\s+)?(?:reported|"
        r"escalated|investigated|contained|handled|addressed|responded)|delay\w*|late)\b",
        2.2,
    ),
    _c(
        _R.INADEQUATE_INCIDENT_RESPONSE,
        "response delayed",
        r"\b(?:response|escalation|containment|notification|triage)\s+(?:\w+\s+){0,2}(?:was|were)\s+"
        r"(?:delayed|late|slow)\b",
        2.0,
    ),
    _c(
        _R.INADEQUATE_INCIDENT_RESPONSE,
        "incident response named",
        r"\bincident\s+(?:response|handling)\b",
        1.0,
    ),
    _c(
        _R.INADEQUATE_INCIDENT_RESPONSE,
        "incident left unanswered",
        r"\b(?:took|needed)\s+(?:\w+\s+){0,3}(?:days|weeks|months|hours)\s+to\s+(?:disable|revoke|contain|isolate|"
        r"investigate|notify|respond|remove|block)\b[^.;]{0,60}\b(?:compromised|breach\w*|incidents?|attacks?|alerts?|"
        r"malware|suspicious|intrusions?|phishing|ransomware|attackers?)\b|\b(?:did\s+not|failed\s+to|never|no\s+one)\s+"
        r"(?:escalate|investigate|investigated|escalated|contain|respond\s+to|responded\s+to|act\s+on|acted\s+on)\s+"
        r"(?:\w+\s+){0,3}(?:compromised|breach\w*|incidents?|attacks?|alerts?|malware|suspicious|intrusions?|phishing|"
        r"ransomware)\b|\b(?:did\s+not|failed\s+to|never)\s+(?:pass|forward|escalate|refer|report)\w*\s+(?:\w+\s+){0,3}"
        r"to\s+the\s+(?:security|incident|privacy|response|fraud)\b|\bbefore\s+anyone\s+(?:escalated|responded|acted|"
        r"reported|raised)\b|\bno\s+(?:playbook|runbook|response\s+plan)\s+for\b|\bspent\s+(?:more\s+than\s+|over\s+|about\s+)?(?:a|an|one|two|"
        r"three|several)\s+(?:days?|weeks?|hours?)\s+(?:debating|deciding|arguing|discussing|working\s+out)\b|\bbefore\s+(?:treating|declaring|"
        r"handling|escalating)\s+(?:it\s+|them\s+)?as\s+an?\s+(?:security\s+)?(?:incident|breach)\b|\b(?:read|treated|"
        r"logged|dismissed|classified|closed)\s+(?:\w+\s+){0,4}as\s+(?:an?\s+)?(?:\w+\s+){0,2}(?:glitch|problems?|false\s+"
        r"positives?|noise|nuisance)\b|\b(?:rather\s+than|instead\s+of)\s+(?:through\s+|to\s+|via\s+)?the\s+(?:security|"
        r"incident|privacy)\s+(?:hotline|team|channel|queue|mailbox|process|desk)\b",
        2.0,
    ),
    _c(
        _R.INADEQUATE_INCIDENT_RESPONSE,
        "response plan not followed",
        r"\b(?:incident|breach|security)\s+(?:response\s+)?(?:plan|procedures?|process|playbook|runbook)\s+"
        r"(?:\w+\s+){0,2}(?:was|were|is|had|has)\s+not\s+(?:been\s+)?(?:followed|executed|invoked|activated|used|"
        r"tested|applied)\b",
        2.0,
    ),
)

# Sentences that merely speak of a risk or possibility do not establish an incident.
_HYPOTHETICAL = re.compile(
    r"\b(?:risk\w*|could|may|might|potential(?:ly)?|possib\w+|prevent\w*|in\s+the\s+event|susceptible|"
    r"vulnerab\w+|exposure\s+to|if\s+|would|likelihood|protect\w*|guard\s+against|reduce)\b",
    _FLAGS,
)

# Sentences addressed to the analyzer rather than describing the audit: never evidence, never obeyed.
_DIRECTIVE = re.compile(
    r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+|the\s+)?(?:previous|prior|above|earlier|"
    r"preceding)?\s*(?:instructions?|prompts?|rules?|guidance)\b|\bclassify\s+(?:this|it|the\s+finding)?\s*as\b|"
    r"\b(?:system\s+prompt|you\s+are\s+(?:now\s+)?an?\s+\w+|assistant\s*:|respond\s+with|output\s+only)\b|"
    r"\b(?:exception_type|root_causes?|data_breach_incident|control_gap|operating_ineffectiveness|"
    r"policy_noncompliance|insufficient_documentation|vendor_noncompliance|employee_negligence)\b",
    _FLAGS,
)
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?;])\s+|\n+")


def split_sentences(text: str) -> list[str]:
    """Split text into sentences (good enough for cue matching)."""
    return [s.strip() for s in _SENTENCE_SPLIT.split(text) if s and s.strip()]


def strip_directives(text: str) -> str:
    """Remove sentences that address the analyzer instead of describing the audit."""
    if not _DIRECTIVE.search(text):
        return text
    return " ".join(s for s in split_sentences(text) if not _DIRECTIVE.search(s))


def _match(cues: Iterable[Cue], fields: Mapping[str, str], weights: Mapping[str, float]) -> CueVotes:
    votes = CueVotes()
    for field_name, text in fields.items():
        if not text:
            continue
        factor = weights.get(field_name, 0.5)
        for sentence in split_sentences(text):
            hypothetical = bool(_HYPOTHETICAL.search(sentence))
            for cue in cues:
                found = cue.pattern.search(sentence)
                if not found:
                    continue
                if cue.factual_only and hypothetical:
                    continue
                if cue.unless is not None and cue.unless.search(sentence):
                    continue
                votes.add(CueHit(cue, field_name, found.group(0).strip(), cue.weight * factor))
    return _cap_repeats(votes)


def _cap_repeats(votes: CueVotes) -> CueVotes:
    """Count a cue at most twice (a bare mention, weight < 1, once) so repetition cannot dominate."""
    capped = CueVotes()
    for label, hits in votes.hits.items():
        per_cue: dict[str, int] = {}
        for hit in sorted(hits, key=lambda h: -h.score):
            n = per_cue.get(hit.cue.name, 0)
            if n >= (1 if hit.cue.weight < 1.0 else 2):
                continue
            per_cue[hit.cue.name] = n + 1
            capped.add(hit if n == 0 else CueHit(hit.cue, hit.field, hit.snippet, hit.score * 0.5))
        _ = label
    return capped


def type_votes(fields: Mapping[str, str]) -> CueVotes:
    """Weighted exception-type cue votes over the named text fields."""
    return _match(TYPE_CUES, fields, TYPE_FIELD_WEIGHTS)


def cause_votes(fields: Mapping[str, str]) -> CueVotes:
    """Weighted root-cause cue votes over the named text fields."""
    return _match(CAUSE_CUES, fields, CAUSE_FIELD_WEIGHTS)
