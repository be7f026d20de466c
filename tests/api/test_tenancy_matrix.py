"""Tenancy matrix: every route × two organizations × every role × (own, foreign, missing) ids.

Each organization holds planted canary text in its audit name, findings, plan, document name and
indexed chunks. A caller must never see the other organization's canary in any answer (lists, search,
retrieval citations, exports), a foreign id must answer exactly like a missing one (404), a role without
the permission gets 403, and no key gets 401.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.routing import APIRoute

from analyzer.models import Chunk, DocumentKind
from analyzer.storage import catalog
from tests.api.conftest import ROLES, Org, Service, wait_job

BASE_TEXTS = [
    "Access for terminated employees was not revoked within one business day for 3 of 25 samples.",
    "Production changes were deployed without documented approval for 2 of 40 changes.",
]
MISSING = {
    "audit_id": "aud_missing0000",
    "document_id": "doc_missing0000",
    "finding_id": "fnd_missing0000",
    "job_id": "job_missing0000",
}


@dataclass
class Tenant:
    """One organization's planted data and ids."""

    org: Org
    canary: str
    ids: dict[str, str] = field(default_factory=dict)


def _plant(svc: Service, org: Org) -> Tenant:
    client, container = svc.client, svc.container
    canary = f"CANARY{uuid.uuid4().hex[:12].upper()}"
    tenant = Tenant(org=org, canary=canary)
    audit = client.post(
        "/v1/audits", json={"name": f"Audit {canary}", "auditee": canary}, headers=org.h("lead")
    )
    assert audit.status_code == 201, audit.text
    audit_id = audit.json()["id"]
    findings = [
        {"control_ref": "CC6.2", "title": f"{canary} title", "text": f"{t} Ref {canary}."} for t in BASE_TEXTS
    ]
    ids = client.post(f"/v1/audits/{audit_id}/findings", json=findings, headers=org.h("lead")).json()["ids"]
    # A document with canary text, its chunks really indexed in Chroma.
    with container.database.session() as session:
        doc = catalog.save_document(
            session,
            org_id=org.id,
            audit_id=audit_id,
            content_hash=uuid.uuid4().hex * 2,
            filename=f"evidence-{canary}.md",
            kind="evidence",
            status="ready",
            chunks=2,
        )
        doc_id = doc.id
    chunks = [
        Chunk(
            id=f"{doc_id}:{n}",
            org_id=org.id,
            audit_id=audit_id,
            document_id=doc_id,
            document=f"evidence-{canary}.md",
            kind=DocumentKind.EVIDENCE,
            text=f"{text} Evidence {canary}.",
            page=1,
            control_refs=["CC6.2"],
        )
        for n, text in enumerate(BASE_TEXTS)
    ]
    container.vector_index.replace_document(org_id=org.id, document_id=doc_id, chunks=chunks)
    job = client.post(f"/v1/audits/{audit_id}/analyses", json={"provider": "offline"}, headers=org.h("lead"))
    job_id = job.json()["job_id"]
    assert wait_job(client, job_id, org.h("lead"))["status"] == "completed"
    edited = client.patch(
        f"/v1/findings/{ids[0]}/plan",
        json={"summary": f"Plan text {canary}"},
        headers={**org.h("reviewer"), "If-Match": '"1"'},
    )
    assert edited.status_code == 200, edited.text
    tenant.ids = {"audit_id": audit_id, "document_id": doc_id, "finding_id": ids[0], "job_id": job_id}
    return tenant


@dataclass(frozen=True)
class Call:
    """How to exercise one route."""

    method: str
    path: str
    permission: str | None  # None: public
    ok: tuple[int, ...]
    body: Callable[[], dict[str, Any]] = lambda: {}
    params: dict[str, str] = field(default_factory=dict)
    if_match: bool = False


def _json(payload: Any) -> Callable[[], dict[str, Any]]:
    return lambda: {"json": payload}


