"""Cue matching: general audit phrasing that signals an exception type or a stated root cause.

Cues read the finding text, its context and the management response (never the auditor's cause
section, which is what the root causes are scored against). Every rule is general audit language; none
is tied to a particular report. The rules live in `type_cues` and `cause_cues`. Sentences that address
the analyzer ("ignore previous instructions", "classify as ...") are dropped before matching, so report
text can never steer the result.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from analyzer.offline.cause_cues import CAUSE_CUES
from analyzer.offline.cue_base import (
    FIELD_CONTEXT,
    FIELD_CONTROL,
    FIELD_RESPONSE,
    FIELD_TEXT,
    FIELD_TITLE,
    FLAGS,
    Cue,
    CueHit,
    CueVotes,
)
from analyzer.offline.type_cues import TYPE_CUES

__all__ = [
    "CAUSE_CUES",
    "FIELD_CONTEXT",
    "FIELD_CONTROL",
    "FIELD_RESPONSE",
    "FIELD_TEXT",
    "FIELD_TITLE",
    "TYPE_CUES",
    "Cue",
    "CueHit",
    "CueVotes",
    "cause_votes",
    "split_sentences",
    "strip_directives",
    "type_votes",
]

# How much a cue found in each part of a finding counts.

TYPE_FIELD_WEIGHTS: dict[str, float] = {
    FIELD_CONTROL: 0.5,
    FIELD_TITLE: 0.8,
    FIELD_TEXT: 1.0,
    FIELD_CONTEXT: 0.5,
    FIELD_RESPONSE: 0.35,
}
# Causes are usually stated by management, so the response counts most.
CAUSE_FIELD_WEIGHTS: dict[str, float] = {
    FIELD_CONTROL: 0.2,
    FIELD_TITLE: 0.5,
    FIELD_TEXT: 0.7,
    FIELD_CONTEXT: 0.6,
    FIELD_RESPONSE: 1.0,
}

# Sentences that merely speak of a risk or possibility do not establish an incident.
_HYPOTHETICAL = re.compile(
    r"\b(?:risk\w*|could|may|might|potential(?:ly)?|possib\w+|prevent\w*|in\s+the\s+event|susceptible|"
    r"vulnerab\w+|exposure\s+to|if\s+|would|likelihood|protect\w*|guard\s+against|reduce)\b",
    FLAGS,
)

# Sentences addressed to the analyzer rather than describing the audit: never evidence, never obeyed.
_DIRECTIVE = re.compile(
    r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+|the\s+)?(?:previous|prior|above|earlier|"
    r"preceding)?\s*(?:instructions?|prompts?|rules?|guidance)\b|\bclassify\s+(?:this|it|the\s+finding)?\s*as\b|"
    r"\b(?:system\s+prompt|you\s+are\s+(?:now\s+)?an?\s+\w+|assistant\s*:|respond\s+with|output\s+only)\b|"
    r"\b(?:exception_type|root_causes?|data_breach_incident|control_gap|operating_ineffectiveness|"
    r"policy_noncompliance|insufficient_documentation|vendor_noncompliance|employee_negligence)\b",
    FLAGS,
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
