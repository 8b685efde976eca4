"""Which segments the public may see, so that no answer follows by arithmetic.

Every published figure is the sum of a set of answers. A buyer, or a vendor who labels
the engagements it records, can combine the published sets; the rules bound what the
combinations give back, for every family of segments alike (industry, product, quarter,
and any family added later):

- a set under K_ANONYMITY answers is withheld (api.metrics.is_withheld);
- overlap: two published sets of a partner (the overall figures and every shown segment
  of every family) may differ by 0 or by at least K_ANONYMITY answers in each direction.
  This covers "overall minus one shown segment", and the tracker attack where six
  five-answer sets of six answers each drop a different answer;
- subtraction within a family: the family's withheld segments together hold 0 or at least
  K_ANONYMITY answers, and the overall minus the sum of the family's shown segments leaves
  0 or at least K_ANONYMITY answers with a non-zero weight (answers in no shown segment
  count +1, answers in two or more count -1 or less). Where segments split the whole
  (industries, quarters) both are the withheld answers.

A segment breaking a rule is withheld, the smallest first (by size, then kind, then key),
until every rule holds; the overall figures are never withheld for a segment's sake.
What remains (three or more sets of different families combined, collusion, earlier
snapshots) is stated in docs/design.md and on the methodology page.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Set
from typing import Any, TypeVar

from api.metrics.figures import K_ANONYMITY, enough_answers, is_withheld

K = TypeVar("K", bound=Hashable)
SegmentKey = tuple[str, str]  # (kind, key): ("industry", "12"), ("quarter", "2026-Q3")


def segment_shown(shown_at_publication: Any, n: Any) -> Any:
    """Whether the public sees a published segment of n answers, for Python and SQL: the
    publication showed it (`shown_segments`, stored as `published_tallies.shown`) and it
    holds K_ANONYMITY answers or more. Every face reads this; none decides again."""
    return shown_at_publication & enough_answers(n)


def exposed(hidden: int) -> bool:
    """1 to K_ANONYMITY - 1 answers singled out: what no combination may leave."""
    return 0 < hidden < K_ANONYMITY


def overlap_exposed(one: Set[int], other: Set[int]) -> bool:
    """Whether two published sets differ by 1 to K_ANONYMITY - 1 answers either way."""
    return exposed(len(one - other)) or exposed(len(other - one))


def remainder(overall: Set[int], shown: list[Set[int]]) -> int:
    """How many answers carry a non-zero weight in `overall` minus the sum of `shown`."""
    weight: dict[int, int] = dict.fromkeys(overall, 1)
    for answers in shown:
        for answer in answers:
            weight[answer] = weight.get(answer, 0) - 1
    return sum(1 for value in weight.values() if value != 0)


def shown_segments(
    overall: Set[int], segments: Mapping[SegmentKey, Set[int]]
) -> frozenset[SegmentKey]:
    """The segments to show among `segments` (kind, key -> the ids of its answers), given
    the answers of the partner's published overall figures."""
    published_overall = not is_withheld(len(overall))
    # Largest first: a segment is kept unless it clashes with the overall or a larger kept
    # one, so of two clashing segments the smaller is withheld.
    ordered = sorted(
        (key for key, answers in segments.items() if not is_withheld(len(answers))),
        key=lambda key: (len(segments[key]), key),
        reverse=True,
    )
    kept: list[SegmentKey] = []
    for key in ordered:
        answers = segments[key]
        if published_overall and overlap_exposed(overall, answers):
            continue
        if any(overlap_exposed(segments[other], answers) for other in kept):
            continue
        kept.append(key)
    shown = set(kept)
    for kind in sorted({kind for kind, _ in segments}):
        members = {key: answers for key, answers in segments.items() if key[0] == kind}
        shown -= _family_withheld(overall if published_overall else None, members, shown)
    return frozenset(shown)


def _family_withheld(
    overall: Set[int] | None, members: Mapping[SegmentKey, Set[int]], shown: Set[SegmentKey]
) -> set[SegmentKey]:
    """The family's shown segments to withhold, smallest first, for the subtraction rule
    (`overall` None: the overall figures are withheld, nothing to subtract from)."""
    family = sorted(
        (key for key in members if key in shown), key=lambda key: (len(members[key]), key)
    )
    withheld: set[SegmentKey] = set()

    def exposed_now() -> bool:
        hidden = sum(
            len(answers) for key, answers in members.items() if key not in shown or key in withheld
        )
        if exposed(hidden):
            return True
        rest = [members[key] for key in family if key not in withheld]
        return overall is not None and exposed(remainder(overall, rest))

    # Withholding only removes sets: the overlap rule still holds after it.
    for key in family:
        if not exposed_now():
            break
        withheld.add(key)
    return withheld


def withheld_by_count(counts: Mapping[K, int], total: int) -> set[K]:
    """The same subtraction rule where only counts are known and the segments split the
    whole (the market by selection reason: answers without a reason count as the rest)."""
    withheld = {key for key, n in counts.items() if is_withheld(n)}
    shown = sorted((n, str(key), key) for key, n in counts.items() if key not in withheld)
    while shown and exposed(total - sum(n for n, _, _ in shown)):
        withheld.add(shown.pop(0)[2])
    return withheld
