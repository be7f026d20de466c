"""Plan review through the API: ETags and If-Match, lifecycle, separate approver, revisions, re-analysis."""

from __future__ import annotations

import uuid
from typing import Any

from tests.api.conftest import Org, Service, wait_job

FINDINGS = [
    {
        "control_ref": "CC6.2",
        "title": "Terminated users kept access",
        "text": "For 3 of 25 sampled terminated employees, network access was not removed within the "
        "one business day required by the access management policy.",
        "sample": "3 of 25",
    },
    {
        "control_ref": "CC8.1",
        "title": "Changes without approval",
        "text": "Two of 40 production changes were deployed without documented approval from the "
        "change advisory board.",
    },
]


def _audit_with_plans(svc: Service, org: Org) -> tuple[str, list[str]]:
    client = svc.client
    audit = client.post("/v1/audits", json={"name": f"FY25 {uuid.uuid4().hex[:6]}"}, headers=org.h("lead"))
    assert audit.status_code == 201, audit.text
    audit_id = audit.json()["id"]
    added = client.post(f"/v1/audits/{audit_id}/findings", json={"findings": FINDINGS}, headers=org.h("lead"))
    assert added.status_code == 201, added.text
    ids = added.json()["ids"]
    job = client.post(f"/v1/audits/{audit_id}/analyses", json={"provider": "offline"}, headers=org.h("lead"))
    assert job.status_code == 202, job.text
    done = wait_job(client, job.json()["job_id"], org.h("viewer"))
    assert done["status"] == "completed" and done["done"] == 2 and done["failed"] == 0, done
    return audit_id, ids


def _plan(svc: Service, org: Org, fid: str) -> tuple[dict[str, Any], str]:
    res = svc.client.get(f"/v1/findings/{fid}/plan", headers=org.h("viewer"))
    assert res.status_code == 200, res.text
    return res.json(), res.headers["ETag"]


def test_analysis_creates_draft_revision_one(service: Service) -> None:
    _, ids = _audit_with_plans(service, service.a)
    body, tag = _plan(service, service.a, ids[0])
    assert tag == '"1"'
    assert body["status"] == "draft" and body["revision"] == 1
    assert body["plan"]["steps"], "the offline analyzer drafts at least one step"
    finding = service.client.get(f"/v1/findings/{ids[0]}", headers=service.a.h("viewer")).json()
    assert finding["analysis"]["provenance"]["analyzer"] == "offline"
    assert finding["analysis"]["finding_id"] == ids[0]


