"""`vouch responses void`: a fraudulent survey response taken out of every figure."""

from __future__ import annotations

import argparse

from api.cli.common import Commands, open_engine, whole_number
from api.db import session_factory, unit_of_work
from api.settings import Settings
from api.validation import MAX_ID


def responses_void(args: argparse.Namespace, settings: Settings) -> None:
    from api.models import Partner
    from api.services.surveys import void_response

    with unit_of_work(session_factory(open_engine(settings))) as session:
        response = void_response(
            session=session, actor="cli", response_id=args.id, reason=args.reason
        )
        partner = session.get_one(Partner, response.partner_id)
        reason, slug = response.void_reason, partner.slug
    print(f"voided response {args.id} of partner {slug} ({reason}); its figures are recomputed")


def add_commands(commands: Commands) -> None:
    responses = commands.add_parser("responses", help="survey responses").add_subparsers(
        dest="responses_command", required=True, metavar="ACTION"
    )
    void = responses.add_parser("void", help="take a fraudulent response out of every figure")
    void.add_argument(
        "id", type=whole_number("a response id", 1, MAX_ID), metavar="ID", help="the response's id"
    )
    void.add_argument("--reason", required=True, help="why, kept in the audit log")
    void.set_defaults(run=responses_void)
