"""Ranked lists of partners: the home page's, and one per industry, product and country.

An industry's (a product's) list ranks by the partners' figures in that industry, where
that segment is shown (SegmentFigures.shown: the withholding rules applied), and says
why each partner is listed. A partner whose figures there are withheld, or who has none
yet, comes after, ordered by its overall figures and labelled so; the withheld figure is
never shown, and nothing is computed from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from api import metrics
from api.readers.partner_figures import SegmentFigures
from directory_site.content import PartnerEntry
from directory_site.sanitize import text
from directory_site.words import (
    FIGURES_METHOD,
    PRIVACY_METHOD,
    evidence_and_result,
    nps_short,
    nps_words,
    share,
)


@dataclass(frozen=True)
class Focus:
    """The industry or product a list is about: its figures are what the list ranks by."""

    kind: str  # "industry" or "product", as the segments name them
    key: int
    name: str


def ranked(entries: Iterable[PartnerEntry]) -> list[PartnerEntry]:
    """By overall ranking score, best first; ties by name, then slug."""
    return sorted(entries, key=lambda e: (-e.figures.ranking_score, e.partner.name, e.slug))


def _cell(label: str, value: str) -> str:
    """data-label: on a phone each row is a card, each value after its column's heading
    (none where the value names itself, as "Evidence: ... Result: ..." does)."""
    return f'<td data-label="{text(label)}">{value}</td>'


def _partner(entry: PartnerEntry, prefix: str, why: str = "") -> str:
    """The partner's name, its summary (two lines at most) and why it is listed."""
    summary = entry.partner.summary
    parts = [
        f'<a href="{prefix}partners/{entry.slug}.html">{text(entry.partner.name)}</a>',
        f'<span class="vouch-summary">{text(summary)}</span>' if summary else "",
        f'<small class="vouch-why">{why}</small>' if why else "",
    ]
    return f'<td class="vouch-partner">{"".join(parts)}</td>'


def _table(heads: Sequence[str], rows: Iterable[str]) -> str:
    cells = "".join(f'<th scope="col">{head}</th>' for head in heads)
    return (
        '<table class="vouch-ranked vouch-stack">'
        f"<thead><tr>{cells}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


OVERALL_HEADS = ("Partner", "Verified NPS (95% interval)", "Evidence and result", "Response rate",
                 "Ranking score")  # fmt: skip


def ranked_table(entries: Sequence[PartnerEntry], prefix: str, market: float) -> str:
    """Partners by their overall figures."""
    if not entries:
        return "<p>No partner here yet.</p>"
    heads = OVERALL_HEADS
    rows = (
        "<tr>"
        + _partner(entry, prefix)
        + _cell(heads[1], nps_words(entry.figures.overall))
        + _cell("", evidence_and_result(entry.figures.overall.nps, market))
        + _cell(heads[3], share(entry.figures.response_rate))
        + _cell(heads[4], f"{entry.figures.ranking_score:.1f}")
        + "</tr>"
        for entry in entries
    )
    return _table(heads, rows)


def _why(entry: PartnerEntry, focus: Focus, segment: SegmentFigures | None) -> str:
    """Why the partner is on the list: its verified engagements there, or its claim."""
    name = text(focus.name)
    count = segment.figures.engagements_covered if segment else 0
    if not count:
        return f"Listed as it claims {name}; no verified engagement there yet"
    plural = "" if count == 1 else "s"
    listed = f"Listed for {count} verified engagement{plural} in {name}"
    return listed if segment and segment.shown else f"{listed}; its figures there are withheld"


def _segment_score(segment: SegmentFigures, market: float) -> float:
    """The ranking score's rule (api.metrics.shrunk_nps) over the segment's answers."""
    nps = segment.figures.nps
    assert nps.value is not None  # only shown segments are scored
    return metrics.shrunk_nps(nps.n, nps.value, market)


def focus_tables(entries: Sequence[PartnerEntry], focus: Focus, prefix: str, market: float) -> str:
    """The partners whose figures in `focus` are shown, ranked by them; then the others,
    ordered by their overall figures, under a heading that says so."""
    found = [(entry, entry.segment(focus.kind, focus.key)) for entry in entries]
    shown = sorted(
        ((e, s) for e, s in found if s is not None and s.shown),
        key=lambda pair: (-_segment_score(pair[1], market), pair[0].partner.name, pair[0].slug),
    )
    others = [
        (entry, entry.segment(focus.kind, focus.key))
        for entry in ranked(e for e, s in found if s is None or not s.shown)
    ]
    name = text(focus.name)
    parts = []
    if shown:
        heads = (
            "Partner",
            f"NPS in {name} (95% interval)",
            f"Evidence and result in {name}",
            "Overall NPS, all work",
            f"Ranking score in {name}",
        )
        rows = (
            "<tr>"
            + _partner(entry, prefix, _why(entry, focus, segment))
            + _cell(heads[1], nps_words(segment.figures))
            + _cell("", evidence_and_result(segment.figures.nps, market))
            + _cell(heads[3], nps_short(entry.figures.overall.nps))
            + _cell(heads[4], f"{_segment_score(segment, market):.1f}")
            + "</tr>"
            for entry, segment in shown
        )
        parts.append(f"<h2>Ranked by their figures in {name}</h2>" + _table(heads, rows))
    if others:
        others_heads = (
            "Partner",
            "Overall NPS, all work (95% interval)",
            "Evidence and result, overall",
            "Overall ranking score",
        )
        rows = (
            "<tr>"
            + _partner(entry, prefix, _why(entry, focus, segment))
            + _cell(others_heads[1], nps_words(entry.figures.overall))
            + _cell("", evidence_and_result(entry.figures.overall.nps, market))
            + _cell(others_heads[3], f"{entry.figures.ranking_score:.1f}")
            + "</tr>"
            for entry, segment in others
        )
        parts.append(
            f"<h2>Not ranked by figures in {name}: ordered by overall figures</h2>"
            f'<p class="vouch-note">These partners\' figures in {name} are not shown: '
            "withheld while they rest on fewer than 5 answers, or so that no respondent's "
            f'answers can be worked out from the others (<a href="{prefix}{PRIVACY_METHOD}">'
            "why</a>), or there is no verified engagement there yet. Their overall figures, "
            "over all their work, order them here.</p>" + _table(others_heads, rows)
        )
    return "".join(parts) or "<p>No partner here yet.</p>"


def list_body(
    intro: str,
    entries: Sequence[PartnerEntry],
    market: float,
    focus: Focus | None = None,
) -> str:
    """A list page's body as HTML (too long for Markdown): its intro and its ranked list."""
    where = f" in {text(focus.name)}" if focus else ""
    note = (
        f'<p class="vouch-note">Ordered by ranking score{where}: the verified NPS{where} '
        "shrunk toward the market NPS with the weight of 10 answers, so a partner with few "
        f'answers sits near the market (see the <a href="../{FIGURES_METHOD}">'
        "methodology</a>). Sponsorship, revenue and vendor tier play no part.</p>"
    )
    table = (
        focus_tables(entries, focus, "../", market)
        if focus
        else ranked_table(ranked(entries), "../", market)
    )
    return f"<p>{intro}</p>\n" + note + table
