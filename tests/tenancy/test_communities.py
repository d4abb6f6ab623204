"""Communities, the members serving them, residents, and the viewer."""

from __future__ import annotations

from typing import Any

from kernel.db.scoped import unscoped
from kernel.runtime import Kernel
from kernel.tenancy.tables import Community, MemberCommunity, Resident
from tests.factories import Factory
from tests.graphql_client import GraphQLClient
from tests.tenancy import gid

CREATE = """
mutation($a: ID!, $name: String!, $lat: Float, $lng: Float) {
  createCommunity(allianceId: $a, name: $name, address: "1 Lake Rd",
                  latitude: $lat, longitude: $lng) { id name latitude longitude alliance { id } }
}
"""
COMMUNITIES = """
query($a: ID!) { communities(allianceId: $a) { nodes { id name } } }
"""
SERVE = """
mutation($m: ID!, $c: ID!) {
  serveCommunity(memberId: $m, communityId: $c) { id communities { nodes { id } } }
}
"""
REGISTER = """
mutation($c: ID!, $leader: ID) {
  registerResident(communityId: $c, household: "Bldg 3, 502", leaderMemberId: $leader) {
    household community { id name } leader { id name }
  }
}
"""
VIEWER = """
{ viewer { id email displayName isPlatformAdmin
    memberships { nodes { role member { id kind } } }
    residences { nodes { household community { id } leader { id } } } } }
"""


def _fields(result: Any) -> set[str]:
    return {e["field"] for e in result.errors[0]["extensions"]["fieldErrors"]}


async def test_community_coordinates_are_validated(
    kernel: Kernel, factory: Factory, gql: GraphQLClient
) -> None:
    alliance = await factory.alliance()
    admin = await factory.user()
    await factory.alliance_admin(alliance, admin)
    token = (await factory.sign_in(admin)).token
    a = gid("Alliance", alliance.id)

    for lat, lng, bad in [
        (91.0, 114.3, {"latitude"}),
        (30.5, -180.5, {"longitude"}),
        (-90.1, 181.0, {"latitude", "longitude"}),
        (30.5, None, {"longitude"}),
    ]:
        result = await gql(
            CREATE, {"a": a, "name": "Lakeside", "lat": lat, "lng": lng}, token=token
        )
        assert result.code == "BAD_USER_INPUT" and _fields(result) == bad
    blank = await gql(CREATE, {"a": a, "name": "  "}, token=token)
    assert _fields(blank) == {"name"}
    assert await Community.count() == 0

    ok = await gql(CREATE, {"a": a, "name": "Lakeside", "lat": 30.55, "lng": 114.36}, token=token)
    created = ok.ok()["createCommunity"]
    assert created["latitude"] == 30.55 and created["alliance"]["id"] == a
    edge = await gql(CREATE, {"a": a, "name": "Pole", "lat": -90.0, "lng": 180.0}, token=token)
    assert edge.ok()
    listed = (await gql(COMMUNITIES, {"a": a}, token=token)).ok()["communities"]["nodes"]
    assert [c["name"] for c in listed] == ["Lakeside", "Pole"]


async def test_members_serve_only_their_own_alliances_communities(
    kernel: Kernel, factory: Factory, gql: GraphQLClient
) -> None:
    home, away = await factory.alliance(), await factory.alliance()
    warehouse = await factory.member(home, kind="warehouse_operator")
    owner = await factory.user()
    await factory.membership(warehouse, owner, "owner")
    token = (await factory.sign_in(owner)).token
    near, far = await factory.community(home), await factory.community(away)
    m = gid("Member", warehouse.id)

    served = (await gql(SERVE, {"m": m, "c": gid("Community", near.id)}, token=token)).ok()
    assert served["serveCommunity"]["communities"]["nodes"] == [{"id": gid("Community", near.id)}]
    # Serving again is a no-op.
    assert (await gql(SERVE, {"m": m, "c": gid("Community", near.id)}, token=token)).ok()
    across = await gql(SERVE, {"m": m, "c": gid("Community", far.id)}, token=token)
    missing = await gql(SERVE, {"m": m, "c": gid("Community", 424242)}, token=token)
    assert across.code == missing.code == "NOT_FOUND"
    assert across.errors[0]["message"] == missing.errors[0]["message"]
    assert await unscoped(MemberCommunity).count() == 1


async def test_residents_register_and_follow_a_leader_serving_their_community(
    kernel: Kernel, factory: Factory, gql: GraphQLClient
) -> None:
    alliance = await factory.alliance()
    lakeside, hillside = await factory.community(alliance), await factory.community(alliance)
    leader, store = await factory.member(alliance, kind="leader"), await factory.member(alliance)
    for member in (leader, store):
        owner = await factory.user()
        await factory.membership(member, owner, "owner")
        await unscoped(MemberCommunity).insert(
            MemberCommunity(member=member.id, community=lakeside.id, created_at=kernel.clock())
        )
    resident = await factory.user()
    token = (await factory.sign_in(resident)).token
    c = gid("Community", lakeside.id)

    assert (await gql(REGISTER, {"c": c})).code == "UNAUTHENTICATED"
    # A store is not a leader; a leader not serving the community cannot be followed there.
    not_leader = await gql(REGISTER, {"c": c, "leader": gid("Member", store.id)}, token=token)
    elsewhere = await gql(
        REGISTER,
        {"c": gid("Community", hillside.id), "leader": gid("Member", leader.id)},
        token=token,
    )
    assert not_leader.code == elsewhere.code == "NOT_FOUND"
    assert await Resident.count() == 0

    registered = await gql(REGISTER, {"c": c, "leader": gid("Member", leader.id)}, token=token)
    residence = registered.ok()["registerResident"]
    assert residence["household"] == "Bldg 3, 502"
    assert residence["leader"]["id"] == gid("Member", leader.id)
    # Registering again updates the registration (here: stops following the leader).
    again = (await gql(REGISTER, {"c": c}, token=token)).ok()["registerResident"]
    assert again["leader"] is None
    assert await Resident.count() == 1

    viewer = (await gql(VIEWER, token=token)).ok()["viewer"]
    assert viewer["id"] == gid("User", resident.id) and viewer["isPlatformAdmin"] is False
    assert viewer["memberships"]["nodes"] == []
    assert viewer["residences"]["nodes"] == [
        {"household": "Bldg 3, 502", "community": {"id": c}, "leader": None}
    ]
    # Residency does not open the alliance's directory.
    listed = await gql(COMMUNITIES, {"a": gid("Alliance", alliance.id)}, token=token)
    assert listed.code == "NOT_FOUND"


async def test_viewer_is_null_when_anonymous_and_lists_own_memberships(
    kernel: Kernel, factory: Factory, gql: GraphQLClient
) -> None:
    assert (await gql(VIEWER)).ok() == {"viewer": None}
    user = await factory.user()
    member = await factory.member(kind="bakery")
    await factory.membership(member, user, "staff")
    viewer = (await gql(VIEWER, token=(await factory.sign_in(user)).token)).ok()["viewer"]
    assert viewer["email"] == user.email
    assert viewer["memberships"]["nodes"] == [
        {"role": "staff", "member": {"id": gid("Member", member.id), "kind": "bakery"}}
    ]