PLAN_WRITE_OK = (200, 409, 412, 422)
CALLS: list[Call] = [
    Call("GET", "/healthz", None, (200,)),
    Call(
        "POST", "/v1/audits", "write_audit", (201,), lambda: {"json": {"name": f"m {uuid.uuid4().hex[:8]}"}}
    ),
    Call("GET", "/v1/audits", "read", (200,)),
    Call("GET", "/v1/audits/{audit_id}", "read", (200,)),
    # An unsupported payload: proves the caller got past auth and org checks without starting a parse.
    Call(
        "POST",
        "/v1/audits/{audit_id}/documents",
        "write_audit",
        (415,),
        lambda: {"files": {"file": ("x.bin", b"\x7fELF" + b"\x00" * 32)}, "data": {"kind": "evidence"}},
    ),
    Call("GET", "/v1/audits/{audit_id}/documents", "read", (200,)),
    Call("GET", "/v1/documents/{document_id}", "read", (200,)),
    Call("GET", "/v1/audits/{audit_id}/findings", "read", (200,)),
    Call(
        "POST",
        "/v1/audits/{audit_id}/findings",
        "write_audit",
        (201,),
        lambda: {"json": [{"text": f"Matrix finding {uuid.uuid4().hex[:6]} was noted."}]},
    ),
    Call("GET", "/v1/findings/{finding_id}", "read", (200,)),
    Call("GET", "/v1/audits/{audit_id}/search", "read", (200,), params={"q": "terminated employees access"}),
    Call("POST", "/v1/audits/{audit_id}/analyses", "write_audit", (202,), _json({"provider": "offline"})),
    Call("GET", "/v1/jobs/{job_id}", "read", (200,)),
    Call("GET", "/v1/findings/{finding_id}/plan", "read", (200,)),
    Call(
        "PATCH",
        "/v1/findings/{finding_id}/plan",
        "review",
        PLAN_WRITE_OK,
        _json({"severity_reason": "matrix edit"}),
        if_match=True,
    ),
    Call("POST", "/v1/findings/{finding_id}/plan/approve", "review", PLAN_WRITE_OK, if_match=True),
    Call(
        "POST",
        "/v1/findings/{finding_id}/plan/status",
        "track",
        PLAN_WRITE_OK,
        _json({"status": "in_progress"}),
        if_match=True,
    ),
    Call(
        "POST",
        "/v1/findings/{finding_id}/plan/accept",
        "review",
        PLAN_WRITE_OK,
        _json({"revision": 1}),
        if_match=True,
    ),
    Call("GET", "/v1/findings/{finding_id}/plan/revisions", "read", (200,)),
    *[
        Call("GET", "/v1/audits/{audit_id}/export", "export", (200,), params={"format": fmt})
        for fmt in ("csv", "xlsx", "json", "md", "oscal-poam")
    ],
]
PERMITTED = {
    "read": set(ROLES),
    "write_audit": {"admin", "lead"},
    "export": {"admin", "lead"},
    "review": {"admin", "reviewer"},
    "track": {"admin", "lead", "reviewer"},
}


@pytest.fixture(scope="module")
def tenants(service: Service) -> tuple[Tenant, Tenant]:
    return _plant(service, service.a), _plant(service, service.b)


def _text(res: Any) -> str:
    if res.headers.get("content-type", "").startswith("application/vnd.openxmlformats"):
        import io

        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(res.content)).active
        return " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None)
    return res.content.decode("utf-8", "replace")


def _request(svc: Service, call: Call, ids: dict[str, str], headers: dict[str, str]) -> Any:
    path = call.path.format(**ids) if "{" in call.path else call.path
    headers = dict(headers)
    if call.if_match:
        current = svc.client.get(
            path.removesuffix("/approve").removesuffix("/status").removesuffix("/accept"), headers=headers
        )
        headers["If-Match"] = current.headers.get("ETag", '"1"')
    kwargs = call.body()
    return svc.client.request(call.method, path, params=call.params or None, headers=headers, **kwargs)


def test_matrix_covers_every_route(service: Service) -> None:
    routes = {
        (method, route.path)
        for route in service.client.app.routes  # type: ignore[attr-defined]
        if isinstance(route, APIRoute)
        for method in route.methods
    }
    covered = {(c.method, c.path) for c in CALLS}
    extra = {r for r in routes if r not in covered and not r[1].startswith("/v1/batches")}
    assert extra == set(), f"routes without a tenancy-matrix entry: {sorted(extra)}"


