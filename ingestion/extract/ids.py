"""Stable finding ids: the same document content and finding position always give the same id."""

from __future__ import annotations

import hashlib


def finding_id(*, org_id: str, audit_id: str, source: str, layout: str, key: str) -> str:
    """Id from the owner, the source content hash, the layout and the finding's key within the source."""
    # The owner is part of the id so that the same file ingested by two organizations never collides.
    payload = "\x1f".join([org_id, audit_id, source, layout, key])
    return "fnd_" + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:24]
