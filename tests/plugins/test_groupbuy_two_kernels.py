"""Two serving processes' join batchers on one database (two kernels in this process):
joins of one hot SKU through both sell exactly the stock. On PostgreSQL their batches
decide on unlocked stock and take the SKU row last (groupbuy's "hot rows last" way), so
near the end one process's batch finds its stock taken by the other's, rolls back and is
placed again the locked way; on SQLite the write lock serialises them."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest

from alliance_sdk import AllianceError, run_sql
from kernel.db import bind_engine
from kernel.runtime import Kernel
from kernel.settings import Settings
from plugins.groupbuy.service import campaigns
from plugins.groupbuy.service.batching import batcher
from plugins.groupbuy.tests.helpers import make_shop

pytestmark = pytest.mark.alliance_plugins("plugins.groupbuy")

STOCK = 300


async def _outcome(kernel: Kernel, request: Any) -> str:
    try:
        await batcher(kernel).join(request)
    except AllianceError as refusal:
        return str(refusal.code)
    return "ok"


async def test_two_processes_sell_exactly_the_stock(
    alliance_kernel: Kernel, alliance_factory: Any, alliance_settings: Settings
) -> None:
    shop = await make_shop(alliance_kernel, alliance_factory, stock=STOCK)
    await shop.campaign(items=[campaigns.NewItem("MILK-1L", 990)])
    home, other = shop.communities
    buyers = [(r, home) for r in await shop.add_residents(home, 200)]
    buyers += [(r, other) for r in await shop.add_residents(other, 200)]
    requests = [
        await shop.request(buyer, community, [("MILK-1L", 1)], key=f"k-{n}")
        for n, (buyer, community) in enumerate(buyers * 2)
    ]
    second = Kernel.from_settings(alliance_settings, plugins=alliance_kernel.plugins)
    await second.start()
    try:
        kernels = (alliance_kernel, second)
        outcomes = Counter(
            await asyncio.gather(
                *[_outcome(kernels[n % 2], request) for n, request in enumerate(requests)]
            )
        )
    finally:
        await second.stop()
        bind_engine(alliance_kernel.db.engine)  # tables follow the engine started last
    assert outcomes == {"ok": STOCK, "SOLD_OUT": len(requests) - STOCK}
    [sku] = await run_sql(
        alliance_kernel.db, "SELECT stock, sold FROM groupbuy_sku WHERE code = 'MILK-1L'"
    )
    assert (sku["stock"], sku["sold"]) == (0, STOCK)
    [ordered] = await run_sql(
        alliance_kernel.db,
        "SELECT COUNT(*) AS n, COALESCE(SUM(l.quantity), 0) AS q FROM groupbuy_order o "
        "JOIN groupbuy_order_line l ON l.order_id = o.id WHERE o.state <> 'cancelled'",
    )
    assert (ordered["n"], ordered["q"]) == (STOCK, STOCK)
    groups = await run_sql(
        alliance_kernel.db, "SELECT SUM(joined) AS joined FROM groupbuy_community_group"
    )
    assert groups[0]["joined"] == STOCK
