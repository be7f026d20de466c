"""The building blocks of cue rules: the rule, a hit, the votes, and phrase fragments both rule sets use."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Which part of a finding a piece of text came from.
FIELD_TITLE = "title"
FIELD_TEXT = "finding"
FIELD_CONTEXT = "context"
FIELD_RESPONSE = "management response"
# The control and test description that a service auditor's exception often opens with: it says what should
# happen, not what went wrong, so it counts little.
FIELD_CONTROL = "control description"

FLAGS = re.IGNORECASE


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


def cue(
    label: str, name: str, regex: str, weight: float, *, factual_only: bool = False, unless: str | None = None
) -> Cue:
    """One rule from its regular expressions (case-insensitive)."""
    return Cue(
        label,
        name,
        re.compile(regex, FLAGS),
        weight,
        factual_only,
        re.compile(unless, FLAGS) if unless else None,
    )


# "Provider"/"processor" preceded by a technology word names a system or platform the organization runs
# (its identity provider, a cloud provider's console, a payment processor integration), not a party whose
# own failure is the finding.
SYSTEM_WORD = (
    r"(?<!identity\s)(?<!cloud\s)(?<!e-mail\s)(?<!email\s)(?<!hosting\s)(?<!internet\s)(?<!dns\s)"
    r"(?<!sso\s)(?<!single\ssign-on\s)(?<!authentication\s)(?<!storage\s)(?<!word\s)(?<!data\s)"
)
PARTY = (
    r"(?:sub-?recipients?|vendors?|contractors?|service\s+providers?|service\s+organi[sz]ations?(?!'s\s+auditor)|"
    rf"third[- ]part(?:y|ies)|suppliers?|{SYSTEM_WORD}providers?|{SYSTEM_WORD}processors?|"
    r"sub-?service\s+organi[sz]ations?)"
)
