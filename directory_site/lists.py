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
from functools import lru_cache

from directory_site.listed import InFocus, Listed
from directory_site.sanitize import text
from directory_site.words import FIGURES_METHOD, PRIVACY_METHOD


@dataclass(frozen=True)
class Focus:
    """The industry or product a list is about: its figures are what the list ranks by."""

    kind: str  # "industry" or "product", as the segments name them
    key: int
    name: str


def ranked(rows: Iterable[Listed]) -> list[Listed]:
    """By overall ranking score, best first; ties by name, then slug."""
    return sorted(rows, key=lambda r: (-r.ranking_score, r.name, r.slug))


def _cell(label: str, value: str) -> str:
    """data-label: on a phone each row is a card, each value after its column's heading
    (none where the value names itself, as "Evidence: ... Result: ..." does)."""
    return f'<td data-label="{_label(label)}">{value}</td>'


@lru_cache(maxsize=1024)
def _label(label: str) -> str:
    return text(label)


def _partner(row: Listed, prefix: str, why: str = "") -> str:
    """The partner's name, its summary (two lines at most) and why it is listed."""
    parts = [
        f'<a href="{prefix}partners/{row.slug}.html">{text(row.name)}</a>',
        f'<span class="vouch-summary">{text(row.summary)}</span>' if row.summary else "",
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


def ranked_table(rows: Sequence[Listed], prefix: str) -> str:
    """Partners by their overall figures."""
    if not rows:
        return "<p>No partner here yet.</p>"
    heads = OVERALL_HEADS
    cells = (
        "<tr>"
        + _partner(row, prefix)
        + _cell(heads[1], row.nps)
        + _cell("", row.verdict)
        + _cell(heads[3], row.response_rate)
        + _cell(heads[4], f"{row.ranking_score:.1f}")
        + "</tr>"
        for row in rows
    )
    return _table(heads, cells)


def _why(focus: Focus, there: InFocus | None) -> str:
    """Why the partner is on the list: its verified engagements there, or its claim."""
    name = text(focus.name)
    count = there.covered if there else 0
    if not count:
        return f"Listed as it claims {name}; no verified engagement there yet"
    plural = "" if count == 1 else "s"
    listed = f"Listed for {count} verified engagement{plural} in {name}"
    return listed if there and there.shown else f"{listed}; its figures there are withheld"


def focus_tables(rows: Sequence[Listed], focus: Focus, prefix: str) -> str:
    """The partners whose figures in `focus` are shown, ranked by them (the ranking score's
    rule, api.metrics.shrunk_nps, over their answers there); then the others, ordered by
    their overall figures, under a heading that says so."""
    key = (focus.kind, focus.key)
    found = [(row, row.focus.get(key)) for row in rows]
    shown = sorted(
        ((row, there) for row, there in found if there is not None and there.shown),
        key=lambda pair: (-pair[1].score, pair[0].name, pair[0].slug),
    )
    others = [
        (row, row.focus.get(key))
        for row in ranked(row for row, there in found if there is None or not there.shown)
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
        cells = (
            "<tr>"
            + _partner(row, prefix, _why(focus, there))
            + _cell(heads[1], there.nps)
            + _cell("", there.verdict)
            + _cell(heads[3], row.nps_short)
            + _cell(heads[4], f"{there.score:.1f}")
            + "</tr>"
            for row, there in shown
        )
        parts.append(f"<h2>Ranked by their figures in {name}</h2>" + _table(heads, cells))
    if others:
        others_heads = (
            "Partner",
            "Overall NPS, all work (95% interval)",
            "Evidence and result, overall",
            "Overall ranking score",
        )
        cells = (
            "<tr>"
            + _partner(row, prefix, _why(focus, there))
            + _cell(others_heads[1], row.nps)
            + _cell("", row.verdict)
            + _cell(others_heads[3], f"{row.ranking_score:.1f}")
            + "</tr>"
            for row, there in others
        )
        parts.append(
            f"<h2>Not ranked by figures in {name}: ordered by overall figures</h2>"
            f'<p class="vouch-note">These partners\' figures in {name} are not shown: '
            "withheld while they rest on fewer than 5 answers, or so that no respondent's "
            f'answers can be worked out from the others (<a href="{prefix}{PRIVACY_METHOD}">'
            "why</a>), or there is no verified engagement there yet. Their overall figures, "
            "over all their work, order them here.</p>" + _table(others_heads, cells)
        )
    return "".join(parts) or "<p>No partner here yet.</p>"


def list_body(intro: str, rows: Sequence[Listed], focus: Focus | None = None) -> str:
    """A list page's body as HTML (too long for Markdown): its intro and its ranked list."""
    where = f" in {text(focus.name)}" if focus else ""
    note = (
        f'<p class="vouch-note">Ordered by ranking score{where}: the verified NPS{where} '
        "shrunk toward the market NPS with the weight of 10 answers, so a partner with few "
        f'answers sits near the market (see the <a href="../{FIGURES_METHOD}">'
        "methodology</a>). Sponsorship, revenue and vendor tier play no part.</p>"
    )
    table = focus_tables(rows, focus, "../") if focus else ranked_table(ranked(rows), "../")
    return f"<p>{intro}</p>\n" + note + table
