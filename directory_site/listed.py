"""What the pages made from every partner show of each: worked out once, kept between builds.

The lists, the home page, the open data and the search box's index show a few words and
numbers of every partner. A `Listed` holds them, finished (escaped HTML where a page shows
them, plain text where a file does), from the partner's published entry
(directory_site/content.py, LISTED) and the directory's names and market NPS. A build keeps
every partner's in `.vouch-build/listed.jsonl`, inside the site it publishes, so an
incremental build reads from the database only the partners the change log names and
takes the others from there: a row of a list is the same bytes whichever way it came.

The file is read only from a site folder this code built and published (its marker and
manifest), and only when the manifest's fingerprints say nothing it depends on changed:
the code (any change makes a full build), the market NPS and the names (the context).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from api import metrics
from api.readers.partner_figures import SegmentFigures
from directory_site.content import Directory, PartnerEntry
from directory_site.manifest import FOLDER
from directory_site.search_box import SearchRecord, record
from directory_site.words import evidence_and_result, nps_short, nps_words, share

KEPT = f"{FOLDER}/listed.jsonl"
VERSION = 2

COLUMNS = ("slug", "name", "website", "countries", "industries", "responses", "nps", "nps_low",
           "nps_high", "response_rate", "evidence_tier", "evidence", "result", "ranking_score",
           "published_at")  # fmt: skip
"""The open data's columns (data/partners.json and .csv), in order."""


class InFocus(NamedTuple):
    """A partner on an industry's or a product's list: its figures there."""

    covered: int  # verified engagements there (0: listed by its claim alone)
    shown: bool  # its figures there are shown (the withholding rules), so it is ranked by them
    nps: str  # nps_words of them ("" when not shown)
    verdict: str  # evidence_and_result of them
    score: float  # the ranking score's rule over them (0.0 when not shown)


class Listed(NamedTuple):
    id: int
    slug: str
    name: str  # as the partner wrote it (escaped where a page shows it)
    summary: str  # "" when it has none
    ranking_score: float
    withheld: bool  # its overall NPS is withheld
    nps: str  # nps_words of its overall figures
    nps_short: str  # nps_short of its overall NPS
    verdict: str  # evidence_and_result of its overall NPS
    response_rate: str  # share(response rate)
    industries: tuple[str, ...]  # the slugs of the lists it is on, by kind
    products: tuple[str, ...]
    countries: tuple[str, ...]
    focus: dict[tuple[str, int], InFocus]  # ("industry" | "product", id): where it has figures
    record: tuple[object, ...]  # the open data's row, in COLUMNS order
    search: SearchRecord

    def lists(self, kind: str) -> tuple[str, ...]:
        """The slugs of the lists of `kind` it is on (data_pages.KINDS)."""
        found = {
            "industries": self.industries,
            "products": self.products,
            "countries": self.countries,
        }
        return found[kind]


def on_lists(row: Listed | None) -> tuple[object, ...] | None:
    """What the lists show of `row` (all but its open data record and its search record):
    a partner whose description alone changed is on no list to write again."""
    return row[:RECORD] if row is not None else None


def listed(entries: Iterable[PartnerEntry], where: Directory) -> list[Listed]:
    """What the pages made from every partner show of each of `entries`, in their order."""
    names = where.names
    slugs = {
        "industry": {str(i.id): i.slug for i in names.industries.values()},
        "product": {str(p.id): p.slug for p, _v in names.products.values()},
    }
    return [_listed(entry, where.market_nps, slugs) for entry in entries]


