"""The suite's own guard: a connection outside loopback fails loudly (so offline tests really are offline)."""

from __future__ import annotations

import socket

import pytest

from tests.conftest import OutboundConnectionError


def test_outbound_connection_is_refused() -> None:
    with pytest.raises(OutboundConnectionError), socket.socket() as sock:
        sock.connect(("93.184.216.34", 443))


def test_loopback_is_allowed() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=2) as client:
            assert client.getpeername() == server.getsockname()
