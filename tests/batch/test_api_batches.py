"""`POST /v1/batches` and `GET /v1/batches/{id}`: org-scoped, roles checked, sources confined."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from analyzer.settings import Settings
from analyzer.storage import keys
from api.app import create_app
from api.container import Container
from tests.batch.history import REPEAT_CONTROL, write_history

pytestmark = pytest.mark.slow


def _key(container: Container, org: str, role: str) -> dict[str, str]:
    with container.database.session() as s:
        org_row = keys.ensure_org(s, org)
        _, secret = keys.create_key(s, org_id=org_row.id, role=role)
    return {"Authorization": f"Bearer {secret}"}


def test_batch_over_the_api(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", worker_threads=0, _env_file=None)  # type: ignore[call-arg]
    container = Container(settings=settings)
    container.database.upgrade()
    history = write_history(tmp_path)
    shutil.copytree(history, settings.data_dir / "batch-sources" / "acme-history")
    lead = _key(container, "acme", "lead")
    viewer = _key(container, "acme", "viewer")
    stranger = _key(container, "other-co", "admin")
    with TestClient(create_app(container, start_workers=False)) as client:
        # Only paths inside the server's batch-sources folder are accepted.
        bad = client.post("/v1/batches", json={"source": "../../etc"}, headers=lead)
        assert bad.status_code == 422 and "batch-sources" in bad.json()["error"]["message"]
        assert client.post("/v1/batches", json={"source": "acme-history"}, headers=viewer).status_code == 403
        assert client.post("/v1/batches", json={"source": "acme-history"}).status_code == 401

        started = client.post("/v1/batches", json={"source": "acme-history", "concurrency": 2}, headers=lead)
        assert started.status_code == 202
        batch_id = started.json()["id"]
        deadline = time.monotonic() + 300
        while True:
            state = client.get(f"/v1/batches/{batch_id}", headers=viewer).json()
            if state["status"] != "running" or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert state["status"] == "completed", state
        assert (state["findings"], state["succeeded"], state["failed"], state["pending"]) == (9, 9, 0, 0)
        assert (state["documents"], state["documents_failed"]) == (5, 2)
        assert {e["error"].split(": ", 1)[-1][:20] for e in state["errors"]} == {
            "audit folder has no ",
            "cannot tell the audi",
        }
        assert state["source"] == "acme-history"  # the caller's spelling, not the server path
        # Another organization sees nothing, exactly like a missing id.
        assert client.get(f"/v1/batches/{batch_id}", headers=stranger).status_code == 404
        assert client.get("/v1/batches/run_missing", headers=viewer).status_code == 404
    import json

    summary = json.loads((settings.data_dir / "batch-runs" / batch_id / "summary.json").read_text())
    assert any(r["control_ref"] == REPEAT_CONTROL for r in summary["repeat_findings"])
