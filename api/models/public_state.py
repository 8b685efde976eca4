"""Two one-row tables the public read path consults: the ranking basis and the data version.

- `ranking_basis`: the market NPS at which every partner's stored `ranking_key` was last
  worked out. A key is off from the exact one by at most the distance between this and
  the current published market NPS, which the ranked list allows for
  (api/readers/partners.py).
- `public_version`: bumped by every transaction that changes what a buyer sees (each one
  that records a change or writes a table buyers read, api/services/changes.py), as its
  last statement: a public response cached or tagged
  under one version is never served under a later one (api/response_cache.py).
- `public_parts`: the same transaction sets each part of the data it changed (one
  partner, every partner, the market, the catalogue) to the version it bumped to, so an
  answer that read only a few parts stays good while another part changes.
"""

from __future__ import annotations

import secrets

from sqlalchemy import BigInteger, Column, Float, Integer, String, Table

from api.models.base import Base

ranking_basis = Table(
    "ranking_basis",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("market_nps", Float, nullable=False),
)

public_version = Table(
    "public_version",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("version", BigInteger, nullable=False),
    Column("salt", String(32), nullable=False, default=lambda: secrets.token_hex(16)),
)

public_parts = Table(
    "public_parts",
    Base.metadata,
    # "partner:<id>", "all" (every partner), "market", "catalogue" (api/services/changes.py)
    Column("part", String(32), primary_key=True),
    # The public_version the last transaction that changed the part bumped to; no row: the
    # part has not changed since its row could be written (a version of 0).
    Column("version", BigInteger, nullable=False),
)
