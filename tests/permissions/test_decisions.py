"""Decisions of the casbin authorizer for the default roles, keys, admins and anonymous callers."""

from __future__ import annotations

from typing import Any

import pytest

from kernel.errors import Forbidden, NotFound, Unauthenticated
from kernel.identity.principal import Principal
from kernel.permissions.actions import ALLIANCE_ROLES, KERNEL_ACTIONS, MEMBER_ROLES, member_domain
from kernel.permissions.tables import CasbinRule
from kernel.runtime import Kernel
from tests.factories import Factory
from tests.permissions import appoint_alliance_admin, as_user, assign


@pytest.fixture
async def seeded(kernel: Kernel) -> Kernel:
    await kernel.authorizer.start()
    return kernel


@pytest.mark.parametrize("role", sorted(MEMBER_ROLES))
async def test_each_default_role_gets_exactly_its_actions(
    seeded: Kernel, factory: Factory, role: str
) -> None:
    kernel = seeded
    member = await factory.member()
    user = await factory.user()
    await assign(kernel, member.id, user.id, role)
    who = as_user(user.id)
    for action in KERNEL_ACTIONS:
        expected = action in MEMBER_ROLES[role].actions
        assert await kernel.authorizer.allowed(who, action, member_id=member.id) is expected, action
    assert await kernel.authorizer.member_roles(who, member.id) == {role}
    # Installed plugins add their actions to the default roles their manifests name.
    from_plugins = {
        name
        for slug in kernel.plugins.installed
        for name, action in kernel.plugins.manifest(slug).actions.items()  # type: ignore[union-attr]
        if role in action.roles
    }
    assert await kernel.authorizer.member_actions(who, member.id) == (
        MEMBER_ROLES[role].actions | from_plugins
    )
    # Our set lookup and casbin's own matcher agree on every action.
    policy = await kernel.authorizer.domain_policy(member_domain(member.id))
    for action in KERNEL_ACTIONS:
        assert policy.enforce(who.subject, action) is (action in MEMBER_ROLES[role].actions)


async def test_alliance_admin_acts_in_the_alliance_only(seeded: Kernel, factory: Factory) -> None:
    kernel = seeded
    alliance, other = await factory.alliance(), await factory.alliance()
    member = await factory.member(alliance)
    user = await factory.user()
    await appoint_alliance_admin(kernel, alliance.id, user.id)
    who = as_user(user.id)
    for action in KERNEL_ACTIONS:
        expected = action in ALLIANCE_ROLES["alliance_admin"].actions
        assert await kernel.authorizer.allowed(who, action, alliance_id=alliance.id) is expected
        assert not await kernel.authorizer.allowed(who, action, alliance_id=other.id)
    assert not await kernel.authorizer.allowed(who, "kernel.members.read", member_id=member.id)
    assert await kernel.authorizer.alliance_roles(who, alliance.id) == {"alliance_admin"}


async def test_a_role_in_one_member_gives_nothing_in_another(
    seeded: Kernel, factory: Factory
) -> None:
    kernel = seeded
    a, b = await factory.member(), await factory.member()
    user = await factory.user()
    await assign(kernel, a.id, user.id, "owner")
    who = as_user(user.id)
    assert await kernel.authorizer.allowed(who, "kernel.members.manage", member_id=a.id)
    assert not await kernel.authorizer.allowed(who, "kernel.members.manage", member_id=b.id)
    assert await kernel.authorizer.member_roles(who, b.id) == frozenset()


