"""bakery_club and groupbuy together, through hooks and events only: a club member's tier
discount is applied by groupbuy, an ambassador's referral code credits the order to the
ambassador, and the club counts the referral and its conversion at pickup."""

from __future__ import annotations

from typing import Any

import pytest

from alliance_sdk import run_sql
from alliance_sdk.testkit import AllianceFactory, CapturedEvents
from plugins.bakery_club.service import ambassadors, club, reports
from plugins.groupbuy.service.batching import batcher
from plugins.groupbuy.service.orders import mark_picked_up
from plugins.groupbuy.service.prepare import prepare_join
from tests.integration.helpers import bakery_campaign

pytestmark = pytest.mark.alliance_plugins("plugins.groupbuy", "plugins.bakery_club")


async def test_club_discount_and_ambassador_credit_flow_through_groupbuy(
    alliance_kernel: Any, alliance_factory: AllianceFactory, captured_events: CapturedEvents
) -> None:
    world = await bakery_campaign(alliance_kernel, alliance_factory)
    bakery, community = world["bakery"], world["community"]
    await club.create_tier(alliance_kernel, bakery.id, "Crumb", discount_bp=1000, min_points=0)
    fan = await alliance_factory.resident(community, leader=world["leader"])
    buyer = await alliance_factory.resident(community, leader=world["leader"])
    stranger = await alliance_factory.resident(community, leader=world["leader"])
    await club.join(alliance_kernel, bakery.id, fan.id)
    await club.join(alliance_kernel, bakery.id, buyer.id)
    code = (await ambassadors.promote(alliance_kernel, bakery.id, fan.id))["code"]

    async def join(user: Any, referral: str | None) -> dict[str, Any]:
        request = await prepare_join(
            alliance_kernel,
            buyer=user.id,
            campaign_id=world["campaign"],
            community_id=community.id,
            lines=[("LBC-001", 2)],
            idempotency_key=f"k-{user.id}",
            referral_code=referral,
        )
        placed = await batcher(alliance_kernel).join(request)
        assert placed.row is not None
        return placed.row

    referred = await join(buyer, code)
    plain = await join(stranger, None)
    assert (referred["total_fen"], referred["discount_fen"]) == (4500, 500)  # club member: 10 %
    assert (plain["total_fen"], plain["discount_fen"]) == (5000, 0)
    rows = await run_sql(
        alliance_kernel.db,
        "SELECT id, ambassador_user, leader_member, attribution_reason FROM groupbuy_order "
        "WHERE member = {} ORDER BY id",
        bakery.id,
    )
    assert [(r["ambassador_user"], r["attribution_reason"]) for r in rows] == [
        (fan.id, "referral_code"),
        (None, "community_leader"),
    ]
    assert rows[0]["leader_member"] == world["leader"].id  # the leader still brought it
    await mark_picked_up(alliance_kernel, world["leader"].id, referred["pickup_code"], {bakery.id})
    await captured_events.deliver()
    (counted,) = await reports.ambassadors(alliance_kernel, bakery.id)
    assert (counted["referrals"], counted["conversions"]) == (1, 1)
