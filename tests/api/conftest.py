"""Service API test harness: real SQLite and PostgreSQL, real Chroma in temp dirs, the real embedder.

One app per backend per test module (module-scoped fixtures) keeps the suite fast. On PostgreSQL each
test session creates its own uniquely named database and drops it at the end, so engineers and CI runs
sharing one server never see each other's rows.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from analyzer.ports import Embedder
from analyzer.settings import Settings
from analyzer.storage import keys
from analyzer.storage.db import Database
from api.app import create_app
from api.container import Container

ROLES = ("admin", "lead", "reviewer", "viewer")


class MemoEmbedder:
    """The real embedder with a memo: each distinct text is embedded once per test session.

    Every app built here constructs its own offline analyzer, which embeds the whole exemplar bank;
    remembering vectors keeps that to one real pass instead of one per app.
    """

    def __init__(self, inner: Embedder) -> None:
        self._inner = inner
        self._docs: dict[str, list[float]] = {}
        self._queries: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """Name of the wrapped model."""
        return self._inner.name

    @property
    def dimension(self) -> int:
        """Vector length of the wrapped model."""
        return self._inner.dimension

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        """Embed passages, reusing vectors already computed."""
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._docs))
        if missing:
            vectors = self._inner.embed_documents(missing)
            with self._lock:
                self._docs.update(zip(missing, vectors, strict=True))
        with self._lock:
            return [self._docs[t] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        """Embed a query, reusing a vector already computed."""
        with self._lock:
            hit = self._queries.get(text)
        if hit is None:
            hit = self._inner.embed_query(text)
            with self._lock:
                self._queries[text] = hit
        return hit


@pytest.fixture(scope="session")
def shared_embedder() -> Embedder:
    """The real offline MiniLM embedder, loaded once for the whole session."""
    from analyzer.adapters.embeddings import MiniLMEmbedder

    return MemoEmbedder(MiniLMEmbedder())


@pytest.fixture(scope="session")
def pg_server_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """URL of a fresh PostgreSQL database owned by this test session (dropped at the end)."""
    base = request.getfixturevalue("postgres_url")
    name = f"auditlens_api_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _database_url(backend: str, request: pytest.FixtureRequest, tmp: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp / 'auditlens.db'}"
    server_db = request.getfixturevalue("pg_server_url")
    # One database per session; each module gets a clean slate by recreating the schema objects.
    engine = create_engine(server_db, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return server_db


def make_container(
    backend: str, request: pytest.FixtureRequest, tmp: Path, embedder: Embedder, **overrides: Any
) -> Container:
    """A migrated container on the backend, with Chroma and uploads under `tmp`."""
    url = _database_url(backend, request, tmp)
    settings = Settings(
        data_dir=tmp,
        database_url=url,
        worker_threads=overrides.pop("worker_threads", 2),
        **overrides,
    )
    database = Database(url)
    database.upgrade()
    container = Container(settings=settings)
    container.__dict__["database"] = database
    container.__dict__["embedder"] = embedder  # cached_property slot: share the loaded model
    return container


@dataclass
class Org:
    """An organization with one key per role."""

    id: str
    name: str
    keys: dict[str, str] = field(default_factory=dict)
    key_ids: dict[str, str] = field(default_factory=dict)

    def h(self, role: str) -> dict[str, str]:
        """Authorization header of the role's key."""
        return {"Authorization": f"Bearer {self.keys[role]}"}


def make_org(container: Container, name: str) -> Org:
    """Create an organization and one key per role."""
    with container.database.session() as session:
        org = keys.ensure_org(session, name)
        out = Org(id=org.id, name=name)
        for role in ROLES:
            row, secret = keys.create_key(session, org_id=org.id, role=role)
            out.keys[role], out.key_ids[role] = secret, row.id
    return out


def wait_job(
    client: TestClient, job_id: str, headers: dict[str, str], timeout: float = 90.0
) -> dict[str, Any]:
    """Poll a job until it is finished; fails the test on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/v1/jobs/{job_id}", headers=headers).json()
        if body["status"] in ("completed", "failed"):
            return body
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish in {timeout}s: {body}")


def wait_document(
    client: TestClient, doc_id: str, headers: dict[str, str], timeout: float = 120.0
) -> dict[str, Any]:
    """Poll a document until ingestion is over (ready or failed)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/v1/documents/{doc_id}", headers=headers).json()
        if body["status"] in ("ready", "failed"):
            return body
        time.sleep(0.1)
    raise AssertionError(f"document {doc_id} not ingested in {timeout}s: {body}")


BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


@dataclass
class Service:
    """A running app with its client, container and two organizations."""

    client: TestClient
    container: Container
    a: Org
    b: Org
    backend: str


@pytest.fixture(scope="module", params=BACKENDS)
def service(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, shared_embedder: Embedder
) -> Iterator[Service]:
    """The app on one backend with organizations A and B (module-scoped)."""
    backend: str = request.param
    tmp = tmp_path_factory.mktemp(f"api-{backend}")
    container = make_container(backend, request, tmp, shared_embedder)
    a = make_org(container, f"Org A {uuid.uuid4().hex[:6]}")
    b = make_org(container, f"Org B {uuid.uuid4().hex[:6]}")
    app = create_app(container)
    with TestClient(app) as client:
        yield Service(client=client, container=container, a=a, b=b, backend=backend)
    container.database.dispose()
