"""Analysis service: choose the analyzer for a provider, analyse many findings with progress."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

from pydantic import BaseModel, Field

from analyzer.errors import AuditlensError, ConfigError
from analyzer.llm_analyzer import LLMAnalyzer
from analyzer.models import Finding, FindingAnalysis, Provenance
from analyzer.ports import Analyzer, ApprovedExamples, ChatModel, VectorIndex
from analyzer.retrieval import Retriever
from analyzer.settings import Settings

Provider = Literal["offline", "openai"]
PROVIDERS: tuple[Provider, ...] = ("offline", "openai")
ProgressCallback = Callable[[int, int, FindingAnalysis], None]
ResultSink = Callable[[FindingAnalysis], None]

LLM_SETUP_HINT = (
    "to analyse with an LLM set AUDITLENS_LLM_MODEL plus AUDITLENS_LLM_BASE_URL (any OpenAI-compatible "
    "endpoint) and/or OPENAI_API_KEY, then use --provider openai"
)


def resolve_provider(requested: str | None, settings: Settings) -> Provider:
    """The provider to use: the one asked for (checked), else the LLM when configured, else offline."""
    if requested is None:
        return "openai" if settings.llm_configured else "offline"
    if requested not in PROVIDERS:
        raise ConfigError(f"unknown provider {requested!r}; choose one of {', '.join(PROVIDERS)}")
    if requested == "openai" and not settings.llm_configured:
        raise ConfigError(
            "--provider openai needs AUDITLENS_LLM_MODEL plus AUDITLENS_LLM_BASE_URL and/or OPENAI_API_KEY"
        )
    return requested


def build_llm_analyzer(
    *,
    settings: Settings,
    chat: ChatModel,
    index: VectorIndex | None,
    approved: ApprovedExamples | None,
) -> LLMAnalyzer:
    """The LLM analyzer wired to the configured model, the vector index and approved examples."""
    if not settings.llm_model:
        raise ConfigError(f"no LLM model configured: {LLM_SETUP_HINT}")
    return LLMAnalyzer(
        chat=chat,
        retriever=Retriever(index=index, approved=approved),
        model_name=settings.llm_model,
        max_tokens=settings.llm_max_tokens,
    )


def describe_analyzer(analyzer: Analyzer, settings: Settings) -> str:
    """One line naming the analyzer in use (and, when offline, how to switch on an LLM)."""
    if isinstance(analyzer, LLMAnalyzer):
        where = settings.llm_base_url or "the OpenAI API"
        prompt = analyzer.prompt
        return (
            f"analyzer: llm (model {settings.llm_model} at {where}, structured output "
            f"{settings.llm_structured_method}, prompt {prompt.id} v{prompt.version})"
        )
    return f"analyzer: {analyzer.kind} (deterministic, no network); {LLM_SETUP_HINT}"


class RunSummary(BaseModel):
    """Counts of one analysis run."""

    analyzer: str = Field(description="Kind of analyzer used: llm or offline.")
    total: int = Field(description="Findings analysed.")
    ok: int = Field(description="Analyses with status ok.")
    failed: int = Field(description="Analyses with status failed.")


def _failed(finding: Finding, kind: str, reason: str) -> FindingAnalysis:
    analyzer_kind: Literal["llm", "offline"] = "llm" if kind == "llm" else "offline"
    return FindingAnalysis(
        finding_id=finding.id,
        status="failed",
        error=reason,
        provenance=Provenance(analyzer=analyzer_kind, analyzer_version="unknown"),
    )


def analyze_findings(
    findings: Sequence[Finding],
    *,
    analyzer: Analyzer,
    on_progress: ProgressCallback | None = None,
    sink: ResultSink | None = None,
) -> list[FindingAnalysis]:
    """Analyse each finding in order; each result goes to `sink` as soon as it exists (per-item safety)."""
    results: list[FindingAnalysis] = []
    total = len(findings)
    for done, finding in enumerate(findings, start=1):
        try:
            analysis = analyzer.analyze(finding)
        except AuditlensError as exc:  # expected failures become a failed item, the run goes on
            analysis = _failed(finding, analyzer.kind, str(exc))
        if analysis.finding_id != finding.id:
            analysis = _failed(
                finding, analyzer.kind, f"analyzer answered for another finding ({analysis.finding_id})"
            )
        elif analysis.status == "ok" and (analysis.exception_type is None or analysis.action_plan is None):
            # An ok without a class or plan would be a silent default; it is reported as a failure instead.
            analysis = analysis.model_copy(
                update={"status": "failed", "error": "analyzer returned no exception type or plan"}
            )
        if sink is not None:
            sink(analysis)
        results.append(analysis)
        if on_progress is not None:
            on_progress(done, total, analysis)
    return results


def summarize(analyses: Sequence[FindingAnalysis], analyzer: Analyzer) -> RunSummary:
    """Counts of ok and failed analyses."""
    ok = sum(1 for a in analyses if a.status == "ok")
    return RunSummary(analyzer=analyzer.kind, total=len(analyses), ok=ok, failed=len(analyses) - ok)
