"""Survey invitations and responses, answered from the hidden traits of each engagement.

The model: an engagement's latent success is the partner's hidden quality, plus its fit
with the customer's industry, plus the effect of why the customer chose the partner, plus
noise. Each respondent sees that success with their own noise, and every answer follows
from it. Buyers who took the vendor's recommendation fare worst, as in the seed article.
"""

from __future__ import annotations

import hashlib
import math
import random
from datetime import datetime, timedelta

from api.demo_data import texts
from api.demo_data.common import (
    ANCHOR,
    Row,
    RowSink,
    between,
    clamp,
    moment,
    pick,
    pick_weighted,
    sigmoid,
)
from api.demo_data.engagements import EngagementContext
from api.demo_data.words import FIRST_NAMES, RESPONDENT_TITLES, SURNAMES, VOID_REASONS
from api.vocabulary import SELECTION_REASONS

# Effect of the selection reason on the engagement's success (latent scale, sd about 1.4).
REASON_EFFECT: dict[str, float] = {
    "vendor_recommended": -0.8,
    "lowest_price": -0.35,
    "closest_office": -0.2,
    "prior_relationship": 0.15,
    "peer_referral": 0.45,
    "industry_expertise": 0.4,
    "product_expertise": 0.2,
    "rfp_evaluation": 0.45,
    "analyst_ranking": 0.05,
    "directory_search": 0.1,
    "other": 0.0,
}
# Extra effect on how the customer rates the vendor: a pushed partner reflects on the vendor.
VENDOR_REASON_EFFECT: dict[str, float] = dict.fromkeys(SELECTION_REASONS, 0.0) | {
    "vendor_recommended": -1.0,
    "lowest_price": -0.2,
    "analyst_ranking": 0.2,
}
assert tuple(REASON_EFFECT) == SELECTION_REASONS

INVITATION_COUNTS = (1, 2, 3)
INVITATION_CUM_WEIGHTS = (30, 70, 100)
INVITATION_LIFETIME = timedelta(days=30)
ANONYMOUS_SHARE = 0.4
VOID_SHARE = 0.008
RESPONDENT_FLIP = 0.04  # a respondent remembers a fact of the project differently


def token_hash(rng: random.Random) -> str:
    """SHA-256 hex of a 128-bit token drawn from the seeded generator; the token is dropped."""
    return hashlib.sha256(rng.getrandbits(128).to_bytes(16, "big")).hexdigest()


class SurveyFactory:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def survey(self, sink: RowSink, engagement: EngagementContext) -> None:
        rng = self.rng
        partner = engagement.partner
        fit = partner.fit(engagement.industry.id, rng)
        budget_risk = 0.15 * max(0.0, math.log10(engagement.budget / 100_000))
        success = (
            partner.quality
            + fit
            + REASON_EFFECT[engagement.reason]
            - budget_risk
            + rng.gauss(0.0, 0.7)
        )
        facts = (
            rng.random() < sigmoid(2.0 + 1.3 * success),  # went live
            rng.random() < sigmoid(-0.1 + 1.1 * success),  # on time
            rng.random() < sigmoid(0.1 + 1.0 * success),  # on budget
        )
        count = pick_weighted(rng, INVITATION_COUNTS, INVITATION_CUM_WEIGHTS)
        first_names: list[str] = []
        while len(first_names) < count:  # distinct people: one invitation per address
            first = pick(rng, FIRST_NAMES)
            if first not in first_names:
                first_names.append(first)
        invited = moment(engagement.ended_on + timedelta(days=between(rng, 1, 21)), rng)
        for first in first_names:
            last = pick(rng, SURNAMES)
            created = invited + timedelta(minutes=between(rng, 0, 30))
            expires = created + INVITATION_LIFETIME
            used_at = None
            if rng.random() < partner.response_rate:
                delay = timedelta(seconds=int(rng.expovariate(1 / (3 * 86_400))))
                used_at = min(created + delay, expires - timedelta(hours=1), ANCHOR)
            invitation_id = sink.new_id("survey_invitations")
            sink.add(
                "survey_invitations",
                {
                    "id": invitation_id,
                    "engagement_id": engagement.id,
                    "email": f"{first}.{last}@{engagement.customer.email_domain}".lower(),
                    "token_hash": token_hash(rng),
                    "created_at": created,
                    "expires_at": expires,
                    "used_at": used_at,
                },
            )
            if used_at is not None:
                row = self._response(engagement, success, fit, facts, used_at)
                row.update(
                    id=sink.new_id("survey_responses"),
                    invitation_id=invitation_id,
                    respondent_name=f"{first} {last}",
                )
                sink.add("survey_responses", row)

    def _response(
        self,
        engagement: EngagementContext,
        success: float,
        fit: float,
        facts: tuple[bool, bool, bool],
        submitted: datetime,
    ) -> Row:
        rng = self.rng
        gauss = rng.gauss
        partner = engagement.partner
        seen = success + gauss(0.0, 0.5)
        went_live, on_time, on_budget = (fact != (rng.random() < RESPONDENT_FLIP) for fact in facts)
        likelihood = clamp(8.1 + 1.5 * seen + gauss(0.0, 0.6), 0, 10)
        vendor_seen = (
            7.9
            + 0.6 * seen
            + engagement.vendor.spec.satisfaction
            + VENDOR_REASON_EFFECT[engagement.reason]
        )
        voided = rng.random() < VOID_SHARE
        return {
            "engagement_id": engagement.id,
            "partner_id": partner.id,
            "submitted_at": submitted,
            "likelihood_partner": likelihood,
            "likelihood_vendor": clamp(vendor_seen + gauss(0.0, 1.2), 0, 10),
            "rating_overall": clamp(3.9 + 0.7 * seen + gauss(0.0, 0.4), 1, 5),
            "rating_quality": clamp(3.9 + 0.7 * seen + gauss(0.0, 0.5), 1, 5),
            "rating_schedule": clamp(
                3.6 + 0.5 * seen + (0.5 if on_time else -0.7) + gauss(0.0, 0.5), 1, 5
            ),
            "rating_budget": clamp(
                3.6 + 0.5 * seen + (0.5 if on_budget else -0.7) + gauss(0.0, 0.5), 1, 5
            ),
            "rating_communication": clamp(
                3.9 + 0.6 * seen + partner.communication + gauss(0.0, 0.5), 1, 5
            ),
            "rating_expertise": clamp(3.9 + 0.6 * seen + 0.6 * fit + gauss(0.0, 0.5), 1, 5),
            "went_live": went_live,
            "on_time": on_time,
            "on_budget": on_budget,
            "goals_met": went_live and rng.random() < sigmoid(0.3 + 1.4 * seen),
            "would_hire_again": rng.random() < sigmoid(1.3 * (likelihood - 6.5)),
            "selection_reason": engagement.reason,
            "comment": texts.survey_comment(
                rng,
                likelihood=likelihood,
                product=engagement.product_name,
                industry=engagement.industry.name,
                vendor=engagement.vendor.name,
                vendor_recommended=engagement.reason == "vendor_recommended",
            ),
            "respondent_title": pick(rng, RESPONDENT_TITLES),
            "anonymous": rng.random() < ANONYMOUS_SHARE,
            "voided": voided,
            "void_reason": pick(rng, VOID_REASONS) if voided else None,
            "voided_at": (
                min(submitted + timedelta(days=between(rng, 3, 60)), ANCHOR) if voided else None
            ),
        }
