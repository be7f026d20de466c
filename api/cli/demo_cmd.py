"""`auditlens demo`: ingest the bundled sample SOC 2 report into a throwaway data dir, analyse offline."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.table import Table

from analyzer.errors import ConfigError
from analyzer.models import DocumentKind, Finding, FindingAnalysis
from analyzer.settings import Settings
from analyzer.storage import catalog, plans
from api.cli.analyze_cmd import build_analyzer
from api.cli.common import console, expected_errors, load_settings
from api.cli.ingest_cmd import findings_table, ingest_table, open_database, print_row_problems
from api.container import Container
from ingestion.pipeline import ingest_paths

DEMO_ORG = "demo"
DEMO_AUDIT = "ACME SOC 2 Type II 2025"
DEMO_REPORT = "acme-soc2-type2-2025.pdf"


def find_demo_report() -> Path:
    """The bundled sample report: next to the installed sources, else under the working directory."""
    candidates = [
        Path(__file__).resolve().parents[2] / "examples" / DEMO_REPORT,
        Path.cwd() / "examples" / DEMO_REPORT,
    ]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise ConfigError(f"sample report {DEMO_REPORT} not found under examples/ (run from the repository)")


@contextmanager
def _data_dir(keep: Path | None) -> Iterator[Path]:
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    with tempfile.TemporaryDirectory(prefix="auditlens-demo-") as tmp:
        yield Path(tmp)


def analysis_table(findings: list[Finding], analyses: list[FindingAnalysis]) -> Table:
    """Per finding: exception type, root causes, severity and the plan summary."""
    table = Table(title="Offline analysis", show_lines=True)
    table.add_column("#", justify="right")
    table.add_column("control")
    table.add_column("exception type")
    table.add_column("root causes", overflow="fold")
    table.add_column("severity")
    table.add_column("plan summary", overflow="fold")
    for n, (finding, analysis) in enumerate(zip(findings, analyses, strict=True), start=1):
        if analysis.status != "ok":
            table.add_row(
                str(n), finding.control_ref or "-", "[red]failed[/]", analysis.error or "", "-", "-"
            )
            continue
        causes = ", ".join(c.category.value for c in analysis.root_causes) or "none stated"
        kind = analysis.exception_type.value if analysis.exception_type else "-"
        plan = analysis.action_plan
        table.add_row(
            str(n),
            finding.control_ref or "-",
            f"{kind} ({analysis.confidence:.2f})",
            causes,
            plan.severity.value if plan else "-",
            plan.summary if plan else "-",
        )
    return table


def run_demo(settings: Settings, report: Path) -> int:
    """Ingest the sample report, print findings and their offline analysis; returns the finding count."""
    container = Container(settings)
    container.database = open_database(settings, quiet=True)  # a fresh demo store; no news to the user
    database = container.database
    console.print(f"Ingesting [bold]{report.name}[/] as organization {DEMO_ORG!r}, audit {DEMO_AUDIT!r} …")
    result = ingest_paths(
        [report],
        org=DEMO_ORG,
        audit=DEMO_AUDIT,
        kind=DocumentKind.REPORT,
        settings=settings,
        database=database,
        index=container.vector_index,
        on_progress=print_row_problems,
    )
    console.print(ingest_table(result.files))
    if result.succeeded == 0:
        raise ConfigError(f"the sample report could not be ingested: {result.files[0].error}")
    with database.session() as session:
        findings = catalog.list_findings(session, org_id=result.org_id, audit_id=result.audit_id)
    console.print(findings_table(findings, title=f"Findings in {report.name} ({len(findings)})"))

    # The same wiring and storage as `auditlens analyze --provider offline`.
    analyzer = build_analyzer(container, "offline")
    analyses = []
    for finding in findings:
        analysis = analyzer.analyze(finding)
        with database.session() as session:
            plans.record_analysis(session, org_id=result.org_id, analysis=analysis)
        analyses.append(analysis)
    console.print(analysis_table(findings, analyses))
    console.print(
        "These analyses come from the [bold]offline analyzer[/] (rules + nearest exemplars + playbook, "
        "no LLM). To analyse with an LLM, set AUDITLENS_LLM_BASE_URL, AUDITLENS_LLM_MODEL and "
        "OPENAI_API_KEY (any OpenAI-compatible endpoint), then run "
        f"`auditlens analyze --org {DEMO_ORG} --audit '{DEMO_AUDIT}'` on your own data dir.",
        highlight=False,
    )
    return len(findings)


def register(app: typer.Typer) -> None:
    """Add the `demo` command."""

    @app.command("demo")
    @expected_errors
    def demo(
        data_dir: Path | None = typer.Option(
            None, "--data-dir", help="Keep the demo's database and Chroma here (default: a temp dir)."
        ),
    ) -> None:
        """Run the whole path on the bundled sample SOC 2 Type II report, offline."""
        report = find_demo_report()
        base = load_settings()
        with _data_dir(data_dir) as directory:
            # The demo never touches the user's configured database or Chroma server.
            settings = base.model_copy(
                update={"data_dir": directory, "database_url": None, "chroma_url": None}
            )
            run_demo(settings, report)
