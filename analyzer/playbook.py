"""The remediation playbook (playbook.yaml): step templates per exception type and root cause.

Both analyzers share it: `render_playbook()` gives the LLM a stable text of it, and
`analyzer.planning.draft_plan()` fills its templates with a finding's specifics.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from analyzer.errors import ConfigError
from analyzer.taxonomy import TYPE_PRECEDENCE, ExceptionType, RootCause, StepCategory

PLAYBOOK_PATH = Path(__file__).with_name("playbook.yaml")
CONTROL_OWNER = "control_owner"  # placeholder role, resolved from the finding's control area


class StepTemplate(BaseModel):
    """A remediation step with placeholders {control}, {sample} and {subject}."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    category: StepCategory = Field(description="Remediation category of the step.")
    title: str = Field(min_length=3, description="Short imperative title.")
    description: str = Field(min_length=10, description="What to do; may hold placeholders.")
    owner_role: str = Field(description=f"Accountable role, or `{CONTROL_OWNER}`.")
    evidence: str = Field(min_length=5, description="Evidence that shows the step was done.")


class TypeEntry(BaseModel):
    """Playbook entry for one exception type."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    focus: str = Field(description="What remediation of this type aims at, in a phrase.")
    steps: tuple[StepTemplate, ...] = Field(min_length=1, description="Steps for this type.")


class CauseEntry(BaseModel):
    """Playbook entry for one root cause."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    steps: tuple[StepTemplate, ...] = Field(min_length=1, description="Steps addressing this cause.")


class Playbook(BaseModel):
    """The whole playbook: every type and every cause has an entry."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int = Field(description="Playbook version.")
    types: dict[ExceptionType, TypeEntry] = Field(description="Entry per exception type.")
    causes: dict[RootCause, CauseEntry] = Field(description="Entry per root cause.")
    no_cause: StepTemplate = Field(description="Root-cause analysis step used when no cause is stated.")
    closing: StepTemplate = Field(description="Verification step every plan ends with.")

    @model_validator(mode="after")
    def _complete(self) -> Playbook:
        missing = [t.value for t in ExceptionType if t not in self.types]
        missing += [c.value for c in RootCause if c not in self.causes]
        if missing:
            raise ValueError(f"playbook has no entry for: {', '.join(missing)}")
        if self.closing.category is not StepCategory.REASSESSMENT_RETEST:
            raise ValueError("the closing step must be a reassessment_retest step")
        return self


def load_playbook(path: Path | None = None) -> Playbook:
    """Read and validate a playbook file (the packaged one by default)."""
    if path is None:
        return _packaged()
    return _load(path)


@lru_cache(maxsize=1)
def _packaged() -> Playbook:
    return _load(PLAYBOOK_PATH)


def _load(path: Path) -> Playbook:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Playbook.model_validate(raw)
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read playbook ({exc})") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "top level"
        raise ConfigError(f"{path}: invalid playbook at {where}: {first['msg']}") from exc


def _render_step(step: StepTemplate) -> str:
    owner = "owner of the control" if step.owner_role == CONTROL_OWNER else step.owner_role
    head = f"  - [{step.category.value}] {step.title}: {step.description}"
    return f"{head} Owner: {owner}. Evidence: {step.evidence}"


def render_playbook(
    playbook: Playbook | None = None,
    *,
    types: Iterable[ExceptionType] | None = None,
    causes: Iterable[RootCause] | None = None,
) -> str:
    """Plain-text playbook for prompts; byte-identical for the same selection (fixed order)."""
    book = playbook or load_playbook()
    type_set = set(types) if types is not None else set(ExceptionType)
    cause_set = set(causes) if causes is not None else set(RootCause)
    lines = [f"Remediation playbook v{book.version}", "By exception type:"]
    for t in TYPE_PRECEDENCE:
        if t in type_set:
            entry = book.types[t]
            lines.append(f"- {t.value} (aim: {entry.focus})")
            lines.extend(_render_step(s) for s in entry.steps)
    lines.append("By root cause:")
    for c in RootCause:
        if c in cause_set:
            lines.append(f"- {c.value}")
            lines.extend(_render_step(s) for s in book.causes[c].steps)
    lines.append("When no cause is stated:")
    lines.append(_render_step(book.no_cause))
    lines.append("Every plan ends with:")
    lines.append(_render_step(book.closing))
    return "\n".join(lines)
