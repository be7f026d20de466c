"""`auditlens ingest` and `auditlens findings`: put reports into an audit and list what was found."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from analyzer.errors import NotFoundError
from analyzer.models import DocumentKind, Finding
from analyzer.settings import Settings
from analyzer.storage import catalog, db
from analyzer.storage.db import Database
from api.cli.common import console, err_console, expected_errors, load_settings
from ingestion.pipeline import DocumentResult, IngestReport, ingest_paths

_MAX_WARNING_DETAILS = 5


def open_database(settings: Settings, *, quiet: bool = False) -> Database:
    """The configured database, ready to use.

    The embedded SQLite file in the data dir is migrated automatically (it belongs to this install);
    an explicit AUDITLENS_DATABASE_URL is shared infrastructure, so it is never changed behind the
    user's back: it must already be at the newest migration (`auditlens db upgrade`).
    """
    database = Database(settings.resolved_database_url)
    if settings.database_url:
        database.ensure_migrated()
        return database
    current, head = db.current_revision(database.engine), db.head_revision()
    if current != head:
        database.upgrade()
        if not quiet:
            err_console.print(
                f"note: upgraded the embedded database {settings.data_dir / 'auditlens.db'} "
                f"from migration {current or 'none'} to {head}",
                highlight=False,
                soft_wrap=True,
            )
    return database


def reconciliation_text(rec: dict[str, Any] | None) -> str:
    """Short human form of a reconciliation: `6 markers / 6 extracted ok`."""
    if not rec:
        return "-"
    markers, extracted = rec.get("markers"), rec.get("extracted")
    verdict = "ok" if rec.get("matched") else "MISMATCH"
    return f"{markers} markers / {extracted} extracted {verdict}"


def ingest_table(rows: Sequence[DocumentResult]) -> Table:
    """The per-file table printed after an ingest."""
    table = Table(title="Ingested files", show_lines=False)
    for name, justify in (
        ("file", "left"),
        ("status", "left"),
        ("pages", "right"),
        ("elements", "right"),
        ("chunks", "right"),
        ("findings", "right"),
        ("reconciliation", "left"),
    ):
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for row in rows:
        status = {"ready": "[green]ready[/]", "duplicate": "[cyan]duplicate[/]"}.get(
            row.status, "[red]failed[/]"
        )
        table.add_row(
            row.file,
            status,
            str(row.pages),
            str(row.elements),
            str(row.chunks),
            str(row.findings),
            reconciliation_text(row.reconciliation),
        )
    return table


def _short(text: str | None, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def findings_table(findings: Sequence[Finding], *, title: str = "Findings") -> Table:
    """A table of findings: control, page, sample facts and the exception text."""
    table = Table(title=title, show_lines=True)
    table.add_column("#", justify="right")
    table.add_column("control")
    table.add_column("document / page", overflow="fold")
    table.add_column("sample")
    table.add_column("exception", overflow="fold")
    table.add_column("management response", overflow="fold")
    for n, finding in enumerate(findings, start=1):
        where = f"{finding.document or '-'} p.{finding.page}" if finding.page else (finding.document or "-")
        table.add_row(
            str(n),
            finding.control_ref or "-",
            where,
            finding.sample.text if finding.sample else "-",
            _short(finding.text, 220),
            _short(finding.management_response, 160) or "-",
        )
    return table


def print_row_problems(row: DocumentResult) -> None:
    """One error line for a failed file; one loud warning line when markers and findings disagree."""
    if row.status == "failed":
        err_console.print(f"[bold red]error:[/] {row.file}: {row.error}", highlight=False, soft_wrap=True)
    elif row.reconciliation_mismatch:
        rec = row.reconciliation or {}
        err_console.print(
            f"[bold yellow]WARNING:[/] {row.file}: {rec.get('markers')} exception markers counted but "
            f"{rec.get('extracted')} findings extracted; check the report by hand, a finding may be missing",
            highlight=False,
            soft_wrap=True,
        )
        details = [str(w) for w in rec.get("warnings") or []]
        for detail in details[:_MAX_WARNING_DETAILS]:
            err_console.print(
                f"  - {' '.join(detail.split())}", highlight=False, soft_wrap=True, markup=False
            )
        if len(details) > _MAX_WARNING_DETAILS:
            err_console.print(f"  - … and {len(details) - _MAX_WARNING_DETAILS} more", highlight=False)


def report_json(report: IngestReport, *, org: str, audit: str) -> dict[str, Any]:
    """The JSON form of an ingest: organization, audit and the per-file rows."""
    return {
        "org": org,
        "org_id": report.org_id,
        "audit": audit,
        "audit_id": report.audit_id,
        "files": [row.model_dump(mode="json") for row in report.files],
    }


def load_findings(database: Database, *, org: str, audit: str) -> list[Finding]:
    """Findings of an organization's audit, both looked up by name (never created here)."""
    with database.session() as session:
        organization = catalog.find_organization(session, name=org)
        if organization is None:
            raise NotFoundError(f"organization {org!r} not found")
        audit_row = catalog.find_audit(session, org_id=organization.id, name=audit)
        if audit_row is None:
            raise NotFoundError(f"audit {audit!r} not found in organization {org!r}")
        return catalog.list_findings(session, org_id=organization.id, audit_id=audit_row.id)


def register(app: typer.Typer) -> None:
    """Add the `ingest` and `findings` commands."""

    @app.command("ingest")
    @expected_errors
    def ingest(
        paths: list[Path] = typer.Argument(..., help="Files (or directories) to ingest."),
        org: str = typer.Option(..., "--org", help="Organization name (created on first use)."),
        audit: str = typer.Option(..., "--audit", help="Audit name, e.g. 'SOC 2 Type II 2025'."),
        kind: DocumentKind = typer.Option(DocumentKind.REPORT, "--kind", help="What the files are."),
        as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    ) -> None:
        """Parse files, extract findings from reports, and index every chunk for retrieval."""
        settings = load_settings()
        database = open_database(settings)
        report = ingest_paths(
            paths,
            org=org,
            audit=audit,
            kind=kind,
            settings=settings,
            database=database,
            on_progress=print_row_problems,
        )
        if as_json:
            typer.echo(json.dumps(report_json(report, org=org, audit=audit), indent=2))
        else:
            console.print(ingest_table(report.files))
            console.print(
                f"{report.succeeded} of {len(report.files)} file(s) in audit {audit!r} of {org!r}",
                highlight=False,
            )
        if report.succeeded == 0:
            raise typer.Exit(1)

    @app.command("findings")
    @expected_errors
    def findings(
        org: str = typer.Option(..., "--org", help="Organization name."),
        audit: str = typer.Option(..., "--audit", help="Audit name."),
        as_json: bool = typer.Option(False, "--json", help="Print the findings as a JSON list."),
    ) -> None:
        """List the findings of an audit."""
        settings = load_settings()
        database = open_database(settings)
        items = load_findings(database, org=org, audit=audit)
        if as_json:
            typer.echo(json.dumps([f.model_dump(mode="json") for f in items], indent=2))
            return
        console.print(findings_table(items, title=f"Findings of {audit} ({len(items)})"))
