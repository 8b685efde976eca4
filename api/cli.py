"""The operator's command line: `vouch --help`."""

from __future__ import annotations

import argparse
import sys
import textwrap
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from api import migrations
from api.db import create_db_engine, ping, session_factory, unit_of_work
from api.errors import DomainError
from api.settings import SETTINGS_HELP, Settings, SettingsError, load_settings
from api.validation import MAX_ID

Command = Callable[[argparse.Namespace, Settings], None]

# Each worker has its own pool of up to 15 PostgreSQL connections.
MAX_WORKERS = 64


class CommandError(Exception):
    """Stops the command with a message for the operator and exit status 1."""


def _whole_number(what: str, low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a refused value is one line naming the argument, not a traceback."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not {what}: give a whole number from {low} to {high}"
            )
        return value

    return parse


def _engine(settings: Settings, *, migrated: bool = True) -> Engine:
    """The database every command opens: reachable and, unless the command migrates it
    itself (`migrated=False`), at this code's revision; else one line saying what to do."""
    engine = create_db_engine(settings.database_url)
    try:
        ping(engine)
        if migrated:
            migrations.require_current(engine)
    except OperationalError as error:
        engine.dispose()
        where = settings.database_url.render_as_string(hide_password=True)
        reason = str(error.orig or error).strip().splitlines()[0]
        raise CommandError(f"cannot reach the database {where}: {reason}") from error
    except migrations.SchemaNotCurrent as error:
        engine.dispose()
        raise CommandError(str(error)) from None
    return engine


def db_upgrade(args: argparse.Namespace, settings: Settings) -> None:
    engine = _engine(settings, migrated=False)
    with engine.connect() as connection:
        before = migrations.current_revision(connection)
    engine.dispose()
    head = migrations.head_revision()
    if before == head:
        print(f"the database is already at the latest revision, {head}")
        return
    migrations.upgrade(settings.database_url)
    if before is None:
        print(f"created the database schema at revision {head}")
    else:
        print(f"upgraded the database from revision {before} to {head}")


def demo_data(args: argparse.Namespace, settings: Settings) -> None:
    from api.demo_data import load_demo_data
    from api.services import changes
    from api.services.figures_rebuild import rebuild

    if args.partners < 1:
        raise CommandError("--partners must be at least 1")
    engine = _engine(settings)
    if args.if_empty and _has_partners(engine):
        print("the database already holds partners, so the demo data set was not loaded again")
        return
    try:
        summary = load_demo_data(engine, partners=args.partners, seed=args.seed)
    except ValueError as error:
        raise CommandError(str(error)) from error
    with unit_of_work(session_factory(engine)) as session:
        figures = rebuild(session=session, publish_all=True)
        changes.record(session, partner_id=None, reason="everything")
    print(
        f"loaded the demo data set (seed {args.seed}): {summary.partners:,} partners with "
        f"{summary.offices:,} offices and {summary.certifications:,} certifications, "
        f"{summary.vendors} vendors with {summary.products} products, "
        f"{summary.industries} industries, {summary.customers:,} customers, "
        f"{summary.engagements:,} engagements, {summary.invitations:,} survey invitations "
        f"and {summary.responses:,} responses"
    )
    print(
        f"published the figures of {_plural(figures.responses, 'live response')} "
        f"in {_plural(figures.partner_rows, 'partner tally row')}"
    )


def _has_partners(engine: Engine) -> bool:
    from sqlalchemy import exists, select

    from api.models import Partner

    with engine.connect() as connection:
        return bool(connection.scalar(select(exists().where(Partner.id.is_not(None)))))


