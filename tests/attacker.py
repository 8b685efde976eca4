"""An attacker who reads only the public GraphQL answers and solves for single answers.

It knows what whoever recorded the engagements knows: its respondents in the order they
answered and the segments each belongs to, so a published figure over n answers of a
segment is the sum over the segment's first n respondents. From each shown figure it
takes the sum of one rating (mean x n) and solves the linear system of every published
set at once (exact fractions): an answer is recovered when its unit vector lies in the
span of the published sets, which covers the differences of any two sets, overall minus
the shown segments, and the six-subset tracker.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from tests.server import GraphQLClient

FIGURES = "responseCount ratings { name mean n }"
PUBLIC = f"""
query($slug: String!) {{
  partner(slug: $slug) {{
    metrics {{
      {FIGURES}
      byIndustry {{ industry {{ slug }} figures {{ {FIGURES} }} }}
      byProduct {{ product {{ slug }} figures {{ {FIGURES} }} }}
      trend {{ quarter figures {{ {FIGURES} }} }}
    }}
  }}
}}
"""


MARKET = f"""
{{ marketInsights {{
  overall {{ {FIGURES} }} bySelectionReason {{ reason figures {{ {FIGURES} }} }}
}} }}
"""


@dataclass(frozen=True)
class Respondent:
    industry: str
    products: tuple[str, ...]
    reason: str | None = "peer_referral"

    def belongs(self, where: str) -> bool:
        kind, _, key = where.partition(":")
        if kind == "industry":
            return key == self.industry
        if kind == "product":
            return key in self.products
        if kind == "reason":
            return key == self.reason
        return True  # overall, the market; a quarter (every answer came in the same one)


def published_sums(api: GraphQLClient, slug: str, rating: str) -> dict[str, tuple[int, int]]:
    """{where: (n, sum of the rating)} of every figure the public sees with that rating."""
    metrics = api.data(PUBLIC, {"slug": slug})["partner"]["metrics"]
    shown = {"overall": metrics}
    for item in metrics["byIndustry"]:
        shown[f"industry:{item['industry']['slug']}"] = item["figures"]
    for item in metrics["byProduct"]:
        shown[f"product:{item['product']['slug']}"] = item["figures"]
    for item in metrics["trend"]:
        shown[f"quarter:{item['quarter']}"] = item["figures"]
    return _sums(shown, rating)


def market_sums(api: GraphQLClient, rating: str) -> dict[str, tuple[int, int]]:
    """The same of the market insights (a market of the attacker's one partner)."""
    market = api.data(MARKET)["marketInsights"]
    shown = {"market": market["overall"]}
    for item in market["bySelectionReason"]:
        shown[f"reason:{item['reason']}"] = item["figures"]
    return _sums(shown, rating)


def _sums(shown: dict[str, Any], rating: str) -> dict[str, tuple[int, int]]:
    found = {}
    for where, figures in shown.items():
        [value] = [r for r in figures["ratings"] if r["name"] == rating]
        if value["mean"] is not None:
            found[where] = (value["n"], round(value["mean"] * value["n"]))
    return found


def recovered(
    respondents: list[Respondent], sums: dict[str, tuple[int, int]]
) -> dict[int, Fraction]:
    """{respondent index: its answer} for every answer the published sums pin down."""
    rows: list[list[Fraction]] = []
    for where, (n, total) in sums.items():
        members = [i for i, r in enumerate(respondents) if r.belongs(where)][:n]
        row = [Fraction(int(i in members)) for i in range(len(respondents))]
        rows.append([*row, Fraction(total)])
    return {
        column: row[-1]
        for row in _reduced(rows, len(respondents))
        if len(nonzero := [i for i, v in enumerate(row[:-1]) if v]) == 1
        for column in nonzero
    }


def _reduced(rows: list[list[Fraction]], columns: int) -> list[list[Fraction]]:
    """Reduced row echelon form: a unit vector is in the span iff it is one of its rows."""
    rows = [list(row) for row in rows]
    pivot_row = 0
    for column in range(columns):
        found = next((r for r in range(pivot_row, len(rows)) if rows[r][column]), None)
        if found is None:
            continue
        rows[pivot_row], rows[found] = rows[found], rows[pivot_row]
        pivot = rows[pivot_row][column]
        rows[pivot_row] = [value / pivot for value in rows[pivot_row]]
        for r in range(len(rows)):
            if r != pivot_row and rows[r][column]:
                factor = rows[r][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[pivot_row], strict=True)]
        pivot_row += 1
    return rows[:pivot_row]


def answers(values: list[int]) -> list[dict[str, Any]]:
    """Survey inputs with these overall ratings (and a fixed likelihood to recommend)."""
    return [{"likelihoodToRecommend": 8, "ratingOverall": value} for value in values]
