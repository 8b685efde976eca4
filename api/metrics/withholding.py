"""Which segments to withhold so that no withheld one can be rebuilt by subtraction.

A segment under K_ANONYMITY answers is withheld. But overall minus the shown segments of a
dimension gives the withheld ones back: so while the withheld segments together hold 1 to
K_ANONYMITY - 1 answers (or, where segments split the whole, while overall minus the shown
ones leaves that many), the smallest shown segment is withheld too.

The public counts are those of published copies, each taken at its own time (they move
in steps of K_ANONYMITY answers): the rule bounds what one snapshot's arithmetic gives
back; combining many snapshots across segments is bounded by the steps, not by this rule.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TypeVar

from api.metrics.figures import K_ANONYMITY

K = TypeVar("K", bound=Hashable)


def _exposed(hidden: int) -> bool:
    return 0 < hidden < K_ANONYMITY


def withheld_segments(counts: Mapping[K, int], total: int | None = None) -> set[K]:
    """The keys to withhold among `counts` (answers per segment of one dimension).

    `total`: the answers of the whole, when the dimension splits it (each answer in exactly
    one segment, as industries and quarters do); None when segments overlap (products).
    """
    withheld = {key for key, n in counts.items() if n < K_ANONYMITY}
    shown = sorted((n, str(key), key) for key, n in counts.items() if key not in withheld)

    def exposed() -> bool:
        hidden = sum(counts[key] for key in withheld)
        if _exposed(hidden):
            return True
        if total is None:
            return False
        rest = total - sum(counts[key] for key in counts if key not in withheld)
        return _exposed(abs(rest))

    while shown and exposed():
        withheld.add(shown.pop(0)[2])
    return withheld
