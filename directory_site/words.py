"""The site's words for figures: one place, so every page says the same thing the same way.

Evidence and result are kept apart (api.metrics.reading): how many answers a figure rests
on, and where its interval lies against the market. The API's evidence tiers keep their
names for clients; the site no longer prints them, since "Emerging" read as promising for
a partner at -53 over 43 answers.
"""

from __future__ import annotations

from api import metrics
from api.readers.partner_figures import FigureSet
from directory_site.sanitize import text

METHOD = "methodology.html"
FIGURES_METHOD = f"{METHOD}#the-figures"
PRIVACY_METHOD = f"{METHOD}#what-stays-private-and-why"

EVIDENCE = {
    "strong": "strong",
    "moderate": "moderate",
    "limited": "limited",
    "too_few": "too few answers to publish",
}
RESULT = {
    "above": "above the market",
    "in_line": "in line with the market",
    "below": "below the market",
    "withheld": "not published",
}
REASONS = {
    "vendor_recommended": "Vendor recommended it",
    "lowest_price": "Lowest price",
    "closest_office": "Closest office",
    "prior_relationship": "Prior relationship",
    "peer_referral": "Peer referral",
    "industry_expertise": "Industry expertise",
    "product_expertise": "Product expertise",
    "rfp_evaluation": "RFP evaluation",
    "analyst_ranking": "Analyst ranking",
    "directory_search": "Directory search",
    "other": "Other",
}
INTERVAL_MEANING = (
    "The 95% interval is the range the true NPS most likely lies in, given how many "
    "answered: a few answers give a wide range, many a narrow one."
)
VENDOR_NPS_MEANING = (
    "Vendor NPS: how likely the same respondents are to recommend the software vendor, "
    "asked in the same survey. A partner's failure shows up in the vendor's score too."
)


def words(slug: str) -> str:
    """A field's name as words: on_time -> On time."""
    return slug.replace("_", " ").capitalize()


def reason(slug: str) -> str:
    return REASONS.get(slug, words(slug))


def signed(value: float) -> str:
    """+12, -3 or 0: a rounded figure with its sign, never "-0" or "+0"."""
    rounded = round(value)
    return f"{rounded:+d}" if rounded else "0"


def answers(n: int) -> str:
    return f"{n} answer{'' if n == 1 else 's'}"


def evidence(strength: metrics.EvidenceStrength, n: int) -> str:
    """Evidence: strong (43 answers)."""
    if strength == "too_few":
        return f"{EVIDENCE[strength]} ({n} of {metrics.K_ANONYMITY} needed)"
    return f"{EVIDENCE[strength]} ({answers(n)})"


def evidence_and_result(nps: metrics.Figure, market: float) -> str:
    """Two lines: how much evidence, and what it says against the market."""
    strength = metrics.evidence_strength(nps.n)
    result = metrics.market_result(nps, market)
    return (
        f"Evidence: {evidence(strength, nps.n)}<br>"
        f'Result: <span class="vouch-result-{result}">{RESULT[result]}</span>'
    )


def withheld(figure: metrics.Figure) -> str:
    if figure.n == 0:  # no published copy yet: answers may have come, under five
        return '<span class="vouch-withheld">not published yet: fewer than 5 answers</span>'
    return f'<span class="vouch-withheld">withheld: {text(figure.withheld_reason)}</span>'


def nps_words(figures: FigureSet) -> str:
    """+62 (95% interval +40 to +80, n=26), or why it is withheld."""
    nps = figures.nps
    if nps.value is None or nps.low is None or nps.high is None:
        return withheld(nps)
    return (
        f'<strong>{signed(nps.value)}</strong> <span class="vouch-interval">'
        f"(95% interval {signed(nps.low)} to {signed(nps.high)}, n={nps.n})</span>"
    )


def nps_short(nps: metrics.Figure) -> str:
    """+62 over 26 answers, for a cell beside the figure it is compared with."""
    if nps.value is None:
        return f'<span class="vouch-withheld">withheld</span> (n={nps.n})'
    return f"{signed(nps.value)} (n={nps.n})"


def figure(value: metrics.Figure, *, nps: bool = False, percent: bool = False) -> str:
    if value.value is None:
        return withheld(value)
    if nps and value.low is not None and value.high is not None:
        interval = f"95% interval {signed(value.low)} to {signed(value.high)}"
        return f"{signed(value.value)} ({interval}, n={value.n})"
    shown = f"{100 * value.value:.0f}%" if percent else f"{value.value:.2f}"
    return f"{shown} (n={value.n})"


def share(value: float | None) -> str:
    return "&ndash;" if value is None else f"{100 * value:.0f}%"
