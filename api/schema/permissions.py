"""Who may call what. A refused call is a GraphQL error with extensions.code FORBIDDEN."""

from __future__ import annotations

from typing import Any, ClassVar

from strawberry.permission import BasePermission

from api.schema.context import Info


class _RolePermission(BasePermission):
    roles: ClassVar[frozenset[str]] = frozenset()
    error_extensions = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.caller.role in self.roles


class IsAdmin(_RolePermission):
    roles = frozenset({"admin"})
    message = "this needs an admin API key (Authorization: Bearer <key>)"


class IsVendorOrAdmin(_RolePermission):
    roles = frozenset({"vendor", "admin"})
    message = "this needs a vendor or admin API key (Authorization: Bearer <key>)"


class IsPartnerOrAdmin(_RolePermission):
    roles = frozenset({"partner", "admin"})
    message = "this needs a partner or admin API key (Authorization: Bearer <key>)"


class IsPartner(_RolePermission):
    roles = frozenset({"partner"})
    message = "this needs a partner API key (Authorization: Bearer <key>)"


class IsKeyed(_RolePermission):
    """Any key: the service decides which side of the record the caller is on."""

    roles = frozenset({"partner", "vendor", "admin"})
    message = "this needs a partner, vendor or admin API key (Authorization: Bearer <key>)"


class IsVendorOrPartner(_RolePermission):
    """Things a vendor or a partner owns (webhooks): an admin key owns none."""

    roles = frozenset({"partner", "vendor"})
    message = "this needs a vendor or partner API key (Authorization: Bearer <key>)"
