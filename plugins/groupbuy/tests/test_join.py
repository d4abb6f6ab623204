"""Joining a campaign through GraphQL: orders, refusals with their codes, idempotency."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from alliance_sdk.testkit import AllianceClient, AllianceFactory, CapturedEvents
from plugins.groupbuy.tests.helpers import JOIN, make_shop

pytestmark = pytest.mark.alliance_plugins("plugins.groupbuy")


async def test_a_resident_joins_and_the_order_is_placed(
    alliance_kernel,
    alliance_factory: AllianceFactory,
    alliance_client: AllianceClient,
    captured_events: CapturedEvents,
) -> None:
    shop = await make_shop(alliance_kernel, alliance_factory, stock=10)
    await shop.campaign(min_group_size=2)
    home = shop.communities[0]
    (alice,) = await shop.add_residents(home, 1)
    await alliance_client.sign_in(alice)
    result = await alliance_client(JOIN, shop.join_input(home, [("MILK-1L", 2), ("EGGS-10", 1)]))
    order = result.ok()["groupbuyJoin"]
    assert order["state"] == "placed"
    assert order["totalFen"] == 2 * 990 + 1290
    assert len(order["pickupCode"]) == 6
    placed = await captured_events.all()
    assert [e.type for e in placed] == ["groupbuy.order_placed"]
    facts = placed[0].model_dump()
    assert facts["leader_member_id"] == shop.leader.id
    assert facts["attribution_reason"] == "community_leader"
    assert facts["pickup_member_id"] == shop.leader.id
    assert [line["quantity"] for line in facts["lines"]] == [1, 2]  # by SKU code


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ([("MILK-1L", 11)], "SOLD_OUT"),
        ([("MILK-1L", 1), ("EGGS-10", 11)], "SOLD_OUT"),
        ([("NOPE", 1)], "BAD_USER_INPUT"),
        ([], "BAD_USER_INPUT"),
        ([("MILK-1L", 1)] * 2, "BAD_USER_INPUT"),
        ([("MILK-1L", 4)], "LIMIT_EXCEEDED"),
    ],
)
async def test_refusals_have_codes_and_reserve_nothing(
    alliance_kernel, alliance_factory, alliance_client, lines, code
) -> None:
    shop = await make_shop(alliance_kernel, alliance_factory, stock=10)
    await shop.campaign(per_resident_limit=3 if code == "LIMIT_EXCEEDED" else 0)
    home = shop.communities[0]
    (alice,) = await shop.add_residents(home, 1)
    await alliance_client.sign_in(alice)
    result = await alliance_client(JOIN, shop.join_input(home, lines))
    assert result.code == code
    stock = await alliance_client(
        "query($m: ID!) { groupbuyCatalog(memberId: $m) { code stock sold } }",
        {"m": shop.gid("Member", shop.store)},
    )
    assert {s["code"]: (s["stock"], s["sold"]) for s in stock.ok()["groupbuyCatalog"]} == {
        "MILK-1L": (10, 0),
        "EGGS-10": (10, 0),
        "RICE-5KG": (10, 0),
    }


async def test_not_a_resident_and_closed_campaigns_are_refused(
    alliance_kernel, alliance_factory, alliance_client
) -> None:
    shop = await make_shop(alliance_kernel, alliance_factory)
    await shop.campaign()
    home, elsewhere = shop.communities
    (alice,) = await shop.add_residents(home, 1)
    await alliance_client.sign_in(alice)
    wrong = await alliance_client(JOIN, shop.join_input(elsewhere, [("MILK-1L", 1)]))
    assert wrong.code == "NOT_IN_COMMUNITY"
    now = alliance_kernel.clock()
    await shop.campaign(
        deadline=now + dt.timedelta(seconds=1), starts_at=now - dt.timedelta(hours=1)
    )
    alliance_kernel.clock = lambda: now + dt.timedelta(seconds=2)
    late = await alliance_client(JOIN, shop.join_input(home, [("MILK-1L", 1)]))
    assert late.code == "CAMPAIGN_CLOSED"


async def test_an_idempotency_key_replayed_in_parallel_makes_one_order(
    alliance_kernel, alliance_factory, alliance_client
) -> None:
    shop = await make_shop(alliance_kernel, alliance_factory, stock=100)
    await shop.campaign()
    home = shop.communities[0]
    (alice,) = await shop.add_residents(home, 1)
    await alliance_client.sign_in(alice)
    same = shop.join_input(home, [("MILK-1L", 1)], key="tap-once")
    results = await asyncio.gather(*[alliance_client(JOIN, same) for _ in range(50)])
    orders = {r.ok()["groupbuyJoin"]["id"] for r in results}
    assert len(orders) == 1
    for sequential in range(3):
        again = await alliance_client(JOIN, same)
        assert again.ok()["groupbuyJoin"]["id"] in orders, sequential
    other = await alliance_client(JOIN, shop.join_input(home, [("MILK-1L", 2)], key="tap-once"))
    assert other.code == "CONFLICT"
    catalog = await alliance_client(
        "query($m: ID!) { groupbuyCatalog(memberId: $m) { code sold } }",
        {"m": shop.gid("Member", shop.store)},
    )
    assert {s["code"]: s["sold"] for s in catalog.ok()["groupbuyCatalog"]}["MILK-1L"] == 1


async def test_a_member_without_the_plugin_answers_plugin_disabled(
    alliance_kernel, alliance_factory, alliance_client
) -> None:
    shop = await make_shop(alliance_kernel, alliance_factory, enable=False)
    await shop.campaign()
    home = shop.communities[0]
    (alice,) = await shop.add_residents(home, 1)
    await alliance_client.sign_in(alice)
    result = await alliance_client(JOIN, shop.join_input(home, [("MILK-1L", 1)]))
    assert result.code == "PLUGIN_DISABLED"
