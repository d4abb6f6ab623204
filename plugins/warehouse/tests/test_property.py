"""Property: random sequences of receipts, reservations, cancellations, picking, dispatch,
write-offs, adjustments and transfers keep the stock ledger exact.

Per lot: ``on_hand`` is the sum of its movements, ``0 <= reserved <= on_hand`` and
``reserved`` is what its live reservations hold. Per owner and SKU: on hand = received +
adjusted - written off - dispatched - transferred out + transferred in, and the dispatch
movements equal the dispatched reservations."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alliance_sdk import AllianceError, call_hook
from plugins.warehouse import stock, transfers, waves
from plugins.warehouse.db import rows
from plugins.warehouse.sites import access
from plugins.warehouse.tests.helpers import Floor, floor, reserve

pytestmark = pytest.mark.alliance_plugins("plugins.warehouse")

_run = itertools.count()
owner = st.sampled_from(["a", "b"])
sku = st.sampled_from(["S1", "S2"])
hub = st.sampled_from([0, 1])
receipts = st.tuples(st.just("receive"), owner, sku, hub, st.integers(1, 8), st.integers(0, 5))
reservations = st.tuples(
    st.just("reserve"), owner, st.dictionaries(sku, st.integers(1, 3), min_size=1)
)
steps = st.one_of(
    receipts,
    reservations,
    reservations,
    st.tuples(st.just("pick"), hub),
    st.tuples(st.just("cancel"), st.integers(0, 20)),
    st.tuples(st.just("pick"), hub),
    st.tuples(st.just("dispatch"), hub),
    st.tuples(st.just("write_off"), st.integers(0, 20), st.integers(1, 3)),
    st.tuples(st.just("adjust"), st.integers(0, 20), st.integers(-3, 3).filter(bool)),
    st.tuples(st.just("transfer"), owner, sku, hub, st.integers(1, 4)),
)


@pytest.fixture
async def shop(alliance_kernel: Any, alliance_factory: Any) -> Floor:
    return await floor(alliance_kernel, alliance_factory)


async def _apply(
    f: Floor,
    run: int,
    step: tuple[Any, ...],
    orders: list[tuple[Any, str]],
    lots: list[int],
    picked: dict[int, list[int]],
) -> None:
    kernel, hubs = f.kernel, (f.hub, f.hub2)
    who = {"a": f.a, "b": f.b}
    match step:
        case ("receive", o, s, h, q, e):
            lots.append(
                await stock.receive(
                    kernel,
                    f.operator.id,
                    hubs[h],
                    who[o].id,
                    sku=f"{s}-{run}",
                    quantity=q,
                    lot_code=f"L{len(lots)}",
                    expires_on=None if e == 0 else f.today + dt.timedelta(days=e),
                    name="x",
                    category="c",
                    zone="chilled",
                )
            )
        case ("reserve", o, lines):
            ref = f"gb-{run}-{len(orders)}"
            answer = await reserve(f, who[o], ref, {f"{s}-{run}": q for s, q in lines.items()})
            if answer is not None and answer.reserved:
                orders.append((who[o], ref))
        case ("cancel", i) if orders:
            member, ref = orders[i % len(orders)]
            async with kernel.db.write():
                await call_hook(
                    kernel,
                    "release_stock",
                    member_id=member.id,
                    order_ref=ref,
                    reason="cancelled",
                    contained=False,
                )
        case ("pick", h):
            found = await access(kernel, f.operator.id, hubs[h])
            due = await rows(
                kernel,
                "SELECT DISTINCT delivery_date FROM warehouse_order WHERE "
                "warehouse = {} AND wave IS NULL",
                hubs[h],
            )
            for day in due:
                wave = await waves.plan(
                    kernel, found, (f.slot, f.slot2)[h], day["delivery_date"], [f.a.id, f.b.id]
                )
                await waves.mark_picked(kernel, f.operator.id, int(wave["id"]))
                picked.setdefault(h, []).append(int(wave["id"]))
        case ("dispatch", h) if picked.get(h):
            await waves.dispatch(kernel, f.operator.id, picked[h].pop())
        case ("write_off", i, q) if lots:
            # More than the free units is refused and changes nothing.
            with contextlib.suppress(AllianceError):
                await stock.write_off(kernel, f.operator.id, lots[i % len(lots)], q, "spoiled")
        case ("adjust", i, d) if lots:
            with contextlib.suppress(AllianceError):
                await stock.adjust(kernel, f.operator.id, lots[i % len(lots)], d, "count")
        case ("transfer", o, s, h, q):
            try:
                number = await transfers.request_transfer(
                    kernel, f.operator.id, who[o].id, hubs[h], hubs[1 - h], f"{s}-{run}", q
                )
                await transfers.ship(kernel, f.operator.id, number)
                await transfers.receive_transfer(kernel, f.operator.id, number)
            except AllianceError:
                pass  # not enough free units to ship
        case _:
            pass


async def _check(kernel: Any) -> None:
    lots = await rows(
        kernel,
        "SELECT l.id, l.on_hand, l.reserved, "
        "(SELECT COALESCE(SUM(quantity), 0) FROM warehouse_movement m WHERE m.lot = l.id) "
        "AS moved, "
        "(SELECT COALESCE(SUM(quantity), 0) FROM warehouse_reservation r WHERE r.lot = l.id "
        "AND r.state IN ('reserved', 'picked')) AS held FROM warehouse_lot l",
    )
    for lot in lots:
        assert 0 <= lot["reserved"] <= lot["on_hand"], lot
        assert lot["on_hand"] == lot["moved"], lot
        assert lot["reserved"] == lot["held"], lot
    per_sku = await rows(
        kernel,
        "SELECT member, sku, kind, SUM(quantity) AS q FROM warehouse_movement "
        "GROUP BY member, sku, kind",
    )
    ledger: dict[tuple[int, str], dict[str, int]] = {}
    for r in per_sku:
        ledger.setdefault((r["member"], r["sku"]), {})[r["kind"]] = int(r["q"])
    on_hand = await rows(
        kernel, "SELECT member, sku, SUM(on_hand) AS q FROM warehouse_lot GROUP BY member, sku"
    )
    for r in on_hand:
        kinds = ledger[(r["member"], r["sku"])]
        assert kinds.get("receipt", 0) > 0 and kinds.get("write_off", 0) <= 0
        assert int(r["q"]) == sum(kinds.values()) >= 0, (r, kinds)
        assert kinds.get("transfer_out", 0) <= 0 <= kinds.get("transfer_in", 0)
    shipped = await rows(
        kernel,
        "SELECT COALESCE(SUM(quantity), 0) AS q FROM "
        "warehouse_reservation WHERE state = 'dispatched'",
    )
    moved = await rows(
        kernel,
        "SELECT COALESCE(SUM(quantity), 0) AS q FROM warehouse_movement WHERE kind = 'dispatch'",
    )
    assert int(shipped[0]["q"]) == -int(moved[0]["q"])


@settings(
    database=None,
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    prelude=st.lists(receipts, min_size=2, max_size=4),
    sequence=st.lists(steps, min_size=1, max_size=14),
)
async def test_the_stock_ledger_stays_exact(
    shop: Floor, prelude: list[tuple[Any, ...]], sequence: list[tuple[Any, ...]]
) -> None:
    run = next(_run)  # examples share the database: each works on SKUs of its own
    orders: list[tuple[Any, str]] = []
    lots: list[int] = []
    picked: dict[int, list[int]] = {}
    sequence = prelude + sequence
    for step in sequence:
        await _apply(shop, run, step, orders, lots, picked)
        await _check(shop.kernel)
