"""The factor values of a match: each maps what is known of a partner to 0..1.

Written with operators and passed-in functions only (`pick` for a choice, the
trigonometry for distance), as api.metrics.adjusted_wald is, so the same arithmetic could
be built as SQL should the ranking move into the database. Customer success is the
ranking score itself (api.metrics.ranking_formula), as a factor value by `nps_to_unit`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from api.metrics import Pick

EXPERIENCE_HALF: Final = 5
"""Verified engagements at which an experience factor reaches one half."""
DISTANCE_HALF_KM: Final = 500.0
"""Distance to the nearest office at which proximity falls to one half."""
EARTH_RADIUS_KM: Final = 6371.0
RECENCY_HALF_MONTHS: Final = 12.0
"""Months since a partner's latest engagement at which recency falls to one half."""
BUDGET_SPAN: Final = 2.0
"""A past budget fits when it lies between need / BUDGET_SPAN and need x BUDGET_SPAN."""


def nps_to_unit(nps: Any) -> Any:
    """An NPS (-100..100) as a factor value (0..1)."""
    return (nps + 100.0) / 200.0


def experience(covered: Any) -> Any:
    """covered / (covered + 5): 0 with no verified engagement, 1/2 at five, toward 1."""
    return covered / (covered + float(EXPERIENCE_HALF))


def go_live(completed: Any, cancelled: Any) -> Any:
    """Share of ended engagements that went live (the vendor recorded them completed, not
    cancelled), with one of each added: no history gives 1/2, one engagement cannot give 1."""
    return (completed + 1.0) / (completed + cancelled + 2.0)


def returning(returned: Any, customers: Any) -> Any:
    """Share of customers who came back for another engagement, with two customers added
    who did not: 0 without customers, one returning customer of one gives 1/3."""
    return returned / (customers + 2.0)


def recency(months: Any) -> Any:
    """1 for an engagement in the newest month on record, 1/2 a year before, 1/3 two years."""
    return 1.0 / (1.0 + months / RECENCY_HALF_MONTHS)


UNDECLARED_CAPACITY: Final = 0.5
"""The capacity value of a partner that declared none: neutral, not a penalty."""


def capacity(declared: Any, in_progress: Any, pick: Pick) -> Any:
    """Free project slots with one free and one taken slot added, (free + 1) / (declared +
    2): 1/2 for a partner that declared nothing free of nothing, toward 1 with many free
    slots, 1 / (declared + 2) when every slot is in use (more in progress counts as full)."""
    free = pick(in_progress > declared, 0.0, declared - in_progress)
    return (free + 1.0) / (declared + 2.0)


def proximity(distance_km: Any) -> Any:
    """1 at the door, 1/2 at 500 km, 1/3 at 1,000 km."""
    return 1.0 / (1.0 + distance_km / DISTANCE_HALF_KM)


def budget_fit(fitting: Any, completed: Any) -> Any:
    """Share of completed engagements whose budget fits, with one fitting and one not
    fitting engagement added, so no history gives 1/2 and one engagement cannot give 1."""
    return (fitting + 1.0) / (completed + 2.0)


def haversine_km(
    lat1: Any,
    lon1: Any,
    lat2: Any,
    lon2: Any,
    *,
    sin: Callable[[Any], Any],
    cos: Callable[[Any], Any],
    asin: Callable[[Any], Any],
    sqrt: Callable[[Any], Any],
    radians: Callable[[Any], Any],
    pick: Pick,
) -> Any:
    """Great-circle distance in km (rounding can push the chord past 1 at the antipodes)."""
    half_dlat = radians(lat2 - lat1) / 2.0
    half_dlon = radians(lon2 - lon1) / 2.0
    sin_lat, sin_lon = sin(half_dlat), sin(half_dlon)
    chord = sin_lat * sin_lat + cos(radians(lat1)) * cos(radians(lat2)) * sin_lon * sin_lon
    return 2.0 * EARTH_RADIUS_KM * asin(sqrt(pick(chord > 1.0, 1.0, chord)))
