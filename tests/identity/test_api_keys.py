"""API keys: shown once, stored hashed, bound to one member and a set of actions."""

from __future__ import annotations

from typing import Any

import pytest

from kernel.db.scoped import scoped, unscoped
from kernel.errors import ErrorCode, Forbidden
from kernel.gateway.ids import encode_id
from kernel.identity import service
from kernel.identity.principal import Principal
from kernel.identity.secrets import hash_api_key
from kernel.identity.tables import ApiKey, User
from kernel.runtime import Kernel
from kernel.tenancy.tables import Member, Membership
from tests.factories import Factory
from tests.graphql_client import GraphQLClient

CREATE = """
mutation ($member: ID!, $name: String!, $actions: [String!]!) {
  createApiKey(memberId: $member, name: $name, actions: $actions) {
    apiKey { id name prefix actions createdAt revokedAt }
    plaintext
  }
}
"""
REVOKE = """
mutation ($member: ID!, $id: ID!) {
  revokeApiKey(memberId: $member, id: $id) { id revokedAt }
}
"""
LIST = """
query ($member: ID!, $first: Int, $after: String) {
  apiKeys(memberId: $member, first: $first, after: $after) {
    edges { cursor node { id name prefix actions revokedAt lastUsedAt } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
MANAGE = "kernel.apikeys.manage"


async def join(kernel: Kernel, member: Member, user: User, role: str) -> None:
    await scoped(Membership, member.id).insert(
        Membership(member=member.id, user=user.id, role=role, created_at=kernel.clock())
    )


class Setup:
    """Two members of one alliance; ``token`` is their owner's (member ``a`` only)."""

    def __init__(self, kernel: Kernel, factory: Factory) -> None:
        self.kernel, self.factory = kernel, factory

    async def build(self) -> Setup:
        alliance = await self.factory.alliance()
        self.a = await self.factory.member(alliance)
        self.b = await self.factory.member(alliance)
        self.owner = await self.factory.user()
        await join(self.kernel, self.a, self.owner, "owner")
        self.token = (await self.factory.sign_in(self.owner)).token
        self.a_id = encode_id("Member", self.a.id)
        self.b_id = encode_id("Member", self.b.id)
        return self


@pytest.fixture
async def setup(kernel: Kernel, factory: Factory) -> Setup:
    return await Setup(kernel, factory).build()


async def create(
    gql: GraphQLClient, s: Setup, actions: list[str], name: str = "sync", **auth: Any
) -> dict[str, Any]:
    auth = auth or {"token": s.token}
    result = await gql(CREATE, {"member": s.a_id, "name": name, "actions": actions}, **auth)
    created: dict[str, Any] = result.ok()["createApiKey"]
    return created


async def test_a_key_is_shown_once_and_stored_hashed(
    kernel: Kernel, gql: GraphQLClient, setup: Setup
) -> None:
    created = await create(gql, setup, [MANAGE, "kernel.members.read", MANAGE])
    plaintext = created["plaintext"]
    assert plaintext.startswith(f"ak_{created['apiKey']['prefix']}_")
    assert created["apiKey"]["actions"] == ["kernel.apikeys.manage", "kernel.members.read"]
    assert created["apiKey"]["revokedAt"] is None

    rows = await unscoped(ApiKey).select()
    assert len(rows) == 1
    assert rows[0]["key_hash"] == hash_api_key(plaintext)
    assert plaintext not in repr(rows[0])
    assert rows[0]["created_by"] == setup.owner.id
    # Listing never shows the plaintext again (the type has no such field).
    listed = (await gql(LIST, {"member": setup.a_id}, token=setup.token)).ok()["apiKeys"]
    assert [e["node"]["id"] for e in listed["edges"]] == [created["apiKey"]["id"]]
    assert "plaintext" not in listed["edges"][0]["node"]


async def test_a_key_works_for_its_own_member_only(
    kernel: Kernel, gql: GraphQLClient, setup: Setup
) -> None:
    plaintext = (await create(gql, setup, [MANAGE]))["plaintext"]
    own = (await gql(LIST, {"member": setup.a_id}, api_key=plaintext)).ok()["apiKeys"]
    assert len(own["edges"]) == 1
    assert own["edges"][0]["node"]["lastUsedAt"] is not None
    other = await gql(LIST, {"member": setup.b_id}, api_key=plaintext)
    assert other.code == ErrorCode.NOT_FOUND


async def test_a_key_can_do_only_its_actions(
    kernel: Kernel, gql: GraphQLClient, setup: Setup
) -> None:
    plaintext = (await create(gql, setup, ["kernel.members.read"]))["plaintext"]
    denied = await gql(LIST, {"member": setup.a_id}, api_key=plaintext)
    assert denied.code == ErrorCode.FORBIDDEN


async def test_a_revoked_key_is_refused(kernel: Kernel, gql: GraphQLClient, setup: Setup) -> None:
    created = await create(gql, setup, [MANAGE])
    key_id, plaintext = created["apiKey"]["id"], created["plaintext"]
    (await gql(LIST, {"member": setup.a_id}, api_key=plaintext)).ok()

    revoked = (await gql(REVOKE, {"member": setup.a_id, "id": key_id}, token=setup.token)).ok()
    assert revoked["revokeApiKey"]["revokedAt"] is not None
    # Idempotent: revoking again keeps the first time.
    again = (await gql(REVOKE, {"member": setup.a_id, "id": key_id}, token=setup.token)).ok()
    assert again == revoked

    refused = await gql(LIST, {"member": setup.a_id}, api_key=plaintext)
    assert refused.code == ErrorCode.UNAUTHENTICATED


