"""What a run tells you: totals, trends over periods, repeat findings, top controls, latest changes.

Everything is computed from the run's items (one final row per finding), so the numbers are exactly the
stored results. Files are written to a temp name and renamed, so an interrupted run never leaves a
half-written output.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from api.batch import store as st
from api.batch.sources import AuditSpec

CSV_COLUMNS = (
    "finding_id",
    "audit",
    "period_start",
    "period_end",
    "document",
    "control_ref",
    "title",
    "status",
    "exception_type",
    "root_causes",
    "severity",
    "confidence",
    "analyzer",
    "llm_calls",
    "tokens_in",
    "tokens_out",
    "cost_usd",
    "error",
)


@dataclass(frozen=True)
class FindingRecord:
    """One finding's final result, flattened for reporting."""

    finding_id: str
    audit: str
    status: str
    data: dict[str, Any]

    @property
    def ok(self) -> bool:
        """True when the analysis succeeded."""
        return self.status == st.DONE

    @property
    def control(self) -> str | None:
        """Normalised control reference."""
        ref = self.data.get("control_ref")
        return str(ref).strip().upper() if ref else None

    @property
    def exception_type(self) -> str | None:
        """Primary exception type."""
        return self.data.get("exception_type")

    @property
    def primary_cause(self) -> str | None:
        """First root cause, if any."""
        causes = self.data.get("root_causes") or []
        return causes[0] if causes else None


def _period_key(a: AuditSpec) -> tuple[date, date, str]:
    # Audits without a stated period sort last, by name, so "the latest period" is never a guess.
    return (a.period_end or a.period_start or date.max, a.period_start or date.max, a.name)


def period_label(a: AuditSpec) -> str:
    """Human label of an audit's period."""
    if a.period_start and a.period_end:
        if a.period_start.year == a.period_end.year and (a.period_start.month, a.period_end.month) == (1, 12):
            return str(a.period_start.year)
        return f"{a.period_start.isoformat()}..{a.period_end.isoformat()}"
    return a.name


def collect(store: st.RunStore, run_id: str) -> tuple[dict[str, Any], list[FindingRecord], list[Any]]:
    """Run params, finding records and document items of a run."""
    run = store.get_run(run_id)
    findings = [
        FindingRecord(
            finding_id=(i.result or {}).get("finding_id", i.item_key[len(st.FINDING_PREFIX) :]),
            audit=(i.result or {}).get("audit") or "",
            status=i.status,
            data={**(i.result or {}), "item_error": i.error},
        )
        for i in store.items(run_id, st.FINDING_PREFIX)
    ]
    docs = store.items(run_id, st.DOC_PREFIX)
    return run.params or {}, findings, docs


def build_summary(
    *, run_id: str, params: dict[str, Any], findings: list[FindingRecord], documents: list[Any], status: str
) -> dict[str, Any]:
    """The summary.json content."""
    audits = sorted((AuditSpec.from_json(a) for a in params.get("audits", {}).values()), key=_period_key)
    by_audit: dict[str, list[FindingRecord]] = defaultdict(list)
    for f in findings:
        by_audit[f.audit].append(f)
    ok = [f for f in findings if f.ok]
    per_audit = []
    for a in audits:
        rows = by_audit.get(a.name, [])
        per_audit.append(
            {
                "audit": a.name,
                "period": period_label(a),
                "period_start": a.period_start.isoformat() if a.period_start else None,
                "period_end": a.period_end.isoformat() if a.period_end else None,
                "auditee": a.auditee,
                "documents": sum(1 for d in documents if (d.result or {}).get("audit") == a.name),
                "findings": len(rows),
                "succeeded": sum(1 for r in rows if r.ok),
                "failed": sum(1 for r in rows if not r.ok and r.status == st.FAILED),
                "exception_types": dict(Counter(r.exception_type for r in rows if r.ok and r.exception_type)),
                "root_causes": dict(
                    Counter(c for r in rows if r.ok for c in r.data.get("root_causes") or [])
                ),
            }
        )
    order = {a.name: i for i, a in enumerate(audits)}
    doc_failed = [d for d in documents if d.status == st.FAILED]
    usage = {k: 0.0 for k in ("llm_calls", "tokens_in", "tokens_out", "tokens_cached", "cost_usd")}
    for f in findings:
        for k in usage:
            usage[k] += float(f.data.get(k) or 0)
    succeeded = sum(1 for f in findings if f.status == st.DONE)
    failed = sum(1 for f in findings if f.status == st.FAILED)
    return {
        "run_id": run_id,
        "status": status,
        "provider": params.get("provider"),
        "source": params.get("source"),
        "audits": len(audits),
        "documents": len(documents),
        "documents_failed": len(doc_failed),
        "findings": len(findings),
        "succeeded": succeeded,
        "failed": failed,
        "pending": len(findings) - succeeded - failed,
        "llm_calls": int(usage["llm_calls"]),
        "tokens": {
            "input": int(usage["tokens_in"]),
            "output": int(usage["tokens_out"]),
            "cached": int(usage["tokens_cached"]),
        },
        "cost_usd": round(usage["cost_usd"], 6),
        "per_audit": per_audit,
        "repeat_findings": repeat_findings(ok, order),
        "top_controls": top_controls(ok),
        "latest_changes": latest_changes(audits, by_audit),
        "errors": [{"item": (d.result or {}).get("path"), "error": d.error} for d in doc_failed]
        + [
            {"item": f.finding_id, "error": f.data.get("item_error")}
            for f in findings
            if f.status == st.FAILED
        ],
    }


