"""The flash sale with the stock held in a shared warehouse owned by the selling member:
groupbuy asks ``reserve_stock``, the warehouse reserves from its lots (first expiry first);
exactly the stock is sold, every other join is SOLD_OUT, and a cancelled group gives the
units back to the warehouse exactly once."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from typing import Any

import pytest

from alliance_sdk import AllianceError, run_sql
from alliance_sdk.testkit import AllianceFactory
from plugins.groupbuy.service import campaigns, catalog
from plugins.groupbuy.service.batching import batcher
from plugins.groupbuy.service.closing import close_due_campaigns
from plugins.groupbuy.service.prepare import prepare_join
from plugins.warehouse.tests.helpers import floor, receive

pytestmark = pytest.mark.alliance_plugins("plugins.groupbuy", "plugins.warehouse")


async def _lots(kernel: Any, owner: int) -> list[tuple[int, int, int]]:
    rows = await run_sql(
        kernel.db,
        "SELECT received, on_hand, reserved FROM warehouse_lot WHERE member = {} ORDER BY id",
        owner,
    )
    return [(int(r["received"]), int(r["on_hand"]), int(r["reserved"])) for r in rows]


async def _shop(kernel: Any, seller: int) -> tuple[int, int]:
    rows = await run_sql(
        kernel.db, "SELECT stock, sold FROM groupbuy_sku WHERE member = {}", seller
    )
    return int(rows[0]["stock"]), int(rows[0]["sold"])


async def test_flash_sale_from_a_shared_warehouse(
    alliance_kernel: Any, alliance_factory: AllianceFactory
) -> None:
    kernel, make = alliance_kernel, alliance_factory
    f = await floor(kernel, make)
    store = f.a
    await make.enable_plugin(store, "groupbuy")
    await make.serve(store, f.near)
    await catalog.create_product(
        kernel,
        store.id,
        catalog.NewProduct(
            name="Fresh milk",
            category="dairy",
            skus=[catalog.NewSku("MILK-1L", "Milk 1 L", 1290, stock=0)],  # none in the shop
        ),
    )
    await receive(f, store, "MILK-1L", 200, expires_in=9, lot="late")
    await receive(f, store, "MILK-1L", 100, expires_in=3, lot="early")
    await receive(f, f.b, "MILK-1L", 500, expires_in=1, lot="b-only")  # another client's
    now = kernel.clock()
    campaign = await campaigns.create_campaign(
        kernel,
        store.id,
        campaigns.NewCampaign(
            title="Milk flash sale",
            starts_at=now - dt.timedelta(minutes=1),
            deadline=now + dt.timedelta(hours=1),
            delivery_date=(now + dt.timedelta(days=1)).date(),
            min_group_size=1_000,  # never forms: closing gives everything back
            items=[campaigns.NewItem("MILK-1L", 990)],
        ),
    )
    residents = [await make.resident(f.near) for _ in range(100)]

    async def join(n: int) -> str:
        try:
            request = await prepare_join(
                kernel,
                buyer=residents[n % 100].id,
                campaign_id=campaign,
                community_id=f.near.id,
                lines=[("MILK-1L", 1)],
                idempotency_key=f"k-{n}",
            )
            await batcher(kernel).join(request)
        except AllianceError as refusal:
            return str(refusal.code)
        return "ok"

    outcomes = Counter(await asyncio.gather(*[join(n) for n in range(1000)]))
    assert outcomes == {"ok": 300, "SOLD_OUT": 700}
    # First expiry first: the early lot is used up before the late one; B's lot untouched.
    assert await _lots(kernel, store.id) == [(200, 200, 200), (100, 100, 100)]
    assert await _lots(kernel, f.b.id) == [(500, 500, 0)]
    shop = await run_sql(
        kernel.db, "SELECT stock, sold FROM groupbuy_sku WHERE member = {}", store.id
    )
    assert (shop[0]["stock"], shop[0]["sold"]) == (0, 300)

    later = now + dt.timedelta(hours=2)
    kernel.clock = lambda: later
    await asyncio.gather(close_due_campaigns(kernel), close_due_campaigns(kernel))
    assert await _lots(kernel, store.id) == [(200, 200, 0), (100, 100, 0)]
    shop = await run_sql(
        kernel.db, "SELECT stock, sold FROM groupbuy_sku WHERE member = {}", store.id
    )
    assert (shop[0]["stock"], shop[0]["sold"]) == (0, 0)
