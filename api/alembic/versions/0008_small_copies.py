"""no published copy under five answers: empty the ones a first load or a void left

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04

Migration 0005 and every `vouch demo-data` published each figure as it stood, copies of
1 to 4 answers included, and a void could leave a copy short. Such a copy let its
answers through as reviews (with their scores) beside withheld figures. Each one is
emptied, as the code now does (api/services/publication.py, figures_rebuild.py), the
market figures are summed again from the copies that remain, the ranking basis moves to
the new market, and the derived copies (search index, site) and public caches are told.
No schema change: downgrading leaves the emptied copies empty.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

K = 5
# The integer columns of api.metrics.Tally as of this revision (frozen here on purpose).
TALLY_COLUMNS = (
    'n', 'lp_0', 'lp_1', 'lp_2', 'lp_3', 'lp_4', 'lp_5', 'lp_6', 'lp_7', 'lp_8', 'lp_9',
    'lp_10', 'lv_0', 'lv_1', 'lv_2', 'lv_3', 'lv_4', 'lv_5', 'lv_6', 'lv_7', 'lv_8',
    'lv_9', 'lv_10', 'rating_overall_n', 'rating_overall_sum', 'rating_quality_n',
    'rating_quality_sum', 'rating_schedule_n', 'rating_schedule_sum', 'rating_budget_n',
    'rating_budget_sum', 'rating_communication_n', 'rating_communication_sum',
    'rating_expertise_n', 'rating_expertise_sum', 'went_live_n', 'went_live_yes',
    'on_time_n', 'on_time_yes', 'on_budget_n', 'on_budget_yes', 'goals_met_n',
    'goals_met_yes', 'would_hire_again_n', 'would_hire_again_yes'
)
SUMMED = (*TALLY_COLUMNS, "engagements_covered")
DETRACTORS = " + ".join(f"lp_{i}" for i in range(7))
LIFT = f"(100.0 * ((t.lp_9 + t.lp_10) - ({DETRACTORS.replace('lp_', 't.lp_')})) - t.n * :market) / (t.n + 10)"
# Column names only go into these statements; the numbers are parameters.
EMPTY = (
    "UPDATE published_tallies SET "  # noqa: S608
    + ", ".join(f"{name} = 0" for name in (*SUMMED, "published_through"))
    + ", latest_response_at = NULL, published_at = NULL WHERE n > 0 AND n < :k"
)
SUM_MARKET = (
    f"INSERT INTO published_market (kind, segment, {', '.join(SUMMED)}) "  # noqa: S608
    f"SELECT kind, segment, {', '.join(f'SUM({name})' for name in SUMMED)} "
    "FROM published_tallies WHERE kind IN ('all', 'reason') GROUP BY kind, segment"
)
MARKET = (
    f"SELECT lp_9 + lp_10, {DETRACTORS}, n FROM published_market "  # noqa: S608
    "WHERE kind = 'all' AND segment = ''"
)
KEYS = (
    "UPDATE partners SET ranking_key = COALESCE(("  # noqa: S608
    f"SELECT CASE WHEN t.n >= :k THEN {LIFT} ELSE 0.0 END FROM published_tallies t "
    "WHERE t.partner_id = partners.id AND t.kind = 'all' AND t.segment = ''), 0.0)"
)


def upgrade() -> None:
    bind = op.get_bind()
    emptied = bind.execute(sa.text(EMPTY), {"k": K}).rowcount
    if not emptied:
        return
    bind.execute(sa.text("DELETE FROM published_market"))
    bind.execute(sa.text(SUM_MARKET))
    row = bind.execute(sa.text(MARKET)).one_or_none()
    market = 100.0 * (row[0] - row[1]) / row[2] if row is not None and row[2] else 0.0
    bind.execute(sa.text("UPDATE ranking_basis SET market_nps = :market"), {"market": market})
    bind.execute(sa.text(KEYS), {"market": market, "k": K})
    bind.execute(
        sa.text(
            "INSERT INTO change_log (partner_id, reason, created_at) "
            "VALUES (NULL, 'everything', CURRENT_TIMESTAMP)"
        )
    )
    bind.execute(sa.text("UPDATE public_version SET version = version + 1"))


def downgrade() -> None:
    pass  # nothing to undo: the copies stay empty until they hold five answers again
