"""Eval cases: the fixed JSONL fixture format, a strict loader with per-line errors, and Finding building."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from analyzer.errors import AuditlensError
from analyzer.models import Finding, FindingLayout
from analyzer.taxonomy import ExceptionType, RootCause

EVAL_ORG = "eval"
EVAL_AUDIT = "eval-suite"
_MAX_ERRORS_SHOWN = 5


class FixtureError(AuditlensError):
    """A fixture file could not be read; the message names the file, the line(s) and the reason."""


class CaseFinding(BaseModel):
    """The finding as a report would show it (never the stated cause: that is the answer)."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, description="The exception / condition text.")
    title: str | None = Field(default=None, description="Short title or heading.")
    control_ref: str | None = Field(default=None, description="Control or criterion reference.")
    context: str | None = Field(default=None, description="Background text around the finding.")
    management_response: str | None = Field(default=None, description="Management's response, if any.")


class CaseExpected(BaseModel):
    """The labels a case is scored against."""

    model_config = ConfigDict(extra="forbid")

    exception_type: ExceptionType | None = Field(
        description="Strict label; null when annotators split (the case is then scored only leniently)."
    )
    acceptable_types: list[ExceptionType] = Field(
        min_length=1, description="Every defensible type; always holds the strict label when there is one."
    )
    root_causes: list[RootCause] = Field(default_factory=list, description="Causes a prediction must find.")
    acceptable_root_causes: list[RootCause] = Field(
        default_factory=list,
        description="Causes a prediction may name (superset of root_causes); empty skips cause scoring.",
    )
    plan_reference: str | None = Field(
        default=None, description="A real corrective action plan to compare a drafted plan against."
    )

    @model_validator(mode="after")
    def _consistent(self) -> CaseExpected:
        if self.exception_type is not None and self.exception_type not in self.acceptable_types:
            raise ValueError(f"acceptable_types must contain the strict label {self.exception_type.value!r}")
        missing = set(self.root_causes) - set(self.acceptable_root_causes)
        if missing:
            raise ValueError(
                "acceptable_root_causes must contain every root cause; missing "
                + ", ".join(sorted(c.value for c in missing))
            )
        return self

    @property
    def scores_root_causes(self) -> bool:
        """Whether the source states a cause (otherwise cause scoring is skipped for the case)."""
        return bool(self.acceptable_root_causes)


class EvalCase(BaseModel):
    """One line of a fixture file."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, description="Case id, unique within the file.")
    finding: CaseFinding = Field(description="What the analyzer is given.")
    expected: CaseExpected = Field(description="What it is scored against.")
    tags: list[str] = Field(default_factory=list, description="Free labels for slicing the results.")

    @property
    def audit_id(self) -> str:
        """Each case is its own audit, so retrieval for one case never sees another case's text."""
        return f"{EVAL_AUDIT}:{self.id}"

    def to_finding(self) -> Finding:
        """The analyzer input for this case (imported layout, an eval-only organization)."""
        return Finding(
            id=self.id,
            org_id=EVAL_ORG,
            audit_id=self.audit_id,
            layout=FindingLayout.IMPORT,
            title=self.finding.title,
            control_ref=self.finding.control_ref,
            text=self.finding.text,
            context=self.finding.context,
            management_response=self.finding.management_response,
        )


def _describe(exc: ValidationError) -> str:
    """First validation problem of a line, in one phrase."""
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "line"
    msg = str(err["msg"]).removeprefix("Value error, ")
    return f"{where}: {msg}"


def parse_lines(lines: Iterable[str], *, source: str) -> list[EvalCase]:
    """Parse fixture lines; every bad line is reported with its number, all in one FixtureError."""
    cases: list[EvalCase] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        try:
            data: Any = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"line {number}: not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(data, dict):
            errors.append(f"line {number}: expected a JSON object, got {type(data).__name__}")
            continue
        try:
            case = EvalCase.model_validate(data)
        except ValidationError as exc:
            errors.append(f"line {number}: {_describe(exc)}")
            continue
        if case.id in seen:
            errors.append(f"line {number}: duplicate id {case.id!r} (first on line {seen[case.id]})")
            continue
        seen[case.id] = number
        cases.append(case)
    if errors:
        shown = "; ".join(errors[:_MAX_ERRORS_SHOWN])
        more = f" (and {len(errors) - _MAX_ERRORS_SHOWN} more)" if len(errors) > _MAX_ERRORS_SHOWN else ""
        raise FixtureError(f"{source}: {len(errors)} bad line(s): {shown}{more}")
    if not cases:
        raise FixtureError(f"{source}: no cases in the file")
    return cases


def load_cases(path: Path, *, limit: int | None = None) -> list[EvalCase]:
    """Load and validate a fixture file (the whole file is validated even when `limit` is set)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FixtureError(f"{path}: no such fixture file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FixtureError(f"{path}: cannot read ({exc})") from None
    cases = parse_lines(text.splitlines(), source=str(path))
    return cases[:limit] if limit is not None else cases


def dump_cases(cases: Iterable[EvalCase]) -> str:
    """Serialise cases in the fixture format, one JSON object per line."""
    return "".join(json.dumps(c.model_dump(mode="json"), ensure_ascii=False) + "\n" for c in cases)


def write_cases(path: Path, cases: Iterable[EvalCase]) -> int:
    """Write cases atomically (temp file + rename); returns how many were written."""
    items = list(cases)
    atomic_write_text(path, dump_cases(items))
    return len(items)


def atomic_write_text(path: Path, text: str) -> None:
    """Write a text file via a temp file in the same directory and a rename, so readers never see half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
