"""A page per software vendor: what its partners say of its partner programme.

The latest published quarter (api/readers/program.py decides: an ended quarter, from 5
answering partners, never differing from an earlier published one by 1 to 4 partners),
as the API's `Vendor.program` shows it: NPS with its interval, the 1-5 themes, and the
comments, unattributed, sorted by their text, cleaned as every stranger's text is.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from api import metrics
from api.readers.program import ProgramQuarter, latest_published, program_quarters
from api.readers.reference import all_vendors
from directory_site.pages import front
from directory_site.sanitize import markdown_html, text, web_url
from directory_site.words import PRIVACY_METHOD, signed

THEMES = {
    "enablement": "Enablement (training, certification, materials)",
    "support": "Support from the vendor",
    "lead_sharing": "Lead sharing",
    "payments": "Payments (margins, incentives, on time)",
}


def vendor_sources(session: Session) -> dict[str, str]:
    """The Markdown of vendors/index.md and vendors/<slug>.md, for every vendor."""
    quarters = program_quarters(session)
    found = {}
    links = []
    for vendor in all_vendors(session):
        shown = latest_published(quarters.get(vendor.id, []))
        found[f"vendors/{vendor.slug}.md"] = vendor_page(vendor.name, vendor.website, shown)
        links.append(f'<li><a href="{vendor.slug}.html">{text(vendor.name)}</a></li>')
    found["vendors/index.md"] = (
        front("Vendors", search=False)
        + "# Software vendors\n\n<p>What implementation partners say of each vendor's "
        "partner programme, from 5 answering partners a quarter.</p>\n\n"
        + f'<ul class="vouch-groups">{"".join(links)}</ul>\n'
    )
    return found


def vendor_page(name: str, website: str | None, shown: ProgramQuarter | None) -> str:
    url = web_url(website)
    site = (
        f'<p><a href="{text(url)}" rel="nofollow noopener noreferrer">{text(url)}</a></p>\n\n'
        if url
        else ""
    )
    return (
        front(f"{name}: partner programme", description=f"What partners say of {name}")
        + f"# {text(name)}\n\n{site}## What its partners say of its programme\n\n"
        + program_section(shown)
    )


def program_section(shown: ProgramQuarter | None) -> str:
    if shown is None:
        return "<p>No partner has rated this programme in a quarter that has ended.</p>\n"
    if not shown.published:
        return (
            f'<p class="vouch-withheld-note">{text(shown.quarter)}: withheld, '
            f"{text(shown.withheld_reason)} "
            f'(<a href="{PRIVACY_METHOD}">why</a>).</p>\n'
        )
    rows = "".join(
        f'<tr><th scope="row">{text(THEMES[theme])}</th><td>{_mean(figure)}</td>'
        f"<td>{figure.n}</td></tr>"
        for theme, figure in shown.ratings.items()
    )
    comments = "".join(
        f'<blockquote class="vouch-comment">{markdown_html(comment)}</blockquote>'
        for comment in shown.comments
    )
    return (
        f"<p>{text(shown.quarter)}, {shown.partners} partners answered. How likely they are "
        f"to recommend the programme, as an NPS: {_nps(shown.nps)}.</p>\n\n"
        '<table class="vouch-program"><thead><tr><th scope="col">Theme</th>'
        '<th scope="col">Mean, 1-5</th><th scope="col">Answers</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>\n\n"
        + (f"### Comments\n\n{comments}\n\n" if comments else "")
        + '<p class="vouch-note">Published per quarter once it has ended, from 5 answering '
        "partners, never per partner; comments unattributed and sorted by their text, not "
        f'by when they came (<a href="{PRIVACY_METHOD}">why</a>).</p>\n'
    )


def _nps(nps: metrics.Figure) -> str:
    if nps.value is None or nps.low is None or nps.high is None:
        return '<span class="vouch-withheld">withheld</span>'
    return (
        f'<strong>{signed(nps.value)}</strong> <span class="vouch-interval">'
        f"(95% interval {signed(nps.low)} to {signed(nps.high)}, n={nps.n})</span>"
    )


def _mean(figure: metrics.Figure) -> str:
    if figure.value is None:
        return '<span class="vouch-withheld">withheld</span>'
    return f"{figure.value:.1f}"
