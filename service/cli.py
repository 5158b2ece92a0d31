"""`linkage`: serve, migrate, manage API clients, export the OpenAPI contract."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import uuid
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from service.db.engine import Database, build_engine
from service.db.migrate import upgrade
from service.domain.access import Scope
from service.domain.errors import DomainError
from service.logging import configure_logging
from service.pii import PiiVault
from service.settings import Settings, get_settings
from service.usecases import clients
from service.usecases.common import Services

T = TypeVar("T")


def _run_with_database(settings: Settings, action: Callable[[Services], Awaitable[T]]) -> T:
    async def main() -> T:
        database = Database(build_engine(settings, bounded_statements=False))
        try:
            return await action(Services(database=database, vault=PiiVault.from_settings(settings)))
        finally:
            await database.dispose()

    return asyncio.run(main())


def _describe_database(settings: Settings) -> str:
    if settings.is_sqlite:
        return f"SQLite at {settings.sqlalchemy_url.split(':///', 1)[1]}"
    return "PostgreSQL (LINKAGE_DATABASE_URL)"


def cmd_migrate(settings: Settings, _: argparse.Namespace) -> int:
    """Apply every pending migration (schema and reference data)."""

    async def action(services: Services) -> None:
        await upgrade(services.database)

    _run_with_database(settings, action)
    print(f"database is up to date: {_describe_database(settings)}")
    return 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    """Migrate, make sure an admin can get in, then serve HTTP with uvicorn."""
    import uvicorn

    settings = settings.model_copy(
        update={"host": args.host or settings.host, "port": args.port or settings.port}
    )

    async def prepare(services: Services) -> clients.IssuedClient | None:
        await upgrade(services.database)
        return await clients.bootstrap_admin(services) if settings.bootstrap_admin else None

    issued = _run_with_database(settings, prepare)
    base = f"http://{settings.host}:{settings.port}"
    print(f"Five-Society Linkage service on {base} ({_describe_database(settings)})")
    print(f"  API docs: {base}/docs   contract: {base}/openapi.json")
    if issued is not None:
        print(f"  First start: admin API key (shown once, keep it safe): {issued.api_key}")
        print(f"  Try: curl -H 'Authorization: Bearer {issued.api_key}' {base}/v1/stations")
    else:
        print("  Need a key? linkage clients create --name NAME --scope admin")
    sys.stdout.flush()

    from service.main import create_app

    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        proxy_headers=True,
        server_header=False,
    )
    return 0


def cmd_clients_create(settings: Settings, args: argparse.Namespace) -> int:
    """Create a machine client and print its key once."""

    async def action(services: Services) -> clients.IssuedClient:
        await upgrade(services.database)
        return await clients.create_client(
            services,
            name=args.name,
            scopes=args.scope,
            station_id=args.station,
            organisation_id=args.organisation,
        )

    issued = _run_with_database(settings, action)
    record = issued.record
    print(
        json.dumps(
            {
                "id": str(record.id),
                "name": record.name,
                "scopes": record.scopes,
                "station_id": str(record.station_id) if record.station_id else None,
                "organisation_id": str(record.organisation_id) if record.organisation_id else None,
                "api_key": issued.api_key,
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    print("The API key is shown only this once.", file=sys.stderr)
    return 0


def cmd_clients_list(settings: Settings, _: argparse.Namespace) -> int:
    """List clients (never their keys)."""
    records = _run_with_database(settings, clients.list_clients)
    for record in records:
        state = "revoked" if record.revoked_at else "active"
        station = f" station={record.station_id}" if record.station_id else ""
        if record.organisation_id:
            station = f" organisation={record.organisation_id}"
        print(
            f"{record.id}  {record.key_prefix}…  {state:7}  {','.join(record.scopes)}"
            f"{station}  {record.name}"
        )
    return 0


def cmd_clients_revoke(settings: Settings, args: argparse.Namespace) -> int:
    """Revoke a client's key."""

    async def action(services: Services) -> Any:
        return await clients.revoke_client(services, client_id=args.client_id)

    record = _run_with_database(settings, action)
    print(f"revoked {record.id} ({record.name})")
    return 0


def cmd_openapi(settings: Settings, args: argparse.Namespace) -> int:
    """Write the OpenAPI document the app serves."""
    from service.main import create_app

    document = json.dumps(create_app(settings).openapi(), ensure_ascii=False, indent=2) + "\n"
    if args.output:
        Path(args.output).write_text(document, encoding="utf-8")
    else:
        sys.stdout.write(document)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="linkage", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="migrate and serve HTTP")
    serve.add_argument("--host", help="interface to bind (default LINKAGE_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default LINKAGE_PORT or 8000)")
    serve.set_defaults(handler=cmd_serve)

    commands.add_parser("migrate", help="apply pending migrations").set_defaults(
        handler=cmd_migrate
    )

    clients_parser = commands.add_parser("clients", help="manage machine clients")
    client_commands = clients_parser.add_subparsers(dest="clients_command", required=True)
    create = client_commands.add_parser("create", help="create a client and print its key once")
    create.add_argument("--name", required=True)
    create.add_argument(
        "--scope",
        action="append",
        required=True,
        type=Scope,
        choices=list(Scope),
        help="repeat for several scopes",
    )
    binding = create.add_mutually_exclusive_group()
    binding.add_argument("--station", type=uuid.UUID, help="bind the client to one station")
    binding.add_argument(
        "--organisation",
        type=uuid.UUID,
        help="bind the client to one organisation (it answers that organisation's offers)",
    )
    create.set_defaults(handler=cmd_clients_create)
    client_commands.add_parser("list", help="list clients").set_defaults(handler=cmd_clients_list)
    revoke = client_commands.add_parser("revoke", help="revoke a client's key")
    revoke.add_argument("client_id", type=uuid.UUID)
    revoke.set_defaults(handler=cmd_clients_revoke)

    openapi = commands.add_parser("openapi", help="print or write the OpenAPI document")
    openapi.add_argument("--output", help="file to write (default: stdout)")
    openapi.set_defaults(handler=cmd_openapi)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `linkage` command."""
    args = _parser().parse_args(argv)
    settings = get_settings()
    configure_logging(settings.log_level)
    try:
        code: int = args.handler(settings, args)
    except DomainError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
