"""reserve_stock / release_stock: nearest hub, FEFO, all-or-nothing, exactly-once release,
refusals recorded as unmet demand, and no oversell under real concurrency."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from alliance_sdk import call_hook
from plugins.warehouse.db import rows
from plugins.warehouse.tests.helpers import floor, lot_row, receive, reserve

pytestmark = pytest.mark.alliance_plugins("plugins.warehouse")


async def test_fefo_from_the_nearest_covering_hub(
    alliance_kernel: Any, alliance_factory: Any
) -> None:
    f = await floor(alliance_kernel, alliance_factory)
    late = await receive(f, f.a, "MILK", 5, expires_in=9)
    early = await receive(f, f.a, "MILK", 3, expires_in=2)
    await receive(f, f.a, "MILK", 50, hub=f.hub2)  # covers the community too, but farther

    answer = await reserve(f, f.a, "gb-1", {"MILK": 4})

    assert answer.reserved
    assert [(t.lot, t.quantity, t.location) for t in answer.takes] == [
        ("MILK-2-3", 3, f"warehouse:{f.hub}"),
        ("MILK-9-5", 1, f"warehouse:{f.hub}"),
    ]
    assert (await lot_row(alliance_kernel, early))["reserved"] == 3
    assert (await lot_row(alliance_kernel, late))["reserved"] == 1


async def test_a_cart_is_all_or_nothing_and_refusals_are_unmet_demand(
    alliance_kernel: Any, alliance_factory: Any
) -> None:
    f = await floor(alliance_kernel, alliance_factory)
    milk = await receive(f, f.a, "MILK", 5)
    await receive(f, f.a, "EGGS", 1)

    answer = await reserve(f, f.a, "gb-1", {"MILK": 2, "EGGS": 3})

    assert not answer.reserved and answer.short == {"EGGS": 1}
    assert (await lot_row(alliance_kernel, milk))["reserved"] == 0
    unmet = await rows(alliance_kernel, "SELECT sku, units, kind FROM warehouse_unmet")
    assert unmet == [{"sku": "EGGS", "units": 2, "kind": "sold_out"}]


async def test_none_when_no_covering_hub_holds_the_sellers_stock(
    alliance_kernel: Any, alliance_factory: Any
) -> None:
    f = await floor(alliance_kernel, alliance_factory)
    await receive(f, f.b, "MILK", 5)
    stranger = await alliance_factory.member(f.alliance)
    await alliance_factory.enable_plugin(stranger, "warehouse")

    assert await reserve(f, f.a, "gb-1", {"MILK": 1}) is None  # B's milk is not A's
    async with alliance_kernel.db.write():
        from alliance_sdk import decide

        assert (
            await decide(
                alliance_kernel,
                "reserve_stock",
                member_id=stranger.id,
                community_id=f.near.id,
                order_ref="x",
                lines={"MILK": 1},
                contained=False,
            )
            is None
        )


async def test_release_exactly_once(alliance_kernel: Any, alliance_factory: Any) -> None:
    f = await floor(alliance_kernel, alliance_factory)
    milk = await receive(f, f.a, "MILK", 5)
    assert (await reserve(f, f.a, "gb-1", {"MILK": 4})).reserved

    results = []
    for _ in range(3):
        async with alliance_kernel.db.write():
            results.append(
                await call_hook(
                    alliance_kernel,
                    "release_stock",
                    member_id=f.a.id,
                    order_ref="gb-1",
                    reason="group_failed",
                    contained=False,
                )
            )
    assert results == [[4], [], []]
    assert (await lot_row(alliance_kernel, milk))["reserved"] == 0
    # B releasing A's order reference touches nothing of A's.
    assert (await reserve(f, f.a, "gb-2", {"MILK": 2})).reserved
    async with alliance_kernel.db.write():
        assert (
            await call_hook(
                alliance_kernel,
                "release_stock",
                member_id=f.b.id,
                order_ref="gb-2",
                reason="x",
                contained=False,
            )
            == []
        )
    assert (await lot_row(alliance_kernel, milk))["reserved"] == 2


async def test_reserving_the_same_order_again_returns_its_takes(
    alliance_kernel: Any, alliance_factory: Any
) -> None:
    f = await floor(alliance_kernel, alliance_factory)
    milk = await receive(f, f.a, "MILK", 5)
    first = await reserve(f, f.a, "gb-1", {"MILK": 2})
    again = await reserve(f, f.a, "gb-1", {"MILK": 2})
    assert first.takes == again.takes
    assert (await lot_row(alliance_kernel, milk))["reserved"] == 2


async def test_concurrent_reservations_never_oversell(
    alliance_kernel: Any, alliance_factory: Any
) -> None:
    f = await floor(alliance_kernel, alliance_factory)
    lots = [await receive(f, f.a, "HOT", 7, expires_in=d, lot=f"L{d}") for d in (1, 2, 3)]

    async def one(n: int) -> Any:
        return await reserve(f, f.a, f"gb-{n}", {"HOT": 1 + n % 2, "COLD": 0})

    answers = await asyncio.gather(*(one(n) for n in range(40)))

    reserved = sum(sum(t.quantity for t in a.takes) for a in answers if a.reserved)
    assert reserved <= 21
    assert any(not a.reserved for a in answers)
    total = sum([(await lot_row(alliance_kernel, lot))["reserved"] for lot in lots])
    assert total == reserved
    for lot in lots:
        row = await lot_row(alliance_kernel, lot)
        assert 0 <= row["reserved"] <= row["on_hand"]
    # Every unit not reserved was refused to someone: 21 units in all, none left unsold
    # while a one-unit cart was refused.
    assert reserved >= 20
