"""`linkage`: serve, migrate, manage API clients, export the OpenAPI contract."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import uuid
from collections.abc import Awaitable, Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
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
        if settings.migrate_on_start:
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
    print(f"  Stations' web client: {base}/app/")
    sys.stdout.flush()

    from service.main import create_app

    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        proxy_headers=True,
        server_header=False,
        timeout_graceful_shutdown=settings.graceful_shutdown_seconds,
    )
    return 0


def cmd_relay(settings: Settings, args: argparse.Namespace) -> int:
    """Send webhook deliveries until stopped (or one round with --once)."""
    from service.relay import Relay, webhook_policy

    async def action(services: Services) -> None:
        relay = Relay(
            Services(
                database=services.database, vault=services.vault, webhooks=webhook_policy(settings)
            ),
            settings,
        )
        try:
            if args.once:
                await relay.run_once()
            else:
                await relay.run()
        finally:
            await relay.close()

    print(f"webhook relay on {_describe_database(settings)}", file=sys.stderr)
    sys.stderr.flush()
    try:
        _run_with_database(settings, action)
    except KeyboardInterrupt:
        pass
    return 0


def cmd_event_schemas(settings: Settings, args: argparse.Namespace) -> int:
    """Write one JSON Schema per event type, and the catalogue, to a directory."""
    from service.http.event_schemas import write_event_schemas

    written = write_event_schemas(Path(args.output))
    print(f"{written} event schemas in {args.output}")
    return 0


def cmd_clients_create(settings: Settings, args: argparse.Namespace) -> int:
    """Create a machine client and print its key once (only its hash is stored)."""

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
    shown = _client_json(issued.record) | {"api_key": issued.api_key}
    print(json.dumps(shown, ensure_ascii=False, indent=2))
    print(f"The API key is shown only this once ({_describe_database(settings)}).", file=sys.stderr)
    return 0


def _client_json(record: Any) -> dict[str, Any]:
    return {
        "id": str(record.id),
        "name": record.name,
        "key_prefix": record.key_prefix,
        "scopes": record.scopes,
        "station_id": str(record.station_id) if record.station_id else None,
        "organisation_id": str(record.organisation_id) if record.organisation_id else None,
        "created_at": record.created_at.isoformat(),
        "revoked_at": record.revoked_at.isoformat() if record.revoked_at else None,
    }


def cmd_clients_list(settings: Settings, args: argparse.Namespace) -> int:
    """List clients (never their keys)."""
    records = _run_with_database(settings, clients.list_clients)
    if args.json:
        print(json.dumps([_client_json(r) for r in records], ensure_ascii=False, indent=2))
        return 0
    print(f"{'ID':36}  {'KEY':11}  {'STATE':7}  {'BINDING':50}  {'SCOPES'}  NAME")
    for record in records:
        state = "revoked" if record.revoked_at else "active"
        binding = "-"
        if record.station_id:
            binding = f"station={record.station_id}"
        elif record.organisation_id:
            binding = f"organisation={record.organisation_id}"
        print(
            f"{record.id}  {record.key_prefix}…  {state:7}  {binding:50}"
            f"  {','.join(record.scopes)}  {record.name}"
        )
    return 0


def cmd_clients_revoke(settings: Settings, args: argparse.Namespace) -> int:
    """Revoke a client's key."""

    async def action(services: Services) -> Any:
        return await clients.revoke_client(services, client_id=args.client_id)

    record = _run_with_database(settings, action)
    print(f"revoked {record.id} ({record.name})")
    return 0


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    """Load the demo sample of 西湖区, or take it out."""
    from service.usecases.demo import load_demo, remove_demo

    async def action(services: Services) -> dict[str, int]:
        await upgrade(services.database)
        return await (remove_demo(services) if args.remove else load_demo(services))

    counts = _run_with_database(settings, action)
    summary = ", ".join(f"{count} {kind}" for kind, count in counts.items()) or "nothing"
    if args.remove:
        print(f"demo data removed: {summary} ({_describe_database(settings)})")
    else:
        print(f"demo data loaded: {summary} ({_describe_database(settings)})")
        print("  Try: GET /v1/resource-requests?status=open, then …/{id}/candidates")
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


