"""The site's pages as Markdown files holding HTML blocks; every stranger's text is escaped
or sanitised (directory_site.sanitize) before it gets here.

Links are relative and end in .html (use_directory_urls is off), so the site works from
any folder of any static host; tests/test_site.py follows every one of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from api import metrics
from api.models import Product, Vendor
from api.readers.partner_figures import PUBLICATION_NOTE, FigureSet
from directory_site import charts
from directory_site.bodies import PLACEHOLDER
from directory_site.content import Directory, PartnerEntry
from directory_site.sanitize import markdown_html, text, title, web_url

TIER_WORDS = {
    "proven": "Proven",
    "established": "Established",
    "emerging": "Emerging",
    "not_enough_evidence": "Not enough evidence yet",
}


def words(slug: str) -> str:
    return slug.replace("_", " ").capitalize()


def front(name: str, *, search: bool = True, description: str = "") -> str:
    """Front matter; the theme prints these unescaped, so they are made inert here."""
    lines = ["---", f"title: {_yaml(title(name))}"]
    if description:
        lines.append(f"description: {_yaml(text(description))}")
    if not search:
        lines += ["search:", "  exclude: true"]
    return "\n".join([*lines, "---", ""])


def _yaml(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def nps_words(figures: FigureSet) -> str:
    nps = figures.nps
    if nps.value is None or nps.low is None or nps.high is None:
        return f'<span class="vouch-withheld">withheld: {text(nps.withheld_reason)}</span>'
    return (
        f'<strong>{nps.value:+.0f}</strong> <span class="vouch-interval">'
        f"(95% interval {nps.low:+.0f} to {nps.high:+.0f}, n={nps.n})</span>"
    )


def share(value: float | None) -> str:
    return "&ndash;" if value is None else f"{100 * value:.0f}%"


def partner_row(entry: PartnerEntry, prefix: str) -> str:
    figures = entry.figures
    return (
        f'<tr><td><a href="{prefix}partners/{entry.slug}.html">{text(entry.partner.name)}</a>'
        f"<br><small>{text(entry.partner.summary or '')}</small></td>"
        f"<td>{nps_words(figures.overall)}</td>"
        f"<td>{share(figures.response_rate)}</td>"
        f"<td>{TIER_WORDS[figures.evidence_tier]}</td>"
        f"<td>{figures.ranking_score:.1f}</td></tr>"
    )


def ranked_table(entries: Sequence[PartnerEntry], prefix: str) -> str:
    if not entries:
        return "<p>No partner here yet.</p>"
    rows = "".join(partner_row(entry, prefix) for entry in entries)
    return (
        '<table class="vouch-ranked"><thead><tr><th scope="col">Partner</th>'
        '<th scope="col">NPS (verified)</th><th scope="col">Response rate</th>'
        '<th scope="col">Evidence</th><th scope="col">Ranking score</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def ranked(entries: Iterable[PartnerEntry]) -> list[PartnerEntry]:
    return sorted(entries, key=lambda e: (-e.figures.ranking_score, e.partner.name, e.slug))


def list_page(title: str, intro: str, entries: Sequence[PartnerEntry]) -> tuple[str, str]:
    """(the page's Markdown, its body as HTML): a ranked list, too long for Markdown."""
    head = front(title, search=False) + f"# {text(title)}\n\n<p>{intro}</p>\n\n{PLACEHOLDER}\n"
    body = (
        '<p class="vouch-note">Ordered by ranking score: each partner\'s verified NPS shrunk '
        "toward the market NPS with the weight of 10 answers (see the "
        '<a href="../methodology.html">methodology</a>). Sponsorship, revenue and vendor tier '
        "play no part.</p>" + ranked_table(entries, "../")
    )
    return head, body


def figures_card(entry: PartnerEntry) -> str:
    figures = entry.figures
    overall = figures.overall
    published = (
        f"last published {overall.published_at:%Y-%m-%d}"
        if overall.published_at
        else "not published yet: fewer than 5 verified answers"
    )
    rows = [
        ("Net Promoter Score", nps_words(overall)),
        ("Verified answers", f"{overall.response_count} ({published})"),
        (
            "Survey invitations",
            f"{figures.invitations} sent; response rate {share(figures.response_rate)}",
        ),
        ("Engagements covered", str(overall.engagements_covered)),
        ("Evidence tier", TIER_WORDS[figures.evidence_tier]),
        ("Ranking score", f"{figures.ranking_score:.1f}"),
        ("NPS of the vendor, from the same surveys", _figure(overall.vendor_nps, nps=True)),
    ]
    rows += [(f"Rating: {words(name)} (1-5)", _figure(f)) for name, f in overall.ratings.items()]
    rows += [(words(name), _figure(f, percent=True)) for name, f in overall.outcomes.items()]
    body = "".join(
        f'<tr><th scope="row">{label}</th><td>{value}</td></tr>' for label, value in rows
    )
    return (
        '<table class="vouch-card"><caption>Verified customer-success figures</caption>'
        f'<tbody>{body}</tbody></table><p class="vouch-note">{text(PUBLICATION_NOTE)}</p>'
    )


def _figure(figure: metrics.Figure, *, nps: bool = False, percent: bool = False) -> str:
    if figure.value is None:
        return f'<span class="vouch-withheld">withheld: {text(figure.withheld_reason)}</span>'
    if nps and figure.low is not None and figure.high is not None:
        return (
            f"{figure.value:+.0f} (95% interval {figure.low:+.0f} to {figure.high:+.0f}, "
            f"n={figure.n})"
        )
    shown = f"{100 * figure.value:.0f}%" if percent else f"{figure.value:.2f}"
    return f"{shown} (n={figure.n})"


def _segment_table(title: str, rows: list[tuple[str, FigureSet]]) -> str:
    if not rows:
        return ""
    body = "".join(
        f"<tr><td>{label}</td><td>{figures.response_count}</td><td>{nps_words(figures)}</td></tr>"
        for label, figures in rows
    )
    return (
        f'<h2>{title}</h2><table><thead><tr><th scope="col">Segment</th>'
        '<th scope="col">Answers</th><th scope="col">NPS</th></tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


def partner_lede(entry: PartnerEntry) -> str:
    """The line under a partner's name, and all that search indexes of it besides the name:
    its summary, industries, products and cities."""
    industries = ", ".join(i.name for i in entry.industries)
    products = ", ".join(product.name for product, _vendor in entry.products)
    cities = ", ".join(sorted({office.city for office in entry.offices}))
    parts = (entry.partner.summary, industries, products, cities)
    return " · ".join(part for part in parts if part)


def partner_parts(entry: PartnerEntry, where: Directory) -> tuple[str, str]:
    """(the lede as plain text, the page's body as finished HTML)."""
    partner = entry.partner
    names = where.names
    trend = entry.segments["quarter"]
    trend_chart = charts.intervals(
        f"{partner.name}: NPS by quarter",
        [
            charts.Interval(
                s.key,
                s.figures.nps.value,
                s.figures.nps.low,
                s.figures.nps.high,
                s.figures.response_count,
            )
            for s in trend
        ],
        "Each quarter's NPS as a dot with its 95% interval as a bar; withheld quarters are "
        "marked. The same numbers are in the table below.",
    )
    distribution = charts.distribution(
        entry.overall.tally.partner_likelihood
        if entry.figures.overall.nps.value is not None
        else (),
        f"{partner.name}: answers by score",
    )
    body = "\n".join(
        [
            _profile(entry),
            "<h2>Verified figures</h2>",
            figures_card(entry),
            f'<p><a class="md-button" href="../compare.html?p={entry.slug}">'
            "Compare with others</a></p>",
            "<h2>Trend</h2>" + (trend_chart or "<p>No published quarter yet.</p>"),
            _segment_table("By quarter", [(s.key, s.figures) for s in trend]),
            "<h2>Answers by score</h2>"
            + (distribution or "<p>Shown once figures are published.</p>"),
            _segment_table(
                "By industry",
                [
                    (text(names.industries[int(s.key)].name), s.figures)
                    for s in entry.segments["industry"]
                ],
            ),
            _segment_table(
                "By product",
                [
                    (
                        text(" ".join(p.name for p in reversed(names.products[int(s.key)]))),
                        s.figures,
                    )
                    for s in entry.segments["product"]
                ],
            ),
            _claims(entry),
            _reviews(entry),
        ]
    )
    return partner_lede(entry), body


def _product_name(pair: tuple[Product, Vendor]) -> str:
    product, vendor = pair
    return product.name if product.name.startswith(vendor.name) else f"{vendor.name} {product.name}"


def _profile(entry: PartnerEntry) -> str:
    partner = entry.partner
    facts = []
    website = web_url(partner.website)
    if website:
        facts.append(f'<a href="{text(website)}" rel="nofollow noopener">{text(website)}</a>')
    if partner.headquarters_city:
        facts.append(f"Headquarters: {text(partner.headquarters_city)}")
    if partner.founded_year:
        facts.append(f"Founded {partner.founded_year}")
    if partner.employee_band:
        facts.append(f"{text(partner.employee_band)} people")
    if partner.hourly_rate_min and partner.hourly_rate_max:
        facts.append(f"${partner.hourly_rate_min}-{partner.hourly_rate_max} per hour")
    if partner.min_project_budget:
        facts.append(f"projects from ${partner.min_project_budget:,}")
    offices = "".join(
        f"<li>{text(o.city)}, {text(o.country)}"
        f"{' (headquarters)' if o.is_headquarters else ''}</li>"
        for o in entry.offices
    )
    return (
        f"<p>{' · '.join(facts)}</p>"
        + markdown_html(partner.description)
        + (f"<h2>Offices</h2><ul>{offices}</ul>" if offices else "")
    )


def _claims(entry: PartnerEntry) -> str:
    def claim(name: str, count: int) -> str:
        if count:
            plural = "s" if count != 1 else ""
            return f"<li>{text(name)}: <strong>verified</strong> ({count} engagement{plural})</li>"
        return f"<li>{text(name)}: claimed</li>"

    industries = "".join(claim(i.name, entry.verified("industry", i.id)) for i in entry.industries)
    products = "".join(claim(p.name, entry.verified("product", p.id)) for p, _v in entry.products)
    certifications = "".join(
        f"<li>{text(c.name)}{f' ({text(v.name)})' if v else ''}"
        f"{f', {c.year}' if c.year else ''} (claimed)</li>"
        for c, v in entry.certifications
    )
    references = "".join(
        f"<li><strong>{text(r.title)}</strong>{f', {text(i.name)}' if i else ''}"
        f"{f', {r.year}' if r.year else ''}{markdown_html(r.summary)}</li>"
        for r, i in entry.references
    )
    return (
        "<h2>Expertise: claimed and verified</h2><p>A claim is verified when published survey "
        "answers of verified engagements back it.</p>"
        + (f"<h3>Industries</h3><ul>{industries}</ul>" if industries else "")
        + (f"<h3>Products</h3><ul>{products}</ul>" if products else "")
        + (f"<h3>Certifications</h3><ul>{certifications}</ul>" if certifications else "")
        + (f"<h3>References</h3><ul>{references}</ul>" if references else "")
    )


def _reviews(entry: PartnerEntry) -> str:
    if not entry.reviews:
        return "<h2>Reviews</h2><p>No published review yet.</p>"
    items = []
    for review in entry.reviews:
        who = (
            "Anonymous respondent"
            if review.anonymous
            else ", ".join(
                text(part)
                for part in (review.respondent_name, review.respondent_title, review.company)
                if part
            )
        )
        where = f", {text(review.industry.name)}" if review.industry else ""
        when = f" · {text(review.quarter)}" if review.quarter else ""
        reply = (
            f'<blockquote class="vouch-reply"><p><strong>Reply from {text(entry.partner.name)}'
            f"</strong></p>{markdown_html(review.reply.body)}</blockquote>"
            if review.reply
            else ""
        )
        items.append(
            '<article class="vouch-review">'
            f"<p>{who}{where}{when}</p>{markdown_html(review.comment)}{reply}"
            "</article>"
        )
    return "<h2>Reviews</h2>" + "".join(items)


def market_page(where: Directory) -> str:
    reasons = [r for r in where.market if r != "all"]
    rows = "".join(
        f"<tr><td>{words(reason)}</td><td>{where.market[reason].response_count}</td>"
        f"<td>{nps_words(where.market[reason])}</td>"
        f"<td>{_figure(where.market[reason].vendor_nps, nps=True)}</td>"
        + "".join(
            f"<td>{_figure(f, percent=True)}</td>" for f in where.market[reason].outcomes.values()
        )
        + "</tr>"
        for reason in reasons
    )
    outcome_heads = "".join(
        f'<th scope="col">{words(name)}</th>' for name in where.market["all"].outcomes
    )
    chart = charts.intervals(
        "NPS by why the customer chose its partner",
        [
            charts.Interval(
                words(reason)[:14],
                where.market[reason].nps.value,
                where.market[reason].nps.low,
                where.market[reason].nps.high,
                where.market[reason].response_count,
            )
            for reason in reasons
        ],
        "Each selection reason's NPS with its 95% interval and number of answers; the table "
        "below holds the same numbers.",
    )
    return (
        front("Market insights")
        + "# Market insights: does the vendor's recommendation pay off?\n\n"
        + "<p>Buyers who took the partner their software vendor recommended report some of the "
        "worst outcomes in the industry research this directory grew from. Here is the same "
        "question answered from our own verified surveys, across every partner.</p>\n\n"
        + f"<p>All partners: {nps_words(where.market['all'])}.</p>\n\n"
        + f"{chart}\n\n"
        + '<table><thead><tr><th scope="col">Why they chose</th><th scope="col">Answers</th>'
        + f'<th scope="col">Partner NPS</th><th scope="col">Vendor NPS</th>{outcome_heads}'
        + f"</tr></thead><tbody>{rows}</tbody></table>\n"
    )


def compare_rows(entry: PartnerEntry) -> dict[str, object]:
    """What the compare page shows of a partner (data/compare/<slug>.json)."""
    overall = entry.figures.overall
    nps = overall.nps

    def figure(value: float | None, unit: str = "", sign: str = "") -> str:
        return "withheld" if value is None else f"{value:{sign}.0f}{unit}"

    rows = {
        "NPS": figure(nps.value, sign="+"),
        "95% interval": "withheld"
        if nps.low is None or nps.high is None
        else f"{nps.low:+.0f} to {nps.high:+.0f}",
        "Verified answers": str(overall.response_count),
        "Response rate": share(entry.figures.response_rate).replace("&ndash;", "-"),
        "Evidence tier": TIER_WORDS[entry.figures.evidence_tier],
        "Ranking score": f"{entry.figures.ranking_score:.1f}",
    }
    for name, outcome in overall.outcomes.items():
        percent = None if outcome.value is None else 100 * outcome.value
        rows[words(name)] = figure(percent, "%")
    rows["Industries"] = ", ".join(i.name for i in entry.industries)
    rows["Offices"] = ", ".join(sorted({f"{o.city} ({o.country})" for o in entry.offices}))
    return {"slug": entry.slug, "name": entry.partner.name, "rows": rows}
