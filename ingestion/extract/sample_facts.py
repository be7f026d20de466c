"""Sample facts stated by an auditor ("2 of 25", "two (2) of the twenty-five (25) items")."""

from __future__ import annotations

import re

from analyzer.models import SampleFacts

_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_WORD = r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"  # noqa: E501
# A number written as digits, as a word, or as a word followed by digits in brackets: "two (2)".
_NUMBER = rf"(?:\d{{1,5}}|(?:{_WORD})(?:\s*\(\d{{1,5}}\))?)"
_SAMPLE = re.compile(
    rf"(?<![\w.,/-])(?P<a>{_NUMBER})\s+(?:out\s+)?of\s+(?:the\s+|a\s+total\s+of\s+|a\s+sample\s+of\s+)?"
    rf"(?P<b>{_NUMBER})(?![\w/-]|\.\d)",
    re.IGNORECASE,
)

_NOT_SAMPLE_BEFORE = re.compile(
    r"\b(?:page|pages|section|step|part|phase|volume|item|no\.)\s*$", re.IGNORECASE
)


def _value(token: str) -> int | None:
    digits = re.search(r"\d+", token)
    if digits:
        return int(digits.group())
    words = re.split(r"[- ]", token.lower())
    total = 0
    for word in words:
        if word not in _WORDS:
            return None
        total += _WORDS[word]
    return total


def parse_sample(text: str | None) -> SampleFacts | None:
    """The first "N of M" statement in `text` where N ≤ M, or None when the text states no sample."""
    if not text:
        return None
    for match in _SAMPLE.finditer(text):
        exceptions, size = _value(match.group("a")), _value(match.group("b"))
        if exceptions is None or size is None or size == 0 or exceptions > size:
            continue  # "4 of 2" is not a sample
        if _NOT_SAMPLE_BEFORE.search(text[: match.start()]):
            continue  # "page 3 of 12", "step 2 of 5" count positions, not samples
        return SampleFacts(exceptions=exceptions, sample_size=size, text=match.group(0))
    return None
