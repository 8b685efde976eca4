"""`vouch db upgrade`: the database schema at this code's revision."""

from __future__ import annotations

import argparse

from api import migrations
from api.cli.common import Commands, open_engine
from api.settings import Settings


def db_upgrade(args: argparse.Namespace, settings: Settings) -> None:
    engine = open_engine(settings, migrated=False)
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


def add_commands(commands: Commands) -> None:
    db = commands.add_parser("db", help="database schema").add_subparsers(
        dest="db_command", required=True, metavar="ACTION"
    )
    db.add_parser("upgrade", help="migrate the database to the latest revision").set_defaults(
        run=db_upgrade
    )