def _most_common(values: Iterable[str | None]) -> str | None:
    counted = Counter(v for v in values if v)
    # Ties resolve alphabetically so the summary is deterministic.
    return min(counted.items(), key=lambda kv: (-kv[1], kv[0]))[0] if counted else None


def repeat_findings(ok: list[FindingRecord], order: dict[str, int]) -> list[dict[str, Any]]:
    """Controls, and type + cause pairs, with findings in two or more audits (periods)."""
    out: list[dict[str, Any]] = []
    by_control: dict[str, list[FindingRecord]] = defaultdict(list)
    by_type_cause: dict[tuple[str, str], list[FindingRecord]] = defaultdict(list)
    for f in ok:
        if f.control:
            by_control[f.control].append(f)
        if f.exception_type and f.primary_cause:
            by_type_cause[(f.exception_type, f.primary_cause)].append(f)

    def audits_of(rows: list[FindingRecord]) -> list[str]:
        return sorted({r.audit for r in rows}, key=lambda n: (order.get(n, 1 << 30), n))

    for control, rows in sorted(by_control.items()):
        audits = audits_of(rows)
        if len(audits) >= 2:
            out.append(
                {
                    "basis": "control",
                    "control_ref": control,
                    "exception_type": _most_common(r.exception_type for r in rows),
                    "root_cause": _most_common(r.primary_cause for r in rows),
                    "audits": audits,
                    "occurrences": len(rows),
                    "finding_ids": sorted(r.finding_id for r in rows),
                }
            )
    for (etype, cause), rows in sorted(by_type_cause.items()):
        audits = audits_of(rows)
        if len(audits) >= 2:
            out.append(
                {
                    "basis": "type_cause",
                    "control_ref": _most_common(r.control for r in rows),
                    "exception_type": etype,
                    "root_cause": cause,
                    "audits": audits,
                    "occurrences": len(rows),
                    "finding_ids": sorted(r.finding_id for r in rows),
                }
            )
    out.sort(key=lambda r: (-len(r["audits"]), -r["occurrences"], r["basis"], r["control_ref"] or ""))
    return out


