"""The search index as the rest of Vouch sees it: build, sync from the change log, search.

The index is derived data: each host keeps its own, built from the database and kept in
step by applying the change log (api.models.changes) in order. A search first applies
what is pending, so a change is visible to the next search. A missing or damaged index
is rebuilt in the background (and logged); until then a search raises SearchUnavailable.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.models import change_log
from api.readers.change_log import Place, advanced, not_applied, starting_point
from api.readers.published import partner_ids
from search_index import store
from search_index.documents import read_documents
from search_index.engine import (
    DamagedIndex,
    Engine,
    Filters,
    OpenIndex,
    Order,
    SearchPage,
    SearchRequest,
)
from search_index.engines import DEFAULT_ENGINE, engine_named
from search_index.query_text import prepare
from search_index.store import IndexBusy, State

log = logging.getLogger("vouch.search")

SYNC_WAIT = 30.0  # seconds `vouch index sync` waits for another writer by default
# A search waits this long for another process applying changes, then searches the index
# as it is: under a stream of edits, searches would otherwise queue behind each commit.
SEARCH_SYNC_WAIT = 0.05
BUILD_WAIT = 30.0  # seconds a build waits to switch while a sync holds the writer lock
# An index replaced by a build is closed this long after: longer than any request runs.
RETIRE_AFTER = 120.0


class SearchUnavailable(Exception):
    """The index cannot answer now; the message says why, for the client."""


@dataclass(frozen=True)
class BuildSummary:
    documents: int
    seconds: float
    applied_through: int


@dataclass(frozen=True)
class SyncSummary:
    changes: int  # change-log rows applied
    partners: int  # documents rewritten or removed
    applied_through: int
    rebuilt: bool = False


class SearchIndex:
    def __init__(self, root: Path, engine: Engine | None = None) -> None:
        self.root = Path(root)
        self.engine: Engine = engine or engine_named(DEFAULT_ENGINE)
        self._lock = threading.Lock()
        self._open: tuple[Path, OpenIndex] | None = None
        self._retired: list[tuple[float, OpenIndex]] = []
        self._rebuilding = False

    # --- building and syncing ---------------------------------------------------------

    def build(
        self,
        session: Session,
        progress: Callable[[int, int], None] | None = None,
    ) -> BuildSummary:
        """A whole new index from the database, switched in only when complete."""
        started = time.perf_counter()
        with store.locked(self.root, "build.lock", wait=0):
            store.remove_unfinished(self.root)
            place = starting_point(session)
            top, gaps = place.through, place.gaps
            ids = partner_ids(session)
            folder = store.new_folder(self.root)
            try:
                count = self.engine.create(
                    folder,
                    read_documents(session, ids),
                    lambda done: progress(done, len(ids)) if progress else None,
                )
                built = datetime.now(UTC).isoformat(timespec="seconds")
                state = State(self.engine.name, top, gaps, built_at=built, documents=count)
                store.write_state(folder, state)
                with store.locked(self.root, "writer.lock", wait=BUILD_WAIT):
                    store.switch_to(self.root, folder)
            except BaseException:
                store.remove_unfinished(self.root)
                raise
        log.info("search index built: %d partners, changes through %d", count, top)
        return BuildSummary(count, time.perf_counter() - started, top)

    def sync(self, session: Session, *, wait: float = SYNC_WAIT) -> SyncSummary:
        """Apply the pending change-log rows, in order, and record how far it got."""
        with store.locked(self.root, "writer.lock", wait=wait):
            # Opened under the lock: a build switches folders only while holding it.
            folder, opened = self._opened(session)
            state = self._state(session, folder)
            rows = session.execute(
                select(change_log.c.id, change_log.c.partner_id, change_log.c.reason)
                .where(_pending(state))
                .order_by(change_log.c.id)
            ).all()
            if any(row.reason == "everything" for row in rows):
                everything = True
            else:
                everything = False
                ids = sorted({row.partner_id for row in rows if row.partner_id is not None})
                documents = list(read_documents(session, ids))
                removed = sorted(set(ids) - {doc.partner_id for doc in documents})
                if documents or removed:
                    opened.update(documents, removed)
                new_state = _advanced(state, [row.id for row in rows])
                if new_state != state:
                    store.write_state(folder, new_state)
        if everything:
            built = self.build(session)
            return SyncSummary(len(rows), built.documents, built.applied_through, rebuilt=True)
        return SyncSummary(len(rows), len(ids), new_state.applied_through)

    def backlog(self, session: Session) -> int | None:
        """Change-log rows not yet applied here; None without an index."""
        folder = store.current(self.root)
        state = store.read_state(folder) if folder else None
        if state is None:
            return None
        count = session.scalar(select(func.count()).select_from(change_log).where(_pending(state)))
        return int(count or 0)

    # --- searching ---------------------------------------------------------------------

    def search(
        self,
        session: Session,
        text: str,
        *,
        filters: Filters,
        offset: int,
        limit: int,
        order: Order,
        market_nps: float,
    ) -> SearchPage:
        prepared = prepare(text)
        notes = list(prepared.notes)
        folder, opened = self._opened(session)
        state = self._state(session, folder)
        if session.scalar(select(func.max(change_log.c.id)).where(_pending(state))) is not None:
            try:
                self.sync(session, wait=SEARCH_SYNC_WAIT)
            except IndexBusy:
                notes.append("the index is being updated: the newest changes may be missing")
            folder, opened = self._opened(session)
        request = SearchRequest(prepared.text, filters, offset, limit, order, market_nps)
        try:
            page = opened.search(request)
        except (OSError, EOFError, ValueError) as error:
            self._damaged(session, folder, error)
        return replace(page, notes=notes + page.notes)

    # --- the open index, and what happens when there is none ----------------------------

    def _opened(self, session: Session) -> tuple[Path, OpenIndex]:
        folder = store.current(self.root)
        if folder is None:
            log.warning("no search index in %s: building one", self.root)
            self._rebuild_soon(session)
            raise SearchUnavailable("the search index is being built; try again in a minute")
        with self._lock:
            if self._open is not None and self._open[0] == folder:
                return self._open
        state = store.read_state(folder)
        if state is not None and state.engine != self.engine.name:
            # VOUCH_SEARCH_ENGINE changed since this index was built.
            self._damaged(session, folder, ValueError(f"it was built by {state.engine}"))
        try:
            opened = self.engine.open(folder)
        except DamagedIndex as error:
            self._damaged(session, folder, error)
        with self._lock:
            self._retire(self._open)
            self._open = (folder, opened)
        return folder, opened

    def _retire(self, old: tuple[Path, OpenIndex] | None) -> None:
        """Close what a switch replaced once no search can still be using it (caller locks)."""
        now = time.monotonic()
        if old is not None:
            self._retired.append((now, old[1]))
        while self._retired and now - self._retired[0][0] > RETIRE_AFTER:
            self._retired.pop(0)[1].close()

    def _state(self, session: Session, folder: Path) -> State:
        state = store.read_state(folder)
        if state is None:
            self._damaged(session, folder, ValueError("its state file is missing or unreadable"))
        return state

    def _damaged(self, session: Session, folder: Path, error: BaseException) -> NoReturn:
        log.error("the search index in %s is damaged (%s): rebuilding it", folder, error)
        with self._lock:
            self._retire(self._open)
            self._open = None
        self._rebuild_soon(session)
        raise SearchUnavailable("the search index is being rebuilt; try again in a minute")

    def _rebuild_soon(self, session: Session) -> None:
        """Build in a thread of this process, unless one is running here or elsewhere."""
        bind = session.get_bind()
        with self._lock:
            if self._rebuilding:
                return
            self._rebuilding = True

        def run() -> None:
            try:
                with Session(bind) as own:
                    self.build(own)
            except IndexBusy:
                log.info("another process is building the search index")
            except Exception:
                log.exception("rebuilding the search index failed")
            finally:
                with self._lock:
                    self._rebuilding = False

        threading.Thread(target=run, name="vouch-search-rebuild", daemon=True).start()


def _place(state: State) -> Place:
    return Place(state.applied_through, state.gaps)


def _pending(state: State) -> Any:
    return not_applied(_place(state))


def _advanced(state: State, applied: list[int]) -> State:
    place = advanced(_place(state), applied)
    return replace(state, applied_through=place.through, gaps=place.gaps)


_INDEXES: dict[tuple[Path, str], SearchIndex] = {}
_INDEXES_LOCK = threading.Lock()


def index_for(root: Path, engine: str = DEFAULT_ENGINE) -> SearchIndex:
    """This process's SearchIndex in `root` (Settings.index_dir) with the engine named
    (Settings.search_engine), shared by its threads."""
    key = (Path(root).resolve(), engine)
    with _INDEXES_LOCK:
        if key not in _INDEXES:
            _INDEXES[key] = SearchIndex(key[0], engine_named(engine))
        return _INDEXES[key]
