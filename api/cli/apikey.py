"""`vouch apikey create|revoke`: the API's keys."""

from __future__ import annotations

import argparse

from api.cli.common import Commands, open_engine
from api.db import session_factory, unit_of_work
from api.settings import Settings


def apikey_create(args: argparse.Namespace, settings: Settings) -> None:
    from api.services.apikeys import create_key

    with unit_of_work(session_factory(open_engine(settings))) as session:
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

    with unit_of_work(session_factory(open_engine(settings))) as session:
        revoke_key(session=session, prefix=args.prefix)
    print(f"revoked the key with prefix {args.prefix}")


def add_commands(commands: Commands) -> None:
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
