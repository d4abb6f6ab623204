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


CAMPAIGNS = """
query($m: ID!, $k: ID, $s: String) {
  groupbuyCampaigns(memberId: $m, communityId: $k, state: $s) {
    title state items { sku { code } currentPriceFen } progress { joined needed toGo }
  }
}"""


async def test_a_members_campaigns_each_with_the_communitys_progress(
    alliance_kernel, alliance_factory, alliance_client
) -> None:
    """Each campaign of the list carries its own group in the community asked about (one
    with joins, one nobody joined yet), newest deadline first; without a community, none."""
    import datetime as dt

    from plugins.groupbuy.service import campaigns

    shop = await make_shop(alliance_kernel, alliance_factory)
    now = alliance_kernel.clock()
    tier = [{"min_joined": 1, "price_fen": 800}]
    await shop.campaign(
        title="Early", min_group_size=2, items=[campaigns.NewItem("MILK-1L", 990, tier)]
    )
    home, other = shop.communities
    (alice,) = await shop.add_residents(home, 1)
    await shop.join(alice, home, [("MILK-1L", 1)])
    await shop.campaign(title="Late", min_group_size=4, deadline=now + dt.timedelta(hours=5))
    await alliance_client.sign_in(alice)
    member = shop.gid("Member", shop.store.id)

    async def listed(**variables: object) -> list[dict[str, object]]:
        found = await alliance_client(CAMPAIGNS, {"m": member, **variables})
        return found.ok()["groupbuyCampaigns"]  # type: ignore[no-any-return]

    at_home = await listed(k=shop.gid("Community", home))
    assert [c["title"] for c in at_home] == ["Late", "Early"]
    assert [c["progress"] for c in at_home] == [
        {"joined": 0, "needed": 4, "toGo": 4},
        {"joined": 1, "needed": 2, "toGo": 1},
    ]
    assert at_home[1]["items"] == [{"sku": {"code": "MILK-1L"}, "currentPriceFen": 800}]
    elsewhere = await listed(k=shop.gid("Community", other))
    assert [c["progress"]["joined"] for c in elsewhere] == [0, 0]
    assert elsewhere[1]["items"][0]["currentPriceFen"] == 800  # the first joiner's price there
    assert [c["progress"] for c in await listed()] == [None, None]
    assert [c["title"] for c in await listed(s="open")] == ["Late", "Early"]
    assert await listed(s="closed") == []
