from __future__ import annotations

import strawberry


@strawberry.type(description="Who the caller is: 'public' without a key.")
class Viewer:
    role: str
    partner_slug: str | None
    vendor_slug: str | None
