"""Control references as extraction needs them, on top of `ingestion.controlrefs`."""

from __future__ import annotations

import re

from ingestion.controlrefs import CONTROL_REF_RE, find_control_refs

# A reference at the very start of a text, optionally after a "Control No.:" style label.
_LEADING = re.compile(
    r"\s*(?:control\s*(?:no\.?|number|#|ref(?:erence)?|id)\s*[:.]?\s*)?"
    r"(?P<ref>" + CONTROL_REF_RE.pattern + ")",
    re.IGNORECASE,
)


def normalise_ref(raw: str) -> str | None:
    """Normalised form of the first valid control reference in `raw` (PP→PI, upper case), or None."""
    refs = find_control_refs(raw)
    return refs[0] if refs else None


def leading_ref(text: str) -> str | None:
    """The control reference a text starts with (optionally after "Control No.:"), or None."""
    match = _LEADING.match(text)
    return normalise_ref(match.group("ref")) if match else None
