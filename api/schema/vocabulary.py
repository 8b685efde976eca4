"""The domain's closed lists as GraphQL enums: each value is the string clients receive.

The Python enums are api.vocabulary's; registering them here gives them their GraphQL
description, so a type annotated with one (`list[PartnerType]`) prints as the enum.
"""

from __future__ import annotations

import strawberry

from api.vocabulary import Capability, PartnerType, SelectionReason

__all__ = ["Capability", "PartnerType", "SelectionReason"]

strawberry.enum(PartnerType, description="What kind of partner it is.")
strawberry.enum(Capability, description="What a partner does (a hard filter in matching).")
strawberry.enum(SelectionReason, description="Why the customer chose its partner.")
