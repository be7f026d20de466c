"""`auditlens serve`: run the HTTP API with uvicorn (job workers run inside the same process)."""

from __future__ import annotations

import typer

from api.cli.common import expected_errors, load_settings


def register(app: typer.Typer) -> None:
    """Add the `serve` command."""

    @app.command("serve")
    @expected_errors
    def serve(
        host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
        port: int = typer.Option(8000, help="TCP port."),
        log_level: str = typer.Option("info", help="uvicorn log level."),
    ) -> None:
        """Serve the API; refuses to start on an unmigrated database (run `auditlens db upgrade`)."""
        import uvicorn

        from api.app import create_app
        from api.container import Container

        settings = load_settings()
        app = create_app(Container(settings=settings))
        if not settings.chroma_url:
            from analyzer.adapters.chroma_index import hold_local_store

            # Claimed now, so a store another process holds stops the server at start with the reason,
            # not every upload later.
            hold_local_store(settings.chroma_dir)
        uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)