def serve(args: argparse.Namespace, settings: Settings) -> None:
    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    from api.app import create_app
    from api.request_log import logging_config
    from api.request_metrics import prepare_multiprocess_dir
    from api.serving import NoDelayH11Protocol

    engine = _engine(settings)
    # The request log (JSON lines on stdout) says all uvicorn's access log did, and more.
    log_config = logging_config(LOGGING_CONFIG)
    # Uvicorn's own default trusts X-Forwarded-For from 127.0.0.1 (or FORWARDED_ALLOW_IPS):
    # a caller on the same host could then pick its address, and its rate limit budget.
    proxies = list(settings.forwarded_allow_ips)
    if args.workers == 1:
        uvicorn.run(
            create_app(settings, engine),
            host=args.host,
            port=args.port,
            proxy_headers=bool(proxies),
            forwarded_allow_ips=proxies,
            http=NoDelayH11Protocol,
            log_config=log_config,
            access_log=False,
        )
        return
    engine.dispose()
    if settings.database_url.get_backend_name() == "sqlite":
        raise CommandError("several workers need PostgreSQL: SQLite has a single writer")
    # /metrics sums every worker's counts from files there; set before the workers start.
    prepare_multiprocess_dir(settings.data_dir / "metrics")
    # Each worker process builds its own app (and engine) from the same environment.
    uvicorn.run(
        "api.asgi:create",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies,
        http=NoDelayH11Protocol,
        log_config=log_config,
        access_log=False,
    )


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
    article = "an" if args.role[0] in "aeiou" else "a"
    print(
        f"created {article} {args.role} key with prefix {prefix}; it is shown once, keep it safe:"
    )
    print(plaintext)


def apikey_revoke(args: argparse.Namespace, settings: Settings) -> None:
    from api.services.apikeys import revoke_key

    with unit_of_work(session_factory(_engine(settings))) as session:
        revoke_key(session=session, prefix=args.prefix)
    print(f"revoked the key with prefix {args.prefix}")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def responses_void(args: argparse.Namespace, settings: Settings) -> None:
    from api.models import Partner
    from api.services.surveys import void_response

    with unit_of_work(session_factory(_engine(settings))) as session:
        response = void_response(
            session=session, actor="cli", response_id=args.id, reason=args.reason
        )
        partner = session.get_one(Partner, response.partner_id)
        reason, slug = response.void_reason, partner.slug
    print(f"voided response {args.id} of partner {slug} ({reason}); its figures are recomputed")


def figures_rebuild(args: argparse.Namespace, settings: Settings) -> None:
    from rich.console import Console

    from api.services import changes
    from api.services.figures_rebuild import rebuild

    engine = _engine(settings)
    started = time.perf_counter()
    # A few seconds for 10,000 partners: show that it is working (on stderr, if a terminal).
    with (
        Console(stderr=True).status("recomputing every tally from the live responses"),
        unit_of_work(session_factory(engine)) as session,
    ):
        summary = rebuild(session=session)
        changes.record(session, partner_id=None, reason="everything")
    elapsed = time.perf_counter() - started
    print(
        f"rebuilt the figures from {_plural(summary.responses, 'live response')}: "
        f"{_plural(summary.partner_rows, 'partner tally row')}, "
        f"{_plural(summary.market_rows, 'market tally row')} in {elapsed:.2f}s"
    )


def site_build(args: argparse.Namespace, settings: Settings) -> None:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from directory_site.build import SiteBuildError, build_site

    engine = _engine(settings)
    out: Path = args.out or settings.site_dir
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("building the pages with mkdocs", total=None)

        def shown(done: int, total: int) -> None:
            bar.update(task, description="writing partner pages", completed=done, total=total)

        try:
            with session_factory(engine)() as session:
                summary = build_site(
                    session, out, lock_dir=settings.data_dir / "locks", progress=shown
                )
        except SiteBuildError as error:
            raise CommandError(str(error)) from error
    print(f"built the site at {out}: {summary}")


