"""Creating alliances, appointing their admins, and who may see an alliance."""

from __future__ import annotations

from kernel.runtime import Kernel
from kernel.tenancy.tables import Alliance, AllianceAdmin
from tests.factories import Factory
from tests.graphql_client import GraphQLClient
from tests.tenancy import gid

CREATE = """
mutation($slug: String!, $name: String!) {
  createAlliance(slug: $slug, name: $name, region: "Wuhan") { id slug name region }
}
"""
APPOINT = """
mutation($a: ID!, $u: ID!) { appointAllianceAdmin(allianceId: $a, userId: $u) { id } }
"""
ALLIANCE = "query($id: ID!) { alliance(id: $id) { id slug name } }"


async def test_only_platform_operators_create_alliances(
    kernel: Kernel, factory: Factory, gql: GraphQLClient
) -> None:
    operator = await factory.sign_in(await factory.user(platform_admin=True))
    someone = await factory.sign_in(await factory.user())
    variables = {"slug": "east-lake", "name": "East Lake Alliance"}

    assert (await gql(CREATE, variables)).code == "UNAUTHENTICATED"
    assert (await gql(CREATE, variables, token=someone.token)).code == "NOT_FOUND"
    assert await Alliance.count() == 0

    created = (await gql(CREATE, variables, token=operator.token)).ok()["createAlliance"]
    assert created["slug"] == "east-lake" and created["region"] == "Wuhan"
    again = await gql(CREATE, variables, token=operator.token)
    assert again.code == "CONFLICT"
    bad = await gql(CREATE, {"slug": "East Lake!", "name": " "}, token=operator.token)
    assert bad.code == "BAD_USER_INPUT"
    fields = {e["field"] for e in bad.errors[0]["extensions"]["fieldErrors"]}
    assert fields == {"slug", "name"}
    assert await Alliance.count() == 1


async def test_alliance_admins_appoint_admins_and_see_their_alliance(
    kernel: Kernel, factory: Factory, gql: GraphQLClient
) -> None:
    alliance, other = await factory.alliance(), await factory.alliance()
    admin, newcomer, outsider = [await factory.user() for _ in range(3)]
    await factory.alliance_admin(alliance, admin)
    token = (await factory.sign_in(admin)).token

    seen = (await gql(ALLIANCE, {"id": gid("Alliance", alliance.id)}, token=token)).ok()
    assert seen["alliance"]["slug"] == alliance.slug

    appoint = {"a": gid("Alliance", alliance.id), "u": gid("User", newcomer.id)}
    assert (await gql(APPOINT, appoint, token=token)).ok()
    assert (await gql(APPOINT, appoint, token=token)).code == "CONFLICT"
    newcomer_token = (await factory.sign_in(newcomer)).token
    assert (await gql(ALLIANCE, {"id": gid("Alliance", alliance.id)}, token=newcomer_token)).ok()

    # Another alliance, a missing one and a malformed ID all look the same.
    for id_ in (gid("Alliance", other.id), gid("Alliance", 9999), gid("Member", alliance.id)):
        result = await gql(ALLIANCE, {"id": id_}, token=token)
        assert result.code == "NOT_FOUND" and result.data is None
    foreign = {"a": gid("Alliance", other.id), "u": gid("User", outsider.id)}
    assert (await gql(APPOINT, foreign, token=token)).code == "NOT_FOUND"
    assert await AllianceAdmin.count() == 2
