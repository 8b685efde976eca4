"""The change log: what the derived copies (the search index, the site) must redo.

Every service that changes what a buyer sees of a partner writes a row here in the same
transaction as the change, so a copy that applies the rows in order, and records how far
it got, misses nothing even when its process dies. A row with no partner means "every
partner" (a bulk load, a figures rebuild). The audit log is not this: survey submits and
publications write none there.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, Table

from api.models.base import Base, UTCDateTime, utcnow

CHANGE_REASONS = (
    "profile",
    "created",
    "figures",
    "reply",
    "everything",
    "engagement",
    "catalogue",  # a vendor or a product added: no partner's own page changes
)
UNSEEN_REASONS = frozenset({"engagement"})
"""Changes no buyer sees (an engagement agreed, its status): the copies that read them
(matching) redo the partner, and the public data version stays where it is."""

change_log = Table(
    "change_log",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("partner_id", Integer, nullable=True, index=True),
    Column("reason", String(16), nullable=False),
    Column("created_at", UTCDateTime, nullable=False, default=utcnow),
    # Ids are never reused on SQLite either, so a reader's "done up to id N" stays true.
    sqlite_autoincrement=True,
)
