"""casbin configurations that look fast and are wrong, and decisions at a thousand-plus policies."""

from __future__ import annotations

import random

import casbin
import pytest
from casbin.model import FastModel

from kernel.db.scoped import scoped
from kernel.permissions.actions import KERNEL_ACTIONS, MEMBER_ROLES, member_domain
from kernel.permissions.adapter import RowsAdapter
from kernel.permissions.enforcer import MODEL_TEXT, new_model
from kernel.permissions.store import define_role
from kernel.runtime import Kernel
from kernel.tenancy.tables import Membership
from tests.factories import Factory
from tests.permissions import as_user, assign


def _fast_enforcer(adapter: RowsAdapter, key_order: list[int]) -> casbin.FastEnforcer:
    model = FastModel(key_order)
    model.load_model_from_text(MODEL_TEXT)
    enforcer = casbin.FastEnforcer(model, adapter, cache_key_order=key_order)
    enforcer.load_filtered_policy(adapter.domain)
    return enforcer


@pytest.mark.parametrize("key_order", [[0, 1], [0]], ids=["subject+domain", "subject"])
async def test_fast_enforcer_keyed_on_the_subject_denies_everything(
    kernel: Kernel, factory: Factory, key_order: list[int]
) -> None:
    """FastEnforcer filters p lines by the *request's* subject (user:7), but in RBAC p lines
    name roles (owner): the filter leaves nothing to match, so every request is denied."""
    await kernel.authorizer.start()
    member = await factory.member()
    user = await factory.user()
    await assign(kernel, member.id, user.id, "owner")
    domain = member_domain(member.id)
    who = as_user(user.id)
    policy = await kernel.authorizer.domain_policy(domain)
    adapter = RowsAdapter(domain, policy.roles, [(who.subject, "owner")])

    trap = _fast_enforcer(adapter, key_order)
    plain = casbin.Enforcer(new_model(), adapter)
    plain.load_filtered_policy(domain)
    for action in MEMBER_ROLES["owner"].actions:
        assert trap.enforce(who.subject, domain, action) is False
        assert plain.enforce(who.subject, domain, action) is True
        assert await kernel.authorizer.allowed(who, action, member_id=member.id)


async def test_decisions_at_a_thousand_plus_policies(kernel: Kernel, factory: Factory) -> None:
    """~1,100 g lines plus custom roles over 25 members: every decision matches an independent
    reference, and a sample matches casbin's stock enforcer holding every line at once."""
    await kernel.authorizer.start()
    rng = random.Random(20261122)
    alliance = await factory.alliance()
    members = [await factory.member(alliance) for _ in range(25)]
    users = [await factory.user() for _ in range(50)]
    roles_of: dict[int, dict[str, frozenset[str]]] = {}
    held: dict[tuple[int, int], str] = {}
    now = kernel.clock()
    for member in members:
        table = {name: role.actions for name, role in MEMBER_ROLES.items()}
        if member.id % 3 == 0:
            custom = frozenset(rng.sample(sorted(MEMBER_ROLES["owner"].actions), 3))
            await define_role(kernel.db, member.id, "cashier", rank=15, actions=custom)
            table["cashier"] = custom
        roles_of[member.id] = table
        rows = []
        for user in rng.sample(users, 45):
            role = rng.choice(sorted(table))
            held[(member.id, user.id)] = role
            rows.append(Membership(member=member.id, user=user.id, role=role, created_at=now))
        async with kernel.db.write():
            await scoped(Membership, member.id).insert(*rows)
            await kernel.authorizer.policy_changed(member_id=member.id)
    assert len(held) >= 1000

    stock = casbin.Enforcer(new_model())
    for member in members:
        domain = member_domain(member.id)
        for name, actions in roles_of[member.id].items():
            for action in actions:
                stock.add_policy(name, domain, action)
    for (member_id, user_id), role in held.items():
        stock.add_grouping_policy(f"user:{user_id}", role, member_domain(member_id))

    checks = 0
    for member in members:
        memo: dict[object, object] = {}
        for user in users:
            held_role = held.get((member.id, user.id))
            expected = roles_of[member.id][held_role] if held_role else frozenset()
            for action in KERNEL_ACTIONS:
                got = await kernel.authorizer.allowed(
                    as_user(user.id), action, member_id=member.id, memo=memo
                )
                assert got is (action in expected), (member.id, user.id, action)
                if rng.random() < 0.01:
                    subject, domain = f"user:{user.id}", member_domain(member.id)
                    assert stock.enforce(subject, domain, action) is got
                    checks += 1
    assert checks > 50


async def test_casbins_quadratic_domain_matcher_is_off(kernel: Kernel, factory: Factory) -> None:
    """casbin's domain manager compares names through a default equality "pattern" matcher,
    quadratic in a domain's role links; ours removes it, and decisions stay the same."""
    await kernel.authorizer.start()
    member = await factory.member()
    users = [await factory.user() for _ in range(3)]
    for user, role in zip(users, ("owner", "staff", "resident"), strict=True):
        await assign(kernel, member.id, user.id, role)
    policy = await kernel.authorizer.domain_policy(member_domain(member.id))
    assert policy.enforcer.get_role_manager().matching_func is None
    for user, role in zip(users, ("owner", "staff", "resident"), strict=True):
        subject = f"user:{user.id}"
        assert policy.grants(subject).roles == {role}
        for action in KERNEL_ACTIONS:
            assert policy.enforce(subject, action) is (action in MEMBER_ROLES[role].actions)
