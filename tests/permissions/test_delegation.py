"""Delegated administration is bounded: only in members one administers, never above one's rank."""

from __future__ import annotations

import pytest

from kernel.errors import BadUserInput, Forbidden, NotFound, Unauthenticated
from kernel.identity.principal import Principal
from kernel.permissions.store import define_role
from kernel.runtime import Kernel
from tests.factories import Factory
from tests.permissions import as_user, assign


@pytest.fixture
async def seeded(kernel: Kernel) -> Kernel:
    await kernel.authorizer.start()
    return kernel


async def _holder(kernel: Kernel, factory: Factory, member_id: int, role: str) -> Principal:
    user = await factory.user()
    await assign(kernel, member_id, user.id, role)
    return as_user(user.id)


async def test_grant_bounds_by_role(seeded: Kernel, factory: Factory) -> None:
    kernel = seeded
    member = await factory.member()
    can = kernel.authorizer.can_grant
    owner = await _holder(kernel, factory, member.id, "owner")
    admin = await _holder(kernel, factory, member.id, "admin")
    staff = await _holder(kernel, factory, member.id, "staff")
    leader = await _holder(kernel, factory, member.id, "leader")
    for role in ("owner", "admin", "staff", "leader", "resident"):
        assert await can(owner, member.id, role), role
    assert not await can(admin, member.id, "owner")
    for role in ("admin", "staff", "leader", "resident"):
        assert await can(admin, member.id, role), role
    for role in ("owner", "admin", "staff", "leader", "resident"):
        assert not await can(staff, member.id, role), role
        assert not await can(leader, member.id, role), role


async def test_nobody_grants_in_a_member_they_do_not_administer(
    seeded: Kernel, factory: Factory
) -> None:
    kernel = seeded
    a, b = await factory.member(), await factory.member()
    owner_of_a = await _holder(kernel, factory, a.id, "owner")
    assert not await kernel.authorizer.can_grant(owner_of_a, b.id, "resident")
    with pytest.raises(NotFound):
        await kernel.authorizer.check_grant(owner_of_a, b.id, "resident")
    staff_of_b = await _holder(kernel, factory, b.id, "staff")
    with pytest.raises(Forbidden):
        await kernel.authorizer.check_grant(staff_of_b, b.id, "resident")


async def test_check_grant_errors(seeded: Kernel, factory: Factory) -> None:
    kernel = seeded
    member = await factory.member()
    admin = await _holder(kernel, factory, member.id, "admin")
    check = kernel.authorizer.check_grant
    with pytest.raises(Forbidden):
        await check(admin, member.id, "owner")
    with pytest.raises(BadUserInput):
        await check(admin, member.id, "no_such_role")
    with pytest.raises(Unauthenticated):
        await check(None, member.id, "staff")
    await check(admin, member.id, "staff")


async def test_custom_roles_are_bounded_by_rank_and_by_actions(
    seeded: Kernel, factory: Factory
) -> None:
    kernel = seeded
    member = await factory.member()
    admin = await _holder(kernel, factory, member.id, "admin")
    db = kernel.db
    await define_role(db, member.id, "cashier", rank=15, actions=["kernel.members.read"])
    await define_role(db, member.id, "regent", rank=35, actions=["kernel.members.read"])
    await define_role(db, member.id, "sheriff", rank=25, actions=["kernel.members.manage"])
    assert await kernel.authorizer.can_grant(admin, member.id, "cashier")
    assert not await kernel.authorizer.can_grant(admin, member.id, "regent")
    # An admin without the action cannot hand it out through a low-ranked custom role.
    await define_role(db, member.id, "admin", rank=30, actions=["kernel.memberships.manage"])
    assert not await kernel.authorizer.can_grant(admin, member.id, "sheriff")
    assert await kernel.authorizer.can_grant(admin, member.id, "resident")


async def test_api_keys_never_grant_and_platform_admins_always_do(
    seeded: Kernel, factory: Factory
) -> None:
    kernel = seeded
    a, b = await factory.member(), await factory.member()
    key = Principal(
        api_key_id=3,
        api_key_member_id=a.id,
        api_key_actions=frozenset({"kernel.memberships.manage"}),
    )
    assert not await kernel.authorizer.can_grant(key, a.id, "resident")
    with pytest.raises(NotFound):
        await kernel.authorizer.check_grant(key, b.id, "resident")
    admin = as_user((await factory.user()).id, platform_admin=True)
    assert await kernel.authorizer.can_grant(admin, b.id, "owner")
    assert not await kernel.authorizer.can_grant(admin, b.id, "no_such_role")
