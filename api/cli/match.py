"""`vouch match`: best-fit partners for a need, as a table, from the command line."""

from __future__ import annotations

import argparse

from api.cli.common import CommandError, Commands, open_engine
from api.db import session_factory
from api.matching import FACTORS, Match, Need, Requirements, best_fit
from api.settings import Settings

SHORT_NAMES = {
    "customer_success": "success",
    "industry_success": "in industry",
    "product_success": "with product",
    "industry_experience": "ind. exp.",
    "product_experience": "prod. exp.",
    "go_live": "went live",
    "repeat_customers": "came back",
    "recency": "recency",
    "capacity": "capacity",
    "proximity": "proximity",
    "budget_fit": "budget",
}


def _weight(text: str) -> tuple[str, float]:
    name, _, value = text.partition("=")
    try:
        return name.strip().replace("-", "_"), float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a weight: write FACTOR=NUMBER, e.g. proximity=0.3"
        ) from None


def match(args: argparse.Namespace, settings: Settings) -> None:
    need = Need(
        industry=args.industry,
        products=tuple(args.product or ()),
        country=args.country,
        latitude=args.latitude,
        longitude=args.longitude,
        budget=args.budget,
        capabilities=tuple(args.capability or ()),
        languages=tuple(args.language or ()),
        partner_types=tuple(args.partner_type or ()),
        require=Requirements(
            industry_experience=args.require_industry_experience,
            product_experience=args.require_product_experience,
            office_in_country=args.require_office_in_country,
            max_distance_km=args.max_distance_km,
            min_responses=args.min_responses,
            within_budget=args.within_budget,
        ),
        weights=dict(args.weight or ()),
    )
    engine = open_engine(settings)
    try:
        with session_factory(engine)() as session:
            matches = best_fit(session=session, need=need, first=args.first)
    finally:
        engine.dispose()
    if not matches:
        raise CommandError("no partner passes the need's hard filters")
    _print(matches, args.explain)


def _print(matches: list[Match], explain: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Best-fit partners (score = sum of weight x value)")
    table.add_column("#", justify="right")
    table.add_column("partner", no_wrap=True)
    table.add_column("score", justify="right")
    shown = [name for name in FACTORS if any(f.name == name for f in matches[0].factors)]
    for name in shown:
        weight = next(f.weight for f in matches[0].factors if f.name == name)
        table.add_column(f"{SHORT_NAMES[name]}\n{weight:.2f}", justify="right")
    for place, found in enumerate(matches, start=1):
        values = {factor.name: factor.value for factor in found.factors}
        table.add_row(
            str(place),
            found.slug,
            f"{found.score:.3f}",
            *(f"{values[name]:.2f}" for name in shown),
        )
    console = Console(width=max(100, Console().width))
    console.print(table)
    if explain:
        for place, found in enumerate(matches, start=1):
            console.print(f"\n[bold]{place}. {found.slug}[/bold] {found.score:.3f}")
            for factor in found.factors:
                console.print(
                    f"  {factor.name}: {factor.weight:.2f} x {factor.value:.3f}: {factor.evidence}",
                    markup=False,
                    highlight=False,
                )


def add_commands(commands: Commands) -> None:
    parser = commands.add_parser(
        "match",
        help="best-fit partners for a customer's need, explained",
        description="Ranks partners for a need by published figures only (never sponsorship, "
        "tier or revenue); see the method page for the factors and their default weights.",
    )
    _need_options(parser)
    _requirement_options(parser)
    option = parser.add_argument
    option(
        "--weight",
        type=_weight,
        action="append",
        metavar="FACTOR=W",
        help=f"a factor's weight, 0 to 100; repeatable; factors: {', '.join(FACTORS)}",
    )
    option("--first", type=int, default=10, help="how many partners, 1 to 100 (default 10)")
    option("--explain", action="store_true", help="print each factor's evidence")
    parser.set_defaults(run=match)


def _need_options(parser: argparse.ArgumentParser) -> None:
    """What the customer needs: each one a factor of the score."""
    option = parser.add_argument
    option("--industry", metavar="SLUG", help="the customer's industry")
    option("--product", metavar="SLUG", action="append", help="a product needed; repeatable")
    option("--country", metavar="CC", help='where the customer is: ISO 3166-1 alpha-2, e.g. "DE"')
    option("--latitude", type=float, help="where the customer is, with --longitude")
    option("--longitude", type=float, help="where the customer is, with --latitude")
    option("--budget", type=int, help="the project's budget")
    option("--capability", action="append", help="required of the partner; repeatable")
    option("--language", action="append", help="the partner speaks one of them; repeatable")
    option("--partner-type", action="append", help="the partner is one of them; repeatable")


def _requirement_options(parser: argparse.ArgumentParser) -> None:
    """The hard filters: a partner that fails one is not ranked at all."""
    option = parser.add_argument
    option(
        "--require-industry-experience",
        action="store_true",
        help="only partners with a verified engagement in the industry",
    )
    option(
        "--require-product-experience",
        action="store_true",
        help="only partners with a verified engagement with each product",
    )
    option(
        "--require-office-in-country",
        action="store_true",
        help="only partners with an office in --country",
    )
    option("--max-distance-km", type=float, help="only partners with an office this close")
    option(
        "--min-responses",
        type=int,
        default=0,
        help="only partners with this many published responses (default 0)",
    )
    option(
        "--within-budget",
        action="store_true",
        help="only partners whose minimum project budget the budget reaches",
    )
