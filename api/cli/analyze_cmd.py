"""`auditlens analyze`: classify every finding of an audit, propose causes, draft plans; store, show."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from analyzer.errors import ConfigError, NotFoundError
from analyzer.models import Finding, FindingAnalysis
from analyzer.ports import Analyzer
from analyzer.service import (
    analyze_findings,
    build_llm_analyzer,
    describe_analyzer,
    resolve_provider,
    summarize,
)
from analyzer.settings import Settings
from analyzer.storage import catalog, db, plans
from analyzer.storage.db import Database
from api.cli.common import console, err_console, expected_errors, load_settings
from api.container import Container

PROGRESS_THRESHOLD = 5  # more findings than this get a progress bar


class OutputFormat(StrEnum):
    """How results are printed."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    MD = "md"


COLUMNS = ("finding", "control", "type", "confidence", "causes", "plan summary")


def _short(text: str | None, limit: int) -> str:
    one_line = " ".join((text or "").split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def result_row(finding: Finding, analysis: FindingAnalysis, *, limit: int = 160) -> dict[str, str]:
    """One output row: the finding, its control, type, confidence, causes and plan summary (or the error)."""
    label = finding.title or finding.text
    if analysis.status != "ok":
        return {
            "finding": _short(label, 90),
            "control": finding.control_ref or "-",
            "type": "FAILED",
            "confidence": "-",
            "causes": "-",
            "plan summary": _short(analysis.error, limit),
        }
    plan = analysis.action_plan
    return {
        "finding": _short(label, 90),
        "control": finding.control_ref or "-",
        "type": analysis.exception_type.value if analysis.exception_type else "-",
        "confidence": f"{analysis.confidence:.2f}",
        "causes": ", ".join(rc.category.value for rc in analysis.root_causes) or "(none stated)",
        "plan summary": _short(plan.summary if plan else "", limit),
    }


def render(
    findings: Sequence[Finding], analyses: Sequence[FindingAnalysis], fmt: OutputFormat, *, title: str
) -> str:
    """The results in the chosen format, as text."""
    pairs = list(zip(findings, analyses, strict=True))
    if fmt is OutputFormat.JSON:
        items: list[dict[str, Any]] = [
            {"finding": f.model_dump(mode="json"), "analysis": a.model_dump(mode="json")} for f, a in pairs
        ]
        return json.dumps(items, indent=2) + "\n"
    rows = [result_row(f, a) for f, a in pairs]
    if fmt is OutputFormat.CSV:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return buffer.getvalue()
    if fmt is OutputFormat.MD:
        lines = [f"# {title}", "", "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
        lines += ["| " + " | ".join(r[c].replace("|", "\\|") for c in COLUMNS) + " |" for r in rows]
        return "\n".join(lines) + "\n"
    table = Table(title=title, show_lines=True)
    for col in COLUMNS:
        table.add_column(col, overflow="fold", justify="right" if col == "confidence" else "left")
    for r in rows:
        style = "red" if r["type"] == "FAILED" else None
        table.add_row(*(r[c] for c in COLUMNS), style=style)
    out = Console(file=io.StringIO(), width=max(120, console.width), force_terminal=False, color_system=None)
    out.print(table)
    return out.file.getvalue()  # type: ignore[attr-defined]


def write_atomic(path: Path, text: str) -> None:
    """Write a file via a temp file in the same folder and a rename, so readers never see half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build_analyzer(container: Container, provider: str) -> Analyzer:
    """The analyzer for a resolved provider, wired to the container's parts."""
    approved = container.approved_examples
    if provider == "openai":
        return build_llm_analyzer(
            settings=container.settings,
            chat=container.chat_model,
            index=container.vector_index,
            approved=approved,
        )
    try:
        from analyzer.offline import OfflineAnalyzer
    except ImportError as exc:  # never fall back to a made-up class: say what is missing
        raise ConfigError(f"the offline analyzer is not available in this build ({exc})") from None
    return OfflineAnalyzer(container.embedder, index=container.vector_index, approved=approved)


def open_database(settings: Settings) -> Database:
    """The configured database: the embedded SQLite file is migrated here, a shared URL must be at head."""
    database = Database(settings.resolved_database_url)
    if settings.database_url:
        database.ensure_migrated()  # shared infrastructure is never migrated behind the user's back
    elif db.current_revision(database.engine) != db.head_revision():
        database.upgrade()
    return database


def _resolve_scope(database: Database, org: str, audit: str) -> tuple[str, list[Finding]]:
    with database.session() as session:
        organization = catalog.find_organization(session, name=org)
        if organization is None:
            raise NotFoundError(f"organization {org!r} not found")
        audit_row = catalog.find_audit(session, org_id=organization.id, name=audit)
        if audit_row is None:
            raise NotFoundError(f"audit {audit!r} not found in organization {org!r}")
        return organization.id, catalog.list_findings(session, org_id=organization.id, audit_id=audit_row.id)


def run_analysis(
    container: Container,
    *,
    org: str,
    audit: str,
    provider: str | None,
    show_progress: bool = True,
) -> tuple[list[Finding], list[FindingAnalysis], Analyzer]:
    """Resolve the audit, analyse every finding and store each analysis (and its draft plan) as it is made."""
    chosen = resolve_provider(provider, container.settings)
    database = container.database
    org_id, findings = _resolve_scope(database, org, audit)
    analyzer = build_analyzer(container, chosen)
    err_console.print(describe_analyzer(analyzer, container.settings), highlight=False)

    def store(analysis: FindingAnalysis) -> None:
        # One transaction per finding: an interrupted run keeps what was finished, nothing half-written.
        with database.session() as session:
            plans.record_analysis(session, org_id=org_id, analysis=analysis)

    if not (show_progress and len(findings) > PROGRESS_THRESHOLD):
        return findings, analyze_findings(findings, analyzer=analyzer, sink=store), analyzer
    with Progress(
        TextColumn("analysing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[failed]} failed"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        task = progress.add_task("analyse", total=len(findings), failed=0)
        failed = 0

        def tick(done: int, total: int, analysis: FindingAnalysis) -> None:
            nonlocal failed
            failed += analysis.status != "ok"
            progress.update(task, completed=done, failed=failed)

        results = analyze_findings(findings, analyzer=analyzer, sink=store, on_progress=tick)
    return findings, results, analyzer


def register(app: typer.Typer) -> None:
    """Add the `analyze` command."""

    @app.command("analyze")
    @expected_errors
    def analyze(
        org: str = typer.Option(..., "--org", help="Organization name."),
        audit: str = typer.Option(..., "--audit", help="Audit name."),
        provider: str | None = typer.Option(
            None,
            "--provider",
            help="offline or openai (any OpenAI-compatible endpoint); default: openai when configured.",
        ),
        as_json: bool = typer.Option(False, "--json", help="Same as --format json."),
        fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", help="table, json, csv or md."),
        out: Path | None = typer.Option(None, "--out", help="Write the results to this file instead."),
    ) -> None:
        """Classify each finding, propose root causes and draft a corrective plan (exit 3 if any fail)."""
        settings = load_settings()
        resolve_provider(provider, settings)  # a bad provider fails before anything is opened
        container = Container(settings)
        container.database = open_database(settings)  # migrates the embedded SQLite file when needed
        findings, analyses, analyzer = run_analysis(container, org=org, audit=audit, provider=provider)
        chosen = OutputFormat.JSON if as_json else fmt
        text = render(findings, analyses, chosen, title=f"Analysis of {audit} ({len(findings)} findings)")
        if out is not None:
            write_atomic(out, text)
            err_console.print(f"wrote {out}", highlight=False)
        elif chosen is OutputFormat.TABLE:
            console.print(text, end="", highlight=False, markup=False)
        else:
            typer.echo(text, nl=False)
        summary = summarize(analyses, analyzer)
        err_console.print(
            f"{summary.total} finding(s) analysed by the {summary.analyzer} analyzer: "
            f"{summary.ok} ok, {summary.failed} failed",
            highlight=False,
        )
        for f, a in zip(findings, analyses, strict=True):
            if a.status != "ok":
                err_console.print(
                    f"[bold red]failed:[/] {f.id} ({f.control_ref or '-'}): {a.error}", highlight=False
                )
        if summary.failed:
            raise typer.Exit(3)
