"""OSCAL Plan of Action and Milestones (POA&M) JSON, built with compliance-trestle's models.

Mapping: each finding is an observation (what the auditor saw), a risk (type, causes, severity, status)
and a POA&M item tying them together. The plan becomes the risk's remediation (`response`), whose OSCAL
lifecycle follows the plan lifecycle: draft/in_review → recommendation, approved/in_progress → planned,
completed/verified → completed. Each plan step is a milestone task owned by a role; its dates are known
once the plan is approved. UUIDs are derived from our ids (uuid5), so re-exporting gives the same ones.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, time, timedelta

from trestle.oscal import OSCAL_VERSION
from trestle.oscal import common as oc
from trestle.oscal import poam as op

from api.exports.records import AuditExport, ExportRecord

NS = "https://auditlens.dev/ns/oscal"
_UUID_NS = uuid.UUID("6f1d8a52-3c1e-5b7a-9d0e-2a4b6c8d0e1f")
LIFECYCLE = {
    "draft": "recommendation",
    "in_review": "recommendation",
    "approved": "planned",
    "in_progress": "planned",
    "completed": "completed",
    "verified": "completed",
}
RISK_STATUS = {
    "draft": "open",
    "in_review": "open",
    "approved": "remediating",
    "in_progress": "remediating",
    "completed": "remediating",
    "verified": "closed",
}


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(_UUID_NS, "\x1f".join(parts)))


def _token(text: str) -> str:
    """An OSCAL token (NCName-like) from free text, e.g. an owner role name."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", text.strip()).strip("-.").lower() or "owner"
    return slug if slug[0].isalpha() or slug[0] == "_" else f"r-{slug}"


def _prop(name: str, value: str) -> oc.Property:
    return oc.Property(name=name, value=value, ns=NS)


def _text(value: str | None, fallback: str) -> str:
    cleaned = " ".join((value or "").split())
    return cleaned or fallback


def _tasks(record: ExportRecord) -> list[oc.Task]:
    p = record.plan
    if p is None or p.plan is None:
        return []
    tasks = []
    for n, (step, due) in enumerate(zip(p.plan.steps, record.due_dates(), strict=False), 1):
        timing = None
        if due is not None and p.approved_at is not None:
            end = datetime.combine(due, time(23, 59, 59), tzinfo=UTC)
            timing = oc.TimingWithinDateRange(
                within_date_range=oc.WithinDateRange(start=p.approved_at, end=end)
            )
        tasks.append(
            oc.Task(
                uuid=_uuid(record.finding.id, "task", str(n)),
                type="milestone",
                title=_text(step.title, f"Step {n}"),
                description=_text(step.description, step.title),
                props=[
                    _prop("step-category", str(step.category)),
                    _prop("due-in-days", str(step.due_in_days)),
                    _prop("evidence-of-completion", _text(step.evidence_of_completion, "n/a")),
                ],
                timing=timing,
                responsible_roles=[oc.ResponsibleRole(role_id=_token(step.owner_role))],
            )
        )
    return tasks


def _risk(record: ExportRecord, observation_uuid: str) -> oc.Risk | None:
    a, p = record.analysis, record.plan
    if a is None or a.status != "ok":
        return None
    status = p.status if p else "draft"
    causes = "; ".join(f"{c.category}: {_text(c.explanation, c.category)}" for c in a.root_causes)
    props = [
        _prop("exception-type", str(a.exception_type or "unclassified")),
        _prop("analyzer", a.provenance.analyzer),
    ]
    props += [_prop("root-cause", str(c.category)) for c in a.root_causes]
    props.append(_prop("plan-status", status))
    remediations = None
    deadline = None
    if p is not None and p.plan is not None:
        props.append(_prop("severity", str(p.plan.severity)))
        remediations = [
            oc.Response(
                uuid=_uuid(record.finding.id, "response"),
                lifecycle=LIFECYCLE[status],
                title=f"Corrective action plan for {record.finding.control_ref or record.finding.id}",
                description=_text(p.plan.summary, "Corrective action plan"),
                props=[_prop("plan-revision", str(p.revision))],
                tasks=_tasks(record) or None,
            )
        ]
        if p.approved_at is not None:
            deadline = p.approved_at + timedelta(days=max(s.due_in_days for s in p.plan.steps))
    return oc.Risk(
        uuid=_uuid(record.finding.id, "risk"),
        title=_text(record.finding.title, f"Exception in {record.finding.control_ref or 'control'}"),
        description=_text(a.rationale, f"Classified as {a.exception_type}"),
        statement=causes or "No root cause proposed.",
        props=props,
        status=oc.RiskStatus(root=RISK_STATUS[status]),
        deadline=deadline,
        remediations=remediations,
        related_observations=[oc.RelatedObservation(observation_uuid=observation_uuid)],
    )


def build_poam(export: AuditExport) -> op.PlanOfActionAndMilestones:
    """The POA&M model of one audit."""
    audit = export.audit
    collected = (
        datetime.combine(audit.period_end, time(0, 0), tzinfo=UTC)
        if audit.period_end
        else export.generated_at
    )
    roles: dict[str, str] = {}
    observations, risks, items = [], [], []
    for record in export.records:
        f = record.finding
        obs_uuid = _uuid(f.id, "observation")
        obs_props = [_prop("finding-id", f.id)]
        if f.control_ref:
            obs_props.append(_prop("control", f.control_ref))
        observations.append(
            oc.Observation(
                uuid=obs_uuid,
                title=_text(f.title, f"Exception noted for {f.control_ref or 'a control'}"),
                description=_text(f.text, "Exception noted by the auditor."),
                props=obs_props,
                methods=["EXAMINE"],
                types=["finding"],
                collected=collected,
            )
        )
        risk = _risk(record, obs_uuid)
        if risk is not None:
            risks.append(risk)
        if record.plan is not None and record.plan.plan is not None:
            for step in record.plan.plan.steps:
                roles.setdefault(_token(step.owner_role), _text(step.owner_role, "Owner"))
        items.append(
            op.PoamItem(
                uuid=_uuid(f.id, "poam-item"),
                title=_text(f.title, f"{f.control_ref or 'Finding'}: corrective action"),
                description=_text(f.text, "Exception noted by the auditor."),
                props=[_prop("finding-id", f.id)],
                related_observations=[oc.RelatedObservation(observation_uuid=obs_uuid)],
                related_risks=[oc.AssociatedRisk(risk_uuid=risk.uuid)] if risk is not None else None,
            )
        )
    metadata = oc.Metadata(
        title=f"Plan of action and milestones: {audit.name}",
        last_modified=export.generated_at,
        version="1",
        oscal_version=oc.OscalVersion(root=OSCAL_VERSION),
        roles=[oc.Role(id=rid, title=title) for rid, title in sorted(roles.items())] or None,
        props=[_prop("framework", audit.framework)],
    )
    return op.PlanOfActionAndMilestones(
        uuid=_uuid(audit.id, "poam"),
        metadata=metadata,
        system_id=oc.SystemId(id=audit.id, identifier_type=f"{NS}/audit-id"),
        observations=observations or None,
        risks=risks or None,
        poam_items=items,
    )


def to_oscal_poam(export: AuditExport) -> bytes:
    """POA&M JSON document (`{"plan-of-action-and-milestones": ...}`) in the OSCAL version trestle emits."""
    return build_poam(export).oscal_serialize_json_bytes(pretty=True, wrapped=True)
