"""Reviewer work on a finding's plan: read (ETag), merge-patch edit, approve, status moves, revisions.

The ETag is the number of the plan's newest revision, quoted. Every write needs `If-Match` with it:
428 without, 412 when someone changed the plan meanwhile.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Header
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from analyzer.errors import InvalidInputError
from analyzer.storage import catalog
from analyzer.storage import plans as plan_store
from analyzer.storage.keys import Principal
from analyzer.storage.tables import Plan
from api.auth import require
from api.deps import ContainerDep, Reader, Reviewer, Tracker
from api.errors import ApiError
from api.exports.records import as_utc

router = APIRouter(prefix="/v1/findings/{finding_id}/plan", tags=["plans"])
IfMatch = Annotated[str | None, Header(alias="If-Match")]


class StatusChange(BaseModel):
    """Move an approved plan forward, or reopen it."""

    status: Literal["in_progress", "completed", "verified", "reopened"] = Field(
        description="Target: in_progress, completed, verified, or reopened (back to in_review)."
    )
    reason: str | None = Field(default=None, max_length=2000, description="Why (required to reopen).")


class AcceptDraft(BaseModel):
    """Which analyzer revision becomes the current text."""

    revision: int = Field(ge=1, description="Number of the analyzer revision to accept.")


def expected_revision(if_match: str | None) -> int:
    """The revision number an If-Match header names (428 when absent, 412 when unreadable)."""
    if if_match is None or not if_match.strip():
        raise ApiError(
            428, "precondition_required", "this change needs an If-Match header with the plan's ETag"
        )
    value = if_match.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    if not value.isdigit():
        raise ApiError(412, "precondition_failed", f"If-Match {if_match!r} does not name a plan revision")
    return int(value)


def etag(number: int) -> str:
    """The quoted revision number."""
    return f'"{number}"'


def plan_body(session: Session, plan: Plan) -> tuple[dict[str, Any], int]:
    """The plan as answered to clients, and its version (newest revision number)."""
    latest = plan_store.latest_number(session, finding_id=plan.finding_id)
    body = {
        "finding_id": plan.finding_id,
        "status": plan.status,
        "revision": latest,
        "current_revision": plan.current_revision,
        "pending_analyzer_revision": plan_store.pending_analyzer_revision(session, plan),
        "plan": plan_store.current_content(session, plan),
        "last_editor_key_id": plan.last_editor_key_id,
        "approved_by_key_id": plan.approved_by_key_id,
        "approved_at": _iso(plan.approved_at),
        "updated_at": _iso(plan.updated_at),
    }
    return body, latest


def _iso(value: datetime | None) -> str | None:
    aware = as_utc(value)
    return aware.isoformat() if aware else None


def _answer(session: Session, plan: Plan) -> JSONResponse:
    body, latest = plan_body(session, plan)
    return JSONResponse(body, headers={"ETag": etag(latest)})


def _actor(principal: Principal) -> plan_store.Actor:
    return plan_store.Actor(key_id=principal.key_id, role=principal.role)


def _check_finding(session: Session, principal: Principal, finding_id: str) -> None:
    catalog.get_finding(session, org_id=principal.org_id, finding_id=finding_id)


@router.get("")
def get_plan(finding_id: str, principal: Reader, container: ContainerDep) -> JSONResponse:
    """The current plan text, status and version (`ETag`)."""
    with container.database.session() as session:
        _check_finding(session, principal, finding_id)
        return _answer(session, plan_store.get_plan(session, org_id=principal.org_id, finding_id=finding_id))


@router.patch("")
def patch_plan(
    finding_id: str,
    principal: Reviewer,
    container: ContainerDep,
    if_match: IfMatch = None,
    patch: dict[str, Any] = Body(description="JSON merge patch of plan fields (RFC 7386)."),
) -> JSONResponse:
    """Edit the plan with a JSON merge patch; appends a reviewer revision and answers the new ETag."""
    expected = expected_revision(if_match)
    if not isinstance(patch, dict) or not patch:
        raise InvalidInputError("send a non-empty JSON object of plan fields to change")
    with container.database.session() as session:
        _check_finding(session, principal, finding_id)
        plan = plan_store.edit_plan(
            session,
            org_id=principal.org_id,
            finding_id=finding_id,
            patch=patch,
            expected=expected,
            actor=_actor(principal),
        )
        return _answer(session, plan)


@router.post("/approve")
def approve_plan(
    finding_id: str, principal: Reviewer, container: ContainerDep, if_match: IfMatch = None
) -> JSONResponse:
    """Approve the current plan (reviewer or admin; a separate approver when the setting asks for one)."""
    expected = expected_revision(if_match)
    with container.database.session() as session:
        _check_finding(session, principal, finding_id)
        plan = plan_store.approve_plan(
            session,
            org_id=principal.org_id,
            finding_id=finding_id,
            expected=expected,
            actor=_actor(principal),
            require_separate_approver=container.settings.require_separate_approver,
        )
        return _answer(session, plan)


@router.post("/status")
def change_status(
    finding_id: str, body: StatusChange, principal: Tracker, container: ContainerDep, if_match: IfMatch = None
) -> JSONResponse:
    """Move an approved plan to in_progress → completed → verified, or reopen it with a reason."""
    if body.status == "verified":
        require(principal, "verify")
    expected = expected_revision(if_match)
    with container.database.session() as session:
        _check_finding(session, principal, finding_id)
        plan = plan_store.change_status(
            session,
            org_id=principal.org_id,
            finding_id=finding_id,
            target=body.status,
            expected=expected,
            actor=_actor(principal),
            reason=body.reason,
        )
        return _answer(session, plan)


@router.post("/accept")
def accept_draft(
    finding_id: str, body: AcceptDraft, principal: Reviewer, container: ContainerDep, if_match: IfMatch = None
) -> JSONResponse:
    """Make a newer analyzer draft the current text (as a reviewer revision)."""
    expected = expected_revision(if_match)
    with container.database.session() as session:
        _check_finding(session, principal, finding_id)
        plan = plan_store.accept_revision(
            session,
            org_id=principal.org_id,
            finding_id=finding_id,
            number=body.revision,
            expected=expected,
            actor=_actor(principal),
        )
        return _answer(session, plan)


@router.get("/revisions")
def list_revisions(finding_id: str, principal: Reader, container: ContainerDep) -> list[dict[str, Any]]:
    """Every revision: number, who, when, source, status, the full plan and the diff against the previous."""
    with container.database.session() as session:
        _check_finding(session, principal, finding_id)
        plan_store.get_plan(session, org_id=principal.org_id, finding_id=finding_id)
        rows = plan_store.list_revisions(session, org_id=principal.org_id, finding_id=finding_id)
        out: list[dict[str, Any]] = []
        previous: dict[str, Any] | None = None
        for row in rows:
            out.append(
                {
                    "number": row.number,
                    "source": row.source,
                    "actor": {"key_id": row.actor_key_id, "role": row.actor_role},
                    "created_at": _iso(row.created_at),
                    "status": row.status,
                    "reason": row.reason,
                    "analysis_id": row.analysis_id,
                    "plan": row.plan,
                    "diff": plan_store.json_diff(previous, row.plan) if previous is not None else [],
                }
            )
            previous = row.plan
        return out
