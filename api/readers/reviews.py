"""Published reviews: what a respondent wrote, and nothing that undoes withholding.

Each rule answers an attack that worked (issue 18): a review is read beside the partner's
published figures, so nothing on it may give back what those figures withhold.

- **No score.** A review shows no individual answer (likelihood to recommend, ratings) to
  the public: the scores of a partner's reviews rebuilt its withheld NPS and its withheld
  quarters and industries; and a named review's score, taken from the overall figures,
  leaves the anonymous ones by subtraction. Operators' live view keeps the scores.
- **Its quarter and its industry only where that segment is shown**: where the partner's
  published figures for that quarter (that industry) are shown, i.e. hold at least k
  answers and are not withheld by subtraction (`SegmentFigures.shown`, decided in
  api/readers/partner_figures.py, never here). A named review gives its day (never a
  time) only where it gives its quarter.
- **All or nothing for anonymous reviews.** If a single review the public can read hides
  its quarter (its industry), every anonymous review of that partner hides it too. Were the
  hidden ones the exceptions, they would lie in the segments that are not shown, and
  with one such segment left their quarter (industry) would follow by elimination.
- **No telling order.** Reviews come by the quarter they show, newest first, then by a
  random key; one that hides its quarter comes after those that show one.
- **No time finer than a day**, replies included.

Which reviews the public reads at all: those the partner's published overall figures
count (`published_through`), the newest 50 of them; every face is given the same rows, so
the all-or-nothing rule comes out the same on the API and on the site.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from api.metrics.quarters import day_of, quarter_of
from api.models import Customer, Industry, ReviewReply, SurveyResponse
from api.readers.partner_figures import SegmentFigures

ReviewRow = tuple[SurveyResponse, Customer, Industry, ReviewReply | None]


@dataclass(frozen=True)
class PublicReply:
    body: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class PublicReview:
    key: str
    quarter: str | None  # None where that quarter's figures are not shown (see above)
    submitted_at: datetime | None  # a named review's day; None when anonymous or hidden
    likelihood_to_recommend: int | None  # None for the public
    rating_overall: int | None  # None for the public
    comment: str
    anonymous: bool
    respondent_name: str | None
    respondent_title: str | None
    company: str | None
    industry: Industry | None  # None where that industry's figures are not shown (see above)
    reply: PublicReply | None


@dataclass(frozen=True)
class _Shown:
    """What of each review may show: the partner's shown quarters and industries, and
    whether anonymous reviews may show them at all (the all-or-nothing rule)."""

    quarters: frozenset[str]
    industries: frozenset[str]
    anonymous_quarters: bool
    anonymous_industries: bool


def _shown(rows: Sequence[ReviewRow], segments: Mapping[str, Sequence[SegmentFigures]]) -> _Shown:
    quarters = frozenset(s.key for s in segments.get("quarter", ()) if s.shown)
    industries = frozenset(s.key for s in segments.get("industry", ()) if s.shown)
    return _Shown(
        quarters=quarters,
        industries=industries,
        anonymous_quarters=all(quarter_of(r.submitted_at) in quarters for r, *_ in rows),
        anonymous_industries=all(str(i.id) in industries for _, _, i, _ in rows),
    )


def public_reviews(
    rows: Sequence[ReviewRow],
    *,
    segments: Mapping[str, Sequence[SegmentFigures]],
    published_through: int | None,
    limit: int,
) -> list[PublicReview]:
    """The reviews to show, by the rules above; `segments`: the partner's segment figures
    (api.readers.partner_figures.segment_figures). `published_through` None: operators'
    live view, every review with its scores and exact times."""
    live = published_through is None
    readable = [
        row for row in rows if live or (row[0].partner_seq or 0) <= (published_through or 0)
    ]
    shown = _shown(readable, segments)
    reviews = [_review(*row, shown=shown, live=live) for row in readable]
    reviews.sort(key=lambda review: review.key)
    reviews.sort(key=lambda review: review.quarter or "", reverse=True)
    return reviews[:limit]


def _review(
    response: SurveyResponse,
    customer: Customer,
    industry: Industry,
    reply: ReviewReply | None,
    *,
    shown: _Shown,
    live: bool,
) -> PublicReview:
    named = not response.anonymous
    quarter = quarter_of(response.submitted_at)
    quarter_shown = live or (quarter in shown.quarters and (named or shown.anonymous_quarters))
    industry_shown = str(industry.id) in shown.industries and (named or shown.anonymous_industries)
    return PublicReview(
        key=response.review_key or str(response.id),
        quarter=quarter if quarter_shown else None,
        submitted_at=_moment(response.submitted_at, live) if named and quarter_shown else None,
        likelihood_to_recommend=response.likelihood_partner if live else None,
        rating_overall=response.rating_overall if live else None,
        comment=response.comment or "",
        anonymous=response.anonymous,
        respondent_name=response.respondent_name if named else None,
        respondent_title=response.respondent_title if named else None,
        company=customer.name if named else None,
        industry=industry if industry_shown or (live and named) else None,
        reply=_reply(reply, live) if reply else None,
    )


def _moment(moment: datetime, live: bool) -> datetime:
    day = day_of(moment)
    return moment if live or day is None else day


def _reply(reply: ReviewReply, live: bool) -> PublicReply:
    return PublicReply(reply.body, _moment(reply.created_at, live), _moment(reply.updated_at, live))
