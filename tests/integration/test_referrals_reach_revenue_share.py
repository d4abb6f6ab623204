"""groupbuy, bakery_club and revenue_share together: an order placed with an ambassador's
referral code and picked up accrues the leader's and the ambassador's commissions on the
bakery's ledger; an order without a code pays the community's leader only."""

from __future__ import annotations

from typing import Any

import pytest

from alliance_sdk.testkit import AllianceFactory, CapturedEvents
from plugins.bakery_club.service import ambassadors, club
from plugins.groupbuy.service.batching import batcher
from plugins.groupbuy.service.orders import mark_picked_up
from plugins.groupbuy.service.prepare import prepare_join
from plugins.revenue_share.ledger import Party, balances
from plugins.revenue_share.rules import RuleInput, set_rule
from tests.integration.helpers import bakery_campaign

pytestmark = pytest.mark.alliance_plugins(
    "plugins.groupbuy", "plugins.bakery_club", "plugins.revenue_share"
)


async def test_a_referred_order_pays_the_ambassador_and_the_leader(
    alliance_kernel: Any, alliance_factory: AllianceFactory, captured_events: CapturedEvents
) -> None:
    kernel = alliance_kernel
    world = await bakery_campaign(
        kernel, alliance_factory, plugins=("groupbuy", "bakery_club", "revenue_share")
    )
    bakery, community, leader = world["bakery"], world["community"], world["leader"]
    await set_rule(
        kernel,
        bakery.id,
        RuleInput(default_rate_bp=800, ambassador_rate_bp=300),
        actor_user_id=None,
    )
    fan = await alliance_factory.resident(community, leader=leader)
    buyer = await alliance_factory.resident(community, leader=leader)
    neighbour = await alliance_factory.resident(community, leader=leader)
    await club.join(kernel, bakery.id, fan.id)
    code = (await ambassadors.promote(kernel, bakery.id, fan.id))["code"]

    async def order(user: Any, referral: str | None) -> str:
        request = await prepare_join(
            kernel,
            buyer=user.id,
            campaign_id=world["campaign"],
            community_id=community.id,
            lines=[("LBC-001", 2)],  # 2 x 2,500 fen
            idempotency_key=f"k-{user.id}",
            referral_code=referral,
        )
        placed = await batcher(kernel).join(request)
        assert placed.row is not None
        return str(placed.row["pickup_code"])

    for user, referral in ((buyer, code), (neighbour, None)):
        await mark_picked_up(kernel, leader.id, await order(user, referral), {bakery.id})
    await captured_events.deliver()
    await captured_events.deliver()  # at least once: a redelivery changes nothing
    owed = await balances(bakery.id)
    # Leader: 8 % of two orders of 5,000; ambassador: 3 % of the referred one.
    assert owed[Party("leader", leader.id)]["frozen"] == 800
    assert owed[Party("ambassador", fan.id)]["frozen"] == 150
    assert set(owed) == {Party("leader", leader.id), Party("ambassador", fan.id)}
