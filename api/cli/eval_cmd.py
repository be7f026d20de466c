"""`auditlens eval`: score an analyzer on a suite; `auditlens eval export-reviewed`: history -> suite."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from analyzer.adapters.embeddings import MiniLMEmbedder
from analyzer.errors import ConfigError
from analyzer.ports import Analyzer, Embedder
from analyzer.service import build_llm_analyzer, resolve_provider
from analyzer.settings import Settings
from analyzer.storage.db import Database
from api.cli.common import console, err_console, expected_errors, fail, load_settings
from api.container import Container
from evals import gate
from evals.case_index import CaseContextIndex
from evals.cases import EvalCase, FixtureError, load_cases
from evals.convert_shared import load_shared_dev
from evals.embedding_cache import CachingEmbedder
from evals.export_reviewed import export_reviewed, resolve_org_id
from evals.registry import Suite, get_suite
from evals.report import evaluate, write_json, write_markdown
from evals.runner import CaseRun
from evals.scoring import HEADLINE_METRICS

SHARED_DEV_SUITE = "shared-dev-v1"


def _pick_cases(
    suite_id: str | None, fixtures: Path | None, shared_dev: bool, shared_path: Path | None, limit: int | None
) -> tuple[str, list[EvalCase], Suite | None]:
    """Exactly one source: a registered suite id, a fixture file, or the converted shared dev file."""
    chosen = [x for x in (suite_id, fixtures, shared_dev or None) if x]
    if len(chosen) != 1:
        raise FixtureError("name exactly one of: --suite ID, --fixtures FILE, --shared-dev")
    if fixtures is not None:
        return fixtures.stem, load_cases(fixtures, limit=limit), None
    if shared_dev:
        suite = get_suite(SHARED_DEV_SUITE)
        return suite.id, load_shared_dev(shared_path, limit=limit), suite
    assert suite_id is not None
    suite = get_suite(suite_id)
    return suite.id, suite.load(limit=limit, shared_path=shared_path), suite


def build_eval_analyzer(
    provider: str, settings: Settings, embedder: Embedder, cases: list[EvalCase]
) -> Analyzer:
    """The analyzer under test: offline (embeddings only) or the LLM analyzer on the configured endpoint.

    No approved examples: a suite scores the analyzer on the findings alone. The LLM analyzer retrieves
    from each case's own context and management response (so its citations can be checked); the offline
    analyzer reads those fields directly and retrieves only evidence/policy documents, which cases lack.
    """
    if provider == "openai":
        container = Container(settings=settings)
        index = CaseContextIndex.for_cases(embedder, cases)
        return build_llm_analyzer(settings=settings, chat=container.chat_model, index=index, approved=None)
    try:
        from analyzer.offline import OfflineAnalyzer
    except ImportError as exc:
        raise ConfigError(f"the offline analyzer is not available in this build ({exc})") from None
    return OfflineAnalyzer(embedder)


def _headline_table(report: dict[str, Any]) -> Table:
    summary = report["summary"]
    baselines: dict[str, dict[str, Any]] = summary["baselines"]
    table = Table(title=f"{report['suite']}: {summary['cases']} cases, {summary['failed']} failed")
    table.add_column("metric")
    table.add_column(f"{report['analyzer']}", justify="right")
    for name in baselines:
        table.add_column(name, justify="right")

    def fmt(v: Any) -> str:
        return "n/a" if v is None else f"{v:.3f}"

    for name in (*HEADLINE_METRICS, "plan_coverage", "schema_valid_rate"):
        table.add_row(name, fmt(summary.get(name)), *(fmt(b.get(name)) for b in baselines.values()))
    extra = (
        f"plan checks: verification {fmt(summary['plan_has_verification_rate'])}, step per cause "
        f"{fmt(summary['plan_step_per_cause_rate'])}, owner+due {fmt(summary['plan_owner_due_rate'])}; "
        f"citations valid {fmt(summary['citation_validity_rate'])} of {summary['citations_total']}; "
        f"LLM calls {summary['llm_calls']}, tokens in/out/cached {summary['tokens_in']}/"
        f"{summary['tokens_out']}/{summary['tokens_cached']}; {fmt(summary['seconds_per_case'])} s/case"
    )
    # Where a suite marks whether the text states the cause, show what a cause reader can reach apart.
    for tag in ("cause_in_text", "cause_hidden_only"):
        row = (summary.get("by_tag") or {}).get(tag)
        if row:
            extra += (
                f"; causes {tag} ({row['cases']}): P {fmt(row['root_cause_precision'])} "
                f"R {fmt(row['root_cause_recall'])} F1 {fmt(row['root_cause_f1'])}"
            )
    table.caption = extra
    return table


def register(app: typer.Typer) -> None:
    """Add the `eval` command group."""
    group = typer.Typer(
        help="Score an analyzer on labelled fixtures, against baselines and a committed regression floor.",
        invoke_without_command=True,
    )

    @group.callback()
    @expected_errors
    def run_eval(
        ctx: typer.Context,
        suite_id: str | None = typer.Option(
            None, "--suite", help="Registered suite id (evals/registry.yaml), e.g. soc2-core-v1."
        ),
        fixtures: Path | None = typer.Option(None, "--fixtures", help="Fixture file (JSONL, fixed format)."),
        shared_dev: bool = typer.Option(
            False, "--shared-dev", help="Convert and run ../shared/data/real-findings-dev.jsonl."
        ),
        shared_path: Path | None = typer.Option(None, "--shared-path", help="Another shared dev file."),
        provider: str = typer.Option("offline", "--provider", help="offline | openai"),
        limit: int | None = typer.Option(None, "--limit", min=1, help="Only the first N cases."),
        out: Path | None = typer.Option(None, "--out", help="Write report JSON here."),
        markdown: Path | None = typer.Option(None, "--markdown", help="Write report.md here."),
        baseline: Path | None = typer.Option(
            None, "--baseline", help="Fail when a gated metric is below this baseline minus its tolerance."
        ),
        fail_under: list[str] = typer.Option(
            [], "--fail-under", help="metric=value floor; repeatable (e.g. strict_type_accuracy=0.5)."
        ),
        write_baseline: Path | None = typer.Option(
            None, "--write-baseline", help="Write this run's gated metrics as a new baseline file."
        ),
        tolerance: float = typer.Option(
            gate.DEFAULT_TOLERANCE, "--tolerance", min=0.0, help="Tolerance stored with --write-baseline."
        ),
    ) -> None:
        """Run an analyzer over a suite and report scores next to majority and kNN baselines."""
        if ctx.invoked_subcommand is not None:
            return
        if suite_id is None and fixtures is None and not shared_dev:
            console.print(ctx.get_help())
            raise typer.Exit(2)
        settings = load_settings()
        floors = gate.parse_fail_under(fail_under)  # reject bad rules before spending time
        ref = gate.load_baseline(baseline) if baseline else None
        name, cases, _suite = _pick_cases(suite_id, fixtures, shared_dev, shared_path, limit)
        chosen = resolve_provider(provider, settings)
        embedder = CachingEmbedder(MiniLMEmbedder())
        analyzer = build_eval_analyzer(chosen, settings, embedder, cases)
        err_console.print(f"suite {name}: {len(cases)} cases, analyzer {analyzer.kind}", highlight=False)
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[failed]} failed"),
            TimeRemainingColumn(),
            console=err_console,
        ) as progress:
            task = progress.add_task("analysing", total=len(cases), failed=0)
            failures = 0

            def on_case(done: int, total: int, run: CaseRun) -> None:
                nonlocal failures
                failures += 0 if run.ok else 1
                progress.update(task, completed=done, failed=failures)

            report = evaluate(analyzer, cases, suite=name, embedder=embedder, progress=on_case)
        console.print(_headline_table(report))
        if out:
            write_json(report, out)
            console.print(f"report written to {out}")
        if markdown:
            write_markdown(report, markdown)
            console.print(f"markdown report written to {markdown}")
        if write_baseline:
            gate.write_baseline(gate.baseline_from_summary(report, tolerance=tolerance), write_baseline)
            console.print(f"baseline written to {write_baseline}")
        if ref is not None and (ref.suite != report["suite"] or ref.cases != report["summary"]["cases"]):
            err_console.print(
                f"warning: baseline was measured on {ref.suite} ({ref.cases} cases), this run is "
                f"{report['suite']} ({report['summary']['cases']} cases)",
                highlight=False,
            )
        checks = gate.check(report["summary"], baseline=ref, fail_under=floors)
        for c in checks:
            (console if c.passed else err_console).print(c.describe(), highlight=False)
        failed = [c for c in checks if not c.passed]
        if failed:
            raise fail(f"{len(failed)} metric(s) below their floor")

    @group.command("export-reviewed")
    @expected_errors
    def export_cmd(
        org: str = typer.Option(..., "--org", help="Organization (name or id) whose plans are exported."),
        since: str | None = typer.Option(None, "--since", help="Only plans approved on/after YYYY-MM-DD."),
        out: Path = typer.Option(..., "--out", help="Fixture file (JSONL) to write."),
    ) -> None:
        """Write every approved plan's finding, with the confirmed type, causes and plan, as fixture cases."""
        settings = load_settings()
        since_dt = _parse_since(since)
        database = Database(settings.resolved_database_url)
        database.ensure_migrated()
        org_id = resolve_org_id(database, org)
        count, skipped = export_reviewed(database, org_id=org_id, since=since_dt, out=out)
        note = f" ({skipped} approved plan(s) without a stored analysis skipped)" if skipped else ""
        console.print(f"{count} approved finding(s) of {org} written to {out}{note}")

    app.add_typer(group, name="eval")


def _parse_since(value: str | None) -> datetime | None:
    """`--since` as the start of that UTC day."""
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise FixtureError(f"--since {value!r}: expected a date as YYYY-MM-DD") from None
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
