"""no published copy under five answers: empty the ones a first load or a void left

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05

Migration 0005 and every `vouch demo-data` published each figure as it stood, copies of
1 to 4 answers included, and a void could leave a copy short. Such a copy let its
answers through as reviews (with their scores) beside withheld figures. Each one is
emptied, as the code now does (api/services/publication.py, figures_rebuild.py). Then, as
migration 0010 does and with the same code, what is shown is decided again, the market
figures are summed again from the copies shown, the ranking keys are worked out again,
and the derived copies (search index, site) and public caches are told. No schema
change: downgrading leaves the emptied copies empty.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

K = 5
# Column names only go into this statement; the number is a parameter. The summed integer
# columns of api.metrics.Tally as of this revision (frozen here on purpose).
TALLY_COLUMNS = (
    "n",
    "lp_0",
    "lp_1",
    "lp_2",
    "lp_3",
    "lp_4",
    "lp_5",
    "lp_6",
    "lp_7",
    "lp_8",
    "lp_9",
    "lp_10",
    "lv_0",
    "lv_1",
    "lv_2",
    "lv_3",
    "lv_4",
    "lv_5",
    "lv_6",
    "lv_7",
    "lv_8",
    "lv_9",
    "lv_10",
    "rating_overall_n",
    "rating_overall_sum",
    "rating_quality_n",
    "rating_quality_sum",
    "rating_schedule_n",
    "rating_schedule_sum",
    "rating_budget_n",
    "rating_budget_sum",
    "rating_communication_n",
    "rating_communication_sum",
    "rating_expertise_n",
    "rating_expertise_sum",
    "went_live_n",
    "went_live_yes",
    "on_time_n",
    "on_time_yes",
    "on_budget_n",
    "on_budget_yes",
    "goals_met_n",
    "goals_met_yes",
    "would_hire_again_n",
    "would_hire_again_yes",
)
EMPTY = (
    "UPDATE published_tallies SET "  # noqa: S608
    + ", ".join(
        f"{name} = 0" for name in (*TALLY_COLUMNS, "engagements_covered", "published_through")
    )
    + ", latest_response_at = NULL, published_at = NULL WHERE n > 0 AND n < :k"
)


def upgrade() -> None:
    from sqlalchemy.orm import Session

    from api.services import figures_rebuild, ranking_keys, shown_segments

    bind = op.get_bind()
    emptied = bind.execute(sa.text(EMPTY), {"k": K}).rowcount
    if not emptied:
        return
    session = Session(bind=bind)
    shown_segments.refresh(session, None)
    figures_rebuild.sum_published_market(session)
    ranking_keys.rebase(session)
    session.flush()
    bind.execute(
        sa.text(
            "INSERT INTO change_log (partner_id, reason, created_at) "
            "VALUES (NULL, 'everything', CURRENT_TIMESTAMP)"
        )
    )
    bind.execute(sa.text("UPDATE public_version SET version = version + 1"))


def downgrade() -> None:
    pass  # nothing to undo: the copies stay empty until they hold five answers again
