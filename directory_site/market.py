"""Market insights: the NPS of the whole market by why the customer chose its partner.

The page carries the product's headline (buyers who took the partner their vendor
recommended fare worst), so its chart is sorted, one reason a row, with each reason's n
and interval and the market's NPS as a line, and a sentence says what it shows, computed
from the figures (never written in advance).
"""

from __future__ import annotations

from api import metrics
from api.readers.partner_figures import FigureSet
from directory_site import charts
from directory_site.content import Directory
from directory_site.pages import front
from directory_site.sanitize import text
from directory_site.words import (
    FIGURES_METHOD,
    INTERVAL_MEANING,
    PRIVACY_METHOD,
    VENDOR_NPS_MEANING,
    nps_words,
    reason,
    signed,
    words,
)

HEADLINE = "vendor_recommended"


def _compact(nps: metrics.Figure) -> str:
    """+12 (+3 to +20): the n is in the table's own column."""
    if nps.value is None or nps.low is None or nps.high is None:
        return '<span class="vouch-withheld">withheld</span>'
    return (
        f'<strong>{signed(nps.value)}</strong> <span class="vouch-interval">'
        f"({signed(nps.low)} to {signed(nps.high)})</span>"
    )


def _percent(value: metrics.Figure) -> str:
    if value.value is None:
        return '<span class="vouch-withheld">withheld</span>'
    return f"{100 * value.value:.0f}%"


def _sentence(items: list[charts.Interval], market: metrics.Figure) -> str:
    """What the chart shows, in one sentence, from the figures themselves."""
    place = [item.strong for item in items]
    if True not in place:
        return (
            "<p><strong>What it shows:</strong> the answers of buyers who took the partner "
            "their vendor recommended are withheld in this edition (see the note below the "
            "chart), so it cannot answer the question yet.</p>"
        )
    rank = place.index(True) + 1
    item = items[rank - 1]
    where = (
        f"the lowest of the {len(items)} reasons shown"
        if rank == len(items)
        else f"{rank} of the {len(items)} reasons shown, best first"
    )
    against = ""
    if market.value is not None:
        side = (
            "entirely below"
            if item.high < market.value
            else "entirely above"
            if item.low > market.value
            else "overlapping"
        )
        against = (
            f"; its 95% interval ({signed(item.low)} to {signed(item.high)}) is {side} the "
            f"market's NPS of {signed(market.value)}"
        )
    return (
        "<p><strong>What it shows:</strong> buyers who took the partner their software "
        f"vendor recommended gave their partner an NPS of {signed(item.value)} over "
        f"{item.n} answers, {where}{against}.</p>"
    )


def _row(slug: str, figures: FigureSet, heads: list[str], outcomes: list[str]) -> str:
    values = [
        str(figures.response_count),
        _compact(figures.nps),
        _compact(figures.vendor_nps),
        *(_percent(figures.outcomes[name]) for name in outcomes),
    ]
    cells = "".join(
        f'<td data-label="{text(head)}">{value}</td>'
        for head, value in zip(heads[1:], values, strict=True)
    )
    return f'<tr><th scope="row">{text(reason(slug))}</th>{cells}</tr>'


def _withheld_note(hidden: list[tuple[str, FigureSet]]) -> str:
    """The reasons not shown, said once: withheld ones, and those nobody gave yet."""
    withheld = [reason(slug) for slug, f in hidden if f.response_count]
    none = [reason(slug) for slug, f in hidden if not f.response_count]
    parts = []
    if withheld:
        parts.append(
            f"Withheld: {', '.join(withheld)} (fewer than 5 answers each, or so that the "
            "market's overall figures minus the shown reasons never give back a few answers: "
            f'<a href="{PRIVACY_METHOD}">why</a>).'
        )
    if none:
        parts.append(f"No answers yet: {', '.join(none)}.")
    return f'<p class="vouch-withheld-note">{" ".join(parts)}</p>' if parts else ""


MARKET_HEAD = (
    front("Market insights", wide=True)
    + "# Market insights: does the vendor's recommendation pay off?\n\n"
    + "<p>Buyers who took the partner their software vendor recommended report some of the "
    "worst outcomes in the industry research this directory grew from. Here is the same "
    "question answered from our own verified surveys, across every partner.</p>\n\n"
)
"""The page's Markdown above its body (mkdocs builds it once; directory_site/data_pages.py)."""


def market_body(where: Directory) -> str:
    market = where.market["all"]
    reasons = [(slug, where.market[slug]) for slug in where.market if slug != "all"]
    shown = sorted(
        ((slug, f) for slug, f in reasons if f.nps.value is not None),
        key=lambda pair: (-(pair[1].nps.value or 0.0), pair[0]),
    )
    hidden = [(slug, f) for slug, f in reasons if f.nps.value is None]
    found = (charts.shown(reason(s), f.nps, strong=s == HEADLINE) for s, f in shown)
    items = [item for item in found if item]
    chart = charts.intervals(
        "Partner NPS by why the customer chose its partner",
        items,
        "Each selection reason's partner NPS with its 95% interval and number of answers, "
        "best first; the dashed line is the market's NPS. The table below holds the same "
        "numbers.",
        axis="Partner NPS, from -100 to +100",
        market=market.nps.value,
    )
    outcomes = list(market.outcomes)
    heads = [
        "Why they chose",
        "Answers",
        "Partner NPS (95% interval)",
        "Vendor NPS (95% interval)",
        *(words(name) for name in outcomes),
    ]
    rows = "".join(_row(slug, f, heads, outcomes) for slug, f in shown)
    rows += "".join(
        f'<tr><th scope="row">{text(reason(slug))}</th><td data-label="Answers">'
        f'{f.response_count}</td><td data-label="Figures" colspan="{len(heads) - 2}">'
        '<span class="vouch-withheld">withheld (see the note above the table)</span></td></tr>'
        for slug, f in hidden
        if f.response_count
    )
    withheld = _withheld_note(hidden)
    head_cells = "".join(f'<th scope="col">{head}</th>' for head in heads)
    return (
        f"<p>All partners: {nps_words(market)}.</p>\n\n"
        + _sentence(items, market.nps)
        + f"\n\n{chart}\n\n{withheld}\n\n"
        + f'<table class="vouch-market vouch-stack"><thead><tr>{head_cells}</tr></thead>'
        + f"<tbody>{rows}</tbody></table>\n\n"
        + f'<p class="vouch-note">{INTERVAL_MEANING} {VENDOR_NPS_MEANING} Outcome columns: '
        "the share of answers saying yes. How each figure is computed: "
        f'<a href="{FIGURES_METHOD}">methodology</a>.</p>\n'
    )
