"""A served app's garbage collector (api/serving.settle_long_lived): what start-up built is
frozen out of the sweeps, the youngest objects are swept less often, and reference cycles
made while serving are still collected. Checked in a fresh interpreter, as `vouch serve`
and each of its workers (api.asgi:create) run, so this test process keeps its own
settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from api.serving import YOUNG_OBJECTS_A_SWEEP

SERVED = """
import gc, json
from api import migrations
from api.settings import parse_database_url
migrations.upgrade(parse_database_url("sqlite:///" + DATABASE))
from api.asgi import create
before = [gc.get_freeze_count(), gc.get_threshold()[0]]
app = create()
after = [gc.get_freeze_count(), gc.get_threshold()[0]]

class Node:
    pass

a, b = Node(), Node()
a.other, b.other = b, a  # a cycle made after start-up
del a, b
print(json.dumps({"before": before, "after": after, "collected": gc.collect()}))
"""


def test_a_served_app_freezes_start_up_and_still_collects_cycles(tmp_path: Path) -> None:
    database = str(tmp_path / "vouch.db")
    environment = {
        **os.environ,
        "VOUCH_DATABASE_URL": f"sqlite:///{database}",
        "VOUCH_DATA_DIR": str(tmp_path),
    }
    run = subprocess.run(
        [sys.executable, "-c", SERVED.replace("DATABASE", repr(database))],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout.strip().splitlines()[-1])
    assert found["before"] == [0, 700]  # Python's defaults until the app is built
    frozen, threshold = found["after"]
    assert frozen > 10_000  # the schema, SQLAlchemy's and strawberry's start-up objects
    assert threshold == YOUNG_OBJECTS_A_SWEEP
    assert found["collected"] >= 2  # the two nodes of the cycle (and their dicts)
