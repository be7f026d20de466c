"""Run an analyzer over eval cases: one analysis per case, timed; a failing case never stops the run."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from analyzer.models import FindingAnalysis
from analyzer.ports import Analyzer
from evals.cases import EvalCase


@dataclass(frozen=True)
class CaseRun:
    """What the analyzer produced for one case: its analysis and/or the error, and the wall time."""

    case: EvalCase
    analysis: FindingAnalysis | None
    error: str | None
    seconds: float

    @property
    def ok(self) -> bool:
        """True when the analyzer returned a usable (status ok) analysis."""
        return self.error is None and self.analysis is not None and self.analysis.status == "ok"

    @property
    def predicted_type(self) -> str | None:
        """The predicted primary type id (None for a failed case)."""
        if not self.ok or self.analysis is None or self.analysis.exception_type is None:
            return None
        return self.analysis.exception_type.value

    @property
    def predicted_causes(self) -> list[str]:
        """Predicted root-cause ids (empty for a failed case)."""
        if not self.ok or self.analysis is None:
            return []
        return [item.category.value for item in self.analysis.root_causes]


ProgressCallback = Callable[[int, int, CaseRun], None]


def run_case(analyzer: Analyzer, case: EvalCase) -> CaseRun:
    """Analyse one case; any exception or failed status becomes the case's `error`."""
    start = time.perf_counter()
    try:
        analysis = analyzer.analyze(case.to_finding())
    # An eval must score every case: whatever one analysis raises is recorded against that case.
    except Exception as exc:
        return CaseRun(case, None, f"{type(exc).__name__}: {exc}", time.perf_counter() - start)
    seconds = time.perf_counter() - start
    if analysis.status != "ok":
        return CaseRun(case, analysis, analysis.error or "analysis failed without a reason", seconds)
    return CaseRun(case, analysis, None, seconds)


def run_cases(
    analyzer: Analyzer,
    cases: Sequence[EvalCase],
    *,
    progress: ProgressCallback | None = None,
) -> list[CaseRun]:
    """Analyse every case in order, calling `progress(done, total, run)` after each one."""
    runs: list[CaseRun] = []
    for case in cases:
        run = run_case(analyzer, case)
        runs.append(run)
        if progress is not None:
            progress(len(runs), len(cases), run)
    return runs
