"""The site's pages as Markdown files holding HTML blocks; every stranger's text is escaped
or sanitised (directory_site.sanitize) before it gets here.

Links are relative and end in .html (use_directory_urls is off), so the site works from
any folder of any static host; tests/test_site.py follows every one of them.
"""

from __future__ import annotations

from api import metrics
from api.models import Product, Vendor
from api.readers.partner_figures import PUBLICATION_NOTE, FigureSet
from directory_site import charts
from directory_site.content import Directory, PartnerEntry
from directory_site.sanitize import markdown_html, text, title, web_url
from directory_site.words import (
    FIGURES_METHOD,
    INTERVAL_MEANING,
    PRIVACY_METHOD,
    RESULT,
    VENDOR_NPS_MEANING,
    evidence,
    figure,
    nps_words,
    share,
    signed,
    words,
)


def front(name: str, *, search: bool = True, description: str = "", wide: bool = False) -> str:
    """Front matter; the theme prints these unescaped, so they are made inert here. A wide
    page (a table of many columns) hides the side bars, which would leave it half the
    screen."""
    lines = ["---", f"title: {_yaml(title(name))}"]
    if description:
        lines.append(f"description: {_yaml(text(description))}")
    if not search:
        lines += ["search:", "  exclude: true"]
    if wide:
        lines += ["hide:", "  - navigation", "  - toc"]
    return "\n".join([*lines, "---", ""])


