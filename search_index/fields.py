"""What every engine indexes of a partner and how a hit is scored and shown.

The engines differ in how they store and search; these rules are one definition each.
"""

from __future__ import annotations

import re

from api.metrics import shrunk_nps

# Field boosts: a word in the name counts three times one in the description.
TEXT_FIELDS = {"name": 3.0, "summary": 1.5, "tags": 1.5, "places": 1.0, "description": 1.0}
# The blend: relevance x (1 + (ranking score + 100) / 200), so the best-evidenced partner
# counts at most twice a partner of the same relevance with the worst score.
RANKING_BLEND = 1.0
MAX_BLEND = 1.0 + RANKING_BLEND  # the factor at a ranking score of 100
SNIPPET_CHARS = 160
# Snippets are cut from the summary and the description's opening: highlighting a
# 20,000-character description for every hit would cost more than the search.
EXCERPT_CHARS = 1500
_MARKDOWN = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|[*_`#>|~]+")


def plain_markdown(text: str) -> str:
    return " ".join(_MARKDOWN.sub(r"\1", text).split())


def ranking(nps_n: int, nps: float, market: float) -> float:
    """The ranking score from what the index keeps (see documents.py)."""
    return shrunk_nps(nps_n, nps, market) if nps_n else market


def blended(relevance: float, ranking_score: float) -> float:
    return float(relevance * (1 + RANKING_BLEND * (ranking_score + 100) / 200))
