"""Permissions declared on GraphQL fields, never checked by hand inside resolvers.

::

    @strawberry.mutation(extensions=[requires("kernel.apikeys.manage", member=member_arg())])
    async def create_api_key(self, info: Info, member_id: strawberry.ID, ...) -> ...

The domain (member or alliance) comes from the object being touched: a field argument
holding its global ID, or the parent object the field is resolved on. The caller's roles in
that domain come from the database, never from the request.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from strawberry.permission import BasePermission, PermissionExtension
from strawberry.types import Info

from kernel.errors import NotFound
from kernel.gateway.context import context_of
from kernel.gateway.ids import decode_id

__all__ = [
    "DomainLocator",
    "Requires",
    "alliance_arg",
    "authenticated",
    "member_arg",
    "of_source",
    "requires",
]

# (source, info, field arguments) -> the domain's primary key.
DomainLocator = Callable[[Any, Info[Any, Any], dict[str, Any]], "int | Awaitable[int]"]


def member_arg(name: str = "member_id") -> DomainLocator:
    """The member is the field argument ``name`` (a Member global ID)."""
    return lambda source, info, kwargs: decode_id("Member", kwargs[name])


def alliance_arg(name: str = "alliance_id") -> DomainLocator:
    """The alliance is the field argument ``name`` (an Alliance global ID)."""
    return lambda source, info, kwargs: decode_id("Alliance", kwargs[name])


def of_source(attr: str) -> DomainLocator:
    """The domain is an attribute of the parent object (``member_id`` of a Member type...)."""
    return lambda source, info, kwargs: int(getattr(source, attr))


class Requires(BasePermission):
    message = "forbidden"

    def __init__(
        self,
        action: str,
        *,
        member: DomainLocator | None = None,
        alliance: DomainLocator | None = None,
    ) -> None:
        self.action = action
        self.member = member
        self.alliance = alliance

    async def has_permission(self, source: Any, info: Info[Any, Any], **kwargs: Any) -> bool:
        context = context_of(info)
        principal = context.require_principal()
        member_id = await _locate(self.member, source, info, kwargs)
        alliance_id = await _locate(self.alliance, source, info, kwargs)
        if member_id is None and alliance_id is None and not principal.is_platform_admin:
            raise NotFound("not found")
        await context.kernel.authorizer.check(
            principal, self.action, member_id=member_id, alliance_id=alliance_id, memo=context.memo
        )
        return True


class _Authenticated(BasePermission):
    message = "sign in first"

    def has_permission(self, source: Any, info: Info[Any, Any], **kwargs: Any) -> bool:
        context_of(info).require_principal()
        return True


async def _locate(
    locator: DomainLocator | None, source: Any, info: Info[Any, Any], kwargs: dict[str, Any]
) -> int | None:
    if locator is None:
        return None
    value = locator(source, info, kwargs)
    if inspect.isawaitable(value):
        value = await value
    return int(value)


def requires(
    action: str, *, member: DomainLocator | None = None, alliance: DomainLocator | None = None
) -> PermissionExtension:
    """A field extension allowing the field only to callers who may do ``action`` in the
    member (or alliance) the locators find. Platform admins may do everything."""
    return PermissionExtension(
        permissions=[Requires(action, member=member, alliance=alliance)], use_directives=False
    )


def authenticated() -> PermissionExtension:
    """A field extension allowing any signed-in caller."""
    return PermissionExtension(permissions=[_Authenticated()], use_directives=False)
