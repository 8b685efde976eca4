"""A second process writing the index:
`python -m tests.index_writer ROOT DATABASE_URL STOP ENGINE`.

Syncs (and every fifth round rebuilds) until the file STOP exists, then syncs once more.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from sqlalchemy.engine import make_url

from api.db import create_db_engine, session_factory
from search_index import IndexBusy, index_for


def main(root: str, url: str, stop: str, engine: str) -> None:
    index = index_for(Path(root), engine)
    sessions = session_factory(create_db_engine(make_url(url)))
    rounds = 0
    while not Path(stop).exists():
        rounds += 1
        with sessions() as session:
            try:
                if rounds % 5 == 0:
                    index.build(session)
                else:
                    index.sync(session, wait=30)
            except IndexBusy:
                pass  # another process builds: its switch or our next sync catches up
        time.sleep(0.02)
    with sessions() as session:
        index.sync(session, wait=30)


if __name__ == "__main__":
    main(*sys.argv[1:5])
