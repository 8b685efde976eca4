from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import Industry, Vendor


def all_vendors(session: Session) -> Sequence[Vendor]:
    return session.scalars(select(Vendor).order_by(Vendor.name)).all()


def all_industries(session: Session) -> Sequence[Industry]:
    return session.scalars(select(Industry).order_by(Industry.name)).all()


def industries_by_id(session: Session, ids: Sequence[int]) -> dict[int, Industry]:
    rows = session.scalars(select(Industry).where(Industry.id.in_(ids))).all()
    return {row.id: row for row in rows}
