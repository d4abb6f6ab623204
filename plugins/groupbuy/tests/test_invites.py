"""Invite discounts: when N invited neighbours join, everyone in the invite group (the
inviter included) gets the campaign's discount."""

from __future__ import annotations

import pytest

from alliance_sdk import run_sql
from plugins.groupbuy.tests.helpers import make_shop

pytestmark = pytest.mark.alliance_plugins("plugins.groupbuy")

INVITE = "mutation($c: ID!) { groupbuyInvite(campaignId: $c) { code joined unlocked } }"


async def test_the_third_invited_neighbour_unlocks_the_discount_for_all(
    alliance_kernel, alliance_factory, alliance_client
) -> None:
    shop = await make_shop(alliance_kernel, alliance_factory)
    await shop.campaign(invite_size=3, invite_discount_bps=1000)  # 10 %
    home = shop.communities[0]
    inviter, *neighbours = await shop.add_residents(home, 5)
    await alliance_client.sign_in(inviter)
    campaign = {"c": shop.gid("GroupbuyCampaign", shop.campaign_id)}
    code = (await alliance_client(INVITE, campaign)).ok()["groupbuyInvite"]["code"]
    again = (await alliance_client(INVITE, campaign)).ok()["groupbuyInvite"]
    assert again == {"code": code, "joined": 0, "unlocked": False}
    mine = await shop.join(inviter, home, [("MILK-1L", 1)])  # 990
    invited = [await shop.join(n, home, [("EGGS-10", 1)], invite_code=code) for n in neighbours[:2]]
    own_code = await shop.join(inviter, home, [("RICE-5KG", 1)], invite_code=code)  # not counted

    async def totals() -> dict[int, tuple[int, int]]:
        rows = await run_sql(
            alliance_kernel.db,
            "SELECT id, total_fen, discount_fen FROM groupbuy_order WHERE member = {}",
            shop.store.id,
        )
        return {int(r["id"]): (int(r["total_fen"]), int(r["discount_fen"])) for r in rows}

    before = await totals()
    assert before[mine] == (990, 0) and all(before[i] == (1290, 0) for i in invited)
    third = await shop.join(neighbours[2], home, [("EGGS-10", 2)], invite_code=code)
    after = await totals()
    assert after[mine] == (891, 99)
    assert after[own_code] == (3591, 399)  # the inviter's orders all count
    assert all(after[i] == (1161, 129) for i in invited)
    assert after[third] == (2322, 258)
    late = await shop.join(neighbours[3], home, [("EGGS-10", 1)], invite_code=code)
    assert (await totals())[late] == (1161, 129)  # joining an unlocked group: discounted at once
    status = (await alliance_client(INVITE, campaign)).ok()["groupbuyInvite"]
    assert status == {"code": code, "joined": 4, "unlocked": True}