async def test_check_distinguishes_not_found_from_forbidden(
    seeded: Kernel, factory: Factory
) -> None:
    kernel = seeded
    a, b = await factory.member(), await factory.member()
    user = await factory.user()
    await assign(kernel, a.id, user.id, "staff")
    who = as_user(user.id)
    await kernel.authorizer.check(who, "kernel.members.read", member_id=a.id)
    with pytest.raises(Forbidden):
        await kernel.authorizer.check(who, "kernel.members.manage", member_id=a.id)
    with pytest.raises(NotFound):
        await kernel.authorizer.check(who, "kernel.members.read", member_id=b.id)
    with pytest.raises(Unauthenticated):
        await kernel.authorizer.check(None, "kernel.members.read", member_id=a.id)
    # A resident is related (FORBIDDEN, not NOT_FOUND) although the role grants nothing.
    await assign(kernel, b.id, user.id, "resident")
    with pytest.raises(Forbidden):
        await kernel.authorizer.check(who, "kernel.members.read", member_id=b.id)


async def test_api_keys_have_exactly_their_own_actions_in_their_member(
    seeded: Kernel, factory: Factory
) -> None:
    kernel = seeded
    a, b = await factory.member(), await factory.member()
    key = Principal(
        api_key_id=7, api_key_member_id=a.id, api_key_actions=frozenset({"kernel.members.read"})
    )
    authz = kernel.authorizer
    assert await authz.allowed(key, "kernel.members.read", member_id=a.id)
    assert not await authz.allowed(key, "kernel.members.manage", member_id=a.id)
    assert not await authz.allowed(key, "kernel.members.read", member_id=b.id)
    with pytest.raises(Forbidden):
        await authz.check(key, "kernel.members.manage", member_id=a.id)
    with pytest.raises(NotFound):
        await authz.check(key, "kernel.members.read", member_id=b.id)


async def test_platform_admins_may_do_everything(seeded: Kernel, factory: Factory) -> None:
    kernel = seeded
    member = await factory.member()
    admin = as_user((await factory.user()).id, platform_admin=True)
    for action in KERNEL_ACTIONS:
        await kernel.authorizer.check(admin, action, member_id=member.id)
        await kernel.authorizer.check(admin, action, alliance_id=member.alliance)
    assert not await kernel.authorizer.allowed(None, "kernel.members.read", member_id=member.id)


async def test_decisions_are_memoised_per_request(seeded: Kernel, factory: Factory) -> None:
    kernel = seeded
    member = await factory.member()
    user = await factory.user()
    await assign(kernel, member.id, user.id, "owner")
    who = as_user(user.id)
    memo: dict[Any, Any] = {}
    assert await kernel.authorizer.allowed(
        who, "kernel.members.manage", member_id=member.id, memo=memo
    )
    await assign(kernel, member.id, user.id, "staff")
    # Same request: one consistent view. Next request: the change is in force.
    assert await kernel.authorizer.allowed(
        who, "kernel.members.manage", member_id=member.id, memo=memo
    )
    assert await kernel.authorizer.allowed(
        who, "kernel.apikeys.manage", member_id=member.id, memo=memo
    )
    assert not await kernel.authorizer.allowed(
        who, "kernel.members.manage", member_id=member.id, memo={}
    )


async def test_unseeded_database_uses_the_code_defaults(kernel: Kernel, factory: Factory) -> None:
    """Before start() stored the defaults, decisions already follow them; seeding changes
    nothing observable, and seeding twice writes nothing."""
    # The kernel seeds at start: undo that (and say so, as a change of the defaults) to get a
    # database that was never seeded.
    async with kernel.db.write():
        await CasbinRule.delete(force=True)
        await kernel.authorizer.policy_changed()
    member = await factory.member()
    user = await factory.user()
    await assign(kernel, member.id, user.id, "admin")
    who = as_user(user.id)
    assert await CasbinRule.count() == 0
    assert await kernel.authorizer.allowed(who, "kernel.apikeys.manage", member_id=member.id)
    await kernel.authorizer.start()
    stored = await CasbinRule.count()
    assert stored > 0
    assert await kernel.authorizer.allowed(who, "kernel.apikeys.manage", member_id=member.id)
    assert not await kernel.authorizer.allowed(who, "kernel.alliance.admit", member_id=member.id)
    from kernel.permissions.store import seed_defaults

    assert await seed_defaults(kernel.db) is False
    assert await CasbinRule.count() == stored
