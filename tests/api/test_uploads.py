"""Uploads: streaming size cap, type by content, zip bombs, server-made names, re-uploads, parse failures."""

from __future__ import annotations

import asyncio
import io
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
from starlette.requests import Request

from analyzer.settings import Settings
from api.errors import ApiError
from api.uploads import receive_upload, safe_filename
from tests.api.conftest import Service, wait_document

REPORT_MD = "\n".join(
    [
        "# Independent auditor's report",
        "",
        "## Section IV: Tests of controls and results",
        "",
        "| Control | Test performed | Result |",
        "| --- | --- | --- |",
        "| CC6.2 User access is removed on termination | Inspected tickets for 25 terminations | "
        "Exception noted: for 2 of 25 terminated users access was removed after more than 5 days. |",
        "| CC8.1 Changes are approved | Inspected 30 changes | No exceptions noted. |",
        "",
    ]
).encode()


def _audit(svc: Service) -> str:
    res = svc.client.post(
        "/v1/audits", json={"name": f"Uploads {uuid.uuid4().hex[:6]}"}, headers=svc.a.h("lead")
    )
    assert res.status_code == 201
    return str(res.json()["id"])


def _upload(svc: Service, audit_id: str, name: str, data: bytes, kind: str = "report") -> Any:
    return svc.client.post(
        f"/v1/audits/{audit_id}/documents",
        files={"file": (name, data, "application/octet-stream")},
        data={"kind": kind},
        headers=svc.a.h("lead"),
    )


def _docx(extra: dict[str, bytes] | None = None, content_type: str | None = None) -> bytes:
    buffer = io.BytesIO()
    main = content_type or "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            f'<Types><Override PartName="/word/document.xml" ContentType="{main}"/></Types>',
        )
        z.writestr("word/document.xml", "<w:document/>")
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buffer.getvalue()


def _ingestion_backend(service: Service) -> None:
    # A real parse costs ~20 s (parser subprocess); the round trip runs once, on SQLite. PostgreSQL
    # storage of documents and findings is exercised by the matrix and plan tests.
    if service.backend != "sqlite":
        pytest.skip("real-parse round trip runs on SQLite only, to keep the suite fast")


def test_report_upload_is_ingested_and_reupload_is_the_same_document(service: Service) -> None:
    _ingestion_backend(service)
    audit_id = _audit(service)
    first = _upload(service, audit_id, "../../etc/passwd report.md", REPORT_MD)
    assert first.status_code == 202, first.text
    doc = wait_document(service.client, first.json()["id"], service.a.h("viewer"))
    assert doc["status"] == "ready", doc
    assert doc["findings_count"] == 1 and doc["filename"] == "passwd report.md"
    stored = Path(service.container.settings.uploads_dir)
    names = [p.name for p in stored.rglob("*") if p.is_file() and "tmp" not in p.parts]
    assert all(".." not in n and "passwd" not in n for n in names), names
    again = _upload(service, audit_id, "copy.md", REPORT_MD)
    assert again.status_code == 200 and again.json() == {
        "id": doc["id"],
        "status": "ready",
        "duplicate": True,
    }
    findings = service.client.get(f"/v1/audits/{audit_id}/findings", headers=service.a.h("viewer")).json()
    assert len(findings) == 1 and findings[0]["control_ref"] == "CC6.2"