def top_controls(ok: list[FindingRecord], limit: int = 10) -> list[dict[str, Any]]:
    """Controls with the most exceptions."""
    counted = Counter(f.control for f in ok if f.control)
    ranked = sorted(counted.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    audits: dict[str, set[str]] = defaultdict(set)
    for f in ok:
        if f.control:
            audits[f.control].add(f.audit)
    return [{"control_ref": c, "findings": n, "audits": len(audits[c])} for c, n in ranked]


def latest_changes(
    audits: list[AuditSpec], by_audit: dict[str, list[FindingRecord]]
) -> dict[str, Any] | None:
    """New, recurring and resolved controls and type counts between the two most recent periods."""
    dated = [a for a in audits if a.period_end or a.period_start]
    if len(dated) < 2:
        return None
    prev, last = dated[-2], dated[-1]
    prev_rows = [r for r in by_audit.get(prev.name, []) if r.ok]
    last_rows = [r for r in by_audit.get(last.name, []) if r.ok]
    prev_c = {r.control for r in prev_rows if r.control}
    last_c = {r.control for r in last_rows if r.control}
    prev_t = Counter(r.exception_type for r in prev_rows if r.exception_type)
    last_t = Counter(r.exception_type for r in last_rows if r.exception_type)
    return {
        "previous": {"audit": prev.name, "period": period_label(prev), "findings": len(prev_rows)},
        "latest": {"audit": last.name, "period": period_label(last), "findings": len(last_rows)},
        "new_controls": sorted(last_c - prev_c),
        "recurring_controls": sorted(last_c & prev_c),
        "resolved_controls": sorted(prev_c - last_c),
        "exception_type_delta": {
            t: last_t.get(t, 0) - prev_t.get(t, 0) for t in sorted(set(prev_t) | set(last_t))
        },
    }


# --- writing -----------------------------------------------------------------------------------
def write_atomic(path: Path, data: bytes) -> None:
    """Write bytes to a temp file next to `path`, fsync, then rename over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: Path, payload: Any) -> None:
    """Atomically write pretty JSON."""
    write_atomic(path, (json.dumps(payload, indent=2, sort_keys=False, default=str) + "\n").encode("utf-8"))


def findings_csv(findings: list[FindingRecord], params: dict[str, Any]) -> bytes:
    """findings.csv content: one row per finding of the run."""
    audits = {n: AuditSpec.from_json(a) for n, a in params.get("audits", {}).items()}
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for f in findings:
        a = audits.get(f.audit)
        writer.writerow(
            {
                **{k: f.data.get(k) for k in CSV_COLUMNS},
                "finding_id": f.finding_id,
                "audit": f.audit,
                "period_start": a.period_start if a else None,
                "period_end": a.period_end if a else None,
                "status": f.status,
                "root_causes": ";".join(f.data.get("root_causes") or []),
                "error": f.data.get("item_error") or f.data.get("error"),
            }
        )
    return buf.getvalue().encode("utf-8")


def summary_markdown(summary: dict[str, Any], charts: list[str]) -> str:
    """summary.md: the same numbers, readable."""
    lines = [
        f"# Batch run {summary['run_id']}",
        "",
        f"Status **{summary['status']}**, provider `{summary['provider']}`, source `{summary['source']}`.",
        "",
        f"- Audits: {summary['audits']}; documents: {summary['documents']} "
        f"({summary['documents_failed']} failed)",
        f"- Findings: {summary['findings']} = {summary['succeeded']} analysed + {summary['failed']} failed"
        + (f" + {summary['pending']} pending" if summary["pending"] else ""),
        f"- LLM calls: {summary['llm_calls']}; tokens in/out/cached: {summary['tokens']['input']}/"
        f"{summary['tokens']['output']}/{summary['tokens']['cached']}; cost ≈ ${summary['cost_usd']:.4f}",
        "",
        "## Findings per audit",
        "",
        "| Audit | Period | Documents | Findings | Analysed | Failed | Types |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for a in summary["per_audit"]:
        types = ", ".join(f"{k} {v}" for k, v in sorted(a["exception_types"].items()))
        lines.append(
            f"| {a['audit']} | {a['period']} | {a['documents']} | {a['findings']} | {a['succeeded']} "
            f"| {a['failed']} | {types} |"
        )
    lines += ["", "## Repeat findings", ""]
    if summary["repeat_findings"]:
        lines += ["| Basis | Control | Type | Cause | Audits |", "|---|---|---|---|---|"]
        for r in summary["repeat_findings"]:
            lines.append(
                f"| {r['basis']} | {r['control_ref'] or '-'} | {r['exception_type'] or '-'} "
                f"| {r['root_cause'] or '-'} | {', '.join(r['audits'])} |"
            )
    else:
        lines.append("No control or type + cause recurs across audits.")
    lines += ["", "## Top controls by exceptions", ""]
    for c in summary["top_controls"]:
        lines.append(f"- {c['control_ref']}: {c['findings']} finding(s) in {c['audits']} audit(s)")
    changes = summary.get("latest_changes")
    lines += ["", "## What changed between the two most recent periods", ""]
    if changes:
        lines += [
            f"{changes['previous']['period']} ({changes['previous']['findings']} findings) → "
            f"{changes['latest']['period']} ({changes['latest']['findings']} findings).",
            "",
            f"- New controls with exceptions: {', '.join(changes['new_controls']) or 'none'}",
            f"- Recurring: {', '.join(changes['recurring_controls']) or 'none'}",
            f"- Resolved: {', '.join(changes['resolved_controls']) or 'none'}",
            "- Exception types: "
            + (", ".join(f"{t} {d:+d}" for t, d in changes["exception_type_delta"].items()) or "no change"),
        ]
    else:
        lines.append("Fewer than two dated periods in this run.")
    if summary["errors"]:
        lines += ["", "## Failed items", ""]
        lines += [f"- {e['item']}: {e['error']}" for e in summary["errors"]]
    if charts:
        lines += ["", "## Charts", ""]
        lines += [f"![{Path(c).stem}]({c})" for c in charts]
    return "\n".join(lines) + "\n"


def write_outputs(store: st.RunStore, run_id: str, out_dir: Path, *, status: str) -> dict[str, Any]:
    """Write summary.json, summary.md, findings.csv and the charts; returns the summary."""
    from api.batch import charts

    params, findings, docs = collect(store, run_id)
    summary = build_summary(run_id=run_id, params=params, findings=findings, documents=docs, status=status)
    out_dir.mkdir(parents=True, exist_ok=True)
    chart_files = charts.write_charts(summary, out_dir)
    summary["charts"] = chart_files
    write_atomic(out_dir / "findings.csv", findings_csv(findings, params))
    write_atomic(out_dir / "summary.md", summary_markdown(summary, chart_files).encode("utf-8"))
    write_json(out_dir / "summary.json", summary)
    return summary
