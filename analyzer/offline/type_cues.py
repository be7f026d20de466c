"""Type cues: general audit phrasing that signals which of the 7 exception types a finding is."""

from __future__ import annotations

from analyzer.offline.cue_base import PARTY, Cue, cue
from analyzer.taxonomy import ExceptionType

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

TYPE_CUES: tuple[Cue, ...] = (
    # --- an incident actually happened
    cue(
        _T.DATA_BREACH_INCIDENT,
        "a breach occurred",
        r"\b(?:data|security|privacy)\s+breach(?:es)?\b",
        3.0,
        factual_only=True,
    ),
    cue(
        _T.DATA_BREACH_INCIDENT,
        "records taken or sent out",
        r"\b(?:account|user|requester|attacker|intruder|outsider|hacker|recipient)s?\s+(?:\S+\s+){0,2}(?:retrieved|"
        r"downloaded|pulled|exfiltrated|copied|harvested)\s+[\d,]+\s+(?:\w+\s+){0,2}(?:records|files|accounts)\b|"
        r"\bto\s+an?\s+(?:outside|external|unauthori[sz]ed|unknown)\s+(?:firm|party|address|recipient|company|person)\b|"
        r"\b(?:learned|told|informed|notified)\s+(?:\w+\s+){0,2}of\s+the\s+(?:disclosure|breach|exposure|leak)\b|"
        r"\b(?:viewed|seen|opened|accessed)\s+by\s+(?:someone|a\s+person|people|persons|users?)\s+other\s+than\b|"
        r"\bcould\s+see\s+(?:other|another)\s+(?:\w+\s+)?(?:accounts?|customers?|users?|patients?|members?|clients?)"
        r"(?:'|’|'s|’s)?\s|\b(?:attached|sent|e-?mailed|mailed|uploaded)\s+the\s+wrong\s+(?:file|attachment|document|"
        r"spreadsheet|report|letter)s?\b",
        2.5,
        factual_only=True,
    ),
    cue(
        _T.DATA_BREACH_INCIDENT,
        "an attacker took data",
        r"\b(?:an?\s+)?(?:attacker|intruder|hacker|threat\s+actor)\s+(?:\S+\s+){0,14}(?:exported|downloaded|exfiltrated|"
        r"accessed|read|copied|stole)\b|\b(?:an?\s+)?(?:unknown|unauthori[sz]ed|external|outside)\s+(?:party|actor|user|"
        r"individual|person)\s+used\b|\bphished\s+credentials\b|\b(?:containing|with)\s+(?:full\s+|unmasked\s+|"
        r"unencrypted\s+)?(?:card\s+numbers|social\s+security\s+numbers|bank\s+account\s+numbers|health\s+information|"
        r"passwords)\b[^.;]{0,80}\b(?:were|was)\s+(?:available|exposed|accessible|downloaded|visible|viewed)\b",
        2.5,
        factual_only=True,
    ),
    cue(
        _T.DATA_BREACH_INCIDENT,
        "someone else's data was served",
        r"\b(?:received|saw|viewed|was\s+shown|were\s+shown|got)\s+(?:\w+\s+){0,2}(?:another|other)\s+(?:[\w-]+\s+)?"
        r"(?:claimant|customer|patient|person|client|individual|taxpayer|member|user|student|employee|applicant)s?(?:'s|’s|')"
        r"|\b(?:served|sent|mailed|delivered|e-?mailed|disclosed|released)\s+to\s+the\s+wrong\s+(?:person|people|"
        r"recipients?|address(?:es)?|individuals?|parties|party|customers?|claimants?)\b",
        2.5,
        factual_only=True,
    ),
    cue(
        _T.DATA_BREACH_INCIDENT,
        "unauthorized access was obtained",
        r"\b(?:gained|obtained|had)\s+unauthori[sz]ed\s+access\b|\bunauthori[sz]ed\s+(?:individuals?|parties|"
        r"persons?|users?)\s+(?:gained|obtained|accessed)\b",
        3.0,
        factual_only=True,
    ),
    cue(
        _T.DATA_BREACH_INCIDENT,
        "malicious attack",
        r"\b(?:ransomware|(?<!anti-)(?<!anti)malware(?!\s+(?:definitions?|protection|signatures?|scan\w*|"
        r"software|agents?|tools?|updates?))|cyber-?\s?attack|denial[- ]of[- ]service|exfiltrat\w*|"
        r"hack(?:ed|ers?))\b",
        2.5,
        factual_only=True,
    ),
    cue(
        _T.DATA_BREACH_INCIDENT,
        "compromised credentials or systems",
        r"\b(?:stolen|compromised)\s+(?:credentials|accounts?|passwords?|mailbox(?:es)?|systems?)\b|"
        r"\bwas\s+compromised\b",
        2.5,
        factual_only=True,
    ),
    cue(
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
    cue(
        _T.DATA_BREACH_INCIDENT,
        "security incident occurred",
        r"\b(?:security|privacy|cyber)\s+incidents?\s+(?:occurred|in\s+which|that\s+(?:affected|exposed))\b",
        2.5,
        factual_only=True,
    ),
    cue(
        _T.DATA_BREACH_INCIDENT,
        "an incident was suffered",
        r"\b(?:suffered|experienced|sustained|confirmed|detected)\s+(?:a|an)\s+(?:\w+\s+)?(?:breach|intrusion|"
        r"compromise|security\s+incident)\b",
        3.0,
        factual_only=True,
    ),
    cue(
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
    cue(_T.VENDOR_NONCOMPLIANCE, "third party named", rf"\b{PARTY}\b", 0.7),
    cue(
        _T.VENDOR_NONCOMPLIANCE,
        "third party's controls not ensured",
        rf"\b(?:did\s+not|failed\s+to|does\s+not)\s+(?:ensure|verify|confirm)\s+(?:that\s+)?(?:the\s+|its\s+|their\s+)?"
        rf"(?:\w+\s+){{0,4}}{PARTY}|\bcontract(?:ed|s)\s+with\b",
        1.5,
    ),
    cue(
        _T.VENDOR_NONCOMPLIANCE,
        "third party fell short",
        rf"\b{PARTY}\b[^.;]{{0,80}}?\b(?:did\s+not|failed\s+to|was\s+not|were\s+not|had\s+not|has\s+not|is\s+not|"
        r"(?:had|has|was|were)\s+never)\b",
        2.0,
    ),
    cue(
        _T.VENDOR_NONCOMPLIANCE,
        "monitoring of third parties",
        rf"\b(?:monitor(?:ing)?|oversight|risk\s+assessments?|evaluat(?:e|ion|ing)|assessments?|due\s+diligence)\s+"
        rf"(?:(?:of|for|over)\s+)?(?:its\s+|their\s+|the\s+)?(?:[\w-]+\s+){{0,4}}{PARTY}",
        2.0,
    ),
    cue(
        _T.VENDOR_NONCOMPLIANCE,
        "third-party assurance report",
        # The service auditor is the one writing the report, not a third party: only the third party's own
        # assurance report (SOC 1/2, single audit) or its complementary controls count.
        r"\bSOC\s*(?:1|2|one|two)\b(?!\s+(?:type\s+(?:1|2|I|II)\s+)?(?:examination|engagement|audit\s+period))|"
        r"\bsingle\s+audit\s+reports?\b|"
        r"\bcomplementary\s+(?:user\s+entity\s+)?controls\b",
        2.0,
    ),
    cue(
        _T.VENDOR_NONCOMPLIANCE,
        "third party got it wrong",
        # The third party is the one acting: it billed, paid or reported wrongly, or missed its own terms.
        rf"\b{PARTY}(?:\s+[\w-]+){{0,2}}\s+(?:\w+\s+){{0,1}}(?:charged|billed|overbilled|overcharged|paid|claimed|"
        r"invoiced|miscalculated|misreported)\s+(?:\$?[\d,.]+\s+(?:in\s+)?|\w+\s+){0,3}(?:unallowable|ineligible|"
        r"unsupported|duplicate|incorrect|improper|claims|costs|for\s+services)\b|"
        rf"\b{PARTY}(?:\s+[\w-]+){{0,2}}\s+(?:did\s+not|failed\s+to)\s+(?:meet|satisfy|achieve)\s+(?:the\s+)?"
        r"(?:\w+\s+){0,2}(?:service\s+levels?|terms|requirements?|standards?|deadlines?|obligations?)\b",
        2.0,
    ),
    cue(
        _T.VENDOR_NONCOMPLIANCE,
        "billed above the contract",
        r"\b(?:billed|charged|invoiced)\s+(?:\S+\s+){0,6}(?:rather\s+than|instead\s+of|above|over|more\s+than)\s+"
        r"the\s+contract(?:ed|ual)?\s+(?:rates?|prices?|amounts?|terms)\b|\boverbill\w+",
        2.0,
    ),
    cue(_T.VENDOR_NONCOMPLIANCE, "subaward terms", r"\bsub-?awards?\b|\bpass[- ]through\s+entit", 0.8),
    # --- nothing was designed or put in place
    cue(_T.CONTROL_GAP, "no control existed", rf"\b(?:did|does|do)\s+not\s+have\s+{_QUAL}{_CTRL_NOUN}", 2.2),
    cue(
        _T.CONTROL_GAP,
        "no process in place",
        rf"\bno\s+{_QUAL}{_CTRL_NOUN}\s+(?:(?:was|were|is|are|has\s+been|had\s+been)\s+)?(?:in\s+place|existed|"
        rf"exists|established|designed|implemented|developed)",
        2.2,
    ),
    cue(
        _T.CONTROL_GAP,
        "had nothing for it",
        r"\b(?:had|has|have|there\s+(?:was|were|is|are))\s+no\s+(?:[\w-]+,?\s+(?:or\s+|and\s+)?){0,4}(?:process(?:es)?|"
        r"procedures?|polic(?:y|ies)|mechanisms?|controls?|plans?|copy|copies|method|means)\s+(?:for|to|of|over|that)\b|"
        r"\b(?:does|did|do)\s+not\s+(?:compare|match|reconcile|check|verify)\s+(?:\S+\s+){0,4}(?:with|against|to)\s+"
        r"any\b|\bhad\s+(?:set\s+up|established|created|designed|defined)\s+no\b|\b(?:has|had|have)\s+not\s+"
        r"(?:defined|designated|decided)\s+who\b",
        2.0,
    ),
    cue(
        _T.CONTROL_GAP,
        "never implemented",
        r"\b(?:had|has|have)\s+not\s+(?:yet\s+)?(?:implemented|established|designed|developed|put\s+in\s+place|"
        r"adopted|created)\b",
        2.0,
    ),
    cue(
        _T.CONTROL_GAP,
        "absence of a control",
        rf"\b(?:lack(?:s|ed)?|absence)\s+(?:of\s+)?{_QUAL}{_CTRL_NOUN}\b",
        1.6,
    ),
    cue(
        _T.CONTROL_GAP,
        "control not designed",
        rf"\b{_CTRL_NOUN}\s+(?:was|were|is|are|had\s+not\s+been|has\s+not\s+been)\s+not\s+(?:designed|implemented|"
        rf"established|in\s+place)\b|\bnot\s+(?:designed|implemented)\s+(?:a|an|any)\b",
        2.0,
    ),
    cue(
        _T.CONTROL_GAP,
        "no procedures to ensure",
        rf"\bno\s+{_QUAL}{_CTRL_NOUN}\s+(?:to|for)\s+(?:ensure|verify|track|monitor|identify|review)",
        1.8,
    ),
    cue(
        _T.CONTROL_GAP,
        "control not effective in design",
        r"\bdid\s+not\s+have\s+(?:effective|adequate|sufficient)\s+(?:internal\s+)?controls?\b|"
        r"\bcontrols?\s+(?:were|was)\s+not\s+(?:adequately\s+)?designed\b",
        1.0,
    ),
    cue(
        _T.CONTROL_GAP,
        "controls not (fully) implemented",
        r"\b(?:did\s+not|had\s+not|has\s+not|have\s+not)\s+(?:fully\s+|sufficiently\s+|adequately\s+|yet\s+)?"
        r"(?:implement(?:ed)?|establish(?:ed)?|design(?:ed)?|develop(?:ed)?)\s+(?:\w+\s+){0,6}(?:controls?|"
        r"process(?:es)?|procedures?|polic(?:y|ies)|safeguards?|mechanisms?)\b",
        1.8,
    ),
    cue(
        _T.CONTROL_GAP,
        "inadequate or weak controls",
        r"\b(?:inadequate|insufficient|weak|deficient|ineffective)\s+(?:\w+\s+){0,3}(?:controls?|safeguards?|"
        r"protections?)\b|\b(?:security|control)\s+(?:weaknesses|vulnerabilities|deficiencies)\b|"
        r"\bvulnerabilities\s+(?:that\s+)?(?:we\s+)?identified\b",
        1.6,
    ),
    cue(
        _T.CONTROL_GAP,
        "never put into operation",
        r"\b(?:was|were|is|are)\s+not\s+(?:yet\s+)?implemented\b|\b(?:had|has|have)\s+not\s+(?:yet\s+)?been\s+"
        r"implemented\b|\bno\s+(?:\w+\s+){0,3}(?:tests?|reviews?|assessments?|scans?|reconciliations?|exercises?|"
        r"drills?)\s+(?:was|were|had\s+been|have\s+been)\s+(?:performed|conducted|completed|carried\s+out)\b",
        1.8,
    ),
    cue(
        _T.CONTROL_GAP,
        "control not in place",
        r"\b(?:was|were|is|are)\s+not\s+(?:yet\s+)?in\s+place\b|\bnot\s+in\s+place\s+(?:when|during|until|before)\b",
        1.8,
    ),
    # --- records or evidence are missing
    cue(
        _T.INSUFFICIENT_DOCUMENTATION,
        "evidence could not be provided",
        r"\b(?:could\s+not|unable\s+to|did\s+not|was\s+not\s+able\s+to|were\s+not\s+able\s+to)\s+(?:provide|produce|"
        r"locate|furnish|find|retain|maintain)\s+(?:\w+\s+){0,3}(?:documentation|evidence|support|records|"
        r"files?|documents?|logs?|results|reports?|tickets?)\b",
        2.2,
    ),
    cue(
        _T.INSUFFICIENT_DOCUMENTATION,
        "nothing to show it was done",
        r"\bcould\s+not\s+(?:show|demonstrate|evidence)\s+that\b|\bno\s+(?:copy|copies|records?|worksheets?|sheets?|logs?|"
        r"forms?|documents?|notes?)\s+(?:of\s+\S+\s+)?(?:existed|were\s+kept|was\s+kept|were\s+retained|was\s+retained)\b|"
        r"\bbut\s+no\s+(?:\w+\s+){0,2}(?:worksheet|calculation|support|documentation|evidence|record|signature)s?\b",
        2.0,
    ),
    cue(
        _T.INSUFFICIENT_DOCUMENTATION,
        "only a token of evidence",
        r"\bthe\s+only\s+(?:evidence|record|support|documentation)\s+(?:was|were|consisted\s+of)\b|\bno\s+(?:record|evidence|"
        r"documentation|log)\s+of\s+(?:\S+\s+){0,8}could\s+be\s+(?:provided|produced|located|found)\b|\bno\s+(?:\w+\s+){0,4}"
        r"(?:records?|evidence|documentation|logs?)\s+could\s+be\s+(?:found|located|provided|produced)\b|\bno\s+"
        r"(?:\w+\s+){0,3}(?:review|approval|sign-?off)\s+(?:was|were)\s+(?:documented|recorded)\b",
        2.2,
    ),
    cue(
        _T.INSUFFICIENT_DOCUMENTATION,
        "could not be evidenced",
        r"\bcould\s+not\s+be\s+(?:produced|provided|located|found|shown|demonstrated|evidenced|retrieved)\b|"
        r"\b(?:had|contained|with|held)\s+no\s+(?:\w+\s+){0,4}(?:notes|records?|evidence|documentation|sign-?offs?|"
        r"signatures?|results|approvals?|certifications?|justifications?|receipts|invoices|reports?|forms?)\b|"
        r"\bdid\s+not\s+record\b|\bthere\s+(?:was|were)\s+no\s+record\s+of\b|"
        r"\bno\s+(?:\w+\s+){0,3}(?:was|were)\s+on\s+file\b",
        1.8,
    ),
    cue(
        _T.INSUFFICIENT_DOCUMENTATION,
        "documentation missing or incomplete",
        r"\bno\s+(?:\w+\s+){0,2}(?:record|evidence|documentation)\s+of\b[^.;]{0,80}?\b(?:was|were)\s+(?:retained|"
        r"kept|maintained|available|documented)\b|"
        r"\b(?:documentation|evidence|records?|support(?:ing)?\s+documents?|files?)\s+(?:\w+\s+){0,3}(?:was|were|"
        r"is|are)\s+(?:not\s+(?:available|retained|maintained|kept|on\s+file|provided|documented)|missing|"
        r"incomplete|unavailable|inaccurate)",
        2.2,
    ),
    cue(
        _T.INSUFFICIENT_DOCUMENTATION,
        "insufficient documentation",
        r"\b(?:files?|folders?|packets?|records?)\s+(?:\S+\s+){0,5}(?:did\s+not|does\s+not)\s+(?:contain|include)\b|"
        r"\b(?:missing|incomplete|inadequate|insufficient|no|lack(?:ed)?\s+(?:of\s+)?|without)\s+(?:supporting\s+|"
        r"written\s+|sufficient\s+|adequate\s+)?(?:documentation|evidence|records|support)\b",
        1.8,
    ),
    cue(
        _T.INSUFFICIENT_DOCUMENTATION,
        "not documented or retained",
        r"\bnot\s+(?:adequately\s+|properly\s+|sufficiently\s+)?(?:documented|retained|maintained|on\s+file)\b",
        1.4,
    ),
    cue(
        _T.INSUFFICIENT_DOCUMENTATION,
        "unsigned or outdated records",
        r"\b(?:unsigned|not\s+signed|without\s+(?:a\s+)?signatures?|outdated|out\s+of\s+date)\b",
        1.0,
    ),
    cue(
        _T.INSUFFICIENT_DOCUMENTATION,
        "auditor could not verify",
        r"\b(?:unable|not\s+able)\s+to\s+(?:determine|verify|test|confirm|validate|substantiate)\b"
        r"(?!\s+(?:the\s+)?operating\s+effectiveness)|"
        r"\bcould\s+not\s+(?:determine|verify|test|confirm|validate|substantiate)\b"
        r"(?!\s+(?:the\s+)?operating\s+effectiveness)",
        1.8,
    ),
    cue(_T.INSUFFICIENT_DOCUMENTATION, "documentation named", r"\bdocument(?:ation|ed)\b", 0.3),
    # --- the control exists but failed in samples or over time
    cue(
        _T.OPERATING_INEFFECTIVENESS,
        "sample exceptions",
        rf"\b{_NUM}\s+(?:of|out\s+of)\s+(?:the\s+)?(?:\d+|{_NUM})\b",
        1.0,
    ),
    cue(
        _T.OPERATING_INEFFECTIVENESS,
        "not performed timely",
        r"\b(?:not|were\s+not|was\s+not)\s+(?:\w+\s+){0,3}(?:timely|on\s+time|within\s+(?:the\s+)?(?:required|"
        r"\d+|established))\b|\b(?:untimely|late|delinquent|past\s+due|overdue)\b|\bafter\s+the\s+(?:due\s+)?"
        r"(?:date|deadline)\b",
        1.4,
    ),
    cue(
        _T.OPERATING_INEFFECTIVENESS,
        "some instances",
        rf"\b(?:in|for)\s+{_NUM}\s+(?:\w+\s+)?(?:instances|cases|occasions|items|transactions|claims|"
        r"files|participants|employees|samples?)\b",
        1.2,
    ),
    cue(
        _T.OPERATING_INEFFECTIVENESS,
        "not operating consistently",
        r"\bnot\s+(?:consistently|always|properly|effectively|correctly|accurately)\s+(?:\w+\s+)?(?:performed|"
        r"applied|followed|operat\w*|completed|reviewed|calculated|entered|reported|recorded)\b|"
        r"\bdid\s+not\s+operate\b",
        1.6,
    ),
    cue(
        _T.OPERATING_INEFFECTIVENESS,
        "errors found",
        r"\b(?:exceptions?(?!\s+(?:was\s+|were\s+)?noted)|errors?|discrepanc(?:y|ies)|misstatements?|"
        r"overpayments?|underpayments?)\b",
        0.7,
    ),
    cue(
        _T.OPERATING_INEFFECTIVENESS,
        "inaccurate amounts",
        r"\b(?:inaccura\w+|incorrect(?:ly)?|errone\w+|did\s+not\s+agree|not\s+accurate)\b",
        0.9,
    ),
    cue(
        _T.OPERATING_INEFFECTIVENESS,
        "review not performed",
        r"\b(?:was|were)\s+not\s+(?:performed|reviewed|reconciled|completed|approved|submitted|updated|"
        r"verified|followed)\b",
        0.8,
    ),
    cue(
        _T.OPERATING_INEFFECTIVENESS,
        "control tested",
        r"\b(?:sampled|tested|sample\s+of|our\s+test(?:ing|s)?)\b",
        0.5,
    ),
    # --- a rule or the organization's own policy was breached
    cue(
        _T.POLICY_NONCOMPLIANCE,
        "did not comply",
        r"\b(?:did\s+not|does\s+not|failed\s+to|not)\s+(?:comply|adhere|conform|follow|abide)\w*\s+(?:with\s+|to\s+|"
        r"by\s+)?",
        1.6,
    ),
    cue(
        _T.POLICY_NONCOMPLIANCE,
        "a written rule requires it",
        r"\b(?:polic(?:y|ies)|standard|code\s+of\s+conduct|procedure)\s+(?:requires|required|states|mandates|"
        r"prescribes|prohibits|forbids)\b|\b(?:is|are|was|were)\s+required\s+by\s+(?:the\s+)?(?:\w+\s+){0,2}"
        r"(?:law|regulation|rule|act|article|statute|HIPAA|PCI|GDPR|contract)\b|\bpolicy\s+was\s+not\s+followed\b|"
        r"\b(?:HIPAA|PCI\s+DSS|GDPR|SOX)\s+requires\b",
        1.8,
    ),
    cue(
        _T.POLICY_NONCOMPLIANCE,
        "in noncompliance with",
        r"\b(?:not\s+in\s+compliance|non-?compliance|noncompliant|non-?compliant)\b",
        1.4,
    ),
    cue(
        _T.POLICY_NONCOMPLIANCE,
        "violation",
        r"\b(?:contrary\s+to|in\s+violation\s+of|violat(?:ed|es|ing|ion)|in\s+breach\s+of)\b",
        1.6,
    ),
    cue(
        _T.POLICY_NONCOMPLIANCE,
        "not in accordance with",
        r"\bnot\s+in\s+accordance\s+with\b|\bnot\s+(?:as\s+)?required\s+by\b",
        1.2,
    ),
    cue(
        _T.POLICY_NONCOMPLIANCE,
        "named policy sets the rule",
        # A finding that opens with the organization's own named policy and what it requires is framed as a
        # breach of that policy, not as a control that failed.
        r"(?-i:\b[A-Z][\w&-]*(?:\s+[A-Z][\w&-]*){0,4}\s+(?:Policy|Handbook|Standard|Code\s+of\s+Conduct))(?:\s+\([^)]*\))?"
        r"\s+(?:requires|prohibits|mandates|states\s+that|calls\s+for)\b",
        1.6,
    ),
    cue(
        _T.POLICY_NONCOMPLIANCE,
        "own policy named",
        r"\b(?:its|their|the\s+(?:entity|organization|company|department|agency)'?s?)\s+(?:own\s+)?(?:written\s+)?"
        r"(?:polic(?:y|ies)|procedures|standards?|rules)\b",
        0.8,
    ),
    cue(
        _T.POLICY_NONCOMPLIANCE,
        "regulation named",
        r"\b(?:federal|state)\s+(?:regulations?|laws?|statutes?|rules?|requirements?)\b|\bCFR\b|\bstatute\b",
        0.6,
    ),
    cue(
        _T.POLICY_NONCOMPLIANCE,
        "limit or threshold exceeded",
        r"\b(?:exceed(?:ed|s)?|above)\s+(?:the\s+)?(?:allowable|maximum|permitted|limit|threshold|cap)\b|"
        r"\bunallowable\b|\bwithout\s+(?:the\s+)?(?:required\s+)?(?:prior\s+)?approval\b",
        1.0,
    ),
    cue(
        _T.POLICY_NONCOMPLIANCE,
        "unallowed costs or period",
        r"\bnot\s+(?:allowed|allowable|permitted|eligible)\b|\bun(?:allowed|allowable)\b|\boutside\s+(?:of\s+)?"
        r"the\s+period\s+of\s+performance\b",
        1.6,
    ),
    cue(
        _T.POLICY_NONCOMPLIANCE,
        "required filing not made",
        r"\breports?\s+(?:\w+\s+){0,3}(?:was|were)\s+not\s+(?:filed|submitted)\b|\b(?:did\s+not|failed\s+to)\s+"
        r"(?:submit|file|publish|report)\s+(?:the\s+|any\s+|its\s+)?(?:\w+\s+){0,1}(?:required|mandatory|mandated)\b|"
        r"\b(?:did\s+not|failed\s+to)\s+(?:meet|satisfy)\s+(?:the\s+)?(?:\w+\s+){0,4}requirements?\b",
        1.6,
    ),
    cue(
        _T.POLICY_NONCOMPLIANCE,
        "rule should have been applied",
        r"\bshould\s+have\s+been\s+(?:used|followed|applied|obtained)\b|\bto\s+comply\s+with\b|"
        r"\bsole[- ]source\b",
        1.2,
    ),
    # --- particular people acted wrongly
    cue(
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
    cue(
        _T.EMPLOYEE_NEGLIGENCE,
        "person skipped a required step",
        r"\b(?:by\s+mistake|in\s+error|without\s+(?:performing|following|completing|doing|investigating|acting)\b)",
        1.2,
    ),
    cue(
        _T.EMPLOYEE_NEGLIGENCE,
        "own people favoured or a step skipped on purpose",
        r"\b(?:his|her|their)\s+(?:own\s+)?(?:relatives|family\s+members|friends|own\s+accounts?)\b|\backnowledged\s+"
        r"(?:\w+\s+){0,2}(?:skipping|bypassing|ignoring|not\s+(?:performing|following|doing))\b|\bto\s+(?:a|his|her|their)\s+"
        r"personal\s+(?:laptop|device|account|e-?mail|drive|phone|computer)\b|\bwith\s+(?:his|her|their)\s+own\s+"
        r"credentials\b",
        2.0,
    ),
    cue(
        _T.EMPLOYEE_NEGLIGENCE,
        "warnings ignored",
        r"\bdespite\s+(?:\w+\s+){0,2}(?:warnings?|instructions?|reminders?|reprimands?|directives?|training)\b|"
        r"\bignored\s+(?:\w+\s+){0,2}(?:warnings?|instructions?|reminders?|directives?|requests?)\b",
        1.8,
    ),
    cue(
        _T.EMPLOYEE_NEGLIGENCE,
        "negligence or misconduct",
        r"\b(?:negligen\w+|misconduct|careless\w*|disciplinary|intentional(?:ly)?)\b",
        2.0,
    ),
    cue(
        _T.EMPLOYEE_NEGLIGENCE,
        "keying mistakes by staff",
        r"\b(?:data[- ]entry|keying|clerical|typographical)\s+(?:errors?|mistakes?)\b|"
        r"\b(?:transposed|mistyped|miskeyed)\b",
        1.4,
    ),
    cue(
        _T.EMPLOYEE_NEGLIGENCE,
        "duties neglected",
        r"\b(?:neglected|failed\s+to\s+perform|did\s+not\s+perform)\s+(?:his|her|their)\s+(?:assigned\s+)?"
        r"(?:duties|responsibilities)\b",
        2.0,
    ),
)
