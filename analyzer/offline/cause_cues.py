"""Cause cues: general wording with which auditors and managements state one of the 10 root causes."""

from __future__ import annotations

from analyzer.offline.cue_base import PARTY, Cue, cue
from analyzer.taxonomy import RootCause

_R = RootCause
_WILL = r"(?:will|shall|plans?\s+to|intends?\s+to|is\s+(?:in\s+the\s+process\s+of|working\s+to)|has|have|had)"

CAUSE_CUES: tuple[Cue, ...] = (
    # --- review, supervision, reconciliation
    cue(
        _R.INADEQUATE_MONITORING,
        "lack of review or oversight",
        r"\b(?:lack|absence)\s+of\s+(?:\w+\s+){0,2}(?:review|oversight|supervision|monitoring|reconciliation|"
        r"follow-?up)\b|\b(?:inadequate|insufficient|ineffective|no)\s+(?:\w+\s+){0,1}(?:review|oversight|"
        r"supervision|monitoring|reconciliation|checks?|verification|validation|follow-?up)\b",
        2.0,
    ),
    cue(
        _R.INADEQUATE_MONITORING,
        "not reviewed or monitored",
        r"\b(?:not|never)\s+(?:\w+\s+){0,4}(?:reviewed|monitored|reconciled|supervised|verified|tracked)\b",
        1.2,
    ),
    cue(
        _R.INADEQUATE_MONITORING,
        "second-level review added",
        r"\b(?:secondary|second|supervisory|independent|management|additional|periodic|monthly|quarterly)\s+"
        r"(?:level\s+of\s+|layer\s+of\s+)?(?:review|reviews|oversight|monitoring|reconciliations?|verification)\b|"
        r"\b(?:layer|level)\s+of\s+(?:review|oversight|approval)\b",
        1.6,
    ),
    cue(
        _R.INADEQUATE_MONITORING,
        "review not evidenced",
        r"\b(?:could\s+not|unable\s+to|did\s+not|was\s+not\s+able\s+to)\s+(?:provide|produce|locate)\s+(?:\w+\s+){0,3}"
        r"(?:evidence|documentation|support)\s+(?:that|of)\s+(?:\w+\s+){0,8}(?:review\w*|approv\w+|monitor\w*|"
        r"reconcil\w+|verif\w+|supervis\w+)\b|\b(?:did\s+not|failed\s+to)\s+(?:review|approve|certify|reconcile|"
        r"verify|monitor)\b[^.;]{0,60}?\bprior\s+to\b",
        1.8,
    ),
    cue(
        _R.INADEQUATE_MONITORING,
        "third party's assurance not obtained",
        # Obtaining and reading a third party's audit or assurance report is how it is monitored.
        r"\b(?:did\s+not|failed\s+to|could\s+not|was\s+unable\s+to)\s+(?:obtain|receive|collect|review|request)\s+"
        r"(?:the\s+|a\s+|an\s+|its\s+|their\s+)?(?:\w+\s+){0,3}(?:single\s+audits?|SOC\s*(?:1|2)|audit\s+reports?|"
        r"assurance\s+reports?|certifications?)\b",
        1.8,
    ),
    cue(
        _R.INADEQUATE_MONITORING,
        "errors found by the audit, not the entity",
        r"\baudit\s+adjustments?\b|\b(?:revised|corrected|identified|detected|found)\s+(?:during|as\s+a\s+result\s+of|"
        r"through)\s+(?:the|our)\s+(?:\w+\s+)?audit\b|\bnot\s+(?:identified|detected|caught)\s+by\s+(?:the\s+)?"
        r"(?:\w+\s+)?(?:procedures|review|department|management|entity|organization|company|agency)\b",
        1.8,
    ),
    cue(
        _R.INADEQUATE_MONITORING,
        "review to be performed",
        rf"\b{_WILL}\s+[^.;]{{0,80}}?\b(?:review|monitor|track|reconcil|verif|oversee|oversight)\w*\b",
        1.0,
    ),
    cue(
        _R.INADEQUATE_MONITORING,
        "done without review",
        r"\bwithout\s+(?:\w+\s+){0,3}(?:review\w*|approv\w+|verif\w+|oversight|sign-?off|check(?:s|ing)?|"
        r"validat\w+|reconcil\w+|compar\w+|match\w+|opening|reading|looking\s+at|examining|inspecting|asking\s+for|"
        r"holding\s+(?:\w+\s+)?up\s+against)\b",
        1.6,
        # Sending or keying something without looking is a person's slip, not missing oversight.
        unless=r"\b(?:sent|e-?mailed|mailed|forwarded|typed|keyed|entered|posted)\s+(?:\S+\s+){0,4}without\b",
    ),
    cue(
        _R.INADEQUATE_MONITORING,
        "errors went undetected",
        r"\b(?:not|never)\s+(?:been\s+)?(?:detected|identified|caught|noticed|corrected)\b|\bundetected\b|"
        r"\bunnoticed\b|\bno\s+(?:easy\s+|simple\s+|practical\s+)?way\s+to\s+(?:spot|see|track|monitor|know|tell|detect)\b",
        1.2,
    ),
    cue(
        _R.INADEQUATE_MONITORING,
        "did not ensure",
        r"\b(?:did|does|do)\s+not\s+(?:ensure|review|monitor|verify|reconcile|track|follow\s+up|oversee)\b|"
        r"\bquality\s+(?:control|assurance)\b",
        1.2,
    ),
    cue(
        _R.INADEQUATE_MONITORING,
        "monitoring procedures not followed",
        r"\bnot\s+(?:consistently\s+|always\s+|fully\s+)?(?:adher\w+|follow\w*)\s+(?:to\s+|with\s+)?(?:the\s+|its\s+)?"
        r"(?:\w+\s+){0,3}(?:monitoring|review|oversight)\b",
        1.8,
    ),
    cue(
        _R.INADEQUATE_MONITORING, "monitoring named", r"\b(?:monitoring|oversight\s+of|reconciliation)\b", 0.6
    ),
    cue(
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
    cue(
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
    cue(
        _R.INADEQUATE_MONITORING,
        "nobody's job to follow up",
        r"\bat\s+face\s+value\b|\b(?:was|were)\s+(?:nobody's|no\s+one's|nobody’s|no\s+one’s)\s+(?:job|responsibility)\b|"
        r"\b(?:reviews?|visits?|monitoring|checks?|audits?|inspections?)\s+(?:\w+\s+){0,3}(?:were|was)\s+(?:put\s+on\s+"
        r"hold|suspended|paused|stopped|discontinued)\b|\b(?:monitoring|review|reconciliation|inspection)\s+"
        r"(?:calendar|schedule|cycle)\s+(?:slid|slipped|lapsed)\b",
        2.0,
    ),
    cue(
        _R.INADEQUATE_MONITORING,
        "never chased or invisible",
        r"\bnever\s+(?:chased|pursued|followed\s+up\s+on)\s+(?:it|them|this|that|the\s+\w+)\b|\b(?:were|was)\s+invisible\s+"
        r"to\s+(?:us|the\s+team|it|management|them)\b|\bno\s+checking\b",
        2.0,
    ),
    # --- written procedures
    cue(
        _R.LACK_OF_CONTROL_DOCUMENTATION,
        "procedures not written",
        r"\b(?:polic(?:y|ies)|procedures?|process(?:es)?|steps|guidance|instructions)\s+(?:\w+\s+){0,5}(?:were|was|"
        r"are|is|had|has|have)\s+not\s+(?:been\s+)?(?:formally\s+|properly\s+|adequately\s+|clearly\s+)?"
        r"(?:documented|written|formali[sz]ed|in\s+writing|updated|established)\b|\b(?:no|lack\s+of|absence\s+of|without|missing)\s+(?:formal\s+|written\s+|documented\s+)"
        r"?(?:polic(?:y|ies)|procedures?|desk\s+(?:manuals?|procedures))\b",
        2.0,
    ),
    cue(
        _R.LACK_OF_CONTROL_DOCUMENTATION,
        "procedures to be written or updated",
        rf"\b{_WILL}\s+(?:\w+\s+){{0,3}}(?:develop|create|write|document|update|revise|formali[sz]e|establish|"
        r"implement|draft|enhance|improve|adopt)\w*\s+(?:\w+\s+){0,4}(?:polic(?:y|ies)|procedures?|desk\s+"
        r"manuals?|guidance|SOPs?|checklists?|protocols?)\b|\b(?:polic(?:y|ies)|procedures?|SOPs?)\s+revisions?\b",
        1.8,
    ),
    cue(
        _R.LACK_OF_CONTROL_DOCUMENTATION,
        "no process defined",
        r"\b(?:did|does|do)\s+not\s+have\s+(?:a|an|any)?\s*(?:\w+\s+){0,2}(?:process|procedures?|polic(?:y|ies))\b|"
        r"\bno\s+(?:\w+\s+){0,2}(?:process|procedures?)\s+(?:in\s+place|to|for|existed)\b|"
        r"\bprocedures\s+(?:\w+\s+){0,3}(?:were|was)\s+not\s+(?:designed|established|developed)\b",
        1.6,
    ),
    cue(
        _R.LACK_OF_CONTROL_DOCUMENTATION,
        "no written process",
        r"\b(?:did|does|do)\s+not\s+have\s+(?:a|an|any)?\s*(?:documented|written|formal(?:i[sz]ed)?)\s+(?:\w+\s+){0,2}"
        r"(?:process(?:es)?|procedures?|polic(?:y|ies)|guidance)\b",
        2.0,
    ),
    cue(
        _R.LACK_OF_CONTROL_DOCUMENTATION,
        "procedures written since",
        # A response that reports procedures newly written or revised says they were missing or out of date.
        r"\b(?:implemented|developed|created|wrote|(?:has|have|had|been)\s+written|updated|revised|formali[sz]ed|"
        r"adopted|drafted)\s+"
        r"(?:a\s+|an\s+|the\s+|its\s+|our\s+)?(?:new\s+|written\s+|formal\s+|documented\s+)?(?:\w+\s+){0,2}"
        r"(?:polic(?:y|ies)|procedures?|SOPs?|checklists?|desk\s+manuals?|user\s+guides?)\b",
        1.6,
    ),
    cue(
        _R.LACK_OF_CONTROL_DOCUMENTATION,
        "written steps incomplete or stale",
        r"\b(?:runbooks?|checklists?|playbooks?|procedures?|templates?|SOPs?|manuals?|guides?|instructions)\s+"
        r"(?:\w+\s+){0,2}(?:(?:did|does|do)\s+not\s+(?:include|contain|list|cover|address|mention|require)|(?:was|were|is|"
        r"are)\s+missing)\b|\b(?:procedures?|polic(?:y|ies)|runbooks?|checklists?|documents?|documentation|"
        r"manuals?|guides?|SOPs?)\s+(?:\w+\s+){0,2}(?:was|were|is|are|had\s+been|has\s+been)\s+(?:outdated|"
        r"out\s+of\s+date|obsolete|not\s+(?:been\s+)?updated|not\s+current)\b",
        1.8,
    ),
    cue(
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
    cue(
        _R.LACK_OF_CONTROL_DOCUMENTATION,
        "policies and procedures named",
        r"\bpolicies\s+and\s+procedures\b|\bprocedures?\s+manual\b|\bdesk\s+(?:guide|manual|procedures)\b",
        1.0,
    ),
    cue(
        _R.LACK_OF_CONTROL_DOCUMENTATION,
        "written procedures named",
        r"\b(?:written|documented|formal|standard\s+operating)\s+(?:polic(?:y|ies)|procedures?|processes)\b|"
        r"\bSOPs?\b",
        0.9,
    ),
    cue(
        _R.LACK_OF_CONTROL_DOCUMENTATION,
        "procedures out of date",
        r"\b(?:outdated|out\s+of\s+date|not\s+(?:been\s+)?updated|obsolete)\b",
        0.9,
    ),
    cue(
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
        r"(?:\S+\s+){0,6}(?:has|had|contains|contained)\s+no\s+(?:line|step|item|section|entry|mention|field)\b|"
        r"\bis\s+silent\s+(?:on|about)\b|\bsays\s+nothing\s+(?:about|on)\b|\bdocumentation\s+(?:\w+\s+){0,4}"
        r"(?:has\s+not\s+been|was\s+not|is\s+not)\s+(?:maintained|kept\s+current|updated)\b",
        2.0,
    ),
    cue(
        _R.LACK_OF_CONTROL_DOCUMENTATION,
        "written guidance stale or silent",
        r"\blast\s+(?:revised|updated|reviewed)\s+in\s+(?:\d{4}|the\s+\d{4}s)\b|\bstill\s+walks\s+(?:\w+\s+)?through\b|"
        r"\bnothing\s+in\s+(?:our|the|its)\s+(?:\w+\s+){0,3}(?:procedures?|polic(?:y|ies)|manual|guide|rules|handbook)\s+"
        r"(?:says|states|requires|specifies|covers|mentions)\b|\bnever\s+made\s+it\s+into\s+the\s+(?:\w+\s+){0,3}"
        r"(?:procedures?|manual|polic(?:y|ies)|guide|runbook|checklist)\b",
        2.0,
    ),
    # --- the requirement was misunderstood
    cue(
        _R.MISALIGNMENT_WITH_CRITERIA,
        "requirement misunderstood",
        r"\b(?:misinterpret\w*|misunderst\w*|misread\w*|misappl\w*|misconception)\b|\binterpretation\s+of\b",
        2.2,
    ),
    cue(
        _R.MISALIGNMENT_WITH_CRITERIA,
        "management believed otherwise",
        # "is considered a common method" states an opinion on a method, not a reading of the requirement.
        r"\b(?:believed|thought|assumed|understood|was\s+under\s+the\s+impression|interpreted)\s+(?:that\s+)?|"
        r"(?<!is\s)(?<!are\s)(?<!be\s)(?<!been\s)\bconsidered\s+(?:that\s+|it\s+|them\s+|the\s+)",
        1.3,
        # Believing a colleague or a system had already done the work is a slip in checking, not a reading
        # of the requirement.
        unless=r"\b(?:had|have)\s+(?:been\s+)?(?:saved|gone\s+through|uploaded|sent|posted)\b|"
        r"\balready\s+(?:been\s+)?(?:checked|reviewed|saved|done|attached|approved|handled|sent|completed|"
        r"filed)\b|\b(?:was|were)\s+(?:doing|handling|covering)\s+(?:it|that|this)\b",
    ),
    cue(
        _R.MISALIGNMENT_WITH_CRITERIA,
        "our reading of the commitment",
        r"\b(?:our|their|management's|the\s+team's)\s+(?:reading|understanding|interpretation)\s+(?:was|of)\b|"
        r"\b(?:took|taken)\s+(?:it\s+)?for\s+granted\s+that\b|\bwe\s+read\s+(?:it|that|the\s+\w+|this)\s+as\b|"
        r"\btook\s+(?:\S+\s+){0,12}to\s+mean\b|\b(?:now\s+)?(?:told|advised|informed)\s+us\s+(?:that\s+)?(?:it|the\s+\w+)\s+"
        r"(?:leaves|requires|means|applies|covers)\b",
        2.0,
    ),
    cue(
        _R.MISALIGNMENT_WITH_CRITERIA,
        "requirement thought not to apply",
        r"\b(?:did|does|do)\s+not\s+(?:believe|consider|think)\b|\bnot\s+(?:applicable|required)\b",
        1.0,
    ),
    cue(
        _R.MISALIGNMENT_WITH_CRITERIA,
        "treated differently than the criteria require",
        r"\bshould\s+have\s+been\s+(?:reported|classified|charged|recorded|treated|allocated)\b|\bmisclassif\w+",
        1.2,
    ),
    cue(_R.MISALIGNMENT_WITH_CRITERIA, "management disagrees", r"\bdisagrees?\b", 0.5),
    cue(
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
    cue(
        _R.MISALIGNMENT_WITH_CRITERIA,
        "not aligned with criteria",
        r"\bnot\s+(?:aligned|tailored|consistent)\s+(?:with|to)\b|\bunclear\s+(?:guidance|requirements?)\b",
        1.6,
    ),
    cue(
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
    cue(
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
    cue(
        _R.MISALIGNMENT_WITH_CRITERIA,
        "two rules confused",
        r"\bmix(?:ed|ing)?\s+up\b|\bconfus(?:ed|ing)\s+(?:the\s+)?(?:\w+\s+){0,4}(?:with|and)\b|\b(?:treated|saw|"
        r"viewed|regarded)\s+(?:\w+\s+){0,6}as\s+(?:an?\s+)?(?:exempt|allowable|not\s+(?:required|covered|subject)|outside|"
        r"continuation|extension|discretionary)\b|\b(?:nobody|no\s+one)\s+(?:here\s+)?(?:appreciated|realized|realised|"
        r"understood)\s+that\b|\bread\s+(?:the|that|this|its|our)\s+(?:\w+\s+){0,3}(?:clause|rule|requirement|policy|"
        r"standard|term|provision|wording|criterion|regulation|commitment)\s+as\b|\b(?:did\s+not|didn't|"
        r"failed\s+to)\s+(?:appreciate|realize|realise|recognize|recognise|grasp)\s+that\b|\bfollowed\s+the\s+"
        r"(?:state|state's|local|county|city|agency's|department's|old|prior|previous)\s+(?:\w+\s+){0,3}(?:statute|"
        r"rule|law|policy|standard|threshold|requirement)s?\b",
        2.0,
    ),
    cue(
        _R.MISALIGNMENT_WITH_CRITERIA,
        "the rule moved on",
        r"\b(?:before|after)\s+the\s+(?:\w+\s+){0,2}(?:amendment|rule\s+change)\b|\bafter\s+the\s+(?:\w+\s+){0,2}"
        r"(?:changed|amended|revised|updated)\s+the\s+(?:rule|regulation|law|standard|requirement|statute)\b|"
        r"\bunaware\s+that\s+the\s+(?:\w+\s+){0,3}(?:rule|regulation|standard|requirement|law|statute)s?\s+"
        r"(?:asks?|requires?|calls?|demands?|applies|applied)\b",
        1.8,
    ),
    # --- mistakes
    cue(
        _R.HUMAN_ERROR,
        "an oversight",
        r"\b(?:an|was\s+an|due\s+to\s+an?|result\s+of\s+an?|simple|administrative)\s+oversights?\b|"
        # "an oversight by the clerk" is a slip; "no oversight by the department" is missing supervision.
        r"(?<!no\s)(?<!without\s)(?<!of\s)(?<!little\s)\boversight\s+(?:by|on\s+the\s+part\s+of)\b",
        2.2,
    ),
    cue(
        _R.HUMAN_ERROR,
        "error or slip",
        r"\b(?:human|clerical|administrative|data[- ]entry|keying|typographical|manual|input|coding|"
        r"calculation|mathematical)\s+errors?\b|\binadvertent\w*|\bunintentional\w*|\bmistake\w*|\boverlooked\b|"
        r"\baccidental(?:ly)?\b|\b(?:approved|granted|deleted|changed|sent|closed|released)\s+(?:\w+\s+){0,3}in\s+error\b",
        2.0,
    ),
    cue(
        _R.HUMAN_ERROR,
        "errors made",
        r"\berrors?\s+(?:was|were)\s+made\b|\bmade\s+(?:an?\s+)?errors?\b|\bmiscalculat\w+|\bmiskey\w*|\btranspos\w+|"
        r"\btypos?\b|\bformula\s+errors?\b|\b(?:formula|spreadsheet|cell|link)s?\s+(?:\w+\s+){0,2}(?:referenced|pointed\s+to|"
        r"linked\s+to|pulled\s+from)\s+the\s+wrong\b|\bentered\s+(?:the\s+|a\s+)?wrong\b|\bby\s+mistake\b|"
        r"\bwrong\s+(?:\w+\s+){0,2}(?:was|were)\s+(?:entered|keyed|selected|typed|applied)\b",
        1.6,
    ),
    cue(
        _R.HUMAN_ERROR,
        "amounts misreported",
        r"\b(?:overstated|understated|(?:incorrectly|erroneously|inaccurately|mistakenly)\s+(?:reported|calculated|"
        r"entered|recorded|coded|charged|classified|applied|paid|posted|keyed)|(?:processed|keyed|posted|coded)\s+"
        r"(?:incorrectly|erroneously|in\s+error))\b",
        1.5,
    ),
    cue(_R.HUMAN_ERROR, "errors named", r"\berrors?\b|\berrone\w+", 0.7),
    cue(
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
    cue(
        _R.HUMAN_ERROR,
        "entered twice or prone to slips",
        r"\b(?:keyed|entered|posted|counted|billed)\s+(?:\S+\s+){0,5}(?:in\s+)?twice\b|\bdouble-?(?:keyed|entered|counted|"
        r"posted)\b|\binvites\s+(?:slips|errors|mistakes)\b|\bprone\s+to\s+(?:slips|errors|mistakes)\b",
        2.0,
    ),
    cue(
        _R.HUMAN_ERROR,
        "it slipped someone's mind",
        r"\bslipped\s+(?:his|her|their|my|our|someone's)\s+mind\b|\bby\s+accident\b",
        2.0,
    ),
    # --- training and awareness
    cue(
        _R.INSUFFICIENT_TRAINING,
        "staff unaware",
        r"\b(?:not\s+|un)aware\b|\bnot\s+(?:trained|familiar|knowledgeable)\b|\bunfamiliar\b",
        2.0,
    ),
    cue(
        _R.INSUFFICIENT_TRAINING,
        "lack of training",
        r"\b(?:lack\s+of|insufficient|inadequate|limited|no)\s+(?:\w+\s+)?(?:training|knowledge|understanding|"
        r"familiarity|awareness|education)\b",
        2.0,
    ),
    cue(
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
        # ... and a retrained model is no schooling of staff.
        unless=r"\bcontinu\w*\s+to\s+(?:\w+\s+){0,2}(?:provide|offer|conduct|hold|deliver|give|require)\b|"
        r"\b(?:re-?)?train(?:ed|ing)\s+(?:\w+\s+)?(?:models?|classifiers?|algorithms?|data\s*sets?)\b|"
        r"\b(?:may|might|could)\s+(?:also\s+)?be\s+(?:useful|helpful|appropriate|used|considered)\b",
    ),
    cue(
        _R.INSUFFICIENT_TRAINING,
        "training not received",
        r"\b(?:not|never)\s+(?:\w+\s+)?(?:received|attended|completed|taken|been\s+given|been\s+provided(?:\s+with)?)"
        r"\s+(?:any\s+|the\s+)?(?:\w+\s+){0,2}training\b|\btraining\s+(?:\w+\s+){0,5}(?:was|were|had|has)\s+(?:never|not)\s+"
        r"(?:been\s+)?(?:provided|given|offered|delivered|conducted|held|scheduled)\b|"
        r"\b(?:did\s+not|do\s+not|does\s+not|failed\s+to)\s+"
        r"(?:fully\s+)?understand\s+(?:\w+\s+){0,2}(?:responsibilit\w+|requirements?|roles?|duties|obligations)\b",
        2.0,
    ),
    cue(
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
    cue(
        _R.INSUFFICIENT_TRAINING,
        "never told or still waiting for training",
        r"\bhad\s+no\s+idea\b|\bnothing\s+in\s+the\s+(?:\w+\s+)?(?:onboarding|training|induction|orientation)\s+"
        r"(?:material|materials|course|deck|module|pack)\b|\b(?:waiting|waitlisted|queued)\s+(?:for|on)\s+(?:a\s+seat\s+in\s+)?(?:\S+\s+){0,4}"
        r"training\b|\bleft\s+out\s+of\s+(?:the\s+)?(?:\w+\s+){0,2}(?:orientation|training|induction|onboarding)\b",
        2.0,
        # A tool that "had no idea" something existed is a gap in what it monitors, not in anyone's training.
        unless=r"\b(?:scanner|system|tool|job|software|platform|it|agent|monitor)\s+had\s+no\s+idea\b",
    ),
    # --- people, budget, time
    cue(
        _R.RESOURCE_CONSTRAINTS,
        "staffing shortage",
        r"\b(?:staff(?:ing)?|personnel|resource|employee|workforce)\s+(?:shortages?|limitations?|constraints?|"
        r"reductions?)\b|\bshort-?staffed\b|\bunderstaff\w*",
        2.2,
    ),
    cue(
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
    cue(
        _R.RESOURCE_CONSTRAINTS,
        "turnover and vacancies",
        r"\b(?:turnover|vacanc(?:y|ies)|vacant\s+positions?|unfilled\s+positions?)\b|\b(?:position|role|post|job)s?"
        r"\s+(?:\w+\s+){0,5}(?:was|were|remained|had\s+been|has\s+been|sat)\s+(?:vacant|unfilled|open)\b",
        1.8,
    ),
    cue(
        _R.RESOURCE_CONSTRAINTS,
        "small staff",
        r"\b(?:limited|small)\s+(?:size|number)\s+of\b|\bsize\s+(?:and\s+\w+\s+)?of\s+(?:its|the|their)\s+(?:\w+\s+){0,2}"
        r"staff\b",
        1.8,
    ),
    cue(
        _R.RESOURCE_CONSTRAINTS,
        "staff added",
        r"\b(?:hired|hire|hiring|recruit\w*|filled|add(?:ed|ing)?)\s+(?:a|an|additional|new|more)?\s*(?:\w+\s+){0,2}"
        r"(?:staff|personnel|positions?|employees?|FTEs?|analysts?|coordinators?|accountants?|managers?|specialists?|"
        r"officers?|directors?|auditors?)\b",
        1.6,
    ),
    cue(
        _R.RESOURCE_CONSTRAINTS,
        "too little time",
        # The taxonomy counts time among the limited resources: a squeezed deadline is not a planning flaw.
        r"\b(?:short|tight|compressed)\s+(?:timelines?|timeframes?|deadlines?)\b",
        2.0,
    ),
    cue(
        _R.RESOURCE_CONSTRAINTS,
        "pandemic disruption",
        r"\b(?:COVID|pandemic|public\s+health\s+emergency)\b",
        0.9,
    ),
    cue(
        _R.RESOURCE_CONSTRAINTS,
        "system limitation",
        r"\bsystem\s+limitations?\b|\b(?:system|software)\s+(?:does|did)\s+not\s+(?:allow|have\s+the\s+capability)\b"
        r"|\blimitations?\s+of\s+the\s+(?:system|software)\b",
        1.4,
    ),
    cue(
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
    cue(
        _R.RESOURCE_CONSTRAINTS,
        "one person carrying it all",
        r"\b(?:our|the|its|their)\s+only\s+(?:\w+\s+)?(?:accountant|employee|person|staff\s+member|administrator|engineer|"
        r"analyst|clerk|bookkeeper|specialist|investigator|auditor)\b|\b(?:filling|to\s+fill)\s+(?:the|that|this)\s+"
        r"(?:job|position|post|role|vacancy)\s+took\b|\b(?:one|a\s+single|only\s+one)\s+(?:\w+\s+){0,2}(?:carrying|"
        r"juggling|handling|covering)\b|\bjuggling\b|\bwith\s+(?:a\s+single|only\s+one|one)\s+(?:person|employee|staff\s+"
        r"member|accountant|clerk)\b|\b(?:positions?|posts?|roles?|seats?)\s+(?:\w+\s+){0,1}unfilled\b|\b(?:the|a|our)\s+"
        r"(?:\w+\s+){0,2}(?:rush|crunch|busy\s+season|peak\s+season)\b",
        2.0,
    ),
    cue(
        _R.RESOURCE_CONSTRAINTS,
        "kept getting bumped",
        r"\bkept\s+(?:getting\s+)?(?:bumped|slipping|deprioriti[sz]ed|pushed\s+back)\b|\bdeprioriti[sz]ed\b|"
        r"\bheads-?down\s+on\b|\bno\s+(?:secondary|backup|deputy|alternate|cover)\s+(?:behind|for|in\s+place)\b",
        1.8,
    ),
    # --- change
    cue(
        _R.ORGANIZATIONAL_CHANGE,
        "restructuring",
        r"\b(?:reorgani[sz]\w+|restructur\w+|mergers?|acquisitions?|consolidation|consolidated\s+into|absorbed\s+into|"
        r"folded\s+into|merged\s+into|broken\s+up|split\s+up|dissolved)\b",
        2.0,
    ),
    cue(
        _R.ORGANIZATIONAL_CHANGE,
        "new system or program",
        r"\b(?:implementation\s+of|conversion\s+to|migration\s+to|transition(?:ed|ing)?\s+to|move\s+to|launch\s+of)"
        r"\s+(?:\w+\s+){0,3}(?:new\s+)?(?:system|software|platform|program|application|process)\b|\bnewly\s+"
        r"(?:implemented|established|created)\b|\bnew\s+(?:\w+\s+){0,2}(?:system|software|platform|program)s?\b|\bnew\s+(?:\w+\s+){0,2}applications?\s+"
        r"(?:was|were|went)\s+(?:deployed|implemented|launched|introduced|rolled\s+out|live)\b|"
        r"\bshift(?:ed|ing)?\s+(?:\w+\s+){0,5}(?:from|to)\b|\bfirst\s+(?:year|time|cycle)\b",
        1.5,
    ),
    cue(
        _R.ORGANIZATIONAL_CHANGE,
        "staff transition",
        r"\b(?:transition|change|changes|turnover)\s+(?:in|of)\s+(?:key\s+)?(?:staff|personnel|management|"
        r"leadership|positions?)\b|"
        # A person or a system retired is a change; a "retirement system" or "retirement rush" is not.
        r"\b(?:(?-i:retired)|(?-i:retirement)(?!\s+(?:rush|system|"
        r"fund|plan|benefits?|board|accounts?|savings|age|date|payments?|season))|(?<!\w\s)(?<!['’]\s)"
        r"(?-i:Retired|Retirement)(?!\s+(?:System|Fund|Plan|Board))|departed|departure|resigned|resignation|left\s+the\s+"
        r"(?:organization|department|agency|company|county|city|office))\b|\b(?:leadership|management|staff(?:ing)?|"
        r"personnel)\s+(?:changes|transitions|turnover)\b",
        1.5,
    ),
    cue(
        _R.ORGANIZATIONAL_CHANGE,
        "migration or replacement",
        r"\b(?:migrat\w+|moved|move|moving|transferred)\s+(?:\w+\s+){0,6}to\s+(?:a|the|its|their|our)\s+"
        r"(?:new(?:ly\s+created)?|replacement)\b|\breplaced\s+(?:\w+\s+){0,6}with\s+a\s+new\b|\bafter\s+the\s+"
        r"(?:cutover|conversion|go-?live|migration|transition)\b|\b(?:in|with|as\s+part\s+of)\s+the\s+(?:migration|"
        r"conversion|cutover|move)\b|\b(?:did\s+not|didn't|didn’t)\s+survive\s+the\b|\bcut\s*-?over\s+from\b|"
        r"\b(?:fleet|platform|service|team|workloads?|servers?)\s+moved\s+to\b|\bnew\s+(?:\w+\s+){0,2}release\b|"
        r"\b(?:changed|turned\s+over)\s+(?:\w+\s+){0,2}(?:two|three|four|several|multiple)\s+times\b|\b(?:came|arrived)\s+(?:in\s+)?with\s+the\s+new\b|\bmoved\s+(?:\S+\s+){0,6}(?:off|from)\s+"
        r"(?:\S+\s+){0,6}(?:onto|to)\s+an?\b|\breplacement\s+(?:\w+\s+){0,2}(?:system|platform|"
        r"software|application)\b|\b(?:system|billing|software|platform|ERP|payroll)\s+(?:conversion|upgrade)\b|"
        r"\b(?:the\s+)?\d{4}\s+upgrade\b|\bupgrade\s+of\s+the\s+(?:\w+\s+){0,3}system\b|\b(?:since|when|after)\s+"
        r"(?:\w+\s+){0,3}(?:moved|transferred|shifted|passed)\s+to\s+(?:the\s+)?(?:\S+\s+){0,3}(?:central|shared|new|"
        r"county's|state's|regional)\b|\b(?:when|after)\s+(?:she|he|they)\s+left\b|\bduring\s+the\s+(?:\w+\s+){0,2}"
        r"(?:migration|transition|move|conversion|reorgani[sz]ation|merger)\b|\bwas\s+(?:replaced|migrated)\b",
        1.8,
    ),
    cue(
        _R.ORGANIZATIONAL_CHANGE,
        "something new arrived",
        r"\b(?:went|moved|switched)\s+online\b|\bbrand-?new\s+(?:\w+\s+){0,2}(?:program|revenue\s+stream|fund|grant|"
        r"system|agency|division|office)\b",
        1.8,
    ),
    # --- planning
    cue(
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
    cue(
        _R.INADEQUATE_PLANNING,
        "not set up in advance",
        r"\bnot\s+(?:set\s+up|established|planned|anticipated|prepared|considered)\s+(?:in\s+advance|prior|before|"
        r"timely|at\s+the\s+(?:start|outset))\b",
        2.0,
    ),
    cue(
        _R.INADEQUATE_PLANNING,
        "no schedule set",
        r"\b(?:did\s+not|failed\s+to)\s+(?:establish|set|develop)\s+(?:a\s+)?(?:timeline|schedule|plan|calendar)\b|"
        r"\b(?:tracking|reporting)\s+(?:calendar|schedule)\b|\bahead\s+of\s+time\b",
        1.4,
    ),
    cue(
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
    cue(
        _R.INADEQUATE_PLANNING,
        "done only after the period closed",
        # Work that belonged in the year and was finished only after it closed had no timeline to meet.
        r"\b(?:completed|performed|finali[sz]ed|prepared|made|done)\s+(?:\w+\s+){0,3}(?:subsequent\s+to|after)\s+"
        r"(?:the\s+)?(?:fiscal\s+|calendar\s+)?(?:year[- ]?end|end\s+of\s+the\s+(?:fiscal\s+)?year|"
        r"close\s+of\s+the\s+(?:fiscal\s+)?year)\b|\bnot\s+(?:\w+\s+){0,2}(?:completed|finali[sz]ed|performed|done)\s+until\s+"
        r"(?:\w+\s+){0,3}after\b|\bbased\s+(?:solely\s+|only\s+|entirely\s+)?on\s+timing\b",
        1.6,
    ),
    cue(
        _R.INADEQUATE_PLANNING,
        "not foreseen or scoped",
        r"\b(?:did\s+not|failed\s+to)\s+(?:anticipate|foresee|forecast)\b|\b(?:unanticipated|unforeseen|not\s+foreseen)\b|"
        r"\b(?:launched|started|began|rolled\s+out|opened|went\s+live)\b[^.;]{0,60}\bbefore\s+(?:\w+\s+){0,4}(?:had\s+been|"
        r"was|were)\s+(?:designed|defined|established|developed|set\s+up|put\s+in\s+place|ready)\b|\bscope\s+"
        r"(?:\w+\s+){0,4}(?:did|does)\s+not\s+(?:include|cover|consider|address)\b|\b(?:no|without\s+a|lack\s+of\s+a)\s+"
        r"(?:timeline|schedule|calendar|deadline|plan)(?:\s+or\s+(?:an?\s+)?(?:timeline|schedule|calendar|deadline|plan))?\s+"
        r"(?:for|to)\b|\bleft\s+(?:\w+\s+){0,4}for\s+later\b|\b(?:never|not)\s+(?:been\s+)?scoped\b|\bwent\s+live\s+"
        r"without\b|\bhurried\b|\bsqueezed\s+into\b|\bstood\s+(?:\w+\s+){0,4}up\s+in\s+(?:\w+\s+)?(?:days|weeks)\b|"
        r"\bbefore\s+(?:\w+\s+){0,3}had\s+(?:settled|decided|agreed|determined|worked\s+out)\b|\bwhen\s+the\s+"
        r"(?:\w+\s+){0,2}(?:law|rule|requirement|program|statute|regulation)\s+took\s+effect\b|\b(?:was|were)\s+not\s+"
        r"(?:\w+\s+){0,3}ready\s+(?:to|for)\b|\b(?:had\s+not|did\s+not|never)\s+"
        r"(?:identified|assigned|designated|decided|determined)\s+who\s+(?:would|should|was\s+to)\b",
        2.0,
    ),
    cue(_R.INADEQUATE_PLANNING, "timeline named", r"\b(?:timelines?|schedul\w+|in\s+advance)\b", 0.5),
    cue(
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
        r"backlog)\b|\b(?:parked|pushed|deferred|postponed|pencil+ed\s+in)\s+(?:\w+\s+){0,4}(?:for|into|to|until)\s+(?:a\s+|the\s+)?(?:\S+\s+){0,2}"
        r"(?:later|second|future|next)\b|\b(?:had\s+)?never\s+"
        r"prepared\s+(?:an?\s+)?(?:\w+\s+){0,2}(?:template|plan|playbook|procedure|runbook)\b",
        2.0,
    ),
    cue(
        _R.INADEQUATE_PLANNING,
        "never built in or left out of scope",
        r"\bnever\s+built\s+into\s+the\s+(?:\w+\s+){0,2}(?:calendar|plan|schedule|process|roadmap|design)\b|\bleft\s+out\s+"
        r"of\s+(?:the\s+)?scope\b|\bwithout\s+anyone\s+(?:asking|checking|considering|thinking\s+about)\s+whether\b|"
        r"\b(?:never|did\s+not|didn't)\s+occur(?:red)?\s+to\s+(?:us|anyone|anybody)\b|\bno\s+equivalent\s+(?:\w+\s+){0,2}"
        r"(?:was|were)\s+(?:built|set\s+up|created|planned|designed)\b",
        2.0,
    ),
    # --- the third party itself
    cue(
        _R.VENDOR_NONCOMPLIANCE,
        "third party failed",
        rf"\b{PARTY}\s+(?:did\s+not|failed\s+to|had\s+not|has\s+not|was\s+unable\s+to)\s+(?:\w+\s+){{0,2}}"
        r"(?:meet|comply|provide|submit|complete|perform|apply|notify|follow|deliver)\b",
        1.8,
    ),
    cue(
        _R.VENDOR_NONCOMPLIANCE,
        "third party got it wrong",
        rf"\b{PARTY}(?:\s+\w+)?\s+(?:\w+\s+){{0,2}}(?:miscalculated|overbilled|overcharged|double-?billed|"
        r"(?:paid|charged|billed|claimed|invoiced)\s+(?:\w+\s+){0,2}(?:ineligible|unallowable|unsupported|duplicate|"
        r"incorrect)|(?:submitted|reported|delivered)\s+(?:\w+\s+){0,1}(?:inaccurate|incorrect|late|incomplete|"
        r"erroneous)|violated|breached)\b",
        2.0,
    ),
    cue(
        _R.VENDOR_NONCOMPLIANCE,
        "third party broke its contract",
        r"\beven\s+though\s+(?:our|the|its|their)\s+(?:contract|agreement|SLA|terms)\s+(?:requires?|required|calls?\s+for)\b|"
        r"\b(?:in\s+breach\s+of|contrary\s+to)\s+(?:its|their|the)\s+(?:contract|agreement|SLA)\b",
        1.8,
    ),
    cue(
        _R.VENDOR_NONCOMPLIANCE,
        "third party's own defect",
        rf"\b{PARTY}(?:\S*\s+){{0,2}}(?:has\s+)?(?:confirmed|acknowledged|admitted)\s+(?:the|a|an)\s+(?:\w+\s+)?"
        r"(?:defect|bug|error|failure|outage|fault)\b",
        2.0,
    ),
    cue(
        _R.VENDOR_NONCOMPLIANCE,
        "third party blew its date",
        rf"\b{PARTY}(?:\S*\s+){{0,2}}(?:blew\s+through|missed|ignored|overran)\s+(?:the|its|their|our)\s+(?:\w+\s+){{0,3}}"
        r"(?:date|deadline|SLA|terms|obligations?|commitments?)\b",
        2.0,
    ),
    # --- incidents
    cue(
        _R.INADEQUATE_INCIDENT_RESPONSE,
        "incident handled slowly",
        r"\b(?:incidents?|breach(?:es)?|alerts?|attacks?|intrusions?)\b\W+(?:\w+\W+){0,6}(?:not\s+(?:\w+\s+)?(?:reported|"
        r"escalated|investigated|contained|handled|addressed|responded)|delay\w*|late)\b",
        2.2,
    ),
    cue(
        _R.INADEQUATE_INCIDENT_RESPONSE,
        "response delayed",
        r"\b(?:response|escalation|containment|notification|triage)\s+(?:\w+\s+){0,2}(?:was|were)\s+"
        r"(?:delayed|late|slow)\b",
        2.0,
    ),
    cue(
        _R.INADEQUATE_INCIDENT_RESPONSE,
        "incident response named",
        r"\bincident\s+(?:response|handling)\b",
        1.0,
    ),
    cue(
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
    cue(
        _R.INADEQUATE_INCIDENT_RESPONSE,
        "response plan not followed",
        r"\b(?:incident|breach|security)\s+(?:response\s+)?(?:plan|procedures?|process|playbook|runbook)\s+"
        r"(?:\w+\s+){0,2}(?:was|were|is|had|has)\s+not\s+(?:been\s+)?(?:followed|executed|invoked|activated|used|"
        r"tested|applied)\b",
        2.0,
    ),
    cue(
        _R.INADEQUATE_INCIDENT_RESPONSE,
        "incident recognised late",
        r"\bbefore\s+anyone\s+(?:labell?ed|flagged|recogni[sz]ed|treated|identified|called)\s+it\s+(?:as\s+)?an?\s+"
        r"(?:security\s+|privacy\s+)?(?:event|incident|breach)\b|\bshould\s+have\s+(?:dug\s+into|investigated|escalated|"
        r"acted\s+on|looked\s+into)\s+(?:it|this|that)\s+(?:then|sooner|earlier|immediately|at\s+once)\b|\btook\s+"
        r"(?:\w+\s+){0,3}(?:days|weeks|hours)\s+to\s+reach\s+(?:the\s+)?(?:security|privacy|incident|response)\b",
        2.0,
    ),
    cue(
        _R.INADEQUATE_INCIDENT_RESPONSE,
        "alerts to nowhere",
        r"\b(?:no\s+one|nobody|no\s+human)\s+was\s+(?:paged|alerted|notified|called)\b|\balerts?\s+(?:\w+\s+){0,4}(?:went|"
        r"routed|were\s+sent|was\s+sent)\s+to\s+(?:a|an|the)\s+(?:\w+\s+){0,3}(?:muted|unmonitored|retired|unwatched|"
        r"deprecated|old)\b|\b(?:lay|sat|went)\s+(?:unactioned|unacknowledged)\b|\b(?:postmortems?|post-incident\s+"
        r"reviews?|incident\s+reviews?)\s+(?:\w+\s+){0,6}(?:lapse|lapsed|skipped|optional|not\s+(?:held|done|written))\b|"
        r"\bfollow-?through\s+stopped\b",
        2.0,
    ),
)