async def test_revoking_another_members_key_is_not_found(
    kernel: Kernel, gql: GraphQLClient, factory: Factory, setup: Setup
) -> None:
    created = await create(gql, setup, [MANAGE])
    key_id = created["apiKey"]["id"]
    # The owner of member b tries to revoke member a's key through member b.
    other = await factory.user()
    await join(kernel, setup.b, other, "owner")
    other_token = (await factory.sign_in(other)).token
    result = await gql(REVOKE, {"member": setup.b_id, "id": key_id}, token=other_token)
    assert result.code == ErrorCode.NOT_FOUND
    # Through member a they have no relation at all: also NOT_FOUND.
    result = await gql(REVOKE, {"member": setup.a_id, "id": key_id}, token=other_token)
    assert result.code == ErrorCode.NOT_FOUND
    # An ID of another type is NOT_FOUND too.
    bogus = encode_id("Member", setup.a.id)
    result = await gql(REVOKE, {"member": setup.a_id, "id": bogus}, token=setup.token)
    assert result.code == ErrorCode.NOT_FOUND
    assert (await unscoped(ApiKey).select(ApiKey.revoked_at))[0]["revoked_at"] is None


async def test_a_key_cannot_exceed_its_creators_actions(
    kernel: Kernel, gql: GraphQLClient, setup: Setup
) -> None:
    result = await gql(
        CREATE,
        {"member": setup.a_id, "name": "x", "actions": [MANAGE, "kernel.alliance.admit"]},
        token=setup.token,
    )
    assert result.code == ErrorCode.FORBIDDEN
    assert "kernel.alliance.admit" in result.errors[0]["message"]
    assert await unscoped(ApiKey).count() == 0


async def test_staff_cannot_create_keys(
    kernel: Kernel, gql: GraphQLClient, factory: Factory, setup: Setup
) -> None:
    staff = await factory.user()
    await join(kernel, setup.a, staff, "staff")
    token = (await factory.sign_in(staff)).token
    result = await gql(
        CREATE,
        {"member": setup.a_id, "name": "x", "actions": ["kernel.members.read"]},
        token=token,
    )
    assert result.code == ErrorCode.FORBIDDEN


async def test_a_key_cannot_create_keys(kernel: Kernel, gql: GraphQLClient, setup: Setup) -> None:
    plaintext = (await create(gql, setup, [MANAGE]))["plaintext"]
    result = await gql(
        CREATE, {"member": setup.a_id, "name": "child", "actions": [MANAGE]}, api_key=plaintext
    )
    assert result.code == ErrorCode.FORBIDDEN
    assert await unscoped(ApiKey).count() == 1
    with pytest.raises(Forbidden):
        await service.create_api_key(
            kernel,
            member_id=setup.a.id,
            name="child",
            actions=[MANAGE],
            created_by=Principal(
                api_key_id=1, api_key_member_id=setup.a.id, api_key_actions=frozenset({MANAGE})
            ),
        )


@pytest.mark.parametrize(
    ("name", "actions", "code"),
    [
        ("ok", [], ErrorCode.BAD_USER_INPUT),
        ("ok", ["kernel.nonsense"], ErrorCode.BAD_USER_INPUT),
        ("   ", [MANAGE], ErrorCode.BAD_USER_INPUT),
        ("n" * 121, [MANAGE], ErrorCode.BAD_USER_INPUT),
        ("sync", [MANAGE], ErrorCode.CONFLICT),
    ],
)
async def test_bad_requests_are_refused(
    kernel: Kernel,
    gql: GraphQLClient,
    setup: Setup,
    name: str,
    actions: list[str],
    code: ErrorCode,
) -> None:
    await create(gql, setup, [MANAGE], name="sync")
    result = await gql(
        CREATE, {"member": setup.a_id, "name": name, "actions": actions}, token=setup.token
    )
    assert result.code == code
    assert await unscoped(ApiKey).count() == 1


async def test_keys_are_listed_in_pages(kernel: Kernel, gql: GraphQLClient, setup: Setup) -> None:
    ids = [(await create(gql, setup, [MANAGE], name=f"k{i}"))["apiKey"]["id"] for i in range(3)]
    # Member b's keys never show up in member a's list.
    await service.create_api_key(
        kernel,
        member_id=setup.b.id,
        name="k0",
        actions=[MANAGE],
        created_by=Principal(user_id=setup.owner.id, is_platform_admin=True),
    )
    page = (await gql(LIST, {"member": setup.a_id, "first": 2}, token=setup.token)).ok()
    first = page["apiKeys"]
    assert [e["node"]["id"] for e in first["edges"]] == ids[:2]
    assert first["pageInfo"]["hasNextPage"] is True
    after = first["pageInfo"]["endCursor"]
    page = (await gql(LIST, {"member": setup.a_id, "after": after}, token=setup.token)).ok()
    assert [e["node"]["id"] for e in page["apiKeys"]["edges"]] == ids[2:]
    assert page["apiKeys"]["pageInfo"]["hasNextPage"] is False


async def test_a_platform_admin_gets_not_found_for_a_missing_member(
    kernel: Kernel, gql: GraphQLClient, factory: Factory
) -> None:
    admin = await factory.user(platform_admin=True)
    token = (await factory.sign_in(admin)).token
    result = await gql(
        CREATE,
        {"member": encode_id("Member", 999_999), "name": "x", "actions": [MANAGE]},
        token=token,
    )
    assert result.code == ErrorCode.NOT_FOUND
