"""Trust Services Criteria references (CC6.1, A1.2, PI1.3, P4.2, C1.1): find them in text, normalise them."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Criteria series of the 2017 Trust Services Criteria and how many top-level groups each has.
# CC1-CC9 (common criteria), A1 availability, C1 confidentiality, PI1 processing integrity, P1-P8 privacy.
_SERIES_MAX_GROUP = {"CC": 9, "A": 1, "C": 1, "PI": 1, "P": 8}

# Older reports (and some tools) write processing integrity as "PP1.x"; it is the same criterion.
_ALIASES = {"PP": "PI"}

# The letters must start a word ("CC6.1", "CC 6.1", "CC-6.1", "cc6.1") and the number must end one, so
# "CC6.10" is never read as "CC6.1" and "ABCC6.1" or "v1.2" never match. Single-letter series must be
# upper case: "a 1.2" in prose is not a criterion. An optional third level ("CC6.1.3", a control number
# under a criterion) is captured separately.
CONTROL_REF_RE = re.compile(
    r"(?<![A-Za-z0-9])(?P<series>CC|cc|PI|pi|PP|pp|A|C|P)[ \-]?(?P<group>\d{1,2})\.(?P<point>\d{1,2})"
    r"(?:\.(?P<sub>\d{1,3}))?(?![\d])"
)


@dataclass(frozen=True)
class ControlRefMatch:
    """One control reference found in a text, with where it was found."""

    ref: str  # normalised criterion, e.g. "PI1.3"
    raw: str  # as written, e.g. "PP 1.3"
    start: int
    end: int
    sub: int | None = None  # third level ("CC6.1.3" -> 3) when the report numbers controls that way


def _normalise_parts(series: str, group: str, point: str) -> str | None:
    series = _ALIASES.get(series.upper(), series.upper())
    max_group = _SERIES_MAX_GROUP.get(series)
    group_n, point_n = int(group), int(point)
    if max_group is None or not 1 <= group_n <= max_group or point_n < 1:
        return None
    return f"{series}{group_n}.{point_n}"


def normalize_control_ref(raw: str) -> str | None:
    """Canonical form of one reference ("cc 6.01" -> "CC6.1", "PP1.2" -> "PI1.2"), or None if invalid."""
    match = CONTROL_REF_RE.fullmatch(raw.strip())
    if match is None:
        return None
    return _normalise_parts(match["series"], match["group"], match["point"])


def iter_control_refs(text: str) -> list[ControlRefMatch]:
    """Every valid reference in the text, in order of appearance (duplicates kept)."""
    found: list[ControlRefMatch] = []
    for match in CONTROL_REF_RE.finditer(text):
        ref = _normalise_parts(match["series"], match["group"], match["point"])
        if ref is None:
            continue
        sub = int(match["sub"]) if match["sub"] else None
        found.append(
            ControlRefMatch(ref=ref, raw=match.group(0), start=match.start(), end=match.end(), sub=sub)
        )
    return found


def find_control_refs(text: str) -> list[str]:
    """Distinct normalised references in the text, in order of first appearance."""
    seen: dict[str, None] = {}
    for match in iter_control_refs(text):
        seen.setdefault(match.ref, None)
    return list(seen)
