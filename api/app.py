"""The FastAPI application factory: `create_app(container)` builds the service around given parts.

Tests build a container on temp dirs and hand it in (the same app code runs in production via
`auditlens serve`). The app refuses to start on a database that is not migrated to head.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from analyzer.privacy import apply_offline_defaults
from api.container import Container
from api.errors import install_error_handlers
from api.jobs import ItemHandler, JobRunner
from api.routes import ROUTERS
from api.routes.analyses import ANALYSIS_KIND, analysis_item
from api.routes.batches import resume_interrupted_runs
from api.routes.documents import INGEST_KIND, ingest_item

# Background job kinds the API process runs itself (batch runs bring their own executor).
JOB_HANDLERS: dict[str, ItemHandler] = {INGEST_KIND: ingest_item, ANALYSIS_KIND: analysis_item}


def create_app(container: Container, *, start_workers: bool = True) -> FastAPI:
    """Build the app; raises ConfigError (saying `auditlens db upgrade`) on an unmigrated database."""
    apply_offline_defaults()
    container.database.ensure_migrated()
    runner = JobRunner(container, JOB_HANDLERS, threads=container.settings.worker_threads)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if start_workers and runner.threads > 0:
            runner.start()
        if start_workers:
            resume_interrupted_runs(container)
        try:
            yield
        finally:
            runner.stop()

    app = FastAPI(
        title="auditlens",
        summary="Audit reports in, reviewed corrective action plans out.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.container = container
    app.state.job_runner = runner
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    return app
