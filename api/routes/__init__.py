"""HTTP routes. Each module has a `router`; ROUTERS is the one list `create_app` mounts, in order.

To add a route module, import it here and append its router to ROUTERS.
"""

from __future__ import annotations

from fastapi import APIRouter

from api.routes import analyses, audits, batches, documents, exports, findings, health, plans

ROUTERS: list[APIRouter] = [
    health.router,
    audits.router,
    documents.router,
    findings.router,
    analyses.router,
    plans.router,
    exports.router,
    batches.router,
]
