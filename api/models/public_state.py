"""Two one-row tables the public read path consults: the ranking basis and the data version.

- `ranking_basis`: the market NPS at which every partner's stored `ranking_key` was last
  worked out. A key is off from the exact one by at most the distance between this and
  the current published market NPS, which the ranked list allows for
  (api/readers/partners.py).
- `public_version`: bumped by every transaction that changes what a buyer sees (each one
  that records a change or writes a table buyers read, api/services/changes.py), as its
  last statement: a public response cached or tagged
  under one version is never served under a later one (api/response_cache.py).
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