def _listed(entry: PartnerEntry, market: float, slugs: dict[str, dict[str, str]]) -> Listed:
    figures = entry.figures
    overall = figures.overall
    industries = {i.slug for i in entry.industries}
    industries |= {slugs["industry"][s.key] for s in entry.segments.get("industry", [])}
    products = {p.slug for p, _v in entry.products}
    products |= {slugs["product"][s.key] for s in entry.segments.get("product", [])}
    focus = {
        (kind, int(segment.key)): _in_focus(segment, market)
        for kind in ("industry", "product")
        for segment in entry.segments.get(kind, [])
    }
    published = overall.published_at
    row = (
        entry.slug,
        entry.partner.name,
        entry.partner.website,
        sorted({o.country for o in entry.offices}),
        [i.slug for i in entry.industries],
        overall.response_count,
        overall.nps.value,
        overall.nps.low,
        overall.nps.high,
        figures.response_rate,
        figures.evidence_tier,
        figures.evidence,
        figures.result,
        round(figures.ranking_score, 4),
        published.isoformat() if published else None,
    )
    return Listed(
        id=entry.partner.id,
        slug=entry.slug,
        name=entry.partner.name,
        summary=entry.partner.summary or "",
        ranking_score=figures.ranking_score,
        withheld=overall.nps.withheld,
        nps=nps_words(overall),
        nps_short=nps_short(overall.nps),
        verdict=evidence_and_result(overall.nps, market),
        response_rate=share(figures.response_rate),
        industries=tuple(sorted(industries)),
        products=tuple(sorted(products)),
        countries=tuple(sorted({office.country.lower() for office in entry.offices})),
        focus=focus,
        record=row,
        search=record(entry, market),
    )


def _in_focus(segment: SegmentFigures, market: float) -> InFocus:
    figures = segment.figures
    if not segment.shown or figures.nps.value is None:
        return InFocus(figures.engagements_covered, False, "", "", 0.0)
    score = metrics.shrunk_nps(figures.nps.n, figures.nps.value, market)
    return InFocus(
        figures.engagements_covered,
        True,
        nps_words(figures),
        evidence_and_result(figures.nps, market),
        score,
    )


class Kept(NamedTuple):
    """The rows a build kept, by partner id, and each one's line in the file: a row the
    next build carries is written back as the line it was read from."""

    rows: dict[int, Listed]
    lines: dict[int, str]


def dump(rows: list[Listed], kept: Kept | None = None) -> str:
    """`rows` as the file a build keeps: JSON, a partner a line (never pickle: the file
    sits in a folder a static host may publish, and is read back as data only); a row of
    `kept` (the very one) as the line it was read from."""
    carried = kept.rows if kept else {}
    lines = (
        kept.lines[row.id] if kept and carried.get(row.id) is row else _line(row) for row in rows
    )
    return json.dumps({"version": VERSION}) + "\n" + "".join(f"{line}\n" for line in lines)


def _line(row: Listed) -> str:
    return json.dumps([*row[:FOCUS], _focus_out(row.focus), *row[FOCUS + 1 :]])


def load(site: Path) -> dict[int, Listed] | None:
    """Every partner's `Listed` as the build that made `site` kept them, by partner id; None
    when there are none (an older build's site) or they cannot be read."""
    kept = load_kept(site)
    return kept.rows if kept else None


def load_kept(site: Path) -> Kept | None:
    """load's rows, with their lines."""
    try:
        head, *lines = (site / KEPT).read_text().splitlines()
        if json.loads(head) != {"version": VERSION}:
            return None
        rows = [_row(json.loads(line)) for line in lines]
    except (OSError, ValueError, TypeError, KeyError):
        return None
    return Kept(
        {row.id: row for row in rows},
        {row.id: line for row, line in zip(rows, lines, strict=True)},
    )


FOCUS = Listed._fields.index("focus")
RECORD = Listed._fields.index("record")


def _focus_out(focus: dict[tuple[str, int], InFocus]) -> list[list[object]]:
    return [[kind, key, *there] for (kind, key), there in sorted(focus.items())]


_TUPLES = [Listed._fields.index(name) for name in ("industries", "products", "countries", "record")]
_SEARCH = Listed._fields.index("search")


def _row(values: list[Any]) -> Listed:
    if len(values) != len(Listed._fields):
        raise ValueError(f"a kept row of {len(values)} values, not {len(Listed._fields)}")
    for at in _TUPLES:
        values[at] = tuple(values[at])
    values[FOCUS] = {(kind, key): InFocus(*there) for kind, key, *there in values[FOCUS]}
    values[_SEARCH] = SearchRecord(*values[_SEARCH])
    return Listed._make(values)