def test_routes_without_an_entry_still_guarded(service: Service, tenants: tuple[Tenant, Tenant]) -> None:
    """Routes added later (e.g. batch runs) get the generic checks: 401 without a key, no 2xx for an id
    that does not exist, never a 5xx, never the other organization's canary."""
    covered = {(c.method, c.path) for c in CALLS}
    others = [
        (method, route.path)
        for route in service.client.app.routes  # type: ignore[attr-defined]
        if isinstance(route, APIRoute)
        for method in sorted(route.methods)
        if (method, route.path) not in covered
    ]
    failures = []
    for method, path in others:
        concrete = re.sub(r"\{[^}]+\}", "missing0000", path)
        if service.client.request(method, concrete).status_code != 401:
            failures.append(f"{method} {path}: no 401 without a key")
        for me, other in (tenants, tenants[::-1]):
            for role in ROLES:
                res = service.client.request(method, concrete, headers=me.org.h(role), json={})
                if ("{" in path and res.status_code < 300) or res.status_code >= 500:
                    failures.append(f"{method} {path} as {role}: {res.status_code}")
                if other.canary in res.text:
                    failures.append(f"{method} {path} as {role}: leaked the other organization's canary")
    assert failures == [], "\n".join(failures)


def _normalise(text: str, ids: dict[str, str]) -> str:
    for value in ids.values():
        text = text.replace(value, "<id>")
    return re.sub(r"(aud|doc|fnd|job)_missing0000", "<id>", text)


def test_every_route_every_role_both_orgs(service: Service, tenants: tuple[Tenant, Tenant]) -> None:
    failures: list[str] = []
    for me, other in (tenants, tenants[::-1]):
        for call in CALLS:
            needs_ids = "{" in call.path
            for role in ROLES:
                allowed = call.permission is None or role in PERMITTED[call.permission]
                headers = me.org.h(role)
                own = _request(service, call, me.ids, headers)
                label = f"{call.method} {call.path}{call.params or ''} as {role}@{me.org.name}"
                expected = call.ok if allowed else (403,)
                if own.status_code not in expected:
                    failures.append(f"{label} own ids: {own.status_code} not in {expected}: {own.text[:200]}")
                responses = [own]
                if needs_ids:
                    foreign = _request(service, call, other.ids, headers)
                    missing = _request(service, call, MISSING, headers)
                    responses += [foreign, missing]
                    want = 404 if allowed else 403
                    if foreign.status_code != want or missing.status_code != want:
                        got = f"foreign {foreign.status_code} / missing {missing.status_code}"
                        failures.append(f"{label}: {got}, want {want}")
                    elif _normalise(foreign.text, other.ids) != _normalise(missing.text, MISSING):
                        failures.append(
                            f"{label}: foreign and missing answers differ: {foreign.text} | {missing.text}"
                        )
                for res in responses:
                    if other.canary in _text(res):
                        failures.append(f"{label}: leaked the other organization's canary")
                    if res.status_code >= 500 or "Traceback" in res.text:
                        failures.append(f"{label}: server error {res.status_code}")
            if call.permission is not None:
                anonymous = _request(service, call, me.ids, {})
                if anonymous.status_code != 401 or anonymous.json()["error"]["code"] != "unauthorized":
                    failures.append(f"{call.method} {call.path} without a key: {anonymous.status_code}")
    assert failures == [], "\n".join(failures[:40])


def test_search_and_retrieval_stay_inside_the_org(service: Service, tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    for me, other in ((a, b), (b, a)):
        # Searching one's own audit for the other org's canary and text finds only one's own chunks.
        hits = service.client.get(
            f"/v1/audits/{me.ids['audit_id']}/search",
            params={"q": f"{BASE_TEXTS[0]} Evidence {other.canary}"},
            headers=me.org.h("viewer"),
        ).json()
        assert hits and all(me.canary in h["text"] for h in hits)
        # The analysis' retrieved chunks and citations are the caller's own.
        detail = service.client.get(f"/v1/findings/{me.ids['finding_id']}", headers=me.org.h("viewer")).json()
        retrieved = detail["analysis"]["provenance"]["retrieved_chunk_ids"]
        assert retrieved, "the offline analyzer retrieved evidence chunks"
        assert all(cid.startswith(me.ids["document_id"]) for cid in retrieved), retrieved
        assert other.canary not in str(detail)
        # And the canary is really there for its owner (the check above could fail).
        own_export = service.client.get(
            f"/v1/audits/{me.ids['audit_id']}/export", params={"format": "json"}, headers=me.org.h("lead")
        )
        assert me.canary in own_export.text and other.canary not in own_export.text