def test_patch_needs_if_match_and_rejects_stale(service: Service) -> None:
    a, client = service.a, service.client
    _, ids = _audit_with_plans(service, a)
    fid = ids[0]
    url = f"/v1/findings/{fid}/plan"
    missing = client.patch(url, json={"summary": "x"}, headers=a.h("reviewer"))
    assert missing.status_code == 428
    assert missing.json()["error"]["code"] == "precondition_required"
    ok = client.patch(
        url,
        json={"summary": "Remove access on the last day."},
        headers={**a.h("reviewer"), "If-Match": '"1"'},
    )
    assert ok.status_code == 200, ok.text
    assert ok.headers["ETag"] == '"2"'
    assert ok.json()["status"] == "in_review"
    assert ok.json()["plan"]["summary"] == "Remove access on the last day."
    stale = client.patch(url, json={"summary": "older view"}, headers={**a.h("reviewer"), "If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.json()["error"]["code"] == "precondition_failed"
    assert _plan(service, a, fid)[0]["plan"]["summary"] == "Remove access on the last day."


def test_patch_validates_fields(service: Service) -> None:
    a, client = service.a, service.client
    _, ids = _audit_with_plans(service, a)
    url = f"/v1/findings/{ids[1]}/plan"
    headers = {**a.h("reviewer"), "If-Match": '"1"'}
    unknown = client.patch(url, json={"colour": "blue"}, headers=headers)
    assert unknown.status_code == 422 and "colour" in unknown.json()["error"]["message"]
    bad = client.patch(url, json={"severity": "apocalyptic"}, headers=headers)
    assert bad.status_code == 422 and "severity" in bad.json()["error"]["message"]
    assert _plan(service, a, ids[1])[1] == '"1"', "a rejected patch stores nothing"


def test_lifecycle_approval_status_and_reopen(service: Service) -> None:
    a, client = service.a, service.client
    _, ids = _audit_with_plans(service, a)
    fid = ids[0]
    base = f"/v1/findings/{fid}/plan"
    edited = client.patch(
        base,
        json={"severity_reason": "3 of 25 is above tolerance"},
        headers={**a.h("reviewer"), "If-Match": '"1"'},
    )
    assert edited.status_code == 200
    no_tag = client.post(f"{base}/approve", headers=a.h("reviewer"))
    assert no_tag.status_code == 428
    lead = client.post(f"{base}/approve", headers={**a.h("lead"), "If-Match": '"2"'})
    assert lead.status_code == 403
    approved = client.post(f"{base}/approve", headers={**a.h("reviewer"), "If-Match": '"2"'})
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved" and approved.json()["approved_at"]
    assert approved.headers["ETag"] == '"3"'
    # editing an approved plan needs a reopen first
    locked = client.patch(
        base, json={"summary": "late change"}, headers={**a.h("reviewer"), "If-Match": '"3"'}
    )
    assert locked.status_code == 409
    moved = client.post(
        f"{base}/status", json={"status": "in_progress"}, headers={**a.h("lead"), "If-Match": '"3"'}
    )
    assert moved.status_code == 200 and moved.json()["status"] == "in_progress"
    skip = client.post(
        f"{base}/status", json={"status": "verified"}, headers={**a.h("reviewer"), "If-Match": '"4"'}
    )
    assert skip.status_code == 409
    done = client.post(
        f"{base}/status", json={"status": "completed"}, headers={**a.h("lead"), "If-Match": '"4"'}
    )
    assert done.status_code == 200
    lead_verify = client.post(
        f"{base}/status", json={"status": "verified"}, headers={**a.h("lead"), "If-Match": '"5"'}
    )
    assert lead_verify.status_code == 403
    verified = client.post(
        f"{base}/status", json={"status": "verified"}, headers={**a.h("reviewer"), "If-Match": '"5"'}
    )
    assert verified.status_code == 200 and verified.json()["status"] == "verified"
    no_reason = client.post(
        f"{base}/status", json={"status": "reopened"}, headers={**a.h("reviewer"), "If-Match": '"6"'}
    )
    assert no_reason.status_code == 422
    reopened = client.post(
        f"{base}/status",
        json={"status": "reopened", "reason": "retest found two more exceptions"},
        headers={**a.h("reviewer"), "If-Match": '"6"'},
    )
    assert reopened.status_code == 200 and reopened.json()["status"] == "in_review"
    assert reopened.json()["approved_at"] is None
    revisions = client.get(f"{base}/revisions", headers=a.h("viewer")).json()
    assert [r["number"] for r in revisions] == [1, 2, 3, 4, 5, 6, 7]
    assert [r["status"] for r in revisions] == [
        "draft",
        "in_review",
        "approved",
        "in_progress",
        "completed",
        "verified",
        "in_review",
    ]
    assert revisions[0]["source"] == "analyzer" and revisions[1]["source"] == "reviewer"
    assert revisions[1]["actor"] == {"key_id": a.key_ids["reviewer"], "role": "reviewer"}
    assert revisions[1]["diff"] == [
        {
            "op": "replace",
            "path": "/severity_reason",
            "old": revisions[0]["plan"]["severity_reason"],
            "value": "3 of 25 is above tolerance",
        }
    ]
    assert revisions[6]["reason"] == "retest found two more exceptions"
    assert all(r["plan"]["steps"] for r in revisions), "each revision holds the full plan"


def test_separate_approver_rule(service: Service) -> None:
    a, client, settings = service.a, service.client, service.container.settings
    _, ids = _audit_with_plans(service, a)
    base = f"/v1/findings/{ids[1]}/plan"
    client.patch(
        base,
        json={"summary": "Add a CAB gate to the pipeline."},
        headers={**a.h("reviewer"), "If-Match": '"1"'},
    )
    settings.require_separate_approver = True
    try:
        same = client.post(f"{base}/approve", headers={**a.h("reviewer"), "If-Match": '"2"'})
        assert same.status_code == 409
        assert "another reviewer" in same.json()["error"]["message"]
        other = client.post(f"{base}/approve", headers={**a.h("admin"), "If-Match": '"2"'})
        assert other.status_code == 200 and other.json()["approved_by_key_id"] == a.key_ids["admin"]
    finally:
        settings.require_separate_approver = False


def test_rerun_never_overwrites_reviewed_plan(service: Service) -> None:
    a, client = service.a, service.client
    audit_id, ids = _audit_with_plans(service, a)
    fid = ids[0]
    base = f"/v1/findings/{fid}/plan"
    client.patch(base, json={"summary": "Reviewer wording"}, headers={**a.h("reviewer"), "If-Match": '"1"'})
    # untouched finding ids[1] is re-drafted; reviewed ids[0] is left alone
    job = client.post(
        f"/v1/audits/{audit_id}/analyses", json={"provider": "offline"}, headers=a.h("lead")
    ).json()
    assert wait_job(client, job["job_id"], a.h("lead"))["status"] == "completed"
    body, tag = _plan(service, a, fid)
    assert (
        body["plan"]["summary"] == "Reviewer wording"
        and tag == '"2"'
        and body["pending_analyzer_revision"] is None
    )
    other, other_tag = _plan(service, a, ids[1])
    assert other["status"] == "draft" and other_tag == '"2"'
    # on request, the new draft is added as a revision but the reviewer's text stays current
    job = client.post(
        f"/v1/audits/{audit_id}/analyses",
        json={"provider": "offline", "finding_ids": [fid], "propose_to_reviewed": True},
        headers=a.h("lead"),
    ).json()
    assert wait_job(client, job["job_id"], a.h("lead"))["done"] == 1
    body, tag = _plan(service, a, fid)
    assert tag == '"3"' and body["current_revision"] == 2 and body["pending_analyzer_revision"] == 3
    assert body["plan"]["summary"] == "Reviewer wording"
    accepted = client.post(
        f"{base}/accept", json={"revision": 3}, headers={**a.h("reviewer"), "If-Match": '"3"'}
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["plan"]["summary"] != "Reviewer wording"
    assert accepted.json()["current_revision"] == 4 and accepted.json()["pending_analyzer_revision"] is None


def test_events_recorded_for_changes(service: Service) -> None:
    from analyzer.storage.events import list_events

    _, ids = _audit_with_plans(service, service.a)
    service.client.patch(
        f"/v1/findings/{ids[0]}/plan",
        json={"summary": "s"},
        headers={**service.a.h("reviewer"), "If-Match": '"1"'},
    )
    with service.container.database.session() as session:
        actions = [e.action for e in list_events(session, org_id=service.a.id, object_id=ids[0])]
    assert "plan.drafted" in actions and "plan.edited" in actions and "analysis.stored" in actions