@pytest.mark.parametrize(
    ("name", "data", "needle"),
    [
        ("notes.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "PNG"),
        ("report.docm", _docx({"word/vbaProject.bin": b"\x00macro"}), "macro"),
        (
            "report.docx",
            _docx(content_type="application/vnd.ms-word.document.macroEnabled.main+xml"),
            "macro",
        ),
        ("bomb.docx", _docx({"word/media/big.bin": b"\x00" * 30_000_000}), ""),
        ("random.bin", bytes(range(256)) * 8, "unsupported"),
    ],
    ids=["png-named-pdf", "vba-project", "macro-content-type", "zip-bomb", "binary"],
)
def test_unsupported_content_is_415_and_nothing_stored(
    service: Service, name: str, data: bytes, needle: str
) -> None:
    audit_id = _audit(service)
    res = _upload(service, audit_id, name, data)
    assert res.status_code == 415, res.text
    body = res.json()["error"]
    assert body["code"] == "unsupported_media_type" and needle.lower() in body["message"].lower()
    assert "/tmp" not in body["message"] and str(service.container.settings.data_dir) not in body["message"]
    docs = service.client.get(f"/v1/audits/{audit_id}/documents", headers=service.a.h("viewer")).json()
    assert docs == []
    assert list((service.container.settings.uploads_dir / "tmp").iterdir()) == [], "temp file removed"


def test_parse_failure_marks_document_failed_and_service_stays_healthy(service: Service) -> None:
    _ingestion_backend(service)
    audit_id = _audit(service)
    broken = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nthis is not a real pdf body\n%%EOF\n"
    res = _upload(service, audit_id, "broken.pdf", broken)
    assert res.status_code == 202
    doc = wait_document(service.client, res.json()["id"], service.a.h("viewer"))
    assert doc["status"] == "failed" and doc["error"], doc
    assert "Traceback" not in doc["error"]
    assert service.client.get("/healthz").status_code == 200


def test_bad_kind_and_missing_file(service: Service) -> None:
    audit_id = _audit(service)
    bad_kind = _upload(service, audit_id, "r.md", REPORT_MD + b"\n", kind="invoice")
    assert bad_kind.status_code == 422 and "kind" in bad_kind.json()["error"]["message"]
    no_file = service.client.post(
        f"/v1/audits/{audit_id}/documents",
        data={"kind": "report"},
        files={"other": ("x", b"y")},
        headers=service.a.h("lead"),
    )
    assert no_file.status_code == 422 and "file" in no_file.json()["error"]["message"]
    not_multipart = service.client.post(
        f"/v1/audits/{audit_id}/documents", json={"file": "x"}, headers=service.a.h("lead")
    )
    assert not_multipart.status_code == 415


def test_declared_oversize_is_413_before_reading(service: Service) -> None:
    audit_id = _audit(service)
    cap = service.container.settings.max_upload_bytes
    res = service.client.post(
        f"/v1/audits/{audit_id}/documents",
        content=b"x" * 10,
        headers={
            **service.a.h("lead"),
            "Content-Type": "multipart/form-data; boundary=zzz",
            "Content-Length": str(cap * 2),
        },
    )
    assert res.status_code == 413 and res.json()["error"]["code"] == "payload_too_large"


def test_streamed_oversize_stops_reading(tmp_path: Path) -> None:
    """A chunked body without Content-Length: the reader stops at the cap, long before the end."""
    settings = Settings(data_dir=tmp_path, max_upload_bytes=64 * 1024)
    boundary = "b0undary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    chunk = b"%PDF-" + b"0" * (16 * 1024 - 5)
    total_chunks = 1000  # 16 MB offered
    sent = {"chunks": 0}

    async def receive() -> dict[str, Any]:
        sent["chunks"] += 1
        if sent["chunks"] == 1:
            return {"type": "http.request", "body": head, "more_body": True}
        more = sent["chunks"] < total_chunks
        return {"type": "http.request", "body": chunk, "more_body": more}

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "headers": [(b"content-type", f"multipart/form-data; boundary={boundary}".encode())],
    }
    request = Request(scope, receive)
    with pytest.raises(ApiError) as caught:
        asyncio.run(receive_upload(request, settings, org_id="org"))
    assert caught.value.status == 413
    assert sent["chunks"] <= 8, f"read {sent['chunks']} chunks for a 64 KiB cap"
    assert list((tmp_path / "uploads" / "tmp").iterdir()) == []


def test_safe_filename() -> None:
    assert safe_filename("../../a/b/..\\evil\x00.pdf") == "evil.pdf"
    assert safe_filename("") == "upload"
    assert safe_filename(".hidden") == "hidden"
