"""The operator's command line: `vouch --help`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from api import migrations
from api.db import create_db_engine, ping, session_factory, unit_of_work
from api.errors import DomainError
from api.settings import Settings, SettingsError, load_settings

Command = Callable[[argparse.Namespace, Settings], None]


class CommandError(Exception):
    """Stops the command with a message for the operator and exit status 1."""


def _engine(settings: Settings) -> Engine:
    engine = create_db_engine(settings.database_url)
    try:
        ping(engine)
    except OperationalError as error:
        where = settings.database_url.render_as_string(hide_password=True)
        reason = str(error.orig or error).strip().splitlines()[0]
        raise CommandError(f"cannot reach the database {where}: {reason}") from error
    return engine


def db_upgrade(args: argparse.Namespace, settings: Settings) -> None:
    _engine(settings).dispose()
    migrations.upgrade(settings.database_url)
    print("database is at the latest revision")


def demo_data(args: argparse.Namespace, settings: Settings) -> None:
    from api.demo_data import load_demo_data

    if args.partners < 1:
        raise CommandError("--partners must be at least 1")
    engine = _engine(settings)
    if args.if_empty and _has_partners(engine):
        print("the database already holds partners; demo data not loaded again")
        return
    try:
        summary = load_demo_data(engine, partners=args.partners, seed=args.seed)
    except ValueError as error:
        raise CommandError(str(error)) from error
    print(summary)


def _has_partners(engine: Engine) -> bool:
    from sqlalchemy import exists, select

    from api.models import Partner

    with engine.connect() as connection:
        return bool(connection.scalar(select(exists().where(Partner.id.is_not(None)))))


def serve(args: argparse.Namespace, settings: Settings) -> None:
    import uvicorn

    from api.app import create_app

    app = create_app(settings, _engine(settings))
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")


def apikey_create(args: argparse.Namespace, settings: Settings) -> None:
    from api.services.apikeys import create_key

    with unit_of_work(session_factory(_engine(settings))) as session:
        key, plaintext = create_key(
            session=session,
            role=args.role,
            partner_slug=args.partner,
            vendor_slug=args.vendor,
            label=args.label,
        )
        prefix = key.prefix
    print(f"created a {args.role} key with prefix {prefix}; it is shown once, keep it safe:")
    print(plaintext)


def apikey_revoke(args: argparse.Namespace, settings: Settings) -> None:
    from api.services.apikeys import revoke_key

    with unit_of_work(session_factory(_engine(settings))) as session:
        revoke_key(session=session, prefix=args.prefix)
    print(f"revoked key {args.prefix}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vouch",
        description="Operate Vouch. Settings: VOUCH_DATABASE_URL, VOUCH_DATA_DIR, VOUCH_ENV.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    db = commands.add_parser("db", help="database schema").add_subparsers(
        dest="db_command", required=True, metavar="ACTION"
    )
    db.add_parser("upgrade", help="migrate the database to the latest revision").set_defaults(
        run=db_upgrade
    )

    demo = commands.add_parser("demo-data", help="load the generated demo data set")
    demo.add_argument("--partners", type=int, default=500, help="how many partners (500)")
    demo.add_argument("--seed", type=int, default=1, help="the same seed gives the same data")
    demo.add_argument(
        "--if-empty", action="store_true", help="do nothing when partners are already loaded"
    )
    demo.set_defaults(run=demo_data)

    srv = commands.add_parser("serve", help="serve the API and the built site")
    srv.add_argument("--host", default="127.0.0.1")
    srv.add_argument("--port", type=int, default=8000)
    srv.set_defaults(run=serve)

    keys = commands.add_parser("apikey", help="API keys").add_subparsers(
        dest="apikey_command", required=True, metavar="ACTION"
    )
    create = keys.add_parser("create", help="create a key; it is printed once, on the last line")
    create.add_argument("--role", required=True, choices=["partner", "vendor", "admin"])
    create.add_argument("--partner", metavar="SLUG", help="the partner a partner key acts for")
    create.add_argument("--vendor", metavar="SLUG", help="the vendor a vendor key acts for")
    create.add_argument("--label", help="a note on who holds the key")
    create.set_defaults(run=apikey_create)
    revoke = keys.add_parser("revoke", help="revoke a key by its prefix")
    revoke.add_argument("prefix")
    revoke.set_defaults(run=apikey_revoke)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        run: Command = args.run
        run(args, settings)
    except SettingsError as error:
        print(f"vouch: configuration error: {error}", file=sys.stderr)
        return 2
    except (CommandError, DomainError) as error:
        print(f"vouch: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
