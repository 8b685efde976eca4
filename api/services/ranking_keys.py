"""Each partner's stored ranking key, so that the default order reads an index.

A partner's ranking score at market NPS m is (100 (P - D) + 10 m) / (n + 10) over its
published answers (n >= 5), else m itself (api.metrics.ranking_formula). Ordering by
the score is ordering by the score minus m, the *lift* (api.metrics.ranking_lift): 0 for
every partner without five published answers whatever m is, and (100 (P - D) - n m) /
(n + 10) otherwise, whose slope in m is -n / (n + 10), less than 1 in size.

So `partners.ranking_key` holds the lift at the ranking basis's market NPS m0, and at the
current market m every key is within |m - m0| of the exact lift. The ranked list reads
the keys through their index and re-sorts by the exact score only the few partners whose
key comes within 2 |m - m0| of the page's last one (api/readers/partners.py): exact for
any m0, and cheap while m0 is near m.

Every key is the lift, at the stored basis, of its partner's published 'all' copy, and
both writers keep it so by the same rule (`settle`): a publication or a void works out its
partner's key again, and every key, with the basis moved to the market, only once the
market has drifted more than BASIS_DRIFT from the basis. A rebuild (`rebase`) applies the
same rule to the same published figures: it keeps the basis, and so finds every key it
found, to the bit; a list never moves because figures were rebuilt. (Keys were once worked
out again at the market of the moment by every rebuild.) The drift allowance bounds the
window the ranked list re-sorts, and spares a market that hovers about a value from
working out every key at each publication.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from api.metrics import (
    TALLY_COLUMNS,
    Tally,
    detractors_of,
    market_nps,
    promoters_of,
    ranking_lift,
)
from api.models import (
    Partner,
    likelihood_counts,
    published_market,
    published_tallies,
    ranking_basis,
    sql_pick,
)

BASIS_ID = 1
# Five answers move a market of N answers by at most about 1,000 / N points: with 40,000
# answers every key is worked out again after some 40 publications in one direction at
# the least, and the ranked list re-sorts the partners within 2 points of a page's end.
BASIS_DRIFT = 1.0


def lift_sql(market: Any) -> Any:
    """The lift over the market (api.metrics.ranking_lift) of the partner's published 'all'
    tally row."""
    tally = published_tallies.c
    counts = likelihood_counts(tally)
    return ranking_lift(tally.n, promoters_of(counts), detractors_of(counts), market, sql_pick)


def refresh(session: Session, partner_ids: Sequence[int] | None = None) -> None:
    """The keys of these partners (None: of all) from their published copies, at the basis."""
    market = select(ranking_basis.c.market_nps).where(ranking_basis.c.id == BASIS_ID)
    lift = (
        # Without a basis row, the keys are worked out at a market of 0 (as the list reads).
        select(lift_sql(func.coalesce(market.scalar_subquery(), 0.0)))
        .where(
            and_(
                published_tallies.c.partner_id == Partner.id,
                published_tallies.c.kind == "all",
                published_tallies.c.segment == "",
            )
        )
        .scalar_subquery()
    )
    statement = update(Partner.__table__).values(  # type: ignore[arg-type]
        ranking_key=func.coalesce(lift, 0.0),
        # A key is not a profile change: the partner's updated_at stays.
        updated_at=Partner.__table__.c.updated_at,
    )
    if partner_ids is not None:
        statement = statement.where(Partner.__table__.c.id.in_(list(partner_ids)))
    session.execute(statement)


def _moved_basis(session: Session) -> float | None:
    """The published market NPS, if the basis must move there (none yet, or drifted too
    far); market and basis in one statement."""
    basis = select(ranking_basis.c.market_nps).where(ranking_basis.c.id == BASIS_ID)
    found = session.execute(
        select(basis.scalar_subquery(), *(published_market.c[n] for n in TALLY_COLUMNS))
        .select_from(published_market)
        .where(published_market.c.kind == "all", published_market.c.segment == "")
    ).one_or_none()
    if found is None:  # nothing published yet: a market of 0
        market, stored = 0.0, session.scalar(basis)
    else:
        market = market_nps(Tally.from_row(dict(zip(TALLY_COLUMNS, found[1:], strict=True))))
        stored = found[0]
    return market if stored is None or abs(market - stored) > BASIS_DRIFT else None


def settle(session: Session, partner_ids: Sequence[int]) -> bool:
    """After these partners' published 'all' copies changed, and the market with them:
    their keys, or every key if the basis had to move; whether it did."""
    moved = _moved_basis(session)
    if moved is None:
        refresh(session, partner_ids)
        return False
    _set_basis(session, moved)
    refresh(session)
    return True


def rebase(session: Session) -> None:
    """Every key worked out again, at the basis `settle` would keep or move to."""
    moved = _moved_basis(session)
    if moved is not None:
        _set_basis(session, moved)
    refresh(session)


def _set_basis(session: Session, market: float) -> None:
    found = session.execute(
        update(ranking_basis).where(ranking_basis.c.id == BASIS_ID).values(market_nps=market)
    )
    if not found.rowcount:  # type: ignore[attr-defined]
        session.execute(ranking_basis.insert().values(id=BASIS_ID, market_nps=market))
