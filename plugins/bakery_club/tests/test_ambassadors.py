"""Ambassadors: codes, order attribution (``attribute_order``), referral counting from
groupbuy's events (through the contract stub: the club never imports groupbuy)."""

from __future__ import annotations

from typing import Any

import pytest

from alliance_sdk import Attribution, decide, publish
from alliance_sdk.testing import AllianceClient, AllianceFactory, CapturedEvents
from plugins.bakery_club.tests.groupbuy_stub import OrderCancelled, OrderPickedUp, OrderPlaced
from plugins.bakery_club.tests.helpers import ME, SLUG, as_user, bakery, member_of

pytestmark = pytest.mark.alliance_plugins(SLUG, "plugins.bakery_club.tests.groupbuy_stub")

PROMOTE = """mutation($m: ID!, $u: ID!) {
  promoteBakeryClubAmbassador(memberId: $m, userId: $u) { code referralLink active } }"""
REVOKE = """mutation($m: ID!, $u: ID!) {
  revokeBakeryClubAmbassador(memberId: $m, userId: $u) { active } }"""
AMBASSADORS = """query($m: ID!) { bakeryClubAmbassadors(memberId: $m) {
  userId code active referrals conversions convertedFen } }"""


async def test_attribution_and_referral_counts(
    alliance_factory: AllianceFactory,
    alliance_client: AllianceClient,
    alliance_kernel: Any,
    captured_events: CapturedEvents,
) -> None:
    shop = await bakery(
        alliance_factory, alliance_client, {"referral_link_template": "https://x.test/b?ref={code}"}
    )
    await alliance_factory.enable_plugin(shop.member, "groupbuy_stub")
    ambassador = await member_of(alliance_factory, alliance_client, shop)
    buyer = await member_of(alliance_factory, alliance_client, shop)
    outsider = await member_of(alliance_factory, alliance_client, shop, joined=False)
    gid = alliance_client.gid

    refused = await as_user(
        alliance_client, shop.owner, PROMOTE, {"m": shop.gid, "u": gid("User", outsider)}
    )
    assert refused.code == "NOT_FOUND"
    promoted = (await alliance_client(PROMOTE, {"m": shop.gid, "u": gid("User", ambassador)})).ok()
    code = promoted["promoteBakeryClubAmbassador"]["code"]
    assert promoted["promoteBakeryClubAmbassador"]["referralLink"] == f"https://x.test/b?ref={code}"
    me = (await as_user(alliance_client, ambassador, ME, {"m": shop.gid})).ok()["bakeryClubMe"]
    assert me["ambassadorCode"] == code

    async def attribute(
        referral_code: str | None, buyer_id: int = buyer.id, leaders: list[int] | None = None
    ) -> Attribution:
        answer: Attribution = await decide(
            alliance_kernel,
            "attribute_order",
            member_id=shop.member.id,
            buyer_user_id=buyer_id,
            community_id=shop.community.id,
            leaders=[77, 78] if leaders is None else leaders,
            referral_code=referral_code,
        )
        return answer

    known = await attribute(code.lower())
    assert (known.reason, known.ambassador_user_id, known.leader_member_id) == (
        "referral_code",
        ambassador.id,
        77,
    )
    assert (await attribute(code, leaders=[])).leader_member_id is None
    # Unknown, absent and self-referral codes pass: the kernel's fallback answers.
    for passed in (
        await attribute("NOPE1234"),
        await attribute(None),
        await attribute(code, ambassador.id),
    ):
        assert passed.reason == "community_leader" and passed.ambassador_user_id is None

    async with alliance_kernel.db.write():
        for n, ref in enumerate((code, code, "OTHER", None)):
            await publish(
                alliance_kernel,
                OrderPlaced(
                    member_id=shop.member.id,
                    order_id=n,
                    order_ref=f"gb-{n}",
                    buyer_user_id=buyer.id,
                    total_fen=1_990,
                    referral_code=ref,
                ),
            )
        await publish(
            alliance_kernel,
            OrderPickedUp(
                member_id=shop.member.id,
                order_id=0,
                order_ref="gb-0",
                buyer_user_id=buyer.id,
                total_fen=1_990,
                referral_code=code,
            ),
        )
        await publish(
            alliance_kernel,
            OrderCancelled(
                member_id=shop.member.id,
                order_id=1,
                order_ref="gb-1",
                buyer_user_id=buyer.id,
                total_fen=1_990,
            ),
        )
    await captured_events.deliver()
    await captured_events.deliver()  # a redelivery changes nothing

    rows = (await as_user(alliance_client, shop.owner, AMBASSADORS, {"m": shop.gid})).ok()
    assert rows["bakeryClubAmbassadors"] == [
        {
            "userId": gid("User", ambassador),
            "code": code,
            "active": True,
            "referrals": 1,
            "conversions": 1,
            "convertedFen": 1_990,
        }
    ]

    assert (await alliance_client(REVOKE, {"m": shop.gid, "u": gid("User", ambassador)})).ok()
    assert (await attribute(code)).reason == "community_leader"


async def test_without_the_stub_enabled_orders_are_not_seen(
    alliance_factory: AllianceFactory,
    alliance_client: AllianceClient,
    alliance_kernel: Any,
    captured_events: CapturedEvents,
) -> None:
    """groupbuy's events reach the club only in the streams of bakeries that enabled it;
    here a bakery without the club publishes one."""
    shop = await bakery(alliance_factory, alliance_client)
    other = await alliance_factory.member(shop.alliance, kind="store")
    async with alliance_kernel.db.write():
        await publish(
            alliance_kernel,
            OrderPlaced(
                member_id=other.id,
                order_id=1,
                order_ref="gb-1",
                buyer_user_id=1,
                total_fen=1,
                referral_code="X",
            ),
        )
    await captured_events.deliver()
    rows = (await as_user(alliance_client, shop.owner, AMBASSADORS, {"m": shop.gid})).ok()
    assert rows["bakeryClubAmbassadors"] == []