def build_parser() -> argparse.ArgumentParser:
    settings = "\n".join(
        textwrap.fill(meaning, 96, initial_indent=f"  {name:<27}", subsequent_indent=" " * 29)
        for name, meaning in SETTINGS_HELP
    )
    parser = argparse.ArgumentParser(
        prog="vouch",
        description="Operate Vouch: the database, the demo data, keys, imports, the site, "
        "the search index, and the API server. `vouch COMMAND --help` says more.",
        epilog=f"settings, read from the environment:\n{settings}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    db = commands.add_parser("db", help="database schema").add_subparsers(
        dest="db_command", required=True, metavar="ACTION"
    )
    db.add_parser("upgrade", help="migrate the database to the latest revision").set_defaults(
        run=db_upgrade
    )

    demo = commands.add_parser("demo-data", help="load the generated demo data set")
    demo.add_argument(
        "--partners", type=int, default=500, help="how many partners (default: %(default)s)"
    )
    demo.add_argument(
        "--seed",
        type=int,
        default=1,
        help="the same seed gives the same data set (default: %(default)s)",
    )
    demo.add_argument(
        "--if-empty", action="store_true", help="do nothing when partners are already loaded"
    )
    demo.set_defaults(run=demo_data)

    srv = commands.add_parser("serve", help="serve the API and the built site")
    srv.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to listen on; 0.0.0.0 for every one (default: %(default)s)",
    )
    srv.add_argument(
        "--port",
        type=_whole_number("a port", 1, 65535),
        default=8000,
        help="the TCP port (default: %(default)s)",
    )
    srv.add_argument(
        "--workers",
        type=_whole_number("a number of workers", 1, MAX_WORKERS),
        default=1,
        help=f"worker processes, 1 to {MAX_WORKERS}; several need PostgreSQL, and keep "
        "their counts for /metrics in $VOUCH_DATA_DIR/metrics (or $PROMETHEUS_MULTIPROC_DIR) "
        "(default: %(default)s)",
    )
    srv.set_defaults(run=serve)

    site = commands.add_parser("site", help="the public directory site").add_subparsers(
        dest="site_command", required=True, metavar="ACTION"
    )
    site_build_parser = site.add_parser(
        "build", help="build the static site from the published figures (replaces it whole)"
    )
    site_build_parser.add_argument(
        "--out", type=Path, metavar="DIR", help="where to put it (default: $VOUCH_DATA_DIR/site)"
    )
    site_build_parser.set_defaults(run=site_build)

    keys = commands.add_parser("apikey", help="API keys").add_subparsers(
        dest="apikey_command", required=True, metavar="ACTION"
    )
    create = keys.add_parser("create", help="create a key; it is printed once, on the last line")
    create.add_argument(
        "--role",
        required=True,
        choices=["partner", "vendor", "admin"],
        help="what the key may do: a partner's own profile, a vendor's engagements, or all",
    )
    create.add_argument("--partner", metavar="SLUG", help="the partner a partner key acts for")
    create.add_argument("--vendor", metavar="SLUG", help="the vendor a vendor key acts for")
    create.add_argument("--label", help="a note on who holds the key (default: none)")
    create.set_defaults(run=apikey_create)
    revoke = keys.add_parser("revoke", help="revoke a key by its prefix")
    revoke.add_argument("prefix", help="the prefix `vouch apikey create` printed")
    revoke.set_defaults(run=apikey_revoke)

    from api.cli_import import add_commands as add_import_commands

    add_import_commands(commands)

    survey_responses = commands.add_parser("responses", help="survey responses").add_subparsers(
        dest="responses_command", required=True, metavar="ACTION"
    )
    void = survey_responses.add_parser(
        "void", help="take a fraudulent response out of every figure"
    )
    void.add_argument(
        "id", type=_whole_number("a response id", 1, MAX_ID), metavar="ID", help="the response's id"
    )
    void.add_argument("--reason", required=True, help="why, kept in the audit log")
    void.set_defaults(run=responses_void)

    figures = commands.add_parser("figures", help="stored figures").add_subparsers(
        dest="figures_command", required=True, metavar="ACTION"
    )
    figures.add_parser(
        "rebuild", help="recompute every stored tally from the live responses"
    ).set_defaults(run=figures_rebuild)

    from api.cli_dump import add_commands as add_dump_commands

    add_dump_commands(commands)

    from api.cli_index import add_commands as add_index_commands

    add_index_commands(commands)

    from api.cli_match import add_commands as add_match_commands

    add_match_commands(commands)
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
    # As `python -m api.cli` this file is __main__, not api.cli: the command modules raise
    # api.cli's CommandError, which only api.cli's own main() catches as an error message.
    from api.cli import main as cli_main

    sys.exit(cli_main())
