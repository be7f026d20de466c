"""Regression gate: headline metrics of a run against a committed baseline file and explicit floors.

A metric fails when it is below `baseline - tolerance` (tolerance is absolute, in metric units, stored in
the baseline file; DEFAULT_TOLERANCE when absent). Raising a baseline is a deliberate commit of a new file.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from analyzer.errors import AuditlensError
from evals.cases import atomic_write_text

# The offline analyzer is deterministic; 0.02 absorbs float noise across CPUs and tiny refactors, while a
# real regression (one or two more wrong cases in a ~80-case suite is ~0.012-0.025) still shows.
DEFAULT_TOLERANCE = 0.02
GATED_METRICS: tuple[str, ...] = (
    "strict_type_accuracy",
    "lenient_type_accuracy",
    "type_macro_f1",
    "root_cause_f1",
    "plan_coverage",
    "schema_valid_rate",
)


class GateError(AuditlensError):
    """A baseline file or a --fail-under rule is unusable."""


class BaselineFile(BaseModel):
    """A committed baseline: the headline metrics one analyzer reached on one suite."""

    suite: str = Field(description="Suite id the numbers were measured on.")
    analyzer: str = Field(description="Analyzer kind (offline / llm).")
    analyzer_version: str | None = Field(default=None, description="Analyzer version at measurement.")
    cases: int = Field(description="Number of cases in the run.")
    tolerance: float = Field(default=DEFAULT_TOLERANCE, ge=0, description="Allowed absolute drop.")
    metrics: dict[str, float | None] = Field(description="Metric name -> value (None when undefined).")
    measured_at: str | None = Field(default=None, description="When the baseline was measured (UTC).")


@dataclass(frozen=True)
class GateCheck:
    """One comparison: a metric, its value, the floor it must reach, and whether it did."""

    metric: str
    value: float | None
    floor: float
    source: str  # "baseline" or "fail-under"

    @property
    def passed(self) -> bool:
        """True when the value reaches the floor (an undefined value fails)."""
        return self.value is not None and self.value + 1e-9 >= self.floor

    def describe(self) -> str:
        """One line for people."""
        shown = "n/a" if self.value is None else f"{self.value:.4f}"
        verdict = "ok" if self.passed else "FAIL"
        return f"{verdict}: {self.metric} = {shown} (floor {self.floor:.4f} from {self.source})"


def load_baseline(path: Path) -> BaselineFile:
    """Read a committed baseline file."""
    try:
        return BaselineFile.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GateError(f"{path}: no such baseline file") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "file"
        raise GateError(f"{path}: invalid baseline file at {where}: {first['msg']}") from None


def baseline_from_summary(report: Mapping[str, Any], *, tolerance: float = DEFAULT_TOLERANCE) -> BaselineFile:
    """A baseline file capturing the gated metrics of a report."""
    summary = report["summary"]
    return BaselineFile(
        suite=str(report["suite"]),
        analyzer=str(report["analyzer"]),
        analyzer_version=report.get("analyzer_version"),
        cases=int(summary["cases"]),
        tolerance=tolerance,
        metrics={m: (round(summary[m], 4) if summary.get(m) is not None else None) for m in GATED_METRICS},
        measured_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def write_baseline(baseline: BaselineFile, path: Path) -> None:
    """Write a baseline file atomically."""
    atomic_write_text(path, json.dumps(baseline.model_dump(mode="json"), indent=2) + "\n")


def parse_fail_under(rules: Sequence[str]) -> dict[str, float]:
    """Parse `metric=value` rules; the metric must be a number in the summary (checked at compare time)."""
    out: dict[str, float] = {}
    for rule in rules:
        name, sep, raw = rule.partition("=")
        if not sep or not name.strip():
            raise GateError(f"--fail-under {rule!r}: expected metric=value, e.g. strict_type_accuracy=0.6")
        try:
            out[name.strip()] = float(raw)
        except ValueError:
            raise GateError(f"--fail-under {rule!r}: {raw!r} is not a number") from None
    return out


def check(
    summary: Mapping[str, Any],
    *,
    baseline: BaselineFile | None = None,
    fail_under: Mapping[str, float] | None = None,
    skip: Collection[str] = (),
) -> list[GateCheck]:
    """Compare a summary with a baseline (value >= baseline - tolerance) and with explicit floors.

    `skip` names baseline metrics the run deliberately did not compute (they are not compared).
    """
    checks: list[GateCheck] = []
    if baseline is not None:
        for name, ref in baseline.metrics.items():
            if ref is None or name in skip:
                continue  # undefined when measured (e.g. no references): nothing to hold the run to
            checks.append(GateCheck(name, _number(summary, name), ref - baseline.tolerance, "baseline"))
    for name, floor in (fail_under or {}).items():
        if name not in summary:
            raise GateError(f"--fail-under {name}: no such metric in the report summary")
        checks.append(GateCheck(name, _number(summary, name), floor, "fail-under"))
    return checks


def _number(summary: Mapping[str, Any], name: str) -> float | None:
    value = summary.get(name)
    if value is None:
        return None
    if not isinstance(value, int | float):
        raise GateError(f"metric {name} is not a number in the report summary")
    return float(value)
