"""What an incremental site build redoes, from the change log since the last build.

A partner named by a change-log row since then (its profile, its published figures, a
reply: anything a buyer sees of it) gets its page and compare file again; a new partner
gets them; a partner that is gone loses them, as does a slug a partner left. Every page
made from all partners (the lists, the home page, the open data) is made again: that
costs a read of every partner's listed figures and no mkdocs, and a page whose bytes did
not change stays the published one's link (directory_site/carry.py). A change to every
partner (a bulk load, a rebuild, the catalogue), to what mkdocs builds (the code, the
theme, a vendor's page) or to what every partner page reads (the market's NPS: it is in
every ranking score) makes the build a full one, or redoes every partner page.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.models import UNSEEN_REASONS
from api.readers.change_log import Place, advanced, landmark, pending
from directory_site.listed import Listed
from directory_site.manifest import Manifest

EVERY_PARTNER = frozenset({"everything", "catalogue"})


@dataclass(frozen=True)
class Changes:
    place: Place  # where the build stands in the change log once it is done
    partners: frozenset[int]  # the partners the rows name
    rows: int


@dataclass(frozen=True)
class Plan:
    redo: list[int]  # partners whose page and compare file are made again
    stale: list[str]  # slugs whose page and compare file go (gone, or a partner's old slug)
    every_page: bool  # what every partner page reads changed: all are made again

    def __str__(self) -> str:
        if self.every_page:
            return f"incremental, every partner page redone ({len(self.redo)})"
        gone = f", {len(self.stale)} gone or moved" if self.stale else ""
        return f"incremental, {len(self.redo)} partner pages redone{gone}"


def changes_since(session: Session, previous: Manifest) -> Changes | str:
    """The change-log rows since `previous` was built; or why the build must be full."""
    if landmark(session, previous.place) != previous.landmark:
        return "the change log is not the one the site was built from (a restored or new database)"
    rows = pending(session, previous.place)
    for row in rows:
        if row.partner_id is None or row.reason in EVERY_PARTNER:
            return f"change {row.id} ({row.reason}) is to every partner"
    named = frozenset(
        row.partner_id
        for row in rows
        if row.partner_id is not None and row.reason not in UNSEEN_REASONS
    )
    return Changes(advanced(previous.place, [row.id for row in rows]), named, len(rows))


def plan(previous: Manifest, changes: Changes, rows: list[Listed], context: str) -> Plan:
    now = {str(row.id): row.slug for row in rows}
    every_page = context != previous.context
    redo = sorted(
        int(pid)
        for pid in now
        if every_page or int(pid) in changes.partners or pid not in previous.partners
    )
    redone = {str(pid) for pid in redo}
    stale = sorted(
        slug
        for pid, slug in previous.partners.items()
        if pid not in now or (pid in redone and now[pid] != slug)
    )
    return Plan(redo, stale, every_page)