def _version() -> str:
    try:
        return version("five-society-linkage")
    except PackageNotFoundError:
        return "0.0.0"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="linkage",
        description=__doc__,
        epilog="Settings come from LINKAGE_* environment variables (see the README's"
        " Configuration); with no LINKAGE_DATABASE_URL the embedded SQLite database in"
        " LINKAGE_DATA_DIR (./var) is used.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="migrate, then serve HTTP",
        description="Apply pending migrations (unless LINKAGE_MIGRATE_ON_START=false), create an"
        " admin client on a database that has none (its key printed once), then serve the API"
        " with uvicorn.",
    )
    serve.add_argument("--host", help="interface to bind (default LINKAGE_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default LINKAGE_PORT or 8000)")
    serve.set_defaults(handler=cmd_serve)

    commands.add_parser(
        "migrate",
        help="apply pending migrations",
        description="Bring the schema and reference data up to date, then exit (a migration"
        " job before a rollout).",
    ).set_defaults(handler=cmd_migrate)

    clients_parser = commands.add_parser(
        "clients", help="manage machine clients (API keys)", description="Machine clients."
    )
    client_commands = clients_parser.add_subparsers(
        dest="clients_command", required=True, metavar="ACTION"
    )
    create = client_commands.add_parser(
        "create",
        help="create a client and print its key once",
        description="Create a client and print it as JSON with its API key. The key is shown"
        " only this once: the service stores its SHA-256 hash.",
    )
    create.add_argument("--name", required=True, help="who the client is, e.g. 'beishan-station'")
    create.add_argument(
        "--scope",
        action="append",
        required=True,
        type=Scope,
        choices=list(Scope),
        help="repeat for several scopes; `admin` implies all but pii:read and audit, and no"
        " client holds pii:read with audit, or admin with audit (separation of duties)",
    )
    binding = create.add_mutually_exclusive_group()
    binding.add_argument("--station", type=uuid.UUID, help="bind the client to one station")
    binding.add_argument(
        "--organisation",
        type=uuid.UUID,
        help="bind the client to one organisation (it answers that organisation's offers)",
    )
    create.set_defaults(handler=cmd_clients_create)
    listing = client_commands.add_parser(
        "list", help="list clients (never their keys)", description="Every client, revoked too."
    )
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.set_defaults(handler=cmd_clients_list)
    revoke = client_commands.add_parser(
        "revoke",
        help="revoke a client's key",
        description="Revoke a key for good; processes forget it within LINKAGE_AUTH_CACHE_SECONDS.",
    )
    revoke.add_argument("client_id", type=uuid.UUID, help="the client's id (see `clients list`)")
    revoke.set_defaults(handler=cmd_clients_revoke)

    relay = commands.add_parser(
        "relay",
        help="send webhook deliveries (alone; app replicas then run LINKAGE_RELAY_ENABLED=false)",
        description="Queue events for webhook subscriptions and send the due deliveries, every"
        " LINKAGE_RELAY_INTERVAL_SECONDS while there is work, until stopped; idle, it looks"
        " ever less often, down to every LINKAGE_RELAY_IDLE_MAX_SECONDS (the app's changes reach"
        " a relay running apart within that). Several relays may run at once on PostgreSQL:"
        " each claims its deliveries with FOR UPDATE SKIP LOCKED.",
    )
    relay.add_argument("--once", action="store_true", help="one round, then exit")
    relay.set_defaults(handler=cmd_relay)

    schemas = commands.add_parser(
        "event-schemas",
        help="write the event catalogue's JSON Schemas",
        description="One JSON Schema per event type, and index.json (`make openapi`).",
    )
    schemas.add_argument("--output", default="openapi/events", help="directory to write")
    schemas.set_defaults(handler=cmd_event_schemas)

    demo = commands.add_parser(
        "demo",
        help="load (or --remove) a small demo network of 西湖区",
        description="Load a small, realistic sample of 西湖区 – the 西溪, 翠苑 and 古荡 stations"
        " with their offices, a social work agency running them, a community organisation, six"
        " volunteers with availability and two open requests – so that candidates show at once."
        " Identifiers are valid but fictitious and marked (USCCs …MDEM…, phones 1990000…); the"
        " sample is loaded once and noted record by record.",
    )
    demo.add_argument(
        "--remove",
        action="store_true",
        help="take out exactly the demo's records, all or nothing; refused while other records"
        " (offers, linkages, requests, offices) refer to them",
    )
    demo.set_defaults(handler=cmd_demo)

    openapi = commands.add_parser(
        "openapi",
        help="print or write the OpenAPI document",
        description="The contract the app serves at /openapi.json (`make openapi`).",
    )
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
