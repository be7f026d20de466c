"""App start-up rules, error shape, authentication, the keys CLI and durable job resumption."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
import typer
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from analyzer.errors import ConfigError
from analyzer.ports import Embedder
from analyzer.settings import Settings
from analyzer.storage import catalog, keys
from analyzer.storage import jobs as job_store
from analyzer.storage.tables import AnalysisRow, Job, JobItem
from api.app import create_app
from api.cli import keys_cmd
from api.container import Container
from api.routes.analyses import ANALYSIS_KIND
from tests.api.conftest import Service, make_container, make_org


def test_refuses_unmigrated_database(tmp_path: Path) -> None:
    container = Container(settings=Settings(data_dir=tmp_path))
    with pytest.raises(ConfigError, match="auditlens db upgrade"):
        create_app(container)


def test_errors_are_json_without_traces(service: Service) -> None:
    client = service.client
    unknown = client.get("/v1/nothing-here")
    assert unknown.status_code == 404 and unknown.json() == {
        "error": {"code": "not_found", "message": "Not Found"}
    }
    wrong_method = client.delete("/v1/audits", headers=service.a.h("admin"))
    assert wrong_method.status_code == 405 and wrong_method.json()["error"]["code"] == "method_not_allowed"
    bad_json = client.post(
        "/v1/audits",
        content=b"{not json",
        headers={**service.a.h("lead"), "Content-Type": "application/json"},
    )
    assert bad_json.status_code == 422 and bad_json.json()["error"]["code"] == "invalid_request"
    missing_name = client.post("/v1/audits", json={}, headers=service.a.h("lead"))
    assert missing_name.status_code == 422 and "name" in missing_name.json()["error"]["message"]
    dup = {"name": f"dup {uuid.uuid4().hex[:6]}"}
    assert client.post("/v1/audits", json=dup, headers=service.a.h("lead")).status_code == 201
    again = client.post("/v1/audits", json=dup, headers=service.a.h("lead"))
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    for res in (unknown, wrong_method, bad_json, missing_name, again):
        assert "Unknown" not in res.text and "Traceback" not in res.text


def test_unexpected_exception_is_a_500_without_trace(service: Service) -> None:
    app = create_app(service.container, start_workers=False)

    def boom() -> None:
        raise RuntimeError("secret internals /srv/x.py line 3")

    app.add_api_route("/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as client:
        res = client.get("/boom")
    assert res.status_code == 500
    assert res.json()["error"]["code"] == "internal_error"
    assert "secret internals" not in res.text and "Traceback" not in res.text


def test_authentication(service: Service) -> None:
    client = service.client
    assert client.get("/v1/audits").status_code == 401
    assert client.get("/v1/audits", headers={"Authorization": "Basic abc"}).status_code == 401
    res = client.get("/v1/audits", headers={"Authorization": "Bearer al_not_a_key"})
    assert res.status_code == 401 and res.headers["WWW-Authenticate"] == "Bearer"
    assert res.json()["error"]["code"] == "unauthorized"
    with service.container.database.session() as session:
        _, secret = keys.create_key(session, org_id=service.a.id, role="viewer")
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/v1/audits", headers=headers).status_code == 200
    with service.container.database.session() as session:
        key = keys.principal_for_secret(session, secret)
        assert key is not None
        keys.revoke_key(session, org_id=service.a.id, key_id=key.key_id)
    assert client.get("/v1/audits", headers=headers).status_code == 401


def test_keys_are_stored_hashed(service: Service) -> None:
    from analyzer.storage.tables import ApiKey

    with service.container.database.session() as session:
        stored = session.scalars(select(ApiKey.key_hash).where(ApiKey.org_id == service.a.id)).all()
    assert service.a.keys["admin"] not in stored
    assert keys.hash_key(service.a.keys["admin"]) in stored


def test_keys_cli_creates_org_and_prints_key_once(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'cli.db'}"
    from analyzer.storage.db import upgrade

    upgrade(db_url)
    app = typer.Typer()
    keys_cmd.register(app)
    app.command("noop")(lambda: None)  # a second command keeps `keys` a sub-command
    env = {"AUDITLENS_DATA_DIR": str(tmp_path), "AUDITLENS_DATABASE_URL": db_url}
    result = CliRunner().invoke(app, ["keys", "create", "--org", "Globex", "--role", "reviewer"], env=env)
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    assert secret.startswith("al_")
    container = Container(settings=Settings(data_dir=tmp_path, database_url=db_url))
    with container.database.session() as session:
        principal = keys.principal_for_secret(session, secret)
        assert principal is not None and principal.role == "reviewer"
        assert catalog.find_organization(session, name="Globex") is not None
    bad = CliRunner().invoke(app, ["keys", "create", "--org", "Globex", "--role", "owner"], env=env)
    assert bad.exit_code == 1 and "unknown role" in bad.output and "Traceback" not in bad.output


def test_crash_left_job_resumes_without_redoing_finished_items(
    request: pytest.FixtureRequest, tmp_path: Path, shared_embedder: Embedder
) -> None:
    container = make_container("sqlite", request, tmp_path, shared_embedder, worker_threads=1)
    org = make_org(container, "Resume Org")
    client_app = create_app(container)
    with TestClient(client_app) as client:
        audit = client.post("/v1/audits", json={"name": "FY24"}, headers=org.h("lead")).json()
        texts = [
            "Backups were not tested during the period for 2 of 4 quarters.",
            "Firewall rule reviews were not performed semi-annually as required.",
            "New hires did not complete security awareness training within 30 days for 5 of 25 sampled.",
        ]
        ids = client.post(
            f"/v1/audits/{audit['id']}/findings", json=[{"text": t} for t in texts], headers=org.h("lead")
        ).json()["ids"]
    # The process "crashed" mid-job: item 1 finished, item 2 was being worked on, item 3 never started.
    with container.database.session() as session:
        job = job_store.create_job(
            session, org_id=org.id, kind=ANALYSIS_KIND, params={"provider": "offline"}, item_keys=ids
        )
        job.status = "running"
        job_id = job.id
        session.flush()
        items = {i.item_key: i for i in session.scalars(select(JobItem).where(JobItem.job_id == job_id))}
        items[ids[0]].status, items[ids[0]].result = "done", {"analysis_id": -1}
        items[ids[1]].status, items[ids[1]].claim_token = "running", "dead-worker"
    with TestClient(create_app(container)) as client:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            body = client.get(f"/v1/jobs/{job_id}", headers=org.h("viewer")).json()
            if body["status"] == "completed":
                break
            time.sleep(0.05)
        assert body == {
            "id": job_id,
            "kind": "analysis",
            "status": "completed",
            "done": 3,
            "total": 3,
            "failed": 0,
            "errors": [],
        }
    with container.database.session() as session:
        counts = dict(
            session.execute(
                select(AnalysisRow.finding_id, func.count())
                .where(AnalysisRow.org_id == org.id)
                .group_by(AnalysisRow.finding_id)
            ).all()
        )
        finished = session.scalars(
            select(JobItem).where(JobItem.job_id == job_id, JobItem.item_key == ids[0])
        ).one()
        assert session.get(Job, job_id).status == "completed"  # type: ignore[union-attr]
    assert counts == {ids[1]: 1, ids[2]: 1}, "the finished item was not run again"
    assert finished.result == {"analysis_id": -1}
    container.database.dispose()
