"""Permission decisions: may this principal perform this action in this member (or alliance)?

The contract the rest of the kernel relies on (resolvers never check roles by hand):

- :meth:`Authorizer.allowed` answers a yes/no question.
- :meth:`Authorizer.check` raises: NOT_FOUND when the caller has no relation at all to the
  member (another member's objects are indistinguishable from missing ones), FORBIDDEN when
  they do but lack the action, UNAUTHENTICATED for anonymous callers.
- Decisions are memoised per request in the ``memo`` dict the caller passes (the context's).

First implementation: roles come from membership rows and map to actions through the
kernel's default role table. (To be replaced by casbin RBAC-with-domains behind the same
interface.)
"""

from __future__ import annotations

from typing import Any

from kernel.errors import Forbidden, NotFound, Unauthenticated
from kernel.identity.principal import Principal
from kernel.permissions.actions import ALLIANCE_ROLES, MEMBER_ROLES

__all__ = ["Authorizer"]


class Authorizer:
    def __init__(self, db: Any) -> None:
        self.db = db

    async def policy_changed(
        self, *, member_id: int | None = None, alliance_id: int | None = None
    ) -> None:
        """Call inside the write transaction of any change to roles or role assignments in
        that member/alliance, so every process drops its cached decisions for it."""

    async def member_roles(self, principal: Principal, member_id: int) -> frozenset[str]:
        from kernel.db.scoped import scoped
        from kernel.tenancy.tables import Membership

        if principal.user_id is None:
            return frozenset()
        rows = (
            await scoped(Membership, member_id)
            .select(Membership.role)
            .where(Membership.user == principal.user_id)
        )
        return frozenset(row["role"] for row in rows)

    async def alliance_roles(self, principal: Principal, alliance_id: int) -> frozenset[str]:
        from kernel.tenancy.tables import AllianceAdmin

        if principal.user_id is None:
            return frozenset()
        exists = await AllianceAdmin.exists().where(
            (AllianceAdmin.alliance == alliance_id) & (AllianceAdmin.user == principal.user_id)
        )
        return frozenset({"alliance_admin"}) if exists else frozenset()

    async def allowed(
        self,
        principal: Principal | None,
        action: str,
        *,
        member_id: int | None = None,
        alliance_id: int | None = None,
        memo: dict[Any, Any] | None = None,
    ) -> bool:
        if principal is None:
            return False
        if principal.is_api_key:
            return member_id == principal.api_key_member_id and action in principal.api_key_actions
        key = (principal.subject, action, member_id, alliance_id)
        if memo is not None and key in memo:
            return bool(memo[key])
        actions: set[str] = set()
        if member_id is not None:
            for role in await self.member_roles(principal, member_id):
                if role in MEMBER_ROLES:
                    actions |= MEMBER_ROLES[role].actions
        if alliance_id is not None:
            for role in await self.alliance_roles(principal, alliance_id):
                actions |= ALLIANCE_ROLES[role].actions
        decision = principal.is_platform_admin or action in actions
        if memo is not None:
            memo[key] = decision
        return decision

    async def check(
        self,
        principal: Principal | None,
        action: str,
        *,
        member_id: int | None = None,
        alliance_id: int | None = None,
        memo: dict[Any, Any] | None = None,
    ) -> None:
        if principal is None:
            raise Unauthenticated("sign in first")
        if await self.allowed(
            principal, action, member_id=member_id, alliance_id=alliance_id, memo=memo
        ):
            return
        related = (
            member_id is not None and bool(await self.member_roles(principal, member_id))
        ) or (alliance_id is not None and bool(await self.alliance_roles(principal, alliance_id)))
        if principal.is_api_key:
            related = member_id == principal.api_key_member_id
        if not related:
            raise NotFound("not found")
        raise Forbidden(f"you may not do {action} here")
