"""Suite registry (registry.yaml): versioned suite ids -> fixture files or run-time sources, and baselines."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, model_validator

from evals.cases import EvalCase, FixtureError, load_cases
from evals.convert_shared import load_shared_dev

EVALS_DIR = Path(__file__).resolve().parent
REGISTRY_PATH = EVALS_DIR / "registry.yaml"


class Suite(BaseModel):
    """One registered suite."""

    id: str = Field(description="Versioned suite id, e.g. soc2-core-v1.")
    description: str = Field(description="What the suite holds.")
    file: str | None = Field(default=None, description="Fixture file relative to the evals directory.")
    generator: str | None = Field(
        default=None, description="Script (relative to the evals directory) that writes `file`, if any."
    )
    source: Literal["shared-dev"] | None = Field(default=None, description="Run-time source, if no file.")
    baselines: dict[str, str] = Field(default_factory=dict, description="Analyzer kind -> baseline file.")

    @model_validator(mode="after")
    def _one_origin(self) -> Suite:
        if (self.file is None) == (self.source is None):
            raise ValueError("a suite needs exactly one of `file` and `source`")
        return self

    def baseline_path(self, analyzer_kind: str) -> Path | None:
        """Committed baseline of an analyzer kind on this suite (None when there is none)."""
        rel = self.baselines.get(analyzer_kind)
        return EVALS_DIR / rel if rel else None

    def load(self, *, limit: int | None = None, shared_path: Path | None = None) -> list[EvalCase]:
        """The suite's cases (shared-dev is converted from its file at run time)."""
        if self.file is not None:
            return load_cases(EVALS_DIR / self.file, limit=limit)
        return load_shared_dev(shared_path, limit=limit)


class _Registry(BaseModel):
    version: int = Field(description="Registry format version.")
    suites: dict[str, dict[str, object]] = Field(description="Suite id -> definition.")


def load_registry(path: Path = REGISTRY_PATH) -> dict[str, Suite]:
    """All registered suites by id."""
    try:
        raw = _Registry.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        return {sid: Suite.model_validate({"id": sid, **spec}) for sid, spec in raw.suites.items()}
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise FixtureError(f"{path}: invalid suite registry ({exc})") from None


def get_suite(suite_id: str) -> Suite:
    """A suite by id, with the known ids in the error when it does not exist."""
    suites = load_registry()
    if suite_id not in suites:
        raise FixtureError(f"unknown suite {suite_id!r}; known suites: {', '.join(sorted(suites))}")
    return suites[suite_id]
