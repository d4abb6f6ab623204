"""Pickup: the pickup point sees its day's list grouped by resident and hands orders over by
code; a store's orders reach another member (the leader running the pickup point) only under
the store's orders:read grant for purpose pickup, in force and revoked on the next request."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from alliance_sdk.testkit import AllianceClient
from plugins.groupbuy.tests.helpers import Shop, make_shop

pytestmark = pytest.mark.alliance_plugins("plugins.groupbuy")

PICKUP_LIST = """
query($m: ID!, $day: Date!) {
  groupbuyPickupList(memberId: $m, day: $day) {
    buyerName household orders { id state totalFen pickupCode lines { skuCode quantity } }
  }
}"""
PICK_UP = """
mutation($m: ID!, $code: String!) { groupbuyPickUp(memberId: $m, pickupCode: $code) { id state } }
"""
GRANT = """
mutation($input: GrantConsentInput!) { grantConsent(input: $input) { id } }
"""
REVOKE = """
mutation($m: ID!, $g: ID!) { revokeConsent(memberId: $m, grantId: $g) { revokedAt } }
"""
MY_ORDERS = "query($m: ID!) { groupbuyMyOrders(memberId: $m) { id state pickupCode } }"


async def _placed(shop: Shop, client: AllianceClient) -> tuple[list[Any], list[str]]:
    home = shop.communities[0]
    residents = await shop.add_residents(home, 2)
    for resident in residents:
        await shop.join(resident, home, [("MILK-1L", 1)])
        await shop.join(resident, home, [("EGGS-10", 2)])
    codes = []
    for resident in residents:
        await client.sign_in(resident)
        mine = (await client(MY_ORDERS, {"m": shop.gid("Member", shop.store)})).ok()
        codes += [o["pickupCode"] for o in mine["groupbuyMyOrders"]]
    return residents, codes


async def test_the_leaders_pickup_list_needs_the_stores_grant(
    alliance_kernel, alliance_factory, alliance_client, captured_events
) -> None:
    shop = await make_shop(alliance_kernel, alliance_factory)
    await shop.campaign()
    _residents, codes = await _placed(shop, alliance_client)
    assert len(codes) == 4
    leader_owner = await alliance_factory.user()
    await alliance_factory.membership(shop.leader, leader_owner, "owner")
    day = (alliance_kernel.clock() + dt.timedelta(days=1)).date().isoformat()
    as_leader = {"m": shop.gid("Member", shop.leader), "day": day}

    await alliance_client.sign_in(leader_owner)
    assert (await alliance_client(PICKUP_LIST, as_leader)).ok()["groupbuyPickupList"] == []
    refused = await alliance_client(PICK_UP, {"m": as_leader["m"], "code": codes[0]})
    assert refused.code == "NOT_FOUND"

    await alliance_client.sign_in(shop.owner)
    grant = await alliance_client(
        GRANT,
        {
            "input": {
                "grantorMemberId": shop.gid("Member", shop.store),
                "granteeMemberId": shop.gid("Member", shop.leader),
                "scope": "orders:read",
                "purpose": "pickup",
                "legalBasis": "contract",
            }
        },
    )
    grant_id = grant.ok()["grantConsent"]["id"]

    await alliance_client.sign_in(leader_owner)
    groups = (await alliance_client(PICKUP_LIST, as_leader)).ok()["groupbuyPickupList"]
    assert len(groups) == 2 and all(len(g["orders"]) == 2 for g in groups)
    assert all(g["buyerName"] and g["household"] for g in groups)
    assert all(o["pickupCode"] is None for g in groups for o in g["orders"])  # never shown
    handed = await alliance_client(PICK_UP, {"m": as_leader["m"], "code": codes[0].lower()})
    assert handed.ok()["groupbuyPickUp"]["state"] == "picked_up"
    again = await alliance_client(PICK_UP, {"m": as_leader["m"], "code": codes[0]})
    assert again.code == "CONFLICT"
    picked = [e for e in await captured_events.all() if e.type == "groupbuy.order_picked_up"]
    assert len(picked) == 1 and picked[0].member_id == shop.store.id

    await alliance_client.sign_in(shop.owner)
    revoke = await alliance_client(REVOKE, {"m": shop.gid("Member", shop.store), "g": grant_id})
    assert revoke.ok()["revokeConsent"]["revokedAt"]
    await alliance_client.sign_in(leader_owner)
    assert (await alliance_client(PICKUP_LIST, as_leader)).ok()["groupbuyPickupList"] == []
    assert (
        await alliance_client(PICK_UP, {"m": as_leader["m"], "code": codes[1]})
    ).code == "NOT_FOUND"
