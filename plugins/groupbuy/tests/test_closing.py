"""Closing at the deadline: formed groups confirmed, failed groups' orders cancelled and their
stock released exactly once, even when the job runs twice at once or crashes half-way."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter

import pytest

from alliance_sdk import run_sql
from plugins.groupbuy.service.closing import close_due_campaigns
from plugins.groupbuy.tests import flaky_stock
from plugins.groupbuy.tests.helpers import Shop, make_shop

pytestmark = pytest.mark.alliance_plugins("plugins.groupbuy")


async def _orders(shop: Shop) -> Counter[tuple[int, str]]:
    rows = await run_sql(
        shop.kernel.db,
        "SELECT community, state FROM groupbuy_order WHERE member = {}",
        shop.store.id,
    )
    return Counter((int(r["community"]), str(r["state"])) for r in rows)


async def _milk(shop: Shop) -> tuple[int, int]:
    rows = await run_sql(
        shop.kernel.db,
        "SELECT stock, sold FROM groupbuy_sku WHERE member = {} AND code = 'MILK-1L'",
        shop.store.id,
    )
    return int(rows[0]["stock"]), int(rows[0]["sold"])


async def _two_groups(shop: Shop) -> None:
    """Community 0 forms (3 of 3); community 1 fails (2 of 3)."""
    formed, failing = shop.communities
    for community, n in ((formed, 3), (failing, 2)):
        for resident in await shop.add_residents(community, n):
            await shop.join(resident, community, [("MILK-1L", 2)])


def _past_deadline(shop: Shop) -> None:
    later = shop.kernel.clock() + dt.timedelta(hours=3)
    shop.kernel.clock = lambda: later


async def test_closing_twice_at_once_releases_stock_once(
    alliance_kernel, alliance_factory, captured_events
) -> None:
    shop = await make_shop(alliance_kernel, alliance_factory, stock=50)
    await shop.campaign(min_group_size=3)
    await _two_groups(shop)
    assert await _milk(shop) == (40, 10)
    assert await close_due_campaigns(alliance_kernel) == 0  # not due yet
    _past_deadline(shop)
    results = await asyncio.gather(
        close_due_campaigns(alliance_kernel), close_due_campaigns(alliance_kernel)
    )
    assert sorted(results) == [0, 2]
    formed, failing = shop.communities
    assert await _orders(shop) == {(formed.id, "confirmed"): 3, (failing.id, "cancelled"): 2}
    assert await _milk(shop) == (44, 6)
    assert await close_due_campaigns(alliance_kernel) == 0
    types = Counter(e.type for e in await captured_events.all())
    assert types["groupbuy.order_cancelled"] == 2
    assert types["groupbuy.group_formed"] == 1


@pytest.mark.alliance_plugins("plugins.groupbuy", "plugins.groupbuy.tests.flaky_stock")
async def test_a_crash_half_way_rolls_back_and_the_next_run_releases_once(
    alliance_kernel, alliance_factory
) -> None:
    shop = await make_shop(alliance_kernel, alliance_factory, stock=0)
    await alliance_factory.enable_plugin(shop.store, "flaky_stock")
    flaky_stock.reset({"MILK-1L": 20}, failures=1)
    await shop.campaign(min_group_size=3)
    await _two_groups(shop)
    assert flaky_stock.STOCK == {"MILK-1L": 10}
    _past_deadline(shop)
    # The first run fails on its first release: nothing of it stays (one transaction).
    assert await close_due_campaigns(alliance_kernel) == 0
    formed, failing = shop.communities
    assert await _orders(shop) == {(formed.id, "placed"): 3, (failing.id, "placed"): 2}
    assert await close_due_campaigns(alliance_kernel) == 2
    assert await close_due_campaigns(alliance_kernel) == 0
    assert len(flaky_stock.RELEASED) == 2 == len(set(flaky_stock.RELEASED))
    assert flaky_stock.STOCK == {"MILK-1L": 14}
    assert await _orders(shop) == {(formed.id, "confirmed"): 3, (failing.id, "cancelled"): 2}
