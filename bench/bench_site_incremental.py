"""`vouch site build`: a full build beside incremental builds after 1 and after 100 edits.

    python bench/bench_site_incremental.py [--partners 2000] [--rounds 3] [--postgres URL]

The demo data set (seed 1, every figure published) into a fresh SQLite file (or a fresh
database on the given PostgreSQL server), one full build to start from, then, `--rounds`
times each: a full build (`--full`), one partner's summary edited and the next build, 100
partners' summaries edited and the next build. The edits go through the profile service,
as the API's `updateProfile` does, so each writes its change-log row. Every build is
`build_site` in this process (a `vouch site build` also pays about a second of start-up),
into the same folder, so each incremental build starts from the one before it. After the
last round, the incremental site is compared with a full build of the same data, file by
file. Prints the medians of wall-clock and of CPU time (this process and the page writers:
on a shared machine the wall clock measures the neighbours too), and the files each kind
of build wrote or carried over.
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select
from sqlalchemy.engine import Engine

from api import migrations
from api.db import create_db_engine, session_factory
from api.demo_data import load_demo_data
from api.models import Partner
from api.services.apikeys import Caller
from api.services.figures_rebuild import rebuild
from api.services.profile import update_profile
from bench.common import machine, throwaway_database
from directory_site.build import BuildSummary, build_site

IGNORED = {".vouch-build/manifest.json"}  # when it first saw a missing change id differs


def files(site: Path) -> dict[str, tuple[int, str]]:
    """Every file of the site: its inode and a hash of its bytes."""
    return {
        path.relative_to(site).as_posix(): (
            path.stat().st_ino,
            hashlib.sha256(path.read_bytes()).hexdigest(),
        )
        for path in site.rglob("*")
        if path.is_file()
    }


def edit(engine: Engine, count: int, round_: int) -> None:
    """`count` partners' summaries edited, each in its own transaction (as an API call)."""
    with session_factory(engine)() as session:
        slugs = list(session.scalars(select(Partner.slug).order_by(Partner.id).limit(count)))
    for slug in slugs:
        with session_factory(engine)() as session, session.begin():
            partner = session.scalars(select(Partner).where(Partner.slug == slug)).one()
            update_profile(
                session=session,
                caller=Caller(role="admin"),
                slug=slug,
                expected_version=partner.version,
                changes={"summary": f"Edited in round {round_} of the benchmark."},
            )


def cpu() -> float:
    """CPU seconds of this process and its finished children (the page writers)."""
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    )


def timed(
    engine: Engine, out: Path, locks: Path, *, full: bool
) -> tuple[BuildSummary, float, int, int]:
    """A build; its summary, its CPU seconds, and the files it wrote or removed and those
    it carried over."""
    before = files(out)
    started = cpu()
    with session_factory(engine)() as session:
        summary = build_site(session, out, lock_dir=locks, full=full)
    used = cpu() - started
    after = files(out)
    carried = sum(1 for name in after if before.get(name, (0, ""))[0] == after[name][0])
    written = len(set(before) | set(after)) - carried
    return summary, used, written, carried


def run(engine: Engine, root: Path, rounds: int) -> None:
    out, locks = root / "site", root / "locks"
    print(f"first build: {timed(engine, out, locks, full=True)[0]}")
    seconds: dict[str, list[float]] = {"full": [], "1 edit": [], "100 edits": []}
    cpus: dict[str, list[float]] = {name: [] for name in seconds}
    shown: dict[str, str] = {}
    steps: list[tuple[str, Callable[[int], None], bool]] = [
        ("full", lambda _round: None, True),
        ("1 edit", lambda round_: edit(engine, 1, round_), False),
        ("100 edits", lambda round_: edit(engine, 100, round_), False),
    ]
    for round_ in range(rounds):
        for name, change, full in steps:
            change(round_)
            summary, used, written, carried = timed(engine, out, locks, full=full)
            seconds[name].append(summary.seconds)
            cpus[name].append(used)
            shown[name] = f"{summary.how}; {written} files written, {carried} carried over"
    full_wall, full_cpu = statistics.median(seconds["full"]), statistics.median(cpus["full"])
    for name in seconds:
        wall, used = statistics.median(seconds[name]), statistics.median(cpus[name])
        print(
            f"{name}: median {wall:.2f} s of {', '.join(f'{s:.2f}' for s in seconds[name])} "
            f"({wall / full_wall:.2f} of a full build), CPU {used:.2f} s "
            f"({used / full_cpu:.2f}); last: {shown[name]}"
        )
    ours = files(out)
    timed(engine, root / "full", locks, full=True)
    theirs = files(root / "full")
    differing = sorted(
        name
        for name in ours.keys() | theirs.keys()
        if name not in IGNORED and ours.get(name, (0, ""))[1] != theirs.get(name, (0, ""))[1]
    )
    print(f"incremental site == full build of the same data: {not differing} {differing[:5]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--partners", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", help="a PostgreSQL server URL (default: SQLite)")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(f"{args.partners} demo partners, {args.rounds} rounds")
    with throwaway_database(args.postgres) as url, tempfile.TemporaryDirectory() as folder:
        migrations.upgrade(url)
        engine = create_db_engine(url)
        try:
            load_demo_data(engine, partners=args.partners, seed=1, progress=False)
            with session_factory(engine)() as session, session.begin():
                rebuild(session=session, publish_all=True)
            run(engine, Path(folder), args.rounds)
        finally:
            engine.dispose()


if __name__ == "__main__":
    main()
