"""`auditlens keys create|revoke`: API keys (the secret is printed once; only its hash is stored)."""

from __future__ import annotations

import typer

from analyzer.errors import NotFoundError
from analyzer.storage import catalog, keys
from analyzer.storage.db import Database
from analyzer.storage.events import record_event
from api.cli.common import console, expected_errors, load_settings


def register(app: typer.Typer) -> None:
    """Add the `keys` command group."""
    group = typer.Typer(help="API keys for the service (Bearer tokens).", no_args_is_help=True)

    @group.command("create")
    @expected_errors
    def create(
        org: str = typer.Option(..., "--org", help="Organization name (created if it does not exist)."),
        role: str = typer.Option(..., "--role", help="admin, lead, reviewer or viewer."),
        label: str | None = typer.Option(None, "--label", help="A note saying who or what uses the key."),
    ) -> None:
        """Create a key and print it once (store it now: it cannot be shown again)."""
        database = Database(load_settings().resolved_database_url)
        database.ensure_migrated()
        with database.session() as session:
            organization = keys.ensure_org(session, org)
            row, secret = keys.create_key(session, org_id=organization.id, role=role, label=label)
            record_event(
                session,
                org_id=organization.id,
                actor_key_id=None,
                action="key.created",
                object_type="api_key",
                object_id=row.id,
                detail={"role": role, "label": label},
            )
            key_id, org_id = row.id, organization.id
        console.print(f"organization: {org_id}\nkey id: {key_id}\nrole: {role}", highlight=False)
        console.print("key (shown once):", highlight=False)
        print(secret)

    @group.command("revoke")
    @expected_errors
    def revoke(
        org: str = typer.Option(..., "--org", help="Organization name."),
        key_id: str = typer.Argument(..., help="Key id printed by `keys create`."),
    ) -> None:
        """Revoke a key: requests with it answer 401 from then on."""
        database = Database(load_settings().resolved_database_url)
        database.ensure_migrated()
        with database.session() as session:
            organization = catalog.find_organization(session, name=org)
            if organization is None:
                raise NotFoundError(f"organization {org!r} not found")
            if not keys.revoke_key(session, org_id=organization.id, key_id=key_id):
                raise NotFoundError(f"key {key_id} not found in organization {org}")
            record_event(
                session,
                org_id=organization.id,
                actor_key_id=None,
                action="key.revoked",
                object_type="api_key",
                object_id=key_id,
            )
        console.print(f"revoked {key_id}")

    app.add_typer(group, name="keys")
