"""Corrective action plans and their append-only revisions (org-scoped).

Every change to a plan — analyzer draft, reviewer edit, status change, accepting a new draft — appends a
`plan_revisions` row; this module has no code path that updates or deletes one (the database refuses
too: migration 0003 installs triggers). The `plans` row is only a pointer: current status, which
revision holds the current text, and who edited or approved last. The newest revision number is the
plan's version (its ETag); writers must name it, so concurrent edits cannot silently overwrite.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from analyzer.errors import ConflictError, InvalidInputError, NotFoundError, StaleRevisionError
from analyzer.models import ActionPlan, FindingAnalysis, utcnow
from analyzer.storage.analyses import add_analysis
from analyzer.storage.events import record_event
from analyzer.storage.tables import AnalysisRow, Plan, PlanRevision

DRAFT, IN_REVIEW, APPROVED, IN_PROGRESS, COMPLETED, VERIFIED = (
    "draft",
    "in_review",
    "approved",
    "in_progress",
    "completed",
    "verified",
)
STATUSES = (DRAFT, IN_REVIEW, APPROVED, IN_PROGRESS, COMPLETED, VERIFIED)
# Forward moves made with the status endpoint; approval has its own function (approver rules).
FORWARD = {APPROVED: IN_PROGRESS, IN_PROGRESS: COMPLETED, COMPLETED: VERIFIED}
EDITABLE = (DRAFT, IN_REVIEW)
REOPENABLE = (APPROVED, IN_PROGRESS, COMPLETED, VERIFIED)
SOURCE_ANALYZER, SOURCE_REVIEWER = "analyzer", "reviewer"


@dataclass(frozen=True)
class Actor:
    """Who makes a change: key id and role (None for the analyzer itself)."""

    key_id: str | None
    role: str | None


@dataclass(frozen=True)
class RecordedAnalysis:
    """What record_analysis stored: the analysis row id and the plan revision it added, if any."""

    analysis_id: int
    plan_revision: int | None
    plan_is_current: bool


# --- reads --------------------------------------------------------------------------------------


def get_plan(session: Session, *, org_id: str, finding_id: str) -> Plan:
    """The plan of a finding in the organization; NotFoundError otherwise (foreign ids look missing)."""
    plan = session.scalar(select(Plan).where(Plan.org_id == org_id, Plan.finding_id == finding_id))
    if plan is None:
        raise NotFoundError(f"finding {finding_id} has no plan")
    return plan


def find_plan(session: Session, *, org_id: str, finding_id: str) -> Plan | None:
    """The plan of a finding in the organization, or None."""
    return session.scalar(select(Plan).where(Plan.org_id == org_id, Plan.finding_id == finding_id))


def list_revisions(session: Session, *, org_id: str, finding_id: str) -> list[PlanRevision]:
    """Every revision of a plan, oldest first."""
    return list(
        session.scalars(
            select(PlanRevision)
            .where(PlanRevision.org_id == org_id, PlanRevision.finding_id == finding_id)
            .order_by(PlanRevision.number)
        )
    )


def get_revision(session: Session, *, org_id: str, finding_id: str, number: int) -> PlanRevision:
    """One revision of a plan; NotFoundError when absent."""
    row = session.scalar(
        select(PlanRevision).where(
            PlanRevision.org_id == org_id,
            PlanRevision.finding_id == finding_id,
            PlanRevision.number == number,
        )
    )
    if row is None:
        raise NotFoundError(f"plan of finding {finding_id} has no revision {number}")
    return row


def latest_number(session: Session, *, finding_id: str) -> int:
    """Number of the newest revision (the plan's version); 0 when there is none."""
    value = session.scalar(select(func.max(PlanRevision.number)).where(PlanRevision.finding_id == finding_id))
    return int(value or 0)


def current_content(session: Session, plan: Plan) -> dict[str, Any]:
    """The plan text of the revision currently in force."""
    return get_revision(
        session, org_id=plan.org_id, finding_id=plan.finding_id, number=plan.current_revision
    ).plan


def reviewer_touched(session: Session, *, org_id: str, finding_id: str) -> bool:
    """True once any reviewer revision exists (the analyzer then never replaces the current text)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(PlanRevision)
            .where(
                PlanRevision.org_id == org_id,
                PlanRevision.finding_id == finding_id,
                PlanRevision.source == SOURCE_REVIEWER,
            )
        )
        or 0
    ) > 0


def pending_analyzer_revision(session: Session, plan: Plan) -> int | None:
    """Newest analyzer revision newer than the current text (a draft awaiting acceptance), if any."""
    value = session.scalar(
        select(func.max(PlanRevision.number)).where(
            PlanRevision.finding_id == plan.finding_id,
            PlanRevision.source == SOURCE_ANALYZER,
            PlanRevision.number > plan.current_revision,
        )
    )
    return int(value) if value is not None else None


def plans_for(
    session: Session, *, org_id: str, finding_ids: list[str]
) -> dict[str, tuple[Plan, dict[str, Any]]]:
    """Plan row and current text for many findings of one organization."""
    if not finding_ids:
        return {}
    plans = list(session.scalars(select(Plan).where(Plan.org_id == org_id, Plan.finding_id.in_(finding_ids))))
    if not plans:
        return {}
    wanted = {(p.finding_id, p.current_revision) for p in plans}
    rows = session.scalars(
        select(PlanRevision).where(
            PlanRevision.org_id == org_id, PlanRevision.finding_id.in_([p.finding_id for p in plans])
        )
    )
    texts = {r.finding_id: r.plan for r in rows if (r.finding_id, r.number) in wanted}
    return {p.finding_id: (p, texts.get(p.finding_id, {})) for p in plans}


def plan_statuses(session: Session, *, org_id: str, finding_ids: list[str]) -> dict[str, str]:
    """Plan status per finding for many findings of one organization."""
    if not finding_ids:
        return {}
    rows = session.execute(
        select(Plan.finding_id, Plan.status).where(Plan.org_id == org_id, Plan.finding_id.in_(finding_ids))
    )
    return {fid: status for fid, status in rows}


# --- diff and merge -----------------------------------------------------------------------------


def json_diff(old: Any, new: Any, path: str = "") -> list[dict[str, Any]]:
    """Differences between two JSON values as add/remove/replace operations with JSON-pointer paths."""
    if isinstance(old, dict) and isinstance(new, dict):
        ops: list[dict[str, Any]] = []
        for key in sorted(set(old) | set(new)):
            sub = f"{path}/{key}"
            if key not in old:
                ops.append({"op": "add", "path": sub, "value": new[key]})
            elif key not in new:
                ops.append({"op": "remove", "path": sub, "old": old[key]})
            else:
                ops.extend(json_diff(old[key], new[key], sub))
        return ops
    if isinstance(old, list) and isinstance(new, list):
        ops = []
        for i in range(max(len(old), len(new))):
            sub = f"{path}/{i}"
            if i >= len(old):
                ops.append({"op": "add", "path": sub, "value": new[i]})
            elif i >= len(new):
                ops.append({"op": "remove", "path": sub, "old": old[i]})
            else:
                ops.extend(json_diff(old[i], new[i], sub))
        return ops
    if old != new:
        return [{"op": "replace", "path": path or "/", "old": old, "value": new}]
    return []


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch: objects merge recursively, null removes, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def validate_plan(content: dict[str, Any]) -> dict[str, Any]:
    """Check plan text against ActionPlan, naming the first bad field; returns the normalised text."""
    unknown = sorted(set(content) - set(ActionPlan.model_fields))
    if unknown:
        raise InvalidInputError(
            f"unknown plan field(s): {', '.join(unknown)}; editable fields are "
            f"{', '.join(ActionPlan.model_fields)}"
        )
    try:
        return ActionPlan.model_validate(content).model_dump(mode="json")
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "plan"
        raise InvalidInputError(f"plan field {where}: {first['msg']}") from None


# --- writes (each appends exactly one revision) -------------------------------------------------


def _append_revision(
    session: Session,
    *,
    plan: Plan,
    number: int,
    source: str,
    actor: Actor,
    content: dict[str, Any],
    reason: str | None = None,
    analysis_id: int | None = None,
) -> PlanRevision:
    row = PlanRevision(
        org_id=plan.org_id,
        finding_id=plan.finding_id,
        number=number,
        source=source,
        actor_key_id=actor.key_id,
        actor_role=actor.role,
        status=plan.status,
        reason=reason,
        plan=content,
        analysis_id=analysis_id,
        created_at=utcnow(),
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        # Another writer took this number first: the caller's view is stale.
        raise StaleRevisionError(
            f"plan of finding {plan.finding_id} changed meanwhile; reload it and retry", current=number
        ) from None
    return row


def _check_version(session: Session, plan: Plan, expected: int) -> int:
    latest = latest_number(session, finding_id=plan.finding_id)
    if expected != latest:
        raise StaleRevisionError(
            f"plan of finding {plan.finding_id} is at revision {latest}, not {expected}; reload it and retry",
            current=latest,
        )
    return latest


def record_analysis(
    session: Session,
    *,
    org_id: str,
    analysis: FindingAnalysis,
    actor_key_id: str | None = None,
    add_revision_if_reviewed: bool = False,
) -> RecordedAnalysis:
    """Store an analysis and draft the plan from it.

    No plan yet: revision 1 (source analyzer, status draft). A draft nobody reviewed: a new analyzer
    revision becomes current. A plan a reviewer touched: left as it is, unless `add_revision_if_reviewed`
    asks for the new draft to be appended as a non-current analyzer revision the reviewer may accept.
    """
    row: AnalysisRow = add_analysis(session, org_id=org_id, analysis=analysis)
    if analysis.status != "ok" or analysis.action_plan is None:
        return RecordedAnalysis(analysis_id=row.id, plan_revision=None, plan_is_current=False)
    content = analysis.action_plan.model_dump(mode="json")
    analyzer_actor = Actor(key_id=actor_key_id, role=None)
    plan = find_plan(session, org_id=org_id, finding_id=analysis.finding_id)
    if plan is None:
        plan = Plan(finding_id=analysis.finding_id, org_id=org_id, status=DRAFT, current_revision=1)
        session.add(plan)
        session.flush()
        _append_revision(
            session,
            plan=plan,
            number=1,
            source=SOURCE_ANALYZER,
            actor=analyzer_actor,
            content=content,
            analysis_id=row.id,
        )
        _event(session, plan, actor_key_id, "plan.drafted", {"revision": 1, "analysis_id": row.id})
        return RecordedAnalysis(analysis_id=row.id, plan_revision=1, plan_is_current=True)
    number = latest_number(session, finding_id=plan.finding_id) + 1
    touched = plan.status != DRAFT or reviewer_touched(session, org_id=org_id, finding_id=plan.finding_id)
    if not touched:
        _append_revision(
            session,
            plan=plan,
            number=number,
            source=SOURCE_ANALYZER,
            actor=analyzer_actor,
            content=content,
            analysis_id=row.id,
        )
        plan.current_revision = number
        plan.updated_at = utcnow()
        _event(session, plan, actor_key_id, "plan.redrafted", {"revision": number, "analysis_id": row.id})
        return RecordedAnalysis(analysis_id=row.id, plan_revision=number, plan_is_current=True)
    if not add_revision_if_reviewed:
        return RecordedAnalysis(analysis_id=row.id, plan_revision=None, plan_is_current=False)
    _append_revision(
        session,
        plan=plan,
        number=number,
        source=SOURCE_ANALYZER,
        actor=analyzer_actor,
        content=content,
        reason="new analyzer draft; the reviewed text stays current until accepted",
        analysis_id=row.id,
    )
    plan.updated_at = utcnow()
    _event(session, plan, actor_key_id, "plan.draft_proposed", {"revision": number, "analysis_id": row.id})
    return RecordedAnalysis(analysis_id=row.id, plan_revision=number, plan_is_current=False)


def edit_plan(
    session: Session, *, org_id: str, finding_id: str, patch: dict[str, Any], expected: int, actor: Actor
) -> Plan:
    """Apply a JSON merge patch to the current text as a reviewer revision (draft → in_review)."""
    plan = get_plan(session, org_id=org_id, finding_id=finding_id)
    latest = _check_version(session, plan, expected)
    if plan.status not in EDITABLE:
        raise ConflictError(
            f"plan of finding {finding_id} is {plan.status}; reopen it (with a reason) before editing"
        )
    if "status" in patch:
        raise InvalidInputError("status is not a plan field; use the approve or status endpoints")
    old = current_content(session, plan)
    new = validate_plan(merge_patch(old, patch))
    plan.status = IN_REVIEW
    _append_revision(session, plan=plan, number=latest + 1, source=SOURCE_REVIEWER, actor=actor, content=new)
    plan.current_revision = latest + 1
    plan.last_editor_key_id = actor.key_id
    plan.updated_at = utcnow()
    _event(session, plan, actor.key_id, "plan.edited", {"revision": latest + 1, "diff": json_diff(old, new)})
    return plan


def approve_plan(
    session: Session,
    *,
    org_id: str,
    finding_id: str,
    expected: int,
    actor: Actor,
    require_separate_approver: bool,
) -> Plan:
    """Approve the current text; with separate approvers required, the last editor may not approve."""
    plan = get_plan(session, org_id=org_id, finding_id=finding_id)
    latest = _check_version(session, plan, expected)
    if plan.status not in EDITABLE:
        raise ConflictError(
            f"plan of finding {finding_id} is {plan.status}; only draft or in_review plans can be approved"
        )
    if require_separate_approver and plan.last_editor_key_id == actor.key_id:
        raise ConflictError(
            f"plan of finding {finding_id} was last edited by this key; another reviewer must approve it"
        )
    plan.status = APPROVED
    now = utcnow()
    _append_revision(
        session,
        plan=plan,
        number=latest + 1,
        source=SOURCE_REVIEWER,
        actor=actor,
        content=current_content(session, plan),
        reason="approved",
    )
    plan.current_revision = latest + 1
    plan.approved_by_key_id = actor.key_id
    plan.approved_at = now
    plan.updated_at = now
    _event(session, plan, actor.key_id, "plan.approved", {"revision": latest + 1})
    return plan


def change_status(
    session: Session,
    *,
    org_id: str,
    finding_id: str,
    target: str,
    expected: int,
    actor: Actor,
    reason: str | None = None,
) -> Plan:
    """Move an approved plan forward (in_progress → completed → verified) or reopen it with a reason."""
    plan = get_plan(session, org_id=org_id, finding_id=finding_id)
    latest = _check_version(session, plan, expected)
    if target == "reopened" or (target == IN_REVIEW and plan.status in REOPENABLE):
        if plan.status not in REOPENABLE:
            raise ConflictError(
                f"plan of finding {finding_id} is {plan.status}; only approved or later plans reopen"
            )
        if not reason or not reason.strip():
            raise InvalidInputError("reopening a plan needs a reason")
        new_status = IN_REVIEW
        action = "plan.reopened"
    elif target in FORWARD.values():
        if FORWARD.get(plan.status) != target:
            raise ConflictError(f"plan of finding {finding_id} is {plan.status}; it cannot move to {target}")
        new_status = target
        action = f"plan.{target}"
    else:
        raise InvalidInputError(
            f"unknown target status {target!r}; use in_progress, completed, verified or reopened"
        )
    plan.status = new_status
    if new_status == IN_REVIEW:
        plan.approved_by_key_id = None
        plan.approved_at = None
    _append_revision(
        session,
        plan=plan,
        number=latest + 1,
        source=SOURCE_REVIEWER,
        actor=actor,
        content=current_content(session, plan),
        reason=reason,
    )
    plan.current_revision = latest + 1
    plan.updated_at = utcnow()
    _event(session, plan, actor.key_id, action, {"revision": latest + 1, "reason": reason})
    return plan


def accept_revision(
    session: Session, *, org_id: str, finding_id: str, number: int, expected: int, actor: Actor
) -> Plan:
    """Make an analyzer draft the current text, as a new reviewer revision copying it."""
    plan = get_plan(session, org_id=org_id, finding_id=finding_id)
    latest = _check_version(session, plan, expected)
    if plan.status not in EDITABLE:
        raise ConflictError(
            f"plan of finding {finding_id} is {plan.status}; reopen it before accepting a draft"
        )
    source = get_revision(session, org_id=org_id, finding_id=finding_id, number=number)
    if source.source != SOURCE_ANALYZER:
        raise InvalidInputError(f"revision {number} is not an analyzer draft")
    plan.status = IN_REVIEW
    _append_revision(
        session,
        plan=plan,
        number=latest + 1,
        source=SOURCE_REVIEWER,
        actor=actor,
        content=source.plan,
        reason=f"accepted analyzer revision {number}",
    )
    plan.current_revision = latest + 1
    plan.last_editor_key_id = actor.key_id
    plan.updated_at = utcnow()
    _event(session, plan, actor.key_id, "plan.accepted_draft", {"revision": latest + 1, "from": number})
    return plan


def _event(
    session: Session, plan: Plan, actor_key_id: str | None, action: str, detail: dict[str, Any]
) -> None:
    record_event(
        session,
        org_id=plan.org_id,
        actor_key_id=actor_key_id,
        action=action,
        object_type="plan",
        object_id=plan.finding_id,
        detail=detail,
    )
