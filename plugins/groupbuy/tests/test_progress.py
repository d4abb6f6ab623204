"""Live progress: the campaign's progress per community, read and pushed as people join (one
broadcast per batch, fanned out to every watcher)."""

from __future__ import annotations

import asyncio

import pytest

from plugins.groupbuy.tests.helpers import make_shop

pytestmark = pytest.mark.alliance_plugins("plugins.groupbuy")

CAMPAIGN = """
query($c: ID!, $k: ID) {
  groupbuyCampaign(campaignId: $c, communityId: $k) {
    title state items { sku { code } priceFen currentPriceFen }
    progress { joined needed formed toGo }
  }
}"""
PROGRESS = """
subscription($c: ID!, $k: ID!) {
  groupbuyProgress(campaignId: $c, communityId: $k) { joined needed formed toGo state }
}"""


async def test_progress_and_tier_prices_follow_the_joins(
    alliance_kernel, alliance_factory, alliance_client
) -> None:
    from plugins.groupbuy.service import campaigns

    shop = await make_shop(alliance_kernel, alliance_factory)
    await shop.campaign(
        min_group_size=3,
        items=[campaigns.NewItem("MILK-1L", 990, [{"min_joined": 2, "price_fen": 890}])],
    )
    home = shop.communities[0]
    residents = await shop.add_residents(home, 3)
    await alliance_client.sign_in(residents[0])
    ids = {"c": shop.gid("GroupbuyCampaign", shop.campaign_id), "k": shop.gid("Community", home)}
    before = (await alliance_client(CAMPAIGN, ids)).ok()["groupbuyCampaign"]
    assert before["progress"] == {"joined": 0, "needed": 3, "formed": False, "toGo": 3}
    assert before["items"][0]["currentPriceFen"] == 990
    await shop.join(residents[0], home, [("MILK-1L", 1)])
    after = (await alliance_client(CAMPAIGN, ids)).ok()["groupbuyCampaign"]
    assert after["progress"]["joined"] == 1
    assert after["items"][0]["currentPriceFen"] == 890  # the next neighbour is the 2nd


async def test_watchers_are_pushed_every_change(
    alliance_kernel, alliance_factory, alliance_client
) -> None:
    shop = await make_shop(alliance_kernel, alliance_factory)
    await shop.campaign(min_group_size=2)
    home = shop.communities[0]
    residents = await shop.add_residents(home, 2)
    await alliance_client.sign_in(residents[0])
    ids = {"c": shop.gid("GroupbuyCampaign", shop.campaign_id), "k": shop.gid("Community", home)}
    async with (
        alliance_client.subscribe(PROGRESS, ids) as one,
        alliance_client.subscribe(PROGRESS, ids) as two,
    ):
        assert (await anext(one)).ok()["groupbuyProgress"]["joined"] == 0
        assert (await anext(two)).ok()["groupbuyProgress"]["toGo"] == 2
        await shop.join(residents[0], home, [("MILK-1L", 1)])
        await shop.join(residents[1], home, [("EGGS-10", 1)])
        seen = [
            (await asyncio.wait_for(anext(stream), 5)).ok()["groupbuyProgress"]
            for stream in (one, one, two, two)
        ]
    assert [s["joined"] for s in seen] == [1, 2, 1, 2]
    assert seen[1] == {"joined": 2, "needed": 2, "formed": True, "toGo": 0, "state": "formed"}


async def test_watching_a_disabled_members_campaign_is_refused(
    alliance_kernel, alliance_factory, alliance_client
) -> None:
    shop = await make_shop(alliance_kernel, alliance_factory, enable=False)
    await shop.campaign()
    (alice,) = await shop.add_residents(shop.communities[0], 1)
    await alliance_client.sign_in(alice)
    ids = {
        "c": shop.gid("GroupbuyCampaign", shop.campaign_id),
        "k": shop.gid("Community", shop.communities[0]),
    }
    async with alliance_client.subscribe(PROGRESS, ids) as stream:
        first = await anext(stream)
    assert first.code == "PLUGIN_DISABLED"


async def test_tier_prices_follow_each_communitys_joins_in_and_across_batches(
    alliance_kernel, alliance_factory
) -> None:
    from alliance_sdk import run_sql
    from plugins.groupbuy.service import campaigns

    shop = await make_shop(alliance_kernel, alliance_factory)
    await shop.campaign(
        items=[campaigns.NewItem("MILK-1L", 990, [{"min_joined": 2, "price_fen": 890}])]
    )
    east, west = shop.communities
    easterners = await shop.add_residents(east, 4)
    westerners = await shop.add_residents(west, 2)
    # Five joins at once (batched however they arrive), then one more later.
    await asyncio.gather(
        *[shop.join(r, east, [("MILK-1L", 1)]) for r in easterners[:3]],
        *[shop.join(r, west, [("MILK-1L", 1)]) for r in westerners],
    )
    await shop.join(easterners[3], east, [("MILK-1L", 1)])

    rows = await run_sql(
        alliance_kernel.db,
        "SELECT o.community, l.unit_price_fen, o.total_fen FROM groupbuy_order o "
        "JOIN groupbuy_order_line l ON l.order_id = o.id ORDER BY o.id",
    )
    prices: dict[int, list[int]] = {}
    for row in rows:
        assert row["total_fen"] == row["unit_price_fen"]
        prices.setdefault(int(row["community"]), []).append(int(row["unit_price_fen"]))
    # Each community's first joiner pays the campaign price, the second on the tier price.
    assert sorted(prices[east.id][:3]) == [890, 890, 990]
    assert prices[east.id][3] == 890
    assert sorted(prices[west.id]) == [890, 990]