def _yaml(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def figures_card(entry: PartnerEntry, market: float) -> str:
    figures = entry.figures
    overall = figures.overall
    published = (
        f"last published {overall.published_at:%Y-%m-%d}"
        if overall.published_at
        else "not published yet: fewer than 5 verified answers"
    )
    rows = [
        ("Net Promoter Score", nps_words(overall)),
        ("Evidence", evidence(figures.evidence, overall.nps.n)),
        ("Result", _result(figures.result, market)),
        ("Verified answers", f"{overall.response_count} ({published})"),
        (
            "Survey invitations",
            f"{figures.invitations} sent; response rate {share(figures.response_rate)}",
        ),
        ("Engagements covered", str(overall.engagements_covered)),
        ("Ranking score", f"{figures.ranking_score:.1f}"),
        ("Engagements in progress on track (pulse checks)", _on_track(entry)),
        ("Vendor NPS (the software vendor, rated in the same surveys)",
         figure(overall.vendor_nps, nps=True)),
    ]  # fmt: skip
    rows += [(f"Rating: {words(name)} (1-5)", figure(f)) for name, f in overall.ratings.items()]
    rows += [(words(name), figure(f, percent=True)) for name, f in overall.outcomes.items()]
    body = "".join(
        f'<tr><th scope="row">{label}</th><td>{value}</td></tr>' for label, value in rows
    )
    return (
        '<table class="vouch-card"><caption>Verified customer-success figures</caption>'
        f'<tbody>{body}</tbody></table><p class="vouch-note">{INTERVAL_MEANING} '
        f"{VENDOR_NPS_MEANING} {text(PUBLICATION_NOTE)} How each figure is computed: "
        f'<a href="../{FIGURES_METHOD}">methodology</a>.</p>'
    )


def _on_track(entry: PartnerEntry) -> str:
    found = entry.on_track
    if found is None:
        return f"withheld: fewer than {metrics.K_ANONYMITY} engagements in progress checked"
    return (
        f"{found.on_track} of {found.engagements} ({share(found.share)}; "
        f"published {found.published_on:%Y-%m-%d}, moves once {metrics.K_ANONYMITY} changed)"
    )


def _result(result: metrics.MarketResult, market: float) -> str:
    if result == "withheld":
        return RESULT[result]
    how = {
        "above": "its whole 95% interval lies above",
        "in_line": "its 95% interval holds",
        "below": "its whole 95% interval lies below",
    }[result]
    return f"{RESULT[result]}: {how} the market NPS of {signed(market)}"


def segment_section(
    heading: str,
    kind: str,
    rows: list[tuple[str, FigureSet]],
    before: str = "",
) -> str:
    """A table of the shown segments, then one sentence naming the withheld ones and why;
    `before` (a chart of the shown ones) goes between the heading and the table."""
    if not rows:
        return ""
    shown = [(label, figures) for label, figures in rows if not figures.nps.withheld]
    hidden = [(label, figures) for label, figures in rows if figures.nps.withheld]
    body = "".join(
        f"<tr><td>{label}</td><td>{figures.response_count}</td><td>{nps_words(figures)}</td></tr>"
        for label, figures in shown
    )
    table = (
        f'<table class="vouch-segments"><thead><tr><th scope="col">{words(kind)}</th>'
        '<th scope="col">Answers</th><th scope="col">NPS</th></tr></thead>'
        f"<tbody>{body}</tbody></table>"
        if shown
        else ""
    )
    return f"<h2>{heading}</h2>{before}{table}{_withheld_sentence(kind, len(rows), hidden)}"


def _withheld_sentence(kind: str, total: int, hidden: list[tuple[str, FigureSet]]) -> str:
    """Once, in words: which segments are withheld and why (never their figures)."""
    if not hidden:
        return ""
    few = [label for label, figures in hidden if figures.nps.n < metrics.K_ANONYMITY]
    guarded = [label for label, figures in hidden if figures.nps.n >= metrics.K_ANONYMITY]
    reasons = []
    if few:
        reasons.append(f"{', '.join(few)}: fewer than {metrics.K_ANONYMITY} answers each")
    if guarded:
        reasons.append(
            f"{', '.join(guarded)}: so that no respondent's answers can be worked out by "
            "comparing or subtracting the published figures"
        )
    return (
        f'<p class="vouch-withheld-note">{_how_many(kind, total, len(hidden))} '
        f'({"; ".join(reasons)}). <a href="../{PRIVACY_METHOD}">Why figures are withheld</a>.'
        "</p>"
    )


def _how_many(kind: str, total: int, hidden: int) -> str:
    kinds = "industries" if kind == "industry" else f"{kind}s"
    if total == 1:
        return f"The only {kind} with answers is withheld"
    if hidden == total:
        return f"{'Both' if total == 2 else f'All {total}'} {kinds} with answers are withheld"
    return f"{hidden} of the {total} {kinds} with answers {'is' if hidden == 1 else 'are'} withheld"


def partner_lede(entry: PartnerEntry) -> str:
    """The line under a partner's name, and all that search indexes of it besides the name:
    its summary, industries, products and cities."""
    industries = ", ".join(i.name for i in entry.industries)
    products = ", ".join(product_name(pair) for pair in entry.products)
    cities = ", ".join(sorted({office.city for office in entry.offices}))
    parts = (entry.partner.summary, industries, products, cities)
    return " · ".join(part for part in parts if part)


def _trend_chart(entry: PartnerEntry, market: float) -> str:
    found = (charts.shown(s.key, s.figures.nps) for s in entry.segments["quarter"])
    return charts.intervals(
        f"{entry.partner.name}: NPS by quarter",
        [item for item in found if item],
        "Each shown quarter's NPS as a dot with its 95% interval as a line and its number "
        "of answers; the same numbers are in the table below.",
        market=market,
    )


def partner_parts(entry: PartnerEntry, where: Directory) -> tuple[str, str]:
    """(the lede as plain text, the page's body as finished HTML)."""
    partner = entry.partner
    names = where.names
    market = where.market_nps
    distribution = charts.distribution(
        entry.overall.tally.partner_likelihood
        if entry.figures.overall.nps.value is not None
        else (),
        f"{partner.name}: answers by score",
    )
    quarters = [(text(s.key), s.figures) for s in entry.segments["quarter"]]
    body = "\n".join(
        [
            _profile(entry),
            "<h2>Verified figures</h2>",
            figures_card(entry, market),
            f'<p><a class="md-button" href="../compare.html?p={entry.slug}">'
            "Compare with others</a></p>",
            segment_section("Trend by quarter", "quarter", quarters, _trend_chart(entry, market))
            or "<h2>Trend by quarter</h2><p>No published quarter yet.</p>",
            "<h2>Answers by score</h2>"
            + (distribution or "<p>Shown once figures are published.</p>"),
            segment_section(
                "By industry",
                "industry",
                [
                    (text(names.industries[int(s.key)].name), s.figures)
                    for s in entry.segments["industry"]
                ],
            ),
            segment_section(
                "By product",
                "product",
                [
                    (text(product_name(names.products[int(s.key)])), s.figures)
                    for s in entry.segments["product"]
                ],
            ),
            _claims(entry),
            _reviews(entry),
        ]
    )
    return partner_lede(entry), body


def product_name(pair: tuple[Product, Vendor]) -> str:
    """The product's name, with its vendor's in front unless it already carries the
    vendor's brand: "Quellbrook ERP" and "Tidemark CRM" (of Tidemark Software) as they
    are, never "Quellbrook Quellbrook ERP"."""
    product, vendor = pair
    brand = vendor.name.split()[0].lower() if vendor.name.split() else ""
    if product.name.lower().split()[:1] == [brand]:
        return product.name
    return f"{vendor.name} {product.name}"


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
    products = "".join(
        claim(product_name((p, v)), entry.verified("product", p.id)) for p, v in entry.products
    )
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


def compare_rows(entry: PartnerEntry) -> dict[str, object]:
    """What the compare page shows of a partner (data/compare/<slug>.json), as plain text."""
    overall = entry.figures.overall
    nps = overall.nps

    def shown(value: float | None, unit: str = "", sign: str = "") -> str:
        return "withheld" if value is None else f"{value:{sign}.0f}{unit}"

    rows = {
        "NPS": shown(nps.value, sign="+"),
        "95% interval": "withheld"
        if nps.low is None or nps.high is None
        else f"{signed(nps.low)} to {signed(nps.high)}",
        "Verified answers": str(overall.response_count),
        "Evidence": evidence(entry.figures.evidence, nps.n),
        "Result": RESULT[entry.figures.result],
        "Response rate": share(entry.figures.response_rate).replace("&ndash;", "-"),
        "Ranking score": f"{entry.figures.ranking_score:.1f}",
    }
    for name, outcome in overall.outcomes.items():
        percent = None if outcome.value is None else 100 * outcome.value
        rows[words(name)] = shown(percent, "%")
    rows["Industries"] = ", ".join(i.name for i in entry.industries)
    rows["Offices"] = ", ".join(sorted({f"{o.city} ({o.country})" for o in entry.offices}))
    return {"slug": entry.slug, "name": entry.partner.name, "rows": rows}
