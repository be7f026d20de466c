"""Bearer-key authentication and role checks."""

from __future__ import annotations

from analyzer.storage.db import Database
from analyzer.storage.keys import ROLES, Principal, principal_for_secret
from api.errors import ApiError

# What each role may do; admin may do everything.
PERMISSIONS: dict[str, frozenset[str]] = {
    "read": frozenset(ROLES),
    "write_audit": frozenset({"admin", "lead"}),  # create audits, upload, add findings, run analyses
    "export": frozenset({"admin", "lead"}),
    "review": frozenset({"admin", "reviewer"}),  # edit, accept drafts, approve
    "track": frozenset({"admin", "lead", "reviewer"}),  # in_progress / completed / reopen
    "verify": frozenset({"admin", "reviewer"}),
}


def authenticate(database: Database, authorization: str | None) -> Principal:
    """The principal of an `Authorization: Bearer <key>` header; 401 when missing, malformed or unknown."""
    challenge = {"WWW-Authenticate": "Bearer"}
    if not authorization:
        raise ApiError(401, "unauthorized", "missing Authorization: Bearer <key> header", challenge)
    scheme, _, secret = authorization.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiError(401, "unauthorized", "Authorization header must be `Bearer <key>`", challenge)
    with database.session() as session:
        principal = principal_for_secret(session, secret.strip())
    if principal is None:
        raise ApiError(401, "unauthorized", "invalid or revoked API key", challenge)
    return principal


def require(principal: Principal, permission: str) -> None:
    """403 unless the principal's role grants the permission."""
    allowed = PERMISSIONS[permission]
    if principal.role not in allowed:
        raise ApiError(
            403,
            "forbidden",
            f"role {principal.role} may not do this; it needs one of: {', '.join(sorted(allowed))}",
        )
