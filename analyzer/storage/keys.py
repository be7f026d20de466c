"""Organizations and API keys: keys are random secrets of which only the SHA-256 is stored."""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from analyzer.errors import ConfigError
from analyzer.models import utcnow
from analyzer.storage.tables import ApiKey, Organization

ROLES = ("admin", "lead", "reviewer", "viewer")
KEY_PREFIX = "al_"
_ORG_ID_RE = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key id, its organization and its role (never the secret)."""

    key_id: str
    org_id: str
    role: str


def hash_key(secret: str) -> str:
    """SHA-256 hex digest of a key: what the database keeps instead of the key itself."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def org_id_for(name: str) -> str:
    """A readable, stable organization id derived from its name (slug + short hash)."""
    slug = _ORG_ID_RE.sub("-", name.strip().lower()).strip("-")[:40] or "org"
    return f"{slug}-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:8]}"


def ensure_org(session: Session, name: str) -> Organization:
    """The organization with this name, created when it does not exist yet."""
    name = name.strip()
    if not name:
        raise ConfigError("organization name must not be empty")
    org = session.scalar(select(Organization).where(Organization.name == name))
    if org is None:
        org = Organization(id=org_id_for(name), name=name, created_at=utcnow())
        session.add(org)
        session.flush()
    return org


def create_key(session: Session, *, org_id: str, role: str, label: str | None = None) -> tuple[ApiKey, str]:
    """Create a key with one role in one organization; returns the row and the secret (shown once)."""
    if role not in ROLES:
        raise ConfigError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(
        id="key_" + uuid.uuid4().hex[:16],
        org_id=org_id,
        role=role,
        key_hash=hash_key(secret),
        label=label,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row, secret


def principal_for_secret(session: Session, secret: str) -> Principal | None:
    """The principal a presented key belongs to, or None when unknown or revoked."""
    row = session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(secret)))
    if row is None or row.revoked_at is not None:
        return None
    return Principal(key_id=row.id, org_id=row.org_id, role=row.role)


def revoke_key(session: Session, *, org_id: str, key_id: str) -> bool:
    """Revoke a key of one organization; False when no such key exists there."""
    row = session.scalar(select(ApiKey).where(ApiKey.id == key_id, ApiKey.org_id == org_id))
    if row is None:
        return False
    row.revoked_at = utcnow()
    return True
