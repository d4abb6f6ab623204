"""The club: enabling, tiers, joining and leaving, the member discount, gating."""

from __future__ import annotations

import pytest

from alliance_sdk import decide
from alliance_sdk.testing import AllianceClient, AllianceFactory, CapturedEvents
from plugins.bakery_club.events import BakeryClubMemberJoined, BakeryClubMemberLeft
from plugins.bakery_club.tests.helpers import JOIN, LEAVE, ME, SLUG, as_user, bakery, member_of

pytestmark = pytest.mark.alliance_plugins(SLUG, "plugins.bakery_club.tests.groupbuy_stub")

CLUB = """query($m: ID!) { bakeryClub(memberId: $m) {
  name pointsPerPost tiers { name discountBp minPoints } } }"""
CREATE_TIER = """mutation($m: ID!, $n: String!, $d: Int!, $p: Int!) {
  createBakeryClubTier(memberId: $m, name: $n, discountBp: $d, minPoints: $p) {
    id name discountBp } }"""
SET_TIER = """mutation($m: ID!, $u: ID!, $t: ID!) {
  setBakeryClubMemberTier(memberId: $m, userId: $u, tierId: $t) { tierName discountBp } }"""


async def test_a_resident_joins_leaves_and_rejoins(
    alliance_factory: AllianceFactory,
    alliance_client: AllianceClient,
    captured_events: CapturedEvents,
) -> None:
    shop = await bakery(alliance_factory, alliance_client, {"club_name": "Luojia fans"})
    user = await alliance_factory.resident(shop.community)

    club = (await as_user(alliance_client, user, CLUB, {"m": shop.gid})).ok()["bakeryClub"]
    assert club["name"] == "Luojia fans"
    assert club["tiers"] == [{"name": "Member", "discountBp": 0, "minPoints": 0}]
    assert (await alliance_client(ME, {"m": shop.gid})).ok()["bakeryClubMe"]["membership"] is None

    joined = (await alliance_client(JOIN, {"m": shop.gid})).ok()["joinBakeryClub"]
    assert joined == {"status": "active", "tierName": "Member", "pointsBalance": 0}
    again = (await alliance_client(JOIN, {"m": shop.gid})).ok()["joinBakeryClub"]
    assert again["status"] == "active"
    assert (await alliance_client(LEAVE, {"m": shop.gid})).ok() == {"leaveBakeryClub": True}
    assert (await alliance_client(LEAVE, {"m": shop.gid})).ok() == {"leaveBakeryClub": False}
    me = (await alliance_client(ME, {"m": shop.gid})).ok()["bakeryClubMe"]["membership"]
    assert me["status"] == "left"
    assert (await alliance_client(JOIN, {"m": shop.gid})).ok()["joinBakeryClub"][
        "status"
    ] == "active"

    joins = await captured_events.of(BakeryClubMemberJoined)
    assert [e.user_id for e in joins] == [user.id, user.id]
    assert [e.user_id for e in await captured_events.of(BakeryClubMemberLeft)] == [user.id]


async def test_tiers_and_the_member_discount_hook(
    alliance_factory: AllianceFactory, alliance_client: AllianceClient, alliance_kernel: object
) -> None:
    shop = await bakery(alliance_factory, alliance_client)
    gold = (
        await as_user(
            alliance_client,
            shop.owner,
            CREATE_TIER,
            {"m": shop.gid, "n": "Gold", "d": 500, "p": 300},
        )
    ).ok()["createBakeryClubTier"]
    duplicate = await alliance_client(CREATE_TIER, {"m": shop.gid, "n": "Gold", "d": 1, "p": 1})
    assert duplicate.code == "BAD_USER_INPUT"
    too_much = await alliance_client(CREATE_TIER, {"m": shop.gid, "n": "X", "d": 10_001, "p": 0})
    assert too_much.code == "BAD_USER_INPUT"

    fan = await member_of(alliance_factory, alliance_client, shop)
    stranger = await alliance_factory.resident(shop.community)

    async def discount(user: object) -> object:
        return await decide(
            alliance_kernel,
            "groupbuy_member_discount",
            member_id=shop.member.id,
            buyer_user_id=user.id,
        )

    # The default tier gives nothing: the hook passes (another plugin may answer).
    assert await discount(fan) is None
    assert await discount(stranger) is None
    await as_user(
        alliance_client,
        shop.owner,
        SET_TIER,
        {"m": shop.gid, "u": alliance_client.gid("User", fan), "t": gold["id"]},
    )
    assert await discount(fan) == 500
    assert await discount(stranger) is None
    (await as_user(alliance_client, fan, LEAVE, {"m": shop.gid})).ok()
    assert await discount(fan) is None


async def test_outsiders_and_disabled_bakeries(
    alliance_factory: AllianceFactory, alliance_client: AllianceClient
) -> None:
    shop = await bakery(alliance_factory, alliance_client)
    other_alliance = await alliance_factory.alliance()
    elsewhere = await alliance_factory.resident(await alliance_factory.community(other_alliance))
    result = await as_user(alliance_client, elsewhere, JOIN, {"m": shop.gid})
    assert result.code == "NOT_FOUND"

    plain = await alliance_factory.member(shop.alliance, kind="bakery")
    neighbour = await alliance_factory.resident(shop.community)
    result = await as_user(
        alliance_client, neighbour, JOIN, {"m": alliance_client.gid("Member", plain)}
    )
    assert result.code == "PLUGIN_DISABLED"

    alliance_client.sign_out()
    assert (await alliance_client(JOIN, {"m": shop.gid})).code == "UNAUTHENTICATED"
