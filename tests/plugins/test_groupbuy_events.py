"""groupbuy's events reach the plugins its seller uses, and cost the event dispatchers
nothing when none listens (publish_many with the batch's memo; a kernel test, as it watches
the dispatchers' wake-up signal)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from alliance_sdk import run_sql
from alliance_sdk.testkit import AllianceFactory, CapturedEvents
from kernel.events.outbox import add_wakeup, remove_wakeup
from plugins.groupbuy.tests.helpers import make_shop

# bakery_club subscribes to groupbuy.order_placed (ambassadors' sales).
pytestmark = pytest.mark.alliance_plugins("plugins.groupbuy", "plugins.bakery_club")


async def _outbox(kernel: Any) -> list[dict[str, Any]]:
    rows = await run_sql(
        kernel.db,
        "SELECT o.fanned_out, d.consumer, d.status FROM events_outbox o "
        "LEFT JOIN events_delivery d ON d.outbox_id = o.id "
        "WHERE o.type = 'groupbuy.order_placed' ORDER BY o.id",
    )
    return [{**row, "fanned_out": bool(row["fanned_out"])} for row in rows]


async def test_an_order_no_plugin_of_the_seller_takes_wakes_no_dispatcher(
    alliance_kernel: Any, alliance_factory: AllianceFactory, captured_events: CapturedEvents
) -> None:
    shop = await make_shop(alliance_kernel, alliance_factory)
    await shop.campaign()
    home = shop.communities[0]
    alice, bob = await shop.add_residents(home, 2)
    woken = asyncio.Event()
    add_wakeup(alliance_kernel.db, woken)
    try:
        await shop.join(alice, home, [("MILK-1L", 1)])
        # The store has not enabled bakery_club: stored already fanned out, no delivery
        # row, no dispatcher woken (locally; nor notified on PostgreSQL).
        assert await _outbox(alliance_kernel) == [
            {"fanned_out": True, "consumer": None, "status": None}
        ]
        assert not woken.is_set()
        assert await captured_events.deliver() == 0

        await alliance_factory.enable_plugin(shop.store, "bakery_club")
        await shop.join(bob, home, [("MILK-1L", 1)])
    finally:
        remove_wakeup(alliance_kernel.db, woken)
    # Now the seller uses a plugin that listens: the event goes the usual way, and only it.
    assert (await _outbox(alliance_kernel))[1:] == [
        {"fanned_out": False, "consumer": None, "status": None}
    ]
    assert woken.is_set() or alliance_kernel.db.kind == "postgres"  # there: NOTIFY at commit
    assert await captured_events.deliver() == 1
    [first, second] = await _outbox(alliance_kernel)
    assert first == {"fanned_out": True, "consumer": None, "status": None}
    assert second["fanned_out"] is True
    assert str(second["consumer"]).startswith("bakery_club:")
    assert second["status"] == "done"
