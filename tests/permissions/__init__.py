"""Helpers for the permission tests: role assignments written the way services write them."""

from __future__ import annotations

from kernel.db.scoped import scoped
from kernel.identity.principal import Principal
from kernel.runtime import Kernel
from kernel.tenancy.tables import AllianceAdmin, Membership


def as_user(user_id: int, *, platform_admin: bool = False) -> Principal:
    return Principal(user_id=user_id, session_id="s", is_platform_admin=platform_admin)


async def assign(kernel: Kernel, member_id: int, user_id: int, role: str) -> None:
    """Give ``user_id`` ``role`` in the member (replacing any role they had), as a service
    would: row change and version bump in one transaction."""
    async with kernel.db.write():
        await scoped(Membership, member_id).delete().where(Membership.user == user_id)
        await scoped(Membership, member_id).insert(
            Membership(member=member_id, user=user_id, role=role, created_at=kernel.clock())
        )
        await kernel.authorizer.policy_changed(member_id=member_id)


async def unassign(kernel: Kernel, member_id: int, user_id: int) -> None:
    async with kernel.db.write():
        await scoped(Membership, member_id).delete().where(Membership.user == user_id)
        await kernel.authorizer.policy_changed(member_id=member_id)


async def appoint_alliance_admin(kernel: Kernel, alliance_id: int, user_id: int) -> None:
    async with kernel.db.write():
        await AllianceAdmin(alliance=alliance_id, user=user_id, created_at=kernel.clock()).save()
        await kernel.authorizer.policy_changed(alliance_id=alliance_id)
