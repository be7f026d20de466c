"""JSON (full records with provenance) and Markdown (a readable remediation report)."""

from __future__ import annotations

import json
from typing import Any

from api.exports.records import AuditExport, ExportRecord


def _record_json(record: ExportRecord) -> dict[str, Any]:
    p = record.plan
    return {
        "finding": record.finding.model_dump(mode="json"),
        "analysis": record.analysis.model_dump(mode="json") if record.analysis else None,
        "plan": None
        if p is None
        else {
            "status": p.status,
            "revision": p.revision,
            "content": p.plan.model_dump(mode="json") if p.plan else None,
            "last_editor_key_id": p.last_editor,
            "approved_by_key_id": p.approved_by,
            "approved_at": p.approved_at.isoformat() if p.approved_at else None,
            "due_dates": [d.isoformat() if d else None for d in record.due_dates()],
        },
    }


def to_json(export: AuditExport) -> bytes:
    """Every finding with its analysis (provenance, citations) and plan."""
    a = export.audit
    doc = {
        "audit": {
            "id": a.id,
            "name": a.name,
            "framework": a.framework,
            "period_start": a.period_start.isoformat() if a.period_start else None,
            "period_end": a.period_end.isoformat() if a.period_end else None,
            "auditee": a.auditee,
        },
        "generated_at": export.generated_at.isoformat(),
        "findings": [_record_json(r) for r in export.records],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False).encode("utf-8")


def _md(text: str | None) -> str:
    # Report text is data: keep it from opening headings, tables or HTML in the rendered report.
    if not text:
        return ""
    return " ".join(text.split()).replace("<", "&lt;").replace("|", "\\|")


def to_markdown(export: AuditExport) -> bytes:
    """A remediation report: one section per finding with type, causes, plan steps and sign-off."""
    a = export.audit
    period = (
        f"{a.period_start or '?'} to {a.period_end or '?'}" if (a.period_start or a.period_end) else "n/a"
    )
    lines = [
        f"# Remediation report: {_md(a.name)}",
        "",
        f"- Framework: {_md(a.framework)}",
        f"- Period: {period}",
        f"- Auditee: {_md(a.auditee) or 'n/a'}",
        f"- Findings: {len(export.records)}",
        f"- Generated: {export.generated_at.isoformat(timespec='seconds')}",
        "",
    ]
    for n, record in enumerate(export.records, 1):
        f, an, p = record.finding, record.analysis, record.plan
        heading = " — ".join(x for x in [_md(f.control_ref), _md(f.title)] if x) or f.id
        lines += [f"## {n}. {heading}", "", f"> {_md(f.text)}", ""]
        if an is not None and an.status == "ok":
            lines.append(
                f"**Exception type:** {an.exception_type or 'n/a'} (confidence {an.confidence:.2f}, "
                f"{an.provenance.analyzer} analyzer)"
            )
            lines.append("")
            if an.root_causes:
                lines.append("**Root causes:**")
                lines += [f"- {c.category}: {_md(c.explanation)}" for c in an.root_causes]
                lines.append("")
        elif an is not None:
            lines += [f"*Analysis failed: {_md(an.error)}*", ""]
        else:
            lines += ["*Not analysed yet.*", ""]
        if p is not None and p.plan is not None:
            lines += [
                f"**Plan** ({p.status}, severity {p.plan.severity}): {_md(p.plan.summary)}",
                "",
                "| # | Step | Owner | Due | Evidence of completion |",
                "|---|------|-------|-----|------------------------|",
            ]
            for i, (step, due) in enumerate(zip(p.plan.steps, record.due_dates(), strict=False), 1):
                when = due.isoformat() if due else f"{step.due_in_days} days after approval"
                lines.append(
                    f"| {i} | {_md(step.title)}: {_md(step.description)} | {_md(step.owner_role)} | {when} | "
                    f"{_md(step.evidence_of_completion)} |"
                )
            lines.append("")
            if p.approved_at:
                lines += [f"Approved by `{p.approved_by}` on {p.approved_at.date().isoformat()}.", ""]
    return "\n".join(lines).encode("utf-8")
