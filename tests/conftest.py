"""Suite-wide guards: no outbound connection (loopback only), no telemetry, and service URLs for tests."""

from __future__ import annotations

import ipaddress
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from analyzer.privacy import apply_offline_defaults

if TYPE_CHECKING:
    from analyzer.adapters.embeddings import MiniLMEmbedder

apply_offline_defaults()

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


class OutboundConnectionError(RuntimeError):
    """A test (or the product) tried to open a connection outside loopback."""


def _is_loopback(address: object) -> bool:
    if isinstance(address, (str, bytes)):  # unix socket path
        return True
    if isinstance(address, tuple) and address:
        host = address[0]
        if host in ("localhost", ""):
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False
    return False


def _guarded_connect(self: socket.socket, address: object) -> None:
    if not _is_loopback(address):
        raise OutboundConnectionError(f"outbound connection attempted to {address!r}")
    _real_connect(self, address)  # type: ignore[arg-type]


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    if not _is_loopback(address):
        raise OutboundConnectionError(f"outbound connection attempted to {address!r}")
    return _real_connect_ex(self, address)  # type: ignore[arg-type]


# Installed at import so that it also covers code run while collecting tests.
socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]


def _require_services() -> bool:
    return os.environ.get("AUDITLENS_REQUIRE_SERVICES") == "1"


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """URL of a reachable PostgreSQL server for tests, or a visible skip (a failure when CI requires it)."""
    url = os.environ.get("AUDITLENS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            pass
    except OSError as exc:
        if _require_services():
            pytest.fail(f"PostgreSQL required in CI but not reachable: {exc}")
        pytest.skip(f"no PostgreSQL server answers at 127.0.0.1:5432 ({exc}); PostgreSQL tests skipped")
    return url


@pytest.fixture(scope="session")
def redis_url() -> str:
    """URL of a reachable Redis server for tests, or a visible skip (a failure when CI requires it)."""
    url = os.environ.get("AUDITLENS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            pass
    except OSError as exc:
        if _require_services():
            pytest.fail(f"Redis required in CI but not reachable: {exc}")
        pytest.skip(f"no Redis server answers at 127.0.0.1:6379 ({exc}); Redis tests skipped")
    return url


@pytest.fixture(scope="module")
def minilm() -> MiniLMEmbedder:
    """The real MiniLM embedder, loaded once per test module."""
    # Imported here so that test modules which never embed do not load onnxruntime.
    from analyzer.adapters.embeddings import MiniLMEmbedder

    return MiniLMEmbedder()


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Chroma server (the `chroma run` shipped with chromadb) on a free loopback port."""
    exe = Path(sys.executable).with_name("chroma")
    if not exe.exists():
        pytest.skip(f"the chroma server command is not installed next to {sys.executable}")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    data = tmp_path_factory.mktemp("chroma-server")
    log = (data / "server.log").open("wb")
    proc = subprocess.Popen(
        [str(exe), "run", "--path", str(data / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"chroma server did not start: {(data / 'server.log').read_text()[-500:]}")
                time.sleep(0.3)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
