"""A member's own role definitions, and actions registered by plugins."""

from __future__ import annotations

import pytest

from kernel.errors import BadUserInput, Conflict, Forbidden
from kernel.permissions.registry import ActionRegistry, ActionSpec, register_actions
from kernel.permissions.store import define_role, delete_role
from kernel.permissions.tables import CasbinRule
from kernel.runtime import Kernel
from tests.factories import Factory
from tests.permissions import as_user, assign


@pytest.fixture
async def seeded(kernel: Kernel) -> Kernel:
    await kernel.authorizer.start()
    return kernel


async def test_a_members_custom_role(seeded: Kernel, factory: Factory) -> None:
    kernel = seeded
    a, b = await factory.member(), await factory.member()
    user = await factory.user()
    await define_role(
        kernel.db,
        a.id,
        "cashier",
        rank=15,
        actions=["kernel.members.read", "kernel.apikeys.manage"],
    )
    await assign(kernel, a.id, user.id, "cashier")
    who = as_user(user.id)
    assert await kernel.authorizer.allowed(who, "kernel.apikeys.manage", member_id=a.id)
    assert not await kernel.authorizer.allowed(who, "kernel.members.manage", member_id=a.id)
    # The role exists in member A only.
    owner_b = await factory.user()
    await assign(kernel, b.id, owner_b.id, "owner")
    assert not await kernel.authorizer.can_grant(as_user(owner_b.id), b.id, "cashier")


async def test_a_member_may_redefine_a_default_role_for_itself(
    seeded: Kernel, factory: Factory
) -> None:
    kernel = seeded
    a, b = await factory.member(), await factory.member()
    user = await factory.user()
    await assign(kernel, a.id, user.id, "staff")
    await assign(kernel, b.id, user.id, "staff")
    who = as_user(user.id)
    await define_role(kernel.db, a.id, "staff", rank=20, actions=["kernel.communities.serve"])
    assert await kernel.authorizer.allowed(who, "kernel.communities.serve", member_id=a.id)
    assert not await kernel.authorizer.allowed(who, "kernel.members.read", member_id=a.id)
    assert await kernel.authorizer.allowed(who, "kernel.members.read", member_id=b.id)
    # Dropping the redefinition brings the default back.
    await delete_role(kernel.db, a.id, "staff")
    assert await kernel.authorizer.allowed(who, "kernel.members.read", member_id=a.id)


async def test_a_held_custom_role_cannot_be_deleted(seeded: Kernel, factory: Factory) -> None:
    kernel = seeded
    member = await factory.member()
    user = await factory.user()
    await define_role(kernel.db, member.id, "cashier", rank=15, actions=[])
    await assign(kernel, member.id, user.id, "cashier")
    with pytest.raises(Forbidden):
        await kernel.authorizer.check(as_user(user.id), "kernel.members.read", member_id=member.id)
    with pytest.raises(Conflict):
        await delete_role(kernel.db, member.id, "cashier")


async def test_custom_roles_take_only_known_member_actions(
    seeded: Kernel, factory: Factory
) -> None:
    member = await factory.member()
    bad: list[tuple[str, list[str]]] = [
        ("cashier", ["kernel.nope"]),
        ("cashier", ["kernel.alliance.admit"]),
        ("Bad Name", []),
        ("alliance_admin", []),
    ]
    for role, actions in bad:
        with pytest.raises(BadUserInput):
            await define_role(seeded.db, member.id, role, rank=1, actions=actions)


async def test_plugin_actions_reach_their_default_roles(kernel: Kernel, factory: Factory) -> None:
    registry = ActionRegistry()
    register_actions(
        "shop",
        {
            "shop.orders.refund": ActionSpec.of("Refund an order.", ["owner", "admin"]),
            "shop.orders.read": ActionSpec.of("See orders.", ["owner", "admin", "staff"]),
        },
        registry=registry,
    )
    kernel.authorizer.registry = registry
    await kernel.authorizer.start()
    member = await factory.member()
    staff, admin = await factory.user(), await factory.user()
    await assign(kernel, member.id, staff.id, "staff")
    await assign(kernel, member.id, admin.id, "admin")
    authz = kernel.authorizer
    assert await authz.allowed(as_user(admin.id), "shop.orders.refund", member_id=member.id)
    assert await authz.allowed(as_user(staff.id), "shop.orders.read", member_id=member.id)
    assert not await authz.allowed(as_user(staff.id), "shop.orders.refund", member_id=member.id)
    stored = await CasbinRule.count().where(CasbinRule.v2 == "shop.orders.refund")
    assert stored == 2


def test_registration_is_validated() -> None:
    registry = ActionRegistry()
    register_actions("shop", {"shop.orders.read": "See orders."}, registry=registry)
    register_actions("shop", {"shop.orders.read": "See orders."}, registry=registry)
    bad: list[tuple[str, dict[str, ActionSpec | str]]] = [
        ("kernel", {"kernel.steal.all": "no"}),
        ("shop", {"other.orders.read": "wrong namespace"}),
        ("shop", {"shop": "no verb"}),
        ("shop", {"shop.orders.read": "a different description"}),
        ("shop", {"shop.orders.void": ActionSpec.of("Void.", ["emperor"])}),
    ]
    for namespace, actions in bad:
        with pytest.raises(ValueError):
            register_actions(namespace, actions, registry=registry)
    assert registry.is_known("shop.orders.read")
    assert not registry.is_known("shop.orders.void")
