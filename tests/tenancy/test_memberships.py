"""Bounded delegation: who may grant, change and remove roles in a member."""

from __future__ import annotations

from kernel.db.scoped import scoped
from kernel.runtime import Kernel
from kernel.tenancy.tables import Membership
from tests.factories import Factory
from tests.graphql_client import GraphQLClient
from tests.tenancy import gid

ADD = """
mutation($m: ID!, $u: ID!, $role: String!) {
  addMembership(memberId: $m, userId: $u, role: $role) { id role user { id } member { id } }
}
"""
CHANGE = """
mutation($m: ID!, $u: ID!, $role: String!) {
  changeRole(memberId: $m, userId: $u, role: $role) { role }
}
"""
REMOVE = "mutation($m: ID!, $u: ID!) { removeMembership(memberId: $m, userId: $u) }"


async def _roles(member_id: int) -> dict[int, str]:
    rows = await scoped(Membership, member_id).select(Membership.user, Membership.role)
    return {row["user"]: row["role"] for row in rows}


async def test_delegation_is_bounded(kernel: Kernel, factory: Factory, gql: GraphQLClient) -> None:
    alliance = await factory.alliance()
    store, other_store = await factory.member(alliance), await factory.member(alliance)
    owner, admin, staff, newcomer = [await factory.user() for _ in range(4)]
    await factory.membership(store, owner, "owner")
    await factory.membership(store, admin, "admin")
    await factory.membership(store, staff, "staff")
    other_owner = await factory.user()
    await factory.membership(other_store, other_owner, "owner")
    tokens = {u.id: (await factory.sign_in(u)).token for u in (owner, admin, staff, other_owner)}
    m = gid("Member", store.id)

    def vars_(user_id: int, role: str) -> dict[str, str]:
        return {"m": m, "u": gid("User", user_id), "role": role}

    # An admin cannot grant owner (ranked above admin), nor promote anyone to it.
    assert (await gql(ADD, vars_(newcomer.id, "owner"), token=tokens[admin.id])).code == (
        "FORBIDDEN"
    )
    assert (await gql(CHANGE, vars_(staff.id, "owner"), token=tokens[admin.id])).code == (
        "FORBIDDEN"
    )
    # ...nor touch the owner's own role.
    assert (await gql(CHANGE, vars_(owner.id, "staff"), token=tokens[admin.id])).code == (
        "FORBIDDEN"
    )
    # Staff cannot add anyone.
    assert (await gql(ADD, vars_(newcomer.id, "staff"), token=tokens[staff.id])).code == (
        "FORBIDDEN"
    )
    # The owner of another member cannot add to this one: it does not exist for them.
    foreign = await gql(ADD, vars_(newcomer.id, "staff"), token=tokens[other_owner.id])
    assert foreign.code == "NOT_FOUND" and foreign.data is None
    assert await _roles(store.id) == {owner.id: "owner", admin.id: "admin", staff.id: "staff"}

    # Within bounds it works: an admin adds staff, the owner adds an owner.
    added = (await gql(ADD, vars_(newcomer.id, "staff"), token=tokens[admin.id])).ok()
    assert added["addMembership"]["role"] == "staff"
    assert added["addMembership"]["member"]["id"] == m
    again = await gql(ADD, vars_(newcomer.id, "admin"), token=tokens[owner.id])
    assert again.code == "CONFLICT"
    changed = (await gql(CHANGE, vars_(newcomer.id, "owner"), token=tokens[owner.id])).ok()
    assert changed["changeRole"]["role"] == "owner"
    unknown = await gql(CHANGE, vars_(staff.id, "emperor"), token=tokens[owner.id])
    assert unknown.code == "BAD_USER_INPUT"
    # The new owner's rights are in force at once (the policy version was bumped).
    newcomer_token = (await factory.sign_in(newcomer)).token
    removed = await gql(REMOVE, {"m": m, "u": gid("User", staff.id)}, token=newcomer_token)
    assert removed.ok()["removeMembership"]
    assert await _roles(store.id) == {owner.id: "owner", admin.id: "admin", newcomer.id: "owner"}


async def test_the_last_owner_cannot_be_removed_or_demoted(
    kernel: Kernel, factory: Factory, gql: GraphQLClient
) -> None:
    member = await factory.member()
    owner, second = await factory.user(), await factory.user()
    await factory.membership(member, owner, "owner")
    token = (await factory.sign_in(owner)).token
    m = gid("Member", member.id)

    last = await gql(REMOVE, {"m": m, "u": gid("User", owner.id)}, token=token)
    assert last.code == "CONFLICT"
    demote = await gql(CHANGE, {"m": m, "u": gid("User", owner.id), "role": "admin"}, token=token)
    assert demote.code == "CONFLICT"
    assert await _roles(member.id) == {owner.id: "owner"}

    await factory.membership(member, second, "owner")
    assert (await gql(REMOVE, {"m": m, "u": gid("User", owner.id)}, token=token)).ok()
    assert await _roles(member.id) == {second.id: "owner"}
    # The removed owner has lost every right in the member.
    gone = await gql(REMOVE, {"m": m, "u": gid("User", second.id)}, token=token)
    assert gone.code == "NOT_FOUND"
    missing = await gql(
        REMOVE, {"m": m, "u": gid("User", owner.id)}, token=(await factory.sign_in(second)).token
    )
    assert missing.code == "NOT_FOUND"
