"""Admitting members, their kinds, the member directory and its pagination."""

from __future__ import annotations

import pytest

from kernel.db.scoped import scoped
from kernel.errors import BadUserInput
from kernel.runtime import Kernel
from kernel.tenancy import members, service
from kernel.tenancy.tables import Member, Membership
from tests.factories import Factory
from tests.graphql_client import GraphQLClient
from tests.tenancy import gid

CREATE_MEMBER = """
mutation($a: ID!, $kind: String!, $slug: String!, $owner: ID) {
  createMember(allianceId: $a, kind: $kind, slug: $slug, name: "Green Grocer",
               ownerUserId: $owner) { id kind slug name alliance { id } }
}
"""
MEMBERS = """
query($a: ID!, $first: Int, $after: String, $kind: String) {
  members(allianceId: $a, first: $first, after: $after, kind: $kind) {
    nodes { id slug } pageInfo { hasNextPage endCursor }
  }
}
"""
MEMBER = """
query($id: ID!) {
  member(id: $id) { id name memberships { nodes { role user { id } } } }
}
"""


async def test_alliance_admin_admits_a_member_with_its_owner(
    kernel: Kernel, factory: Factory, gql: GraphQLClient
) -> None:
    alliance = await factory.alliance()
    admin, owner = await factory.user(), await factory.user()
    await factory.alliance_admin(alliance, admin)
    token = (await factory.sign_in(admin)).token
    variables = {
        "a": gid("Alliance", alliance.id),
        "kind": "leader",
        "slug": "auntie-wang",
        "owner": gid("User", owner.id),
    }

    created = (await gql(CREATE_MEMBER, variables, token=token)).ok()["createMember"]
    assert created["kind"] == "leader" and created["alliance"]["id"] == variables["a"]
    member = await Member.objects().get(Member.slug == "auntie-wang")
    assert await scoped(Membership, member.id).select(Membership.user, Membership.role) == [
        {"user": owner.id, "role": "owner"}
    ]
    # The owner can now read the member's staff; the alliance admin cannot.
    owner_token = (await factory.sign_in(owner)).token
    seen = (await gql(MEMBER, {"id": created["id"]}, token=owner_token)).ok()["member"]
    assert seen["memberships"]["nodes"] == [
        {"role": "owner", "user": {"id": gid("User", owner.id)}}
    ]
    as_admin = await gql(MEMBER, {"id": created["id"]}, token=token)
    assert as_admin.data["member"]["name"] == "Green Grocer"
    assert as_admin.data["member"]["memberships"] is None and as_admin.code == "NOT_FOUND"

    assert (await gql(CREATE_MEMBER, variables, token=token)).code == "CONFLICT"
    unknown = await gql(CREATE_MEMBER, {**variables, "kind": "casino", "slug": "x"}, token=token)
    assert unknown.code == "BAD_USER_INPUT"
    assert unknown.errors[0]["extensions"]["fieldErrors"][0]["field"] == "kind"
    # A member's owner holds no alliance role: to the authorizer they are unrelated to it.
    owner_as_admitter = await gql(CREATE_MEMBER, {**variables, "slug": "y"}, token=owner_token)
    assert owner_as_admitter.code == "NOT_FOUND"
    assert await Member.count() == 1


async def test_plugins_register_member_kinds(
    kernel: Kernel, factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The registry is per process: give this test its own copy.
    monkeypatch.setattr(members, "_KINDS", dict(members.DEFAULT_MEMBER_KINDS))
    alliance = await factory.alliance()
    with pytest.raises(BadUserInput):
        await service.create_member(
            kernel, actor=None, alliance_id=alliance.id, kind="pharmacy", slug="p", name="P"
        )
    service.register_member_kind("pharmacy", "A community pharmacy.")
    assert "pharmacy" in service.member_kinds()
    assert set(service.DEFAULT_MEMBER_KINDS) <= set(service.member_kinds())
    member = await service.create_member(
        kernel, actor=None, alliance_id=alliance.id, kind="pharmacy", slug="p", name="P"
    )
    assert member.kind == "pharmacy"
    with pytest.raises(ValueError):
        service.register_member_kind("Not A Kind")


async def test_a_failed_create_member_leaves_nothing(
    kernel: Kernel, factory: Factory, gql: GraphQLClient
) -> None:
    alliance = await factory.alliance()
    admin = await factory.user()
    await factory.alliance_admin(alliance, admin)
    token = (await factory.sign_in(admin)).token
    variables = {
        "a": gid("Alliance", alliance.id),
        "kind": "store",
        "slug": "corner-shop",
        "owner": gid("User", 987654),
    }
    result = await gql(CREATE_MEMBER, variables, token=token)
    assert result.code == "NOT_FOUND"
    # The member row was written before the owner turned out to be missing: rolled back.
    assert await Member.count() == 0
    variables["owner"] = gid("User", admin.id)
    assert (await gql(CREATE_MEMBER, variables, token=token)).ok()


async def test_members_page_through_250_without_duplicates_or_gaps(
    kernel: Kernel, factory: Factory, gql: GraphQLClient
) -> None:
    alliance = await factory.alliance()
    now = kernel.clock()
    await Member.insert(
        *(
            Member(
                alliance=alliance.id,
                kind="leader",
                slug=f"leader-{n}",
                name=f"L{n}",
                created_at=now,
            )
            for n in range(250)
        )
    )
    staff = await factory.user()
    first_member = await Member.objects().where(Member.slug == "leader-0").first()
    await factory.membership(first_member, staff, "staff")
    token = (await factory.sign_in(staff)).token
    a = gid("Alliance", alliance.id)

    too_many = await gql(MEMBERS, {"a": a, "first": 101}, token=token)
    assert too_many.code == "BAD_USER_INPUT" and too_many.data is None
    bad_cursor = await gql(MEMBERS, {"a": a, "after": "nonsense"}, token=token)
    assert bad_cursor.code == "BAD_USER_INPUT"

    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page = (await gql(MEMBERS, {"a": a, "first": 100, "after": after}, token=token)).ok()
        pages += 1
        seen += [node["slug"] for node in page["members"]["nodes"]]
        if not page["members"]["pageInfo"]["hasNextPage"]:
            break
        after = page["members"]["pageInfo"]["endCursor"]
    assert pages == 3
    assert len(seen) == len(set(seen)) == 250
    assert set(seen) == {f"leader-{n}" for n in range(250)}

    stores = (await gql(MEMBERS, {"a": a, "kind": "store"}, token=token)).ok()
    assert stores["members"]["nodes"] == []
