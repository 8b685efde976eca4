"""The time of one survey submit, figures included: token check, the response row and the
update of every tally it counts in, committed. Against the demo data set (so the tallies
already hold rows), one transaction per submit, as the API does it. Also how many submits
moved the ranking basis (each then works out every partner's ranking key again) and what
that costs alone.

    .venv/bin/python bench/bench_submit.py                      # SQLite, 500 partners
    .venv/bin/python bench/bench_submit.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from api import migrations
from api.db import create_db_engine, session_factory, unit_of_work
from api.demo_data import load_demo_data
from api.models import Customer, Engagement, ranking_basis
from api.services import ranking_keys
from api.services.apikeys import Caller
from api.services.figures_rebuild import rebuild
from api.services.surveys import SurveyAnswers, create_invitation, submit_response
from bench.common import machine, median_ms, throwaway_database

ADMIN = Caller(role="admin", source="bench")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=500)
    parser.add_argument("--submits", type=int, default=300)
    parser.add_argument("--postgres", help="a PostgreSQL server URL (default: SQLite)")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with throwaway_database(args.postgres) as url:
        migrations.upgrade(url)
        engine = create_db_engine(url)
        load_demo_data(engine, partners=args.partners, seed=1, progress=False)
        sessions = session_factory(engine)
        with unit_of_work(sessions) as session:
            rebuild(session=session, publish_all=True)  # as `vouch demo-data` leaves it
            rows = session.execute(
                select(Engagement.id, Customer.email_domain)
                .join(Customer, Customer.id == Engagement.customer_id)
                .where(Engagement.status == "completed", Engagement.confirmed.is_(True))
                .order_by(Engagement.id)
                .limit(args.submits)
            ).all()
            tokens = [
                create_invitation(
                    session=session, caller=ADMIN, engagement_id=eid, email=f"bench@{domain}"
                )[1]
                for eid, domain in rows
            ]
        samples, moves = [], []
        for number, token in enumerate(tokens):
            answers = SurveyAnswers(
                likelihood_to_recommend=number % 11,
                vendor_likelihood_to_recommend=(number * 7) % 11,
                questions={"rating_overall": 1 + number % 5, "goals_met": number % 3 == 0},
                selection_reason="peer_referral",
                comment="Benchmark answer",
            )
            basis = _basis(sessions)
            started = time.perf_counter()
            with unit_of_work(sessions) as session:
                submit_response(session=session, token=token, answers=answers)
            samples.append(time.perf_counter() - started)
            if _basis(sessions) != basis:  # this submit worked out every ranking key again
                moves.append(samples[-1])
        reworks = []
        for _ in range(5):
            started = time.perf_counter()
            with unit_of_work(sessions) as session:
                ranking_keys.rebase(session)
            reworks.append(time.perf_counter() - started)
        engine.dispose()
    backend = "PostgreSQL" if args.postgres else "SQLite"
    print(f"one submit, figures included ({backend}, {len(samples)} submits): {median_ms(samples)}")
    print(
        f"slowest {max(samples) * 1000:.2f} ms; {len(moves)} moved the ranking basis"
        + (f" ({', '.join(f'{m * 1000:.1f}' for m in moves)} ms)" if moves else "")
    )
    print(f"every ranking key worked out again ({args.partners} partners): {median_ms(reworks)}")


def _basis(sessions: Any) -> float | None:
    with sessions() as session:
        found: float | None = session.scalar(select(ranking_basis.c.market_nps))
        return found


if __name__ == "__main__":
    main()
