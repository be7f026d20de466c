"""Annotated dependencies shared by every route: the container, the caller and role gates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Header, Request

from analyzer.storage.keys import Principal
from api.auth import authenticate, require
from api.container import Container


def get_container(request: Request) -> Container:
    """The container the app was built with."""
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


def get_principal(
    container: ContainerDep, authorization: Annotated[str | None, Header()] = None
) -> Principal:
    """The authenticated caller (401 otherwise)."""
    return authenticate(container.database, authorization)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def role(permission: str) -> Callable[[Principal], Principal]:
    """A dependency returning the caller after checking that its role grants `permission` (403)."""

    def _check(principal: PrincipalDep) -> Principal:
        require(principal, permission)
        return principal

    return _check


Reader = Annotated[Principal, Depends(role("read"))]
AuditWriter = Annotated[Principal, Depends(role("write_audit"))]
Exporter = Annotated[Principal, Depends(role("export"))]
Reviewer = Annotated[Principal, Depends(role("review"))]
Tracker = Annotated[Principal, Depends(role("track"))]
